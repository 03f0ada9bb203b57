"""Collateral-aware exposure on the portfolio page: per market card, the underlying leg of
each side held and the collateral leg; totals per underlying within one settlement token
and per settlement token, never across tokens. Figures computed by hand from the fixtures
of `tests/app/test_portfolio.py`."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from balancer_perps.pages.portfolio_view import (
    EXPOSURE_EXPLANATION,
    ExposureRow,
    UsdPrice,
    portfolio_view,
    usd_prices,
)
from tests.app.factories import WAD, market, snapshot
from tests.app.test_portfolio import (
    BAL_3X,
    BAL_5X,
    MARKETS,
    TRADER,
    TRADES,
    USDC_3X,
    USER,
    _handler,
    _new_state,
    _position,
    _user,
    chain,  # noqa: F401 (a fixture)
)

# A BAL/USD market prices BAL at $2.40 (its index price).
BAL_USD = market(7, underlying="BAL/USD", leverage=1, oracle_price=24 * WAD // 10)

# 3× BAL pool: long 1,500 / short 800 BAL, so skew 15/8; long gains at 3 / (15/8) = 1.6,
# loses at 3; a long token is worth 1.5 BAL. USER holds 50 + 20 unclaimed + 2 queued to
# burn = 72 long tokens = 108 BAL, plus 5 BAL unclaimed and a 3 BAL short mint queued.
# 5× BAL pool (same BAL token): balanced, so 5× both ways; USER holds 10 short at 1 BAL.


def test_each_side_held_shows_its_underlying_leg() -> None:
    view = portfolio_view(MARKETS, USER, TRADES)
    three, five = view.rows
    assert three.exposure == [ExposureRow(
        direction="Long ETH/USD", trend="up", value="108 BAL",
        on_gains="172.8 BAL",  # 108 × 1.6
        on_losses="324 BAL",  # 108 × 3
        gain_leverage="1.6×", loss_leverage="3×",
    )]
    assert five.exposure == [ExposureRow(
        direction="Short ETH/USD", trend="down", value="10 BAL",
        on_gains="50 BAL", on_losses="50 BAL", gain_leverage="5×", loss_leverage="5×",
    )]


def test_the_collateral_leg_is_everything_held_in_the_settlement_token() -> None:
    view = portfolio_view(MARKETS, USER, TRADES)
    three, five = view.rows
    assert three.collateral_exposure == "Long 116 BAL"  # 108 + 5 unclaimed + 3 queued mint
    assert five.collateral_exposure == "Long 10 BAL"  # a short is long BAL as well
    assert three.collateral_usd == five.collateral_usd == ""  # no BAL/USD market listed
    assert three.exposure_note == (
        "Paid in BAL: the long gains if ETH/USD rises, and as you hold BAL for the whole "
        "value, it also gains if BAL's own price rises.")
    assert "the short gains if ETH/USD falls" in five.exposure_note
    assert "gains if ETH/USD rises and also if BAL/USD rises" in EXPOSURE_EXPLANATION
    assert "not the same as an ETH long" in EXPOSURE_EXPLANATION


def test_totals_net_one_underlying_and_sum_one_token() -> None:
    view = portfolio_view(MARKETS, USER, TRADES)
    (eth,) = view.underlying_exposure
    assert (eth.underlying, eth.collateral) == ("ETH/USD", "BAL")
    # a rise: 172.8 long on gains − 50 short on losses; a fall: 324 − 50
    assert (eth.if_rises, eth.rises_trend) == ("Net long 122.8 BAL", "up")
    assert (eth.if_falls, eth.falls_trend) == ("Net long 274 BAL", "up")
    assert eth.held == "long 108 BAL · short 10 BAL held"
    (bal,) = view.collateral_exposure  # the closed USDC market holds nothing
    assert (bal.collateral, bal.amount, bal.usd) == ("BAL", "Long 126 BAL", "")


def test_a_net_short_book() -> None:
    user = _user(_position(BAL_5X, short_balance=100 * WAD),
                 _position(BAL_3X, long_balance=10 * WAD))
    (eth,) = portfolio_view(MARKETS, user, []).underlying_exposure
    # 15 BAL long (1.6 / 3) against 100 BAL short (5 / 5)
    assert (eth.if_rises, eth.rises_trend) == ("Net short 476 BAL", "down")  # 24 − 500
    assert (eth.if_falls, eth.falls_trend) == ("Net short 455 BAL", "down")  # 45 − 500


def test_different_settlement_tokens_are_never_summed() -> None:
    # a second "BAL" at another address, and USDC: three tokens, three collateral rows
    other_bal = replace(BAL_5X, info=replace(BAL_5X.info,
                                             settlement_token=USDC_3X.info.address))
    user = _user(
        _position(BAL_3X, long_balance=50 * WAD),
        _position(other_bal, short_balance=10 * WAD),
        _position(USDC_3X, long_balance=20 * 10**6),
    )
    view = portfolio_view(snapshot(BAL_3X, other_bal, USDC_3X), user, [])
    assert [(t.collateral, t.amount) for t in view.collateral_exposure] == [
        ("BAL", "Long 75 BAL"), ("BAL", "Long 10 BAL"), ("USDC", "Long 20 USDC")]
    assert sorted((t.collateral, t.if_rises) for t in view.underlying_exposure) == [
        ("BAL", "Net long 120 BAL"),  # 75 × 1.6
        ("BAL", "Net short 50 BAL"),  # 10 × 5, not netted with the other BAL
        ("USDC", "Net long 60 USDC"),  # 20 × 3 (a balanced pool)
    ]


def test_usd_when_the_snapshot_prices_the_settlement_token() -> None:
    prices = usd_prices(snapshot(BAL_3X, BAL_USD, USDC_3X))
    assert prices == {
        BAL_3X.info.settlement_token.lower(): UsdPrice(24 * WAD // 10, "BAL/USD"),
        BAL_USD.info.settlement_token.lower(): UsdPrice(24 * WAD // 10, "BAL/USD"),
    }  # USDC: no USDC/USD market, so no price (never assumed to be $1)
    view = portfolio_view(snapshot(BAL_3X, BAL_5X, BAL_USD, USDC_3X), USER, TRADES)
    assert view.rows[0].collateral_usd == "≈ $278.4 (BAL/USD 2.40)"  # 116 × 2.40
    (bal,) = view.collateral_exposure
    assert bal.usd == "≈ $302.4 (BAL/USD 2.40)"  # 126 × 2.40


def test_no_usd_from_an_unverified_market_or_for_an_unverified_token() -> None:
    unverified_feed = replace(BAL_USD, info=replace(BAL_USD.info, verified=False))
    assert usd_prices(snapshot(BAL_3X, unverified_feed)) == {}
    unverified_bal = replace(BAL_3X, info=replace(BAL_3X.info, verified=False))
    assert usd_prices(snapshot(unverified_bal, BAL_USD)) == {
        BAL_USD.info.settlement_token.lower(): UsdPrice(24 * WAD // 10, "BAL/USD")}
    broken = replace(BAL_USD, oracle_error="reverted")
    assert usd_prices(snapshot(BAL_3X, broken)) == {}


def test_only_unclaimed_settlement_has_no_underlying_leg() -> None:
    from balancer_perps.domain.types import Balance

    user = _user(_position(BAL_3X, claimable=Balance(0, 0, 7 * WAD)))
    view = portfolio_view(MARKETS, user, [])
    (row,) = view.rows
    assert row.exposure == [] and row.collateral_exposure == "Long 7 BAL"
    assert row.exposure_note.startswith("No ETH/USD exposure")
    assert view.underlying_exposure == []
    assert [t.amount for t in view.collateral_exposure] == ["Long 7 BAL"]


def test_the_state_carries_the_exposure_totals(chain: object) -> None:  # noqa: F811
    async def run() -> None:
        state = _new_state()
        await _handler("on_wallet")(state, TRADER, 31337)
        assert [t.if_rises for t in state.underlying_exposure] == ["Net long 122.8 BAL"]
        assert [t.amount for t in state.collateral_exposure] == ["Long 126 BAL"]
        assert state.rows[0].exposure[0].on_gains == "172.8 BAL"
        await _handler("on_wallet")(state, "", 0)
        assert state.underlying_exposure == [] and state.collateral_exposure == []

    asyncio.run(run())
