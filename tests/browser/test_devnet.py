"""End to end against a real devnet: the app's block watcher reads the chain, the index
records its history, and the pages show them (no stand-in feed)."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect
from reflex.testing import AppHarness
from web3 import HTTPProvider, Web3

from balancer_perps.devnet.evm import contract_at
from tests.browser.conftest import Devnet, app_url, devnet_command

pytestmark = pytest.mark.browser


@pytest.fixture
def live_devnet(devnet: Devnet) -> Devnet:
    if devnet.manifest is None:
        pytest.skip(devnet.skip_reason)
    return devnet


def test_markets_page_lists_every_devnet_market(
    app_harness: AppHarness, live_devnet: Devnet, page: Page
) -> None:
    assert live_devnet.manifest is not None
    pools = live_devnet.manifest["pools"]
    page.goto(app_url(app_harness, "/markets"))
    expect(page.locator("#markets-list")).to_be_visible(timeout=60_000)
    # the devnet's own markets are the allow-list: listed without the toggle
    expect(page.locator(".market-card")).to_have_count(len(pools))
    # with it, every market of the factory (other tests may have created some)
    w3 = Web3(HTTPProvider(live_devnet.manifest["rpc_url"]))
    factory = contract_at(w3, "PoolFactory", live_devnet.manifest["contracts"]["PoolFactory"])
    page.locator("#show-unverified").click()
    expect(page.locator(".market-card")).to_have_count(factory.functions.numPools().call())
    for pool in pools:
        card = page.locator(f"#market-{pool['address']}")
        expect(card.locator(".market-link")).to_have_text(pool["name"])
        expect(card.locator(".market-collateral")).to_have_text(pool["settlement_symbol"])
    expect(page.locator("#block-label")).to_contain_text("block")


def test_devnet_market_page_draws_its_charts(
    app_harness: AppHarness, live_devnet: Devnet, page: Page
) -> None:
    assert live_devnet.manifest is not None
    pool = live_devnet.manifest["pools"][0]
    page.goto(app_url(app_harness, f"/markets/{pool['address']}"))
    expect(page.locator("#page-title")).to_have_text(pool["name"], timeout=60_000)
    # the index catches up with the seeded history in the background
    for chart in ("chart-price", "chart-token-prices", "chart-tvl", "chart-fees"):
        expect(page.locator(f"#{chart} .main-svg").first).to_be_visible(timeout=120_000)
    expect(page.locator("#market-parameters")).to_contain_text(pool["settlement_symbol"])


def test_node_down_banner_with_a_stopped_devnet(
    app_harness: AppHarness, live_devnet: Devnet, page: Page
) -> None:
    """Last in this module: it stops the devnet's node and starts it again."""
    page.goto(app_url(app_harness, "/markets"))
    expect(page.locator("#markets-list")).to_be_visible(timeout=60_000)
    expect(page.locator("#node-banner")).to_have_count(0)
    env = dict(os.environ)
    devnet_command("down", env=env, timeout=120)
    try:
        expect(page.locator("#node-banner")).to_be_visible(timeout=60_000)
        expect(page.locator("#markets-list")).to_be_visible()  # the last figures stay
    finally:
        devnet_command("up", "--history", "30m", env=env, timeout=300)
    expect(page.locator("#node-banner")).to_have_count(0, timeout=120_000)
