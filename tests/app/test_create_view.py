"""The "Create a market" form: every field checked as typed, the market it describes, the
summary and the steps shown before anything is sent."""

from __future__ import annotations

from dataclasses import replace

import pytest

from balancer_perps.chain.deployment import FeedReading
from balancer_perps.networks import Network, TokenInfo
from balancer_perps.pages import create_view as view
from tests.app.factories import address

FEED = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
TREASURY = address(77)
BAL, LP, AURA, USDC, HEAVY = (address(n) for n in (1, 2, 3, 4, 5))


def _network(**changes: object) -> Network:
    network = Network(
        name="devnet", chain_id=31337, rpc_url="http://127.0.0.1:8545", ws_url=None,
        factory=address(10), pool_keeper=address(11), multicall3=address(12), deploy_block=0,
        verified_pools=frozenset(),
        tokens=(TokenInfo("USDC", USDC, 6), TokenInfo("auraBAL", AURA, 18),
                TokenInfo("HEAVY", HEAVY, 24), TokenInfo("BAL", BAL, 18),
                TokenInfo("B-80BAL-20WETH", LP, 18)),
        treasury=TREASURY,
        settlement_eth_feeds={s: address(100 + i) for i, s in
                              enumerate(("BAL", "B-80BAL-20WETH", "auraBAL", "USDC", "HEAVY"))},
    )
    return replace(network, **changes)  # type: ignore[arg-type]


def _form(**changes: str) -> view.CreateForm:
    return replace(view.CreateForm(feed=FEED, underlying="ETH/USD"), **changes)


def test_collateral_is_balancers_first_and_never_over_18_decimals() -> None:
    symbols = [t.symbol for t in view.collateral_choices(_network())]
    assert symbols == ["BAL", "B-80BAL-20WETH", "auraBAL", "USDC"]
    no_feed = _network(settlement_eth_feeds={"BAL": address(100)})
    assert [t.symbol for t in view.collateral_choices(no_feed)] == ["BAL"]


def test_a_valid_form_describes_the_market_with_the_v2_name() -> None:
    check = view.check_form(_form(leverage="3", minting_fee="0.3", burning_fee="0.1"),
                            view.collateral_choices(_network()))
    assert check.ok and check.problems == {}
    params = check.params
    assert params is not None
    assert params.pool_name == "3-ETH/USD+BAL"
    assert params.deploy_name == "ETH/USD+BAL"
    assert params.settlement_token == BAL
    assert params.minting_fee_wad == 3 * 10**15  # 0.3 % as a WAD fraction
    assert params.burning_fee_wad == 10**15
    assert (params.update_interval, params.front_running_interval) == (3600, 300)
    assert check.feed == FEED


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"feed": ""}, "feed", "Enter"),
    ({"feed": "0x123"}, "feed", "40 hexadecimal"),
    ({"feed": "0x5fbDB2315678afecb367f032d93F642f64180aa3"}, "feed", "checksum"),
    ({"underlying": ""}, "underlying", "Name the pair"),
    ({"underlying": "ETH-USD"}, "underlying", "BASE/QUOTE"),
    ({"underlying": "ETH/USD+BAL"}, "underlying", "BASE/QUOTE"),
    ({"leverage": "0"}, "leverage", "1 to 10"),
    ({"leverage": "11"}, "leverage", "1 to 10"),
    ({"leverage": "2.5"}, "leverage", "1 to 10"),
    ({"leverage": "-3"}, "leverage", "1 to 10"),
    ({"leverage": "３"}, "leverage", "1 to 10"),  # a full-width digit
    ({"collateral": "WETH"}, "collateral", "Choose"),
    ({"collateral": "HEAVY"}, "collateral", "Choose"),  # 24 decimals
    ({"update_interval": "0"}, "update_interval", "more than 0"),
    ({"update_interval": "soon"}, "update_interval", "Choose"),
    ({"front_running_interval": "0"}, "front_running_interval", "more than 0"),
    ({"front_running_interval": "3600"}, "front_running_interval", "shorter"),
    ({"front_running_interval": "7200"}, "front_running_interval", "shorter"),
    ({"minting_fee": "10.5"}, "minting_fee", "at most 10%"),
    ({"minting_fee": "1e-2"}, "minting_fee", "percent"),
    ({"minting_fee": "-1"}, "minting_fee", "percent"),
    ({"minting_fee": "0.00000000000000001"}, "minting_fee", "too many decimals"),
    ({"burning_fee": "10.01"}, "burning_fee", "at most 10%"),
    ({"oracle": "sma"}, "oracle", "oracle"),
])
def test_each_bad_field_says_what_is_wrong(changes: dict[str, str], field: str,
                                            words: str) -> None:
    form = _form(**changes)
    check = view.check_form(form, view.collateral_choices(_network()))
    assert not check.ok
    assert words in check.problems[field]
    assert set(check.problems) == {field}
    assert getattr(form, field) == changes[field]  # what was typed is kept


def test_fees_are_exact_wad_fractions() -> None:
    assert view.parse_fee("0.3", "fee", 10**17) == (3 * 10**15, "")
    assert view.parse_fee(" 1.25 % ", "fee", 10**17) == (125 * 10**14, "")
    assert view.parse_fee("", "fee", 10**17) == (0, "")
    assert view.parse_fee("10", "fee", 10**17) == (10**17, "")
    assert view.parse_fee("0.0000000000000001", "fee", 10**17) == (1, "")  # 1 wei
    assert view.fee_text(3 * 10**15) == "0.3%"
    assert view.fee_text(0) == "0%"


def test_the_pair_comes_from_the_feed_description() -> None:
    assert view.underlying_from_description("ETH / USD") == "ETH/USD"
    assert view.underlying_from_description("BTC/USD") == "BTC/USD"
    assert view.underlying_from_description("Total Marketcap USD") == ""
    assert view.underlying_from_description("") == ""


def test_clip_keeps_strings_only_and_bounds_them() -> None:
    assert view.clip("x" * 500) == "x" * view.MAX_TEXT
    assert view.clip(None) == ""
    assert view.clip(["0x"]) == ""


def test_summary_and_steps_name_the_treasury_and_the_market() -> None:
    check = view.check_form(_form(), view.collateral_choices(_network()))
    assert check.params is not None
    reading = FeedReading(FEED, 8, "ETH / USD", 320_012_345_678, 5, 1_000)
    assert view.feed_summary(reading, 1_012) == "ETH / USD: 3,200.12 (updated 12s ago)"
    assert view.feed_summary(reading, 1_000).endswith("(updated just now)")
    rows = {r.label: r.value for r in view.summary_rows(check.params, reading,
                                                        sender=address(9), treasury=TREASURY)}
    assert rows["Market"] == "3-ETH/USD+BAL"
    assert rows["Leverage"] == "3×"
    assert rows["Rebalances every"] == "1h"
    assert rows["Minting fee"] == "0.3%"
    assert "3,200.12" in rows["Price feed"]
    assert TREASURY[:6] in rows["10% fee share"]
    labels = view.step_labels(check.params)
    assert len(labels) == 4
    assert "ETH/USD price oracle" in labels[0]
    assert "BAL/ETH" in labels[1]
    assert "3-ETH/USD+BAL" in labels[2]
    assert "treasury" in labels[3]
    assert len(view.step_explanations(check.params, TREASURY)) == 4
