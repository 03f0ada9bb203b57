"""The markets and market pages in a real browser, fed snapshots by the test (the watcher's
stand-in): every market with its collateral, filters, live updates, charts, the
node-down banner, and addresses that are not markets."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect
from reflex.testing import AppHarness

from tests.app.factories import history, sample_markets, snapshot
from tests.browser.conftest import app_url
from tests.browser.feed import SnapshotFeed

pytestmark = pytest.mark.browser


def _publish_sample(feed: SnapshotFeed, version: int = 1, **kwargs: object) -> tuple:
    now = int(time.time())
    markets = sample_markets(now=now)
    feed.publish(snapshot(*markets, version=version, block_timestamp=now, **kwargs))
    return markets


def test_loading_then_live_markets(app_harness: AppHarness, feed: SnapshotFeed, page: Page) -> None:
    page.goto(app_url(app_harness, "/"))
    expect(page.locator("#markets-loading")).to_be_visible()
    _publish_sample(feed)
    # the page's live loop picks the first publication up without a reload
    expect(page.locator(".market-card")).to_have_count(6)


def test_every_market_listed_with_its_collateral(
    app_harness: AppHarness, feed: SnapshotFeed, page: Page
) -> None:
    markets = _publish_sample(feed)
    page.goto(app_url(app_harness, "/markets"))
    for state in markets:
        card = page.locator(f"#market-{state.info.address}")
        if not state.info.verified:
            expect(card).to_have_count(0)
            continue
        expect(card.locator(".market-link")).to_have_text(state.info.name)
        expect(card.locator(".market-collateral")).to_have_text(state.info.settlement_symbol)
    expect(page.locator(".market-group h2, .market-group .rt-Heading").first).to_have_text(
        "ETH/USD"
    )
    page.locator("#show-unverified").click()
    expect(page.locator(".market-card")).to_have_count(len(markets))
    expect(page.locator("#explainer")).to_contain_text("veBAL")


def test_filters_and_search(app_harness: AppHarness, feed: SnapshotFeed, page: Page) -> None:
    _publish_sample(feed)
    page.goto(app_url(app_harness, "/"))
    expect(page.locator(".market-card")).to_have_count(6)
    page.locator("#filter-collateral").click()
    page.get_by_role("option", name="auraBAL").click()
    expect(page.locator(".market-card")).to_have_count(1)
    expect(page.locator(".market-link")).to_have_text("3-ETH/USD+auraBAL")
    page.locator("#filter-collateral").click()
    page.get_by_role("option", name="All collateral").click()
    page.locator("#market-search").fill("btc")
    expect(page.locator(".market-card")).to_have_count(1)
    expect(page.locator(".market-link")).to_have_text("3-BTC/USD+BAL")
    page.locator("#market-search").fill("no such market")
    expect(page.locator("#markets-no-match")).to_be_visible()


def test_market_page_draws_its_charts(
    app_harness: AppHarness, feed: SnapshotFeed, page: Page
) -> None:
    markets = _publish_sample(feed)
    target = markets[0]
    feed.histories[target.info.address.lower()] = history(target, start=int(time.time()) - 6000)
    page.goto(app_url(app_harness, "/markets"))
    page.locator(f"#market-{target.info.address} .market-link").click()
    expect(page).to_have_url(re.compile(f"/markets/{target.info.address}$"))
    expect(page.locator("#page-title")).to_have_text(target.info.name)
    expect(page.locator("#market-collateral")).to_have_text("BAL")
    for chart in ("chart-price", "chart-token-prices", "chart-tvl", "chart-fees", "chart-decay"):
        expect(page.locator(f"#{chart} .main-svg").first).to_be_visible(timeout=60_000)
    expect(page.locator("#market-parameters")).to_contain_text("Front-running lock")
    expect(page.locator("#next-transfer")).to_contain_text("only the fee")
    expect(page.locator("#decay-summary")).to_contain_text("60% yearly volatility")


def test_market_without_history_says_so(
    app_harness: AppHarness, feed: SnapshotFeed, page: Page
) -> None:
    markets = _publish_sample(feed)
    page.goto(app_url(app_harness, f"/markets/{markets[2].info.address.lower()}"))
    expect(page.locator("#page-title")).to_have_text("3-BTC/USD+BAL")
    expect(page.locator(".chart-empty").first).to_be_visible()
    expect(page.locator("#next-transfer")).to_contain_text("shorts gain")


def test_node_down_banner_appears_and_clears(
    app_harness: AppHarness, feed: SnapshotFeed, page: Page
) -> None:
    _publish_sample(feed, version=1)
    page.goto(app_url(app_harness, "/"))
    expect(page.locator(".market-card")).to_have_count(6)
    expect(page.locator("#node-banner")).to_have_count(0)
    _publish_sample(feed, version=2, node_error="Cannot reach http://127.0.0.1:8545")
    expect(page.locator("#node-banner")).to_be_visible()
    expect(page.locator("#node-banner")).to_contain_text("unreachable")
    expect(page.locator(".market-card")).to_have_count(6)  # last figures stay
    _publish_sample(feed, version=3)
    expect(page.locator("#node-banner")).to_have_count(0)


def test_addresses_that_are_not_markets(
    app_harness: AppHarness, feed: SnapshotFeed, page: Page
) -> None:
    _publish_sample(feed)
    page.goto(app_url(app_harness, "/markets/0x1234"))
    expect(page.locator("#market-malformed")).to_be_visible()
    expect(page.locator("#market-malformed")).to_contain_text("not a valid pool address")
    page.goto(app_url(app_harness, "/markets/0x" + "ab" * 20))
    expect(page.locator("#market-unknown")).to_be_visible()
    expect(page.locator("#market-unknown")).to_contain_text("Not a Perpetual Pools V2 market")
