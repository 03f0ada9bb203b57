"""One keeper upkeep of one pool, end to end (§3.1): transfer + fee, intervals, keeper payment.

Failure modes are reproduced, not fixed: a price <= 0 skips the transfer and the fee
(PriceChangeError) but still executes intervals and stores the price; a "price == 0"
revert inside executeCommitments rolls back the whole pool upkeep, keeps the old
execution price and still pays the keeper.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from balancer_perps.domain.errors import ContractRevert
from balancer_perps.domain.execution import CommitmentsExecution, SideState, execute_commitments
from balancer_perps.domain.fees import fee_split
from balancer_perps.domain.keeper import keeper_reward, pay_keeper_from_balances
from balancer_perps.domain.pool_math import calculate_value_transfer
from balancer_perps.domain.timing import interval_passed
from balancer_perps.domain.types import PoolSnapshot, TotalCommitment, UpkeepResult


@dataclass(frozen=True, slots=True)
class Rebalance:
    """The value-transfer part of poolUpkeep (what PoolRebalance reports)."""

    applied: bool  # False when a price <= 0 (PriceChangeError) or when the upkeep failed
    long_fee: int = 0
    short_fee: int = 0
    primary_fee: int = 0
    secondary_fee: int = 0
    long_change: int = 0  # including the fee
    short_change: int = 0


def perform_upkeep(
    snapshot: PoolSnapshot,
    commitments: Mapping[int, TotalCommitment],
    *,
    now: int,
    new_price: int,
    keeper_gas_price: int | None = None,
    keeper_gas_spent: int = 0,
) -> UpkeepResult | None:
    """performUpkeepSinglePool at `now` with oracle price `new_price` (WAD).

    Returns None when the pool is not due (the keeper returns silently). Raises
    ContractRevert("Pool is paused") for a paused pool, like the uncaught keeper payment.
    `keeper_gas_price` None uses `snapshot.keeper_gas_price`; rewards only match the chain
    when it is 0, because `keeper_gas_spent` depends on the real bytecode.
    """
    if not interval_passed(now, snapshot.last_price_timestamp, snapshot.update_interval):
        return None
    if snapshot.paused:
        raise ContractRevert("Pool is paused")
    old_price = snapshot.execution_price
    saved_last_price_timestamp = snapshot.last_price_timestamp
    failure: str | None = None
    try:
        upkept, execution, rebalance = _pool_upkeep(
            snapshot, commitments, now, old_price, new_price
        )
    except ContractRevert as revert:  # PoolKeeper catches Error(string) only
        failure = revert.reason
        upkept, execution, rebalance = snapshot, None, Rebalance(applied=False)
    gas_price = snapshot.keeper_gas_price if keeper_gas_price is None else keeper_gas_price
    reward = keeper_reward(
        gas_price=gas_price,
        gas_spent=keeper_gas_spent,
        saved_previous_update_timestamp=saved_last_price_timestamp,
        pool_interval=snapshot.update_interval,
        settlement_token_price=snapshot.settlement_eth_price,
        now=now,
        settlement_decimals=snapshot.settlement_decimals,
    )
    payment = pay_keeper_from_balances(reward, upkept.long_balance, upkept.short_balance)
    upkept = replace(upkept, long_balance=payment.long_balance, short_balance=payment.short_balance)
    return UpkeepResult(
        timestamp=now,
        old_price=old_price,
        new_price=new_price,
        succeeded=failure is None,
        failure_reason=failure,
        value_transfer_applied=rebalance.applied,
        long_fee=rebalance.long_fee,
        short_fee=rebalance.short_fee,
        primary_fee=rebalance.primary_fee,
        secondary_fee=rebalance.secondary_fee,
        long_balance_change=rebalance.long_change,
        short_balance_change=rebalance.short_change,
        intervals=execution.intervals if execution else (),
        long_minted=execution.long_minted if execution else 0,
        short_minted=execution.short_minted if execution else 0,
        keeper_paid=payment.paid,
        keeper_reward=payment.reward,
        snapshot=upkept,
    )


def _pool_upkeep(
    snapshot: PoolSnapshot,
    commitments: Mapping[int, TotalCommitment],
    now: int,
    old_price: int,
    new_price: int,
) -> tuple[PoolSnapshot, CommitmentsExecution, Rebalance]:
    """LeveragedPool.poolUpkeep; raises on a string revert so the caller can roll back."""
    long_balance, short_balance = snapshot.long_balance, snapshot.short_balance
    long_fee = short_fee = primary = secondary = 0
    transferred = old_price > 0 and new_price > 0
    if transferred:
        long_balance, short_balance, long_fee, short_fee = calculate_value_transfer(
            long_balance, short_balance, snapshot.leverage, old_price, new_price, snapshot.fee
        )
        primary, secondary = fee_split(
            long_fee + short_fee,
            snapshot.secondary_fee_split_percent,
            snapshot.has_secondary_fee_address,
        )
    long_change = long_balance - snapshot.long_balance
    short_change = short_balance - snapshot.short_balance
    execution = execute_commitments(
        commitments,
        SideState(
            long_balance,
            short_balance,
            snapshot.long_supply,
            snapshot.short_supply,
            snapshot.pending_long_burns,
            snapshot.pending_short_burns,
        ),
        now=now,
        last_price_timestamp=snapshot.last_price_timestamp,
        update_interval=snapshot.update_interval,
        update_interval_id=snapshot.update_interval_id,
        pending_mint_settlement=snapshot.pending_mint_settlement,
        burning_fee=snapshot.burning_fee,
        minting_fee=snapshot.minting_fee,
        change_interval=snapshot.change_interval,
    )
    after = execution.state
    upkept = replace(
        snapshot,
        long_balance=after.long_balance,
        short_balance=after.short_balance,
        long_supply=after.long_supply,
        short_supply=after.short_supply,
        pending_long_burns=after.pending_long_burns,
        pending_short_burns=after.pending_short_burns,
        pending_mint_settlement=execution.pending_mint_settlement,
        update_interval_id=execution.update_interval_id,
        last_price_timestamp=execution.last_price_timestamp,
        minting_fee=execution.minting_fee,
        execution_price=new_price,
        oracle_price=new_price,
        primary_fees=snapshot.primary_fees + primary,
        secondary_fees=snapshot.secondary_fees + secondary,
    )
    rebalance = Rebalance(
        transferred, long_fee, short_fee, primary, secondary, long_change, short_change
    )
    return upkept, execution, rebalance
