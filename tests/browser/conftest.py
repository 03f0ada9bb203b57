"""End-to-end fixtures: the real app in reflex's AppHarness, driven by Playwright in the
Debian chromium (never a downloaded browser)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from reflex.testing import AppHarness

from tests.browser.feed import SnapshotFeed

REPO_ROOT = Path(__file__).resolve().parents[2]
# Reflex must use the npm-installed bun (it cannot download its own here) and stay quiet.
os.environ["PATH"] = f"{REPO_ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
# The harness serves the frontend on a free port, so the backend must accept its origin.
os.environ.setdefault("BALANCER_PERPS_CORS_ORIGINS", "*")
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


@dataclass(frozen=True)
class Devnet:
    """A devnet of this test session, or why there is none."""

    directory: Path | None
    manifest: dict[str, Any] | None
    skip_reason: str = ""


def devnet_command(*args: str, env: dict[str, str], timeout: float) -> None:
    subprocess.run(
        [sys.executable, "-m", "balancer_perps.devnet", *args],
        env=env,
        cwd=REPO_ROOT,
        check=True,
        timeout=timeout,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="session")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    """A private devnet (temp directory, free port, 30 min of history) with the app's block
    watcher and index pointed at it. Set BALANCER_PERPS_BROWSER_DEVNET=0 to skip it."""
    if os.environ.get("BALANCER_PERPS_BROWSER_DEVNET", "1") == "0":
        os.environ["BALANCER_PERPS_WATCHER"] = "false"
        yield Devnet(None, None, "BALANCER_PERPS_BROWSER_DEVNET=0")
        return
    from balancer_perps.devnet.anvil import free_port

    directory = tmp_path_factory.mktemp("devnet")
    env = {
        **os.environ,
        "BALANCER_PERPS_DEVNET_DIR": str(directory),
        "BALANCER_PERPS_DEVNET_PORT": str(free_port()),
    }
    try:
        devnet_command("up", "--history", "30m", env=env, timeout=900)
        env["BALANCER_PERPS_DB_URL"] = f"sqlite:///{directory / 'index.db'}"
        subprocess.run(
            [str(REPO_ROOT / ".venv" / "bin" / "reflex"), "db", "migrate"],
            env=env,
            cwd=REPO_ROOT,
            check=True,
            timeout=300,
            capture_output=True,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        detail = getattr(error, "stderr", "") or ""
        os.environ["BALANCER_PERPS_WATCHER"] = "false"
        with contextlib.suppress(Exception):
            devnet_command("down", env=env, timeout=120)
        yield Devnet(None, None, f"devnet did not start: {error} {str(detail)[-400:]}")
        return
    for name in (
        "BALANCER_PERPS_DEVNET_DIR",
        "BALANCER_PERPS_DEVNET_PORT",
        "BALANCER_PERPS_DB_URL",
    ):
        os.environ[name] = env[name]
    os.environ["BALANCER_PERPS_NETWORK"] = "devnet"
    os.environ["BALANCER_PERPS_WATCHER"] = "true"
    manifest = json.loads((directory / "manifest.json").read_text())
    try:
        yield Devnet(directory, manifest)
    finally:
        with contextlib.suppress(Exception):
            devnet_command("down", env=env, timeout=120)


@pytest.fixture(scope="session")
def app_harness(devnet: Devnet) -> Iterator[AppHarness]:
    with AppHarness.create(root=REPO_ROOT, app_name="balancer_perps") as harness:
        assert harness.frontend_url is not None
        yield harness


@pytest.fixture
def feed(app_harness: AppHarness) -> Iterator[SnapshotFeed]:
    """Snapshots published by the test instead of the watcher (pages read them through
    `pages._data`, as from `balancer_perps.live`)."""
    from balancer_perps.pages import _data

    snapshot_feed = SnapshotFeed()
    _data.use_source(snapshot_feed)
    yield snapshot_feed
    _data.use_source(None)


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
