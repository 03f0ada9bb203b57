"""Collateral-aware exposure (`balancer_perps.exposure`), every figure computed by hand.

The running example: a 3× pool with 1,500 BAL on the long side and 500 on the short side
(skew 3), so the long side's effective leverage is 3 / 3 = 1 on gains and 3 on losses, the
short side's 3 × 3 = 9 on gains and 3 on losses (reference §6).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from balancer_perps.exposure import (
    SideExposure,
    UnderlyingTotal,
    collateral_totals,
    market_exposure,
    notional,
    underlying_totals,
    usd_value,
)

BAL = 10**18
BAL_TOKEN = "0xba1"
AURA_TOKEN = "0xa0a"
LONG_LEVERAGE = (Fraction(1), Fraction(3))  # (on gains, on losses) at skew 3
SHORT_LEVERAGE = (Fraction(9), Fraction(3))


def _long(value: int, token: str = BAL_TOKEN, underlying: str = "ETH/USD") -> SideExposure:
    return SideExposure(underlying, token, "long", value, *LONG_LEVERAGE)


def _short(value: int, token: str = BAL_TOKEN, underlying: str = "ETH/USD") -> SideExposure:
    return SideExposure(underlying, token, "short", value, *SHORT_LEVERAGE)


def test_notional_is_value_times_leverage_rounded_down() -> None:
    assert notional(1_000 * BAL, Fraction(3)) == 3_000 * BAL
    assert notional(1_000 * BAL, Fraction(3, 2)) == 1_500 * BAL
    assert notional(10, Fraction(1, 3)) == 3  # 3.33 raw units -> 3
    assert notional(2, Fraction(5, 3)) == 3  # 3.33 -> 3
    assert notional(0, Fraction(3)) == 0
    assert notional(-5, Fraction(3)) == 0  # never negative: a value is not a debt
    assert notional(5, Fraction(0)) == 0


def test_a_long_on_a_crowded_side_gains_on_less_than_it_loses_on() -> None:
    side = _long(1_000 * BAL)
    assert side.on_gains == 1_000 * BAL  # 1,000 × 1
    assert side.on_losses == 3_000 * BAL  # 1,000 × 3
    assert side.if_rises == 1_000 * BAL  # a rise is its gain
    assert side.if_falls == 3_000 * BAL  # a fall is its loss: still long, by more


def test_a_short_is_negative_and_mirrors_gains_and_losses() -> None:
    side = _short(200 * BAL)
    assert side.on_gains == 1_800 * BAL  # 200 × 9
    assert side.on_losses == 600 * BAL  # 200 × 3
    assert side.if_rises == -600 * BAL  # a rise is its loss
    assert side.if_falls == -1_800 * BAL  # a fall is its gain


def test_a_shorts_rounding_has_the_longs_magnitude() -> None:
    side = SideExposure("ETH/USD", BAL_TOKEN, "short", 10, Fraction(1, 3), Fraction(1, 3))
    assert (side.if_rises, side.if_falls) == (-3, -3)  # -(10/3) truncated toward zero


def test_long_and_short_on_one_underlying_net_out() -> None:
    (total,) = underlying_totals([_long(1_000 * BAL), _short(200 * BAL)])
    assert total == UnderlyingTotal(
        "ETH/USD", BAL_TOKEN,
        long_value=1_000 * BAL,
        short_value=200 * BAL,
        net_if_rises=400 * BAL,  # 1,000 − 600
        net_if_falls=1_200 * BAL,  # 3,000 − 1,800
    )


def test_a_mostly_short_book_is_net_short() -> None:
    (total,) = underlying_totals([_long(100 * BAL), _short(500 * BAL)])
    assert total.net_if_rises == 100 * BAL - 1_500 * BAL  # −1,400
    assert total.net_if_falls == 300 * BAL - 4_500 * BAL  # −4,200


def test_different_tokens_and_underlyings_are_never_added() -> None:
    totals = underlying_totals([
        _long(1_000 * BAL),
        _long(50 * BAL, token=AURA_TOKEN),  # ETH/USD again, but settled in auraBAL
        _long(10 * BAL, underlying="BTC/USD"),
        _long(30 * BAL),  # joins the first
    ])
    assert [(t.underlying, t.settlement, t.long_value, t.net_if_rises) for t in totals] == [
        ("ETH/USD", BAL_TOKEN, 1_030 * BAL, 1_030 * BAL),
        ("ETH/USD", AURA_TOKEN, 50 * BAL, 50 * BAL),
        ("BTC/USD", BAL_TOKEN, 10 * BAL, 10 * BAL),
    ]
    with pytest.raises(ValueError):
        UnderlyingTotal("ETH/USD", BAL_TOKEN).plus(_long(1, token=AURA_TOKEN))


def test_the_collateral_leg_is_the_whole_value_whichever_side() -> None:
    legs = market_exposure("ETH/USD", BAL_TOKEN, long_value=1_000 * BAL, short_value=200 * BAL,
                           idle=5 * BAL, long_leverage=LONG_LEVERAGE,
                           short_leverage=SHORT_LEVERAGE)
    assert [s.side for s in legs.sides] == ["long", "short"]
    assert [s.value for s in legs.sides] == [1_000 * BAL, 200 * BAL]
    assert legs.collateral == 1_205 * BAL  # 1,000 + 200 + 5 idle: all held in BAL
    only_short = market_exposure("ETH/USD", BAL_TOKEN, long_value=0, short_value=200 * BAL,
                                 idle=0, long_leverage=LONG_LEVERAGE,
                                 short_leverage=SHORT_LEVERAGE)
    assert [s.side for s in only_short.sides] == ["short"]
    assert only_short.collateral == 200 * BAL  # a short is long its collateral too
    waiting = market_exposure("ETH/USD", BAL_TOKEN, long_value=0, short_value=0, idle=3 * BAL,
                              long_leverage=LONG_LEVERAGE, short_leverage=SHORT_LEVERAGE)
    assert waiting.sides == () and waiting.collateral == 3 * BAL
    with pytest.raises(ValueError):
        market_exposure("ETH/USD", BAL_TOKEN, long_value=-1, short_value=0, idle=0,
                        long_leverage=LONG_LEVERAGE, short_leverage=SHORT_LEVERAGE)


def test_collateral_is_summed_per_token_only() -> None:
    assert collateral_totals([(BAL_TOKEN, 5), (AURA_TOKEN, 7), (BAL_TOKEN, 10)]) == {
        BAL_TOKEN: 15, AURA_TOKEN: 7,
    }
    assert collateral_totals([]) == {}


def test_usd_value_in_wad() -> None:
    # 1,000 BAL at $2.40 = $2,400
    assert usd_value(1_000 * BAL, 18, 24 * 10**17) == 2_400 * 10**18
    # 2,500 USDC (6 decimals) at $1 = $2,500
    assert usd_value(2_500 * 10**6, 6, 10**18) == 2_500 * 10**18
    # 1 raw unit of a 1-decimal token (0.1) at $0.000000000000000015 = 1.5e-18: 1 wei of USD
    assert usd_value(1, 1, 15) == 1
    assert usd_value(-5, 1, 3 * 10**17) == -15 * 10**16  # −0.5 × 0.3 = −0.15, signed
    assert usd_value(1_000 * BAL, 18, 0) is None  # no price, no USD figure
    assert usd_value(1_000 * BAL, 18, -1) is None
