"""The app shell renders: header, navigation, theme toggle, footer, markets page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from reflex.testing import AppHarness

from tests.browser.conftest import app_url

pytestmark = pytest.mark.browser


def test_markets_page_renders_shell(app_harness: AppHarness, page: Page) -> None:
    page.goto(app_url(app_harness, "/"))
    expect(page.locator("#page-title")).to_have_text("Markets")
    expect(page.locator("#nav-markets")).to_be_visible()
    expect(page.locator("#nav-portfolio")).to_be_visible()
    expect(page.locator("#powered-by")).to_have_text("Powered by Tracer DAO")


def test_navigation_reaches_portfolio(app_harness: AppHarness, page: Page) -> None:
    page.goto(app_url(app_harness, "/markets"))
    page.locator("#nav-portfolio").click()
    expect(page).to_have_url(app_url(app_harness, "/portfolio"))
    expect(page.locator("#page-title")).to_have_text("Portfolio")


def test_dark_by_default_with_light_toggle(app_harness: AppHarness, page: Page) -> None:
    page.goto(app_url(app_harness, "/"))
    html = page.locator("html")
    expect(html).to_have_class("dark", timeout=30_000)
    page.locator("#color-mode-toggle").click()
    expect(html).to_have_class("light")
