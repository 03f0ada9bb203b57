"""The markets table view model: rows from a snapshot, filters, sort and grouping."""

from __future__ import annotations

from decimal import Decimal

from balancer_perps.pages._data import DayChange
from balancer_perps.pages.markets_view import (
    ALL,
    COLLATERAL_FILTERS,
    Filters,
    choice,
    clean_search,
    clock_offset,
    grouped,
    hidden_unverified,
    leverage_options,
    market_row,
    market_rows,
    underlying_options,
)
from tests.app.factories import NOW, WAD, market, sample_markets, snapshot, with_pool


def _names(groups: list) -> list[list[str]]:
    return [[row.name for row in group.markets] for group in groups]


def test_row_shows_pool_and_sides() -> None:
    row = market_row(
        market(
            1,
            long_balance=1_500 * WAD,
            short_balance=500 * WAD,
            long_supply=1_000 * WAD,
            short_supply=1_000 * WAD,
        )
    )
    assert row.name == "3-ETH/USD+BAL"
    assert row.href == f"/markets/{row.address}"
    assert (row.leverage, row.collateral, row.collateral_group) == ("3×", "BAL", "BAL")
    assert row.oracle == "Spot"
    assert row.index_price == "3,200.00"
    assert row.tvl == "2k BAL"
    assert row.skew == "3.00"
    assert (row.long_percent, row.long_share, row.short_share) == (75, "75%", "25%")
    assert row.long.tvl == "1.5k BAL" and row.short.tvl == "500 BAL"
    assert row.long.token_price == "1.50" and row.short.token_price == "0.50"
    # skew 3: longs gain at L/3, shorts at 3L, both lose at L
    assert (row.long.gain_leverage, row.long.loss_leverage) == ("1×", "3×")
    assert (row.short.gain_leverage, row.short.loss_leverage) == ("9×", "3×")
    assert row.long.change_24h == "—" and row.long.change_trend == "flat"


def test_token_price_counts_pending_burns() -> None:
    state = with_pool(
        market(1, long_balance=1_000 * WAD, long_supply=900 * WAD), pending_long_burns=100 * WAD
    )
    assert market_row(state).long.token_price == "1.00"


def test_timing_and_lock() -> None:
    row = market_row(
        market(1, update_interval=120, front_running_interval=30, last_price_timestamp=NOW)
    )
    assert row.next_rebalance_at == NOW + 120
    assert row.lock_at == NOW + 90
    assert not row.lock_always
    assert row.lock_label == "Last 30s locked"
    slow = market_row(market(2, update_interval=3_600, front_running_interval=28_800))
    assert slow.lock_always
    assert slow.lock_label == "Trades wait 8h+"


def test_chain_clock_ahead_of_wall_clock_shifts_countdowns() -> None:
    snap = snapshot(market(1, last_price_timestamp=NOW), block_timestamp=NOW + 500)
    assert clock_offset(snap, NOW) == 500
    assert clock_offset(snap, NOW + 1_000) == 0
    (row,) = market_rows(snap, wall_clock=NOW)
    assert row.next_rebalance_at == NOW + 120 - 500


def test_sma_oracle_label_and_other_collateral() -> None:
    sma = market_row(market(1, collateral="B-80BAL-20WETH", oracle_kind="sma", sma_periods=4))
    assert sma.oracle == "8m SMA"
    assert sma.collateral_group == "B-80BAL-20WETH"
    usdc = market_row(
        market(2, collateral="USDC", decimals=6, long_balance=10**6, short_balance=10**6)
    )
    assert usdc.collateral_group == "other"
    assert usdc.tvl == "2 USDC"


def test_empty_pool_and_missing_price() -> None:
    row = market_row(
        market(1, long_balance=0, short_balance=0, long_supply=0, short_supply=0, oracle_price=0)
    )
    assert row.skew == "1.00"
    assert row.long_percent == 50
    assert row.index_price == "—"
    assert row.long.token_price == "1.00"


def test_day_change_is_signed_and_coloured() -> None:
    state = market(1)
    changes = {
        state.info.address.lower(): DayChange(long=Decimal("0.052"), short=Decimal("-0.031"))
    }
    (row,) = market_rows(snapshot(state), changes)
    assert (row.long.change_24h, row.long.change_trend) == ("+5.20%", "up")
    assert (row.short.change_24h, row.short.change_trend) == ("-3.10%", "down")


def test_groups_by_underlying_and_hides_unverified() -> None:
    rows = market_rows(snapshot(*sample_markets()))
    groups = grouped(rows, Filters())
    assert [g.underlying for g in groups] == ["ETH/USD", "BTC/USD"]
    assert sum(len(g.markets) for g in groups) == 6
    assert hidden_unverified(rows) == 1
    shown = grouped(rows, Filters(show_unverified=True))
    assert [g.underlying for g in shown][-1] == "EUR/USD"


def test_filters() -> None:
    rows = market_rows(snapshot(*sample_markets()))
    assert _names(grouped(rows, Filters(collateral="auraBAL"))) == [["3-ETH/USD+auraBAL"]]
    assert _names(grouped(rows, Filters(collateral="other"))) == [["3-ETH/USD+USDC"]]
    assert _names(grouped(rows, Filters(leverage="5×"))) == [["5-ETH/USD+BAL"]]
    assert _names(grouped(rows, Filters(underlying="BTC/USD"))) == [["3-BTC/USD+BAL"]]
    assert _names(grouped(rows, Filters(search="btc bal"))) == [["3-BTC/USD+BAL"]]
    assert _names(grouped(rows, Filters(search=rows[4].address.lower()))) == [[rows[4].name]]
    assert grouped(rows, Filters(search="doge")) == []


def test_sorts() -> None:
    rows = market_rows(snapshot(*sample_markets()))
    by_tvl = _names(grouped(rows, Filters(underlying="ETH/USD")))[0]
    assert by_tvl[0] == "3-ETH/USD+USDC"  # 4.5k beats 2k (in collateral units)
    by_leverage = _names(grouped(rows, Filters(underlying="ETH/USD", sort="leverage")))[0]
    assert by_leverage[0] == "5-ETH/USD+BAL"
    by_name = _names(grouped(rows, Filters(underlying="ETH/USD", sort="name")))[0]
    assert by_name == sorted(by_name, key=str.lower)


def test_options_and_input_validation() -> None:
    rows = market_rows(snapshot(*sample_markets()))
    assert leverage_options(rows) == ["3×", "5×"]
    assert underlying_options(rows) == ["BTC/USD", "ETH/USD", "EUR/USD"]
    assert choice("auraBAL", COLLATERAL_FILTERS) == "auraBAL"
    assert choice("veBAL", COLLATERAL_FILTERS) == ALL
    assert choice(["BAL"], COLLATERAL_FILTERS) == ALL
    assert choice(None, ["tvl"], "tvl") == "tvl"
    assert clean_search("  eth  ") == "eth"
    assert clean_search("x" * 10_000) == "x" * 64
    assert clean_search({"$gt": ""}) == ""
