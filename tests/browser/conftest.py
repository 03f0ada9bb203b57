"""End-to-end fixtures: the real app in reflex's AppHarness, driven by Playwright in the
Debian chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from reflex.testing import AppHarness

REPO_ROOT = Path(__file__).resolve().parents[2]
# Reflex must use the npm-installed bun (it cannot download its own here) and stay quiet.
os.environ["PATH"] = f"{REPO_ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def app_harness() -> Iterator[AppHarness]:
    with AppHarness.create(root=REPO_ROOT, app_name="balancer_perps") as harness:
        assert harness.frontend_url is not None
        yield harness


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def app_url(harness: AppHarness, path: str = "/") -> str:
    assert harness.frontend_url is not None
    return harness.frontend_url.rstrip("/") + path
