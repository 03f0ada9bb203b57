"""The portfolio of a seeded devnet trader, end to end: the page asks for a wallet, the
injected test wallet connects, and the trader's positions appear with their PnL, queued
trades and a link to each market page; a wallet on another network is told so."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from reflex.testing import AppHarness

from tests.browser.conftest import Devnet, app_url
from tests.browser.test_trade import TEST_WALLET, WALLET_NAME

pytestmark = pytest.mark.browser

# The seed opens every market with a long mint from trader1: it holds something everywhere.
TRADER_ROLE = "trader1"


@pytest.fixture
def trader_page(browser: Browser, devnet: Devnet) -> Iterator[Page]:
    if devnet.manifest is None:
        pytest.skip(devnet.skip_reason)
    manifest = devnet.manifest
    script = (TEST_WALLET
              .replace("__RPC__", json.dumps(manifest["rpc_url"]))
              .replace("__ACCOUNT__", json.dumps(manifest["accounts"][TRADER_ROLE]["address"]))
              .replace("__CHAIN__", json.dumps(hex(int(manifest["chain_id"]))))
              .replace("__NAME__", json.dumps(WALLET_NAME)))
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.add_init_script(script)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def test_a_traders_portfolio(app_harness: AppHarness, devnet: Devnet, trader_page: Page
                             ) -> None:
    assert devnet.manifest is not None
    page = trader_page
    page.goto(app_url(app_harness, "/portfolio"))
    expect(page.locator("#page-title")).to_have_text("Portfolio", timeout=60_000)
    expect(page.locator("#portfolio-connect-prompt")).to_be_visible(timeout=60_000)

    page.locator("#wallet-button button").first.click()
    page.get_by_text(WALLET_NAME, exact=True).first.click()
    expect(page.locator("#portfolio-connect-prompt")).to_have_count(0, timeout=30_000)
    cards = page.locator(".portfolio-position")
    expect(cards.first).to_be_visible(timeout=60_000)
    expect(page.locator("#portfolio-summary")).to_contain_text("Total PnL")
    expect(page.locator("#pnl-explanation")).to_contain_text("PnL = your pool tokens")
    expect(page.locator(".portfolio-total").first).to_contain_text("BAL")
    expect(page.locator(".portfolio-pnl").first).not_to_be_empty()

    # every card links to its market page, where the trade panel is
    names = {pool["address"].lower(): pool["name"] for pool in devnet.manifest["pools"]}
    first = cards.first
    market = (first.get_attribute("data-market") or "").lower()
    assert market in names
    expect(first).to_contain_text(names[market])
    first.get_by_role("link", name="Trade on the market page →").click()
    expect(page.locator("#page-title")).to_have_text(names[market], timeout=60_000)
    assert f"/markets/{market}" in page.url.lower()

    # back on the portfolio, a wallet on another network is told so
    page.go_back()
    expect(cards.first).to_be_visible(timeout=60_000)
    page.evaluate("window.__wallet.userSwitchesTo('0x1')")
    expect(page.locator("#portfolio-wrong-network")).to_be_visible()
    page.locator("#portfolio-switch-network").click()
    expect(page.locator("#portfolio-wrong-network")).to_have_count(0)
