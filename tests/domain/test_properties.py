"""Hypothesis properties: value conservation, non-negative balances, commit round trips."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from balancer_perps.domain.commit_encoding import decode_commit_params, encode_commit_params
from balancer_perps.domain.pool_math import calculate_value_transfer
from balancer_perps.domain.projector import project_upkeeps
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.types import CommitType, PoolSnapshot, TotalCommitment

BALANCES = st.integers(0, 10**30)
PRICES = st.integers(1, 10**30)
LEVERAGES = st.integers(1, 100).map(Quad.from_uint)
FEES = st.integers(0, 10**17).map(Quad.from_uint)


@settings(max_examples=300)
@given(BALANCES, BALANCES, LEVERAGES, PRICES, PRICES, FEES)
def test_value_transfer_conserves_value(
    long_balance: int,
    short_balance: int,
    leverage: Quad,
    old_price: int,
    new_price: int,
    fee: Quad,
) -> None:
    new_long, new_short, long_fee, short_fee = calculate_value_transfer(
        long_balance, short_balance, leverage, old_price, new_price, fee
    )
    # Exact conservation: the truncation dust goes to the winner, nothing is created.
    assert new_long + new_short + long_fee + short_fee == long_balance + short_balance
    assert min(new_long, new_short, long_fee, short_fee) >= 0
    if new_price > old_price:  # shorts lose, longs can only gain
        assert new_long >= long_balance - long_fee
        assert new_short <= short_balance - short_fee
    elif new_price < old_price:
        assert new_long <= long_balance - long_fee
        assert new_short >= short_balance - short_fee


def _snapshot(long_balance: int, short_balance: int, supply_scale: int) -> PoolSnapshot:
    return PoolSnapshot(
        long_balance=long_balance,
        short_balance=short_balance,
        leverage=Quad.from_uint(3),
        fee=Quad.from_uint(2_281_589_172_490),
        update_interval=3600,
        front_running_interval=300,
        last_price_timestamp=1_000_000,
        settlement_decimals=18,
        long_supply=long_balance * supply_scale // 7 + 1,
        short_supply=short_balance * supply_scale // 7 + 1,
        update_interval_id=1,
        minting_fee=Quad.from_uint(5 * 10**15),
        burning_fee=Quad.from_uint(3 * 10**15),
        execution_price=2000 * 10**18,
        oracle_price=2000 * 10**18,
    )


@settings(max_examples=60, deadline=None)
@given(
    st.integers(10**6, 10**24),
    st.integers(10**6, 10**24),
    st.integers(1, 20),
    st.lists(st.integers(500 * 10**18, 5000 * 10**18), min_size=1, max_size=4),
    st.integers(0, 10**22),
    st.integers(0, 10**22),
    st.integers(0, 100),
)
def test_projected_upkeeps_never_go_negative(
    long_balance: int,
    short_balance: int,
    supply_scale: int,
    prices: list[int],
    long_mint: int,
    short_mint: int,
    burn_percent: int,
) -> None:
    snapshot = _snapshot(long_balance, short_balance, supply_scale)
    long_burn = snapshot.long_supply * burn_percent // 100
    snapshot = replace(
        snapshot,
        long_supply=snapshot.long_supply - long_burn,
        pending_long_burns=long_burn,
        pending_mint_settlement=long_mint + short_mint,
    )
    pending = {1: TotalCommitment(long_mint, long_burn, short_mint, 0, 0, 0)}
    projection = project_upkeeps(snapshot, pending, prices)
    total_in = long_balance + short_balance + long_mint + short_mint
    total_fees = 0
    for upkeep in projection.upkeeps:
        after = upkeep.snapshot
        assert upkeep.succeeded
        assert min(after.long_balance, after.short_balance, after.long_supply) >= 0
        assert after.pending_long_burns == 0 and after.pending_mint_settlement == 0
        total_fees += upkeep.long_fee + upkeep.short_fee
    final = projection.snapshot
    withdrawn = sum(
        i.long_withdrawn + i.short_withdrawn for u in projection.upkeeps for i in u.intervals
    )
    # Settlement is conserved: sides + fees + burn proceeds = what was in the pool.
    assert final.long_balance + final.short_balance + total_fees + withdrawn == total_in


AMOUNTS = st.integers(1, (1 << 128) - 1)
TYPES = st.sampled_from(list(CommitType))


@given(AMOUNTS, TYPES, st.booleans(), st.booleans())
def test_commit_encoding_round_trip(
    amount: int, commit_type: CommitType, from_aggregate: bool, pay_for_claim: bool
) -> None:
    packed = encode_commit_params(amount, commit_type, from_aggregate, pay_for_claim)
    decoded = decode_commit_params(packed)
    assert decoded.amount == amount
    assert decoded.commit_type is commit_type
    assert decoded.from_aggregate_balance is from_aggregate
    assert decoded.pay_for_claim is pay_for_claim
    assert decode_commit_params("0x" + packed.hex()) == decoded


@given(AMOUNTS, TYPES, st.integers(0, 255), st.integers(0, 255), st.integers(0, (1 << 104) - 1))
def test_decoder_is_as_lenient_as_the_contract(
    amount: int, commit_type: CommitType, aggregate_byte: int, claim_byte: int, high_bits: int
) -> None:
    packed = amount | commit_type << 128 | aggregate_byte << 136 | claim_byte << 144
    decoded = decode_commit_params((packed | high_bits << 152).to_bytes(32, "big"))
    assert decoded.amount == amount
    assert decoded.commit_type is commit_type
    assert decoded.from_aggregate_balance is (aggregate_byte != 0)
    assert decoded.pay_for_claim is (claim_byte != 0)
