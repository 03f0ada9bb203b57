"""Creating a market end to end: the test wallet (see test_trade.py) on /create checks a
feed, reviews the summary, rejects the first signature (a clear message, nothing lost),
then signs the four steps; the new pool sends its fee share to the treasury and the page
links to it."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from eth_utils.address import to_checksum_address
from playwright.sync_api import Browser, Page, expect
from reflex.testing import AppHarness

from balancer_perps.chain.contracts import v2_abis
from tests.browser.conftest import Devnet, app_url
from tests.browser.test_trade import WALLET_NAME, _wallet_context

pytestmark = pytest.mark.browser

CREATOR_ROLE = "trader4"


def _rpc(url: str, method: str, params: list[Any]) -> Any:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    request = urllib.request.Request(url, body, {"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        reply = json.loads(response.read())
    if "error" in reply:
        raise AssertionError(f"{method}: {reply['error']}")
    return reply["result"]


@pytest.fixture
def creator_page(browser: Browser, devnet: Devnet) -> Iterator[Page]:
    if devnet.manifest is None:
        pytest.skip(devnet.skip_reason)
    context = _wallet_context(browser, devnet.manifest, CREATOR_ROLE)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def test_create_a_market_through_the_wallet(
    app_harness: AppHarness, devnet: Devnet, creator_page: Page
) -> None:
    manifest = devnet.manifest
    assert manifest is not None
    treasury = to_checksum_address(manifest["accounts"]["treasury"]["address"])
    feed = to_checksum_address(manifest["feeds"]["EUR/USD"]["address"])
    page = creator_page
    page.goto(app_url(app_harness, "/create"))
    expect(page.locator("#create-treasury")).to_have_text(treasury, timeout=60_000)

    # bad input is refused with a reason, and stays in the field
    page.locator("#create-feed").fill("0x123")
    page.locator("#create-review").click()
    expect(page.locator("#create-feed-problem")).to_contain_text("40 hexadecimal")
    expect(page.locator("#create-feed")).to_have_value("0x123")
    page.locator("#create-leverage").fill("25")
    # the network's known feeds fill in address and pair, then the feed is read
    page.locator(".create-known-feed", has_text="ETH/USD").click()
    expect(page.locator("#create-feed")).to_have_value(
        to_checksum_address(manifest["feeds"]["ETH/USD"]["address"]))
    expect(page.locator("#create-feed-status")).to_contain_text("ETH/USD")
    page.locator("#create-feed").fill(feed)
    page.locator("#create-check-feed").click()
    expect(page.locator("#create-feed-status")).to_contain_text("EUR/USD")
    expect(page.locator("#create-underlying")).to_have_value("EUR/USD")
    page.locator("#create-review").click()
    expect(page.locator("#create-leverage-problem")).to_contain_text("1 to 10")
    expect(page.locator("#create-leverage")).to_have_value("25")
    page.locator("#create-leverage").fill("2")
    expect(page.locator("#create-pool-name")).to_have_text("2-EUR/USD+BAL")
    page.locator("#create-review").click()
    expect(page.locator("#create-summary")).to_contain_text("2-EUR/USD+BAL")
    expect(page.locator(".create-step")).to_have_count(4)

    # connect
    expect(page.locator("#create-connect-prompt")).to_be_visible()
    page.locator("#wallet-button button").first.click()
    page.get_by_text(WALLET_NAME, exact=True).first.click()
    expect(page.locator("#create-connect-prompt")).to_have_count(0, timeout=30_000)

    # a rejected signature: a clear message, nothing sent, and the form intact
    page.evaluate("window.__wallet.rejectNext = true")
    page.locator("#create-submit").click()
    expect(page.locator("#create-message")).to_contain_text("rejected the request")
    expect(page.locator(".create-step").first).to_have_attribute("data-status", "rejected")
    assert page.evaluate("window.__wallet.sent.length") == 0
    expect(page.locator("#create-leverage")).to_have_value("2")

    # the four steps, one signature each
    page.locator("#create-submit").click()
    expect(page.locator("#create-done")).to_be_visible(timeout=120_000)
    for index in range(4):
        expect(page.locator(".create-step").nth(index)).to_have_attribute(
            "data-status", "confirmed")
    assert page.evaluate("window.__wallet.sent.length") == 4
    sent = page.evaluate("window.__wallet.sent")
    assert "to" not in sent[0] and "to" not in sent[1]  # the two oracle wrappers
    href = page.locator("#create-market-link").get_attribute("href")
    assert href is not None and href.startswith("/markets/0x")
    pool = to_checksum_address(href.rsplit("/", 1)[-1])

    function = v2_abis().pool.fn("secondaryFeeAddress")
    answer = _rpc(manifest["rpc_url"], "eth_call",
                  [{"to": pool, "data": "0x" + function.selector.hex()}, "latest"])
    (fee_address,) = function.decode(bytes.fromhex(answer[2:]))
    assert fee_address == treasury
    name_fn = v2_abis().pool.fn("poolName")
    answer = _rpc(manifest["rpc_url"], "eth_call",
                  [{"to": pool, "data": "0x" + name_fn.selector.hex()}, "latest"])
    assert name_fn.decode(bytes.fromhex(answer[2:])) == ("2-EUR/USD+BAL",)

    # the new market's page opens (it is unverified, not on the allow-list)
    page.locator("#create-market-link").click()
    expect(page.locator("#page-title")).to_have_text("2-EUR/USD+BAL", timeout=60_000)
