"""Analytics against the reference's figures, and the escrow id-list bookkeeping."""

from __future__ import annotations

from fractions import Fraction

import pytest

from balancer_perps.domain.aggregation import (
    append_unaggregated_id,
    get_aggregate_balance,
    update_aggregate_balance,
)
from balancer_perps.domain.analytics import (
    annualised_management_fee,
    effective_long_leverage,
    effective_short_leverage,
    loss_transfer_fraction,
    next_value_transfer,
    rebalance_rate,
    skew,
    token_price,
    volatility_decay,
)
from balancer_perps.domain.quad import ONE, Quad
from balancer_perps.domain.types import Balance, Prices, TotalCommitment
from tests.domain.pools import USDC, WAD, worked_example_pool


@pytest.mark.parametrize(
    ("new_price", "long_after", "short_after"),
    [(2020, 1_029_691_888_729, 970_303_548_093), (1980, 970_006_783_599, 1_029_988_653_223)],
)
def test_next_value_transfer_worked_example(
    new_price: int, long_after: int, short_after: int
) -> None:
    snapshot = worked_example_pool(oracle_price=new_price * WAD)
    transfer = next_value_transfer(snapshot)
    assert (transfer.long_balance, transfer.short_balance) == (long_after, short_after)
    assert transfer.long_fee == transfer.short_fee == 2_281_589
    assert transfer.applied


def test_next_value_transfer_skewed_pool() -> None:
    snapshot = worked_example_pool(long_balance=1_500_000 * USDC, short_balance=500_000 * USDC)
    transfer = next_value_transfer(snapshot, 2020 * WAD)
    assert (transfer.long_balance, transfer.short_balance) == (1_514_843_662_776, 485_151_774_047)
    assert not next_value_transfer(snapshot, 0).applied


@pytest.mark.parametrize(
    ("new_price", "percent"),
    [
        (1010, "2.9694"),
        (990, "2.9991"),
        (1100, "26.616"),
        (900, "29.131"),
        (800, "53.705"),
        (500, "90.515"),
    ],
)
def test_loss_transfer_table(new_price: int, percent: str) -> None:
    fraction = loss_transfer_fraction(Quad.from_uint(3), 1000 * WAD, new_price * WAD)
    decimals = len(percent.split(".")[1])
    assert round(fraction.as_fraction() * 100, decimals) == Fraction(percent)


def test_display_ratios() -> None:
    assert skew(1_500_000, 500_000) == 3
    assert skew(0, 5) == 1
    assert rebalance_rate(1_500_000, 500_000) == 2
    assert effective_long_leverage(3, 1_500_000, 500_000) == 1
    assert effective_short_leverage(3, 1_500_000, 500_000) == 9
    assert round(annualised_management_fee(2_281_589_172_490, 3600), 10) == Fraction(2, 100)
    assert token_price(1_000_000, 800_000, 0) == Quad.from_uint(1_000_000).div(
        Quad.from_uint(800_000)
    )
    assert token_price(5, 0, 0) == ONE


def test_volatility_decay_on_a_symmetric_path() -> None:
    one_trip = volatility_decay(3, 5 * 10**16, 2)
    m = loss_transfer_fraction(Quad.from_uint(3), 1000 * WAD, 1050 * WAD).as_fraction()
    assert one_trip.round_trips == 1
    assert abs(one_trip.decay - m * m) < Fraction(1, 10**20)  # long: (1 + m)(1 - m)
    assert one_trip.long_value_ratio + one_trip.short_value_ratio == 2  # zero-sum
    assert volatility_decay(5, 5 * 10**16, 20).decay > volatility_decay(3, 5 * 10**16, 20).decay
    assert volatility_decay(3, 0, 10).decay == 0
    assert volatility_decay(3, 5 * 10**16, 3).round_trips == 1


# ----------------------------------------------------------------------------- aggregation
PRICES = Prices(ONE, ONE)


def _histories(ids: range) -> tuple[dict[int, Prices], dict[int, Quad]]:
    return {i: PRICES for i in ids}, {i: Quad.from_uint(0) for i in ids}


def test_more_than_fifteen_ids_swap_and_pop() -> None:
    ids = tuple(range(3, 20))
    commitments = {i: TotalCommitment(long_mint_settlement=1) for i in ids}
    prices, burn_fees = _histories(range(3, 20))
    result = update_aggregate_balance(
        Balance(),
        ids,
        commitments,
        price_history=prices,
        burn_fee_history=burn_fees,
        minting_fee=Quad.from_uint(0),
        update_interval_id=20,
    )
    assert result.unaggregated_ids == (19, 18)  # as observed on chain (§4.3)
    assert result.aggregated_ids == tuple(range(3, 18))
    assert result.balance == Balance(long_tokens=15)


def test_short_lists_keep_only_pending_ids_and_duplicates_add_zero() -> None:
    commitments = {
        3: TotalCommitment(short_mint_settlement=7),
        9: TotalCommitment(short_mint_settlement=11),
    }
    prices, burn_fees = _histories(range(1, 10))
    result = update_aggregate_balance(
        Balance(),
        (3, 3, 9),
        commitments,
        price_history=prices,
        burn_fee_history=burn_fees,
        minting_fee=ONE,
        update_interval_id=5,
    )
    assert result.balance == Balance(short_tokens=7)
    assert result.unaggregated_ids == (9,)
    view = get_aggregate_balance(
        Balance(settlement_tokens=1),
        (3, 9),
        commitments,
        price_history=prices,
        burn_fee_history=burn_fees,
        minting_fee=ONE,
        update_interval_id=10,
    )
    assert view == Balance(short_tokens=18, settlement_tokens=1)


def test_append_only_after_the_last_id() -> None:
    assert append_unaggregated_id((), 4) == (4,)
    assert append_unaggregated_id((4,), 5) == (4, 5)
    assert append_unaggregated_id((19, 18), 18) == (19, 18)
    assert append_unaggregated_id((19, 18), 19) == (19, 18, 19)  # a duplicate, as on chain
