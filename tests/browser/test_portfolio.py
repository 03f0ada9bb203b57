"""The portfolio of a seeded devnet trader, end to end: the page asks for a wallet, the
injected test wallet connects, and the trader's positions appear with their PnL, exposure,
queued trades and a link to each market page, then its trade history, which filters and downloads
as CSV; a wallet on another network is told so."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

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

    # collateral-aware exposure: each card shows its underlying and collateral legs, and the
    # totals price BAL in USD from the devnet's BAL/USD market
    expect(cards.first.locator(".portfolio-exposure")).to_contain_text("Long ")
    expect(cards.first.locator(".portfolio-exposure-side").first).to_contain_text("on gains")
    expect(page.locator("#exposure-explanation")).to_contain_text("BAL/USD rises")
    expect(page.locator(".portfolio-exposure-underlying").first).to_contain_text("Net ")
    bal_row = page.locator(".portfolio-exposure-token").filter(has_text="BAL/USD")
    expect(bal_row.first).to_contain_text("≈ $")

    # the trade history lists the trader's commits, newest first; the devnet has no block
    # explorer, so hashes are shown (and copyable) without a link
    trades = page.locator(".portfolio-trade-row")
    expect(trades.first).to_be_visible(timeout=60_000)
    expect(page.locator("#portfolio-trades")).to_contain_text("Mint long")
    expect(page.locator("#portfolio-trades-count")).to_contain_text("trade")
    assert trades.count() >= len(devnet.manifest["pools"])
    expect(page.locator(".portfolio-tx-link")).to_have_count(0)
    first_tx = trades.first.locator("[data-tx]").get_attribute("data-tx") or ""
    assert first_tx.startswith("0x") and len(first_tx) == 66

    # the CSV download holds every commit, with the ones in the table
    with page.expect_download() as download_info:
        page.locator("#portfolio-trades-csv").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    lines = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
    assert len(lines) >= trades.count()
    assert first_tx in {line["tx_hash"] for line in lines}
    assert {"Mint long"} <= {line["type"] for line in lines}
    assert all(int(line["amount_in_raw"]) > 0 for line in lines)

    # the type filter narrows the table
    page.locator("#portfolio-trades-type").click()
    page.get_by_role("option", name="Mints", exact=True).click()
    expect(page.locator("#portfolio-trades")).not_to_contain_text("Burn long")
    expect(trades.first).to_contain_text("Mint")

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
