"""Projector and trade preview against the reference's worked examples and failure modes."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from balancer_perps.domain.aggregation import credit_for_interval
from balancer_perps.domain.errors import ContractRevert
from balancer_perps.domain.preview import mint_fee_at_commit, preview_commit
from balancer_perps.domain.projector import project_until_executed, project_upkeeps
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.types import CommitType, TotalCommitment
from tests.domain.pools import (
    ALICE_MINT,
    BOB_BURN,
    CAROL_FLIP,
    HOUR,
    T0,
    USDC,
    WAD,
    with_commits,
    worked_example_pool,
)


def test_worked_example_upkeep() -> None:
    snapshot, pending = with_commits(worked_example_pool(), [ALICE_MINT, BOB_BURN, CAROL_FLIP])
    assert snapshot.long_balance == 1_000_005 * USDC  # Alice's fee, credited at commit
    assert (snapshot.long_supply, snapshot.pending_long_burns) == (799_500 * USDC, 500 * USDC)
    projection = project_upkeeps(snapshot, pending, 2020 * WAD, upkeeps=1)
    upkeep = projection.upkeeps[0]
    assert snapshot.long_balance + upkeep.long_balance_change == 1_029_696_888_718
    assert snapshot.short_balance + upkeep.short_balance_change == 970_303_548_093
    interval = upkeep.intervals[0]
    assert interval.update_interval_id == 10
    assert float(interval.prices.long_price.as_fraction()) == pytest.approx(1.287121111)
    assert interval.long_flip_settlement == 127_812_414
    assert projection.snapshot.long_balance == 1_030_048_328_163
    assert projection.snapshot.short_balance == 970_431_360_507
    assert projection.pending == {}
    assert projection.prices[10] == interval.prices
    credits = {
        name: credit_for_interval(
            commit,
            10,
            prices=interval.prices,
            burn_fee=interval.burn_fee,
            minting_fee=projection.snapshot.minting_fee,
            current_update_interval_id=11,
        )
        for name, commit in {
            "alice": TotalCommitment(long_mint_settlement=995 * USDC),
            "bob": TotalCommitment(long_burn_pool_tokens=400 * USDC),
            "carol": TotalCommitment(long_burn_short_mint_pool_tokens=100 * USDC),
        }.items()
    }
    assert credits["alice"].new_long_tokens == 773_043_027
    assert (credits["bob"].new_settlement_tokens, credits["bob"].long_settlement_fee) == (
        513_818_748,
        1_029_696,
    )
    assert credits["carol"].new_short_tokens == 164_655_192
    assert (credits["carol"].long_settlement_fee, credits["carol"].short_settlement_fee) == (
        257_424,
        642_273,
    )


def test_backlog_of_seventeen_intervals_takes_two_upkeeps() -> None:
    snapshot = worked_example_pool(oracle_price=2000 * WAD)
    late = T0 + 17 * HOUR
    first = project_upkeeps(snapshot, {}, 2000 * WAD, upkeep_times=[late])
    assert len(first.upkeeps[0].intervals) == 15
    assert first.snapshot.last_price_timestamp == T0 + 15 * HOUR
    second = project_upkeeps(first.snapshot, {}, 2000 * WAD, upkeep_times=[late + 1])
    assert [i.update_interval_id for i in second.upkeeps[0].intervals] == [25, 26]
    assert second.snapshot.last_price_timestamp == late + 1
    # the management fee is charged once per upkeep, so twice for this backlog
    assert first.upkeeps[0].long_fee > 0 and second.upkeeps[0].long_fee > 0


def test_not_due_upkeep_is_refused() -> None:
    with pytest.raises(ValueError, match="no upkeep is due"):
        project_upkeeps(worked_example_pool(), {}, 2000 * WAD, upkeep_times=[T0 + HOUR - 1])


def test_one_wei_side_freezes_the_pool_until_the_price_returns() -> None:
    snapshot = worked_example_pool(
        long_balance=1,
        long_supply=1,
        short_balance=10**12,
        short_supply=10**12,
        fee=Quad.from_uint(0),
    )
    frozen = project_upkeeps(snapshot, {}, 1990 * WAD, upkeeps=1)  # -0.5 %
    upkeep = frozen.upkeeps[0]
    assert not upkeep.succeeded and upkeep.failure_reason == "price == 0"
    assert not upkeep.value_transfer_applied and upkeep.intervals == ()
    assert frozen.snapshot == snapshot  # rolled back, execution price kept
    recovered = project_upkeeps(frozen.snapshot, {}, 2000 * WAD, upkeep_times=[T0 + HOUR + 5])
    assert recovered.upkeeps[0].succeeded


def test_non_positive_price_suppresses_two_transfers() -> None:
    snapshot = worked_example_pool()
    projection = project_upkeeps(snapshot, {}, [0, 2100 * WAD, 2200 * WAD])
    zero, recovery, normal = projection.upkeeps
    assert zero.succeeded and not zero.value_transfer_applied and zero.long_fee == 0
    assert len(zero.intervals) == 1  # intervals still execute
    assert zero.snapshot.execution_price == 0
    assert recovery.succeeded and not recovery.value_transfer_applied
    assert normal.value_transfer_applied and normal.old_price == 2100 * WAD


def test_dynamic_minting_fee_moves_once_per_upkeep() -> None:
    snapshot = worked_example_pool(
        change_interval=Quad.from_uint(75 * 10**13), oracle_price=2000 * WAD
    )
    projection = project_upkeeps(snapshot, {}, 2000 * WAD, upkeeps=3)
    # long price 1.25 x short price 0.8 = 1 (not > 1): the fee rises each upkeep
    fees = [upkeep.snapshot.minting_fee.to_uint() for upkeep in projection.upkeeps]
    assert fees[0] == 5 * 10**15 + 75 * 10**13
    assert len(fees) == 3


def test_keeper_payment_is_optional() -> None:
    snapshot = worked_example_pool(settlement_eth_price=2000 * WAD, keeper_gas_price=2 * 10**9)
    unpaid = project_upkeeps(snapshot, {}, 2020 * WAD, upkeeps=1)
    paid = project_upkeeps(
        snapshot, {}, 2020 * WAD, upkeeps=1, keeper_gas_price=None, keeper_gas_spent=600_000
    )
    reward = paid.upkeeps[0].keeper_reward
    assert unpaid.upkeeps[0].keeper_reward == 0 and reward > 0
    unpaid_total = unpaid.snapshot.long_balance + unpaid.snapshot.short_balance
    assert paid.snapshot.long_balance + paid.snapshot.short_balance == unpaid_total - reward


# ----------------------------------------------------------------------------- preview
def test_preview_mint_worked_example() -> None:
    preview = preview_commit(worked_example_pool(), {}, CommitType.LONG_MINT, 1000 * USDC, T0 + 10)
    assert (
        preview.fee_at_commit == 5 * USDC == mint_fee_at_commit(worked_example_pool(), 1000 * USDC)
    )
    assert preview.net_amount == 995 * USDC
    assert preview.update_interval_id == 10
    assert preview.expected_execution_timestamp == T0 + HOUR
    assert not preview.in_front_running_window
    assert preview.expected_tokens_out == 773_043_027
    assert preview.skew_before == 1
    assert preview.skew_after == Fraction(1_030_691_888_718, 970_303_548_093)
    assert preview.effective_long_leverage_after == 3 / preview.skew_after
    assert preview.blocked_reason is None


def test_preview_burn_and_flip_in_a_shared_interval() -> None:
    base = worked_example_pool()
    snapshot, pending = with_commits(base, [ALICE_MINT, CAROL_FLIP])
    burn = preview_commit(snapshot, pending, CommitType.LONG_BURN, 400 * USDC, T0 + 10)
    assert burn.expected_settlement_out == 513_818_748
    assert burn.expected_burn_fee == 1_029_696
    assert burn.fee_at_commit == 0
    snapshot, pending = with_commits(base, [ALICE_MINT, BOB_BURN])
    flip = preview_commit(
        snapshot, pending, CommitType.LONG_BURN_SHORT_MINT, 100 * USDC, T0 + 10, True
    )
    assert flip.expected_tokens_out == 164_655_192
    assert (flip.expected_burn_fee, flip.expected_flip_mint_fee) == (257_424, 642_273)


def test_preview_in_the_front_running_window() -> None:
    snapshot = worked_example_pool()
    preview = preview_commit(snapshot, {}, CommitType.SHORT_MINT, 1000 * USDC, T0 + HOUR - 300)
    assert preview.in_front_running_window
    assert preview.update_interval_id == 11
    assert preview.expected_execution_timestamp == T0 + 2 * HOUR
    assert len(preview.upkeeps) == 2  # the next upkeep, then the commit's own
    assert preview.expected_tokens_out > 0


def test_preview_of_a_frozen_pool_reports_the_block() -> None:
    snapshot = worked_example_pool(long_balance=1, long_supply=1, oracle_price=1990 * WAD)
    snapshot = replace(snapshot, execution_price=2000 * WAD, fee=Quad.from_uint(0))
    preview = preview_commit(snapshot, {}, CommitType.SHORT_MINT, 1000 * USDC, T0 + 10)
    assert preview.blocked_reason == "price == 0"
    assert preview.expected_tokens_out == 0


def test_preview_rejects_what_the_contract_rejects() -> None:
    with pytest.raises(ContractRevert, match="Amount must not be zero"):
        preview_commit(worked_example_pool(), {}, CommitType.LONG_MINT, 0, T0 + 10)
    with pytest.raises(ContractRevert, match="timestamp in the past"):
        preview_commit(worked_example_pool(), {}, CommitType.LONG_MINT, 1, T0 - 10)


def test_project_until_executed_stops_at_the_interval() -> None:
    snapshot, pending = with_commits(worked_example_pool(), [ALICE_MINT], now=T0 + HOUR - 1)
    projection = project_until_executed(snapshot, pending, 11, 2020 * WAD, start_time=T0)
    assert projection.snapshot.update_interval_id == 12
    assert [u.intervals[0].update_interval_id for u in projection.upkeeps] == [10, 11]
