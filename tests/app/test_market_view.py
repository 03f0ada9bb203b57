"""The market page view model: address parsing, parameters, transfer, queue, decay."""

from __future__ import annotations

import itertools
from fractions import Fraction

from balancer_perps.chain.snapshot import MarketState
from balancer_perps.domain.types import TotalCommitment
from balancer_perps.pages import _metrics
from balancer_perps.pages.market_view import (
    PARAM_TIPS,
    decay_curve,
    decay_text,
    market_detail,
    parse_address,
    pending_rows,
    transfer,
)
from tests.app.factories import NOW, WAD, market, snapshot, with_pool

CHECKSUMMED = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def test_parse_address() -> None:
    assert parse_address(CHECKSUMMED).address == CHECKSUMMED
    assert parse_address(CHECKSUMMED.lower()).address == CHECKSUMMED
    assert parse_address(CHECKSUMMED.upper().replace("0X", "0x")).address == CHECKSUMMED
    bad_checksum = CHECKSUMMED.replace("a", "A", 1)
    assert "checksum" in parse_address(bad_checksum).problem
    for text in ("0x123", "hello", "", "0x" + "g" * 40, None, 42):
        check = parse_address(text)
        assert check.address == "" and check.problem


def test_every_parameter_has_a_tooltip() -> None:
    detail = market_detail(snapshot(market(1)), market(1))
    labels = [p.label for p in detail.params]
    assert labels == list(PARAM_TIPS)
    assert all(p.tooltip and p.value for p in detail.params)
    values = {p.label: p.value for p in detail.params}
    assert values["Management fee"] == "2.00% a year"
    assert values["Treasury share"] == "10%"
    assert values["Mint fee"] == "0.30%"
    assert values["Rebalance interval"] == "2m"


def test_transfer_when_price_falls_moves_value_to_shorts() -> None:
    state = market(1, execution_price=3_200 * WAD, oracle_price=3_168 * WAD)  # -1 %
    shown = transfer(state)
    assert shown.applies
    assert "shorts gain" in shown.headline
    assert shown.long_trend == "down" and shown.short_trend == "up"
    assert shown.long_change.startswith("-") and shown.short_change.startswith("+")
    assert shown.prices == "3,200.00 → 3,168.00 (-1.00%)"
    move = _metrics.next_value_transfer(state.pool)
    # tanh(3 × 0.01) ≈ 2.999 % of the long side moves, minus the tiny fee
    assert 29 * WAD < -move.long_change < 30 * WAD
    assert move.long_change + move.short_change == -move.fee


def test_transfer_without_a_valid_price() -> None:
    shown = transfer(market(1, execution_price=0))
    assert not shown.applies
    assert "no valid price" in shown.headline


def test_pending_queue_per_interval_with_execution_times() -> None:
    state = market(1, last_price_timestamp=NOW)
    queued = MarketState(
        info=state.info,
        pool=state.pool,
        pending_commitments=(
            (9, TotalCommitment(short_mint_settlement=5 * WAD)),
            (
                7,
                TotalCommitment(
                    long_mint_settlement=100 * WAD,
                    long_burn_pool_tokens=2 * WAD,
                    long_burn_short_mint_pool_tokens=WAD,
                ),
            ),
            (8, TotalCommitment()),
        ),
    )
    rows = pending_rows(queued)
    assert [r.interval for r in rows] == ["#7", "#9"]
    assert rows[0].executes_at == NOW + 120  # the next upkeep executes id 7
    assert rows[1].executes_at == NOW + 3 * 120
    assert rows[0].long_mints == "100 BAL"
    assert rows[0].long_burns == "2"
    assert rows[0].flips == "1 L→S"
    assert rows[1].short_mints == "5 BAL"


def test_trade_now_and_queued_summary() -> None:
    state = with_pool(market(1, last_price_timestamp=NOW), pending_mint_settlement=10 * WAD)
    detail = market_detail(snapshot(state, block_timestamp=NOW + 10), state)
    assert detail.trade_now_executes_at == NOW + 120  # before the lock: the next rebalance
    late = market_detail(snapshot(state, block_timestamp=NOW + 100), state)
    assert late.trade_now_executes_at == NOW + 240  # in the lock: the one after
    assert detail.queued_summary.startswith("Queued now: 10 BAL of mints")
    chain = MarketState(info=state.info, pool=state.pool, appropriate_update_interval_id=9)
    assert market_detail(snapshot(chain), chain).trade_now_executes_at == NOW + 3 * 120


def test_decay_estimate_uses_the_pool_transfer() -> None:
    assert _metrics.decay_per_year(3, Fraction(0)) == 0
    three = _metrics.decay_per_year(3, Fraction(6, 10))
    assert 0 < three < Fraction(1, 10)
    assert _metrics.decay_per_year(5, Fraction(6, 10)) > three
    assert _metrics.decay_per_year(3, Fraction(1)) > three
    text = decay_text("3/1", "60")
    assert "3×" in text and "60% yearly volatility" in text
    assert f"{float(three) * 100:.1f}%" in text
    assert decay_text("nonsense", "60") == ""
    curve = decay_curve("3/1")
    assert curve[0] == (0, 0.0) and curve[-1][0] == 160
    assert all(b[1] >= a[1] for a, b in itertools.pairwise(curve))
