"""Trade preview: what a commit made now costs, when it executes and what it yields.

The preview runs the same sequences as the contracts: the commit's own effect (mint fee
into the side, burns taken now), the value transfer and every interval up to and
including the commit's (at the current oracle price, i.e. "if the price stays"), then
the user credit through the stored quad price and the minting fee in force afterwards,
exactly as aggregation would credit it.
"""

from __future__ import annotations

from collections.abc import Mapping

from balancer_perps.domain.aggregation import credit_for_interval
from balancer_perps.domain.analytics import effective_long_leverage, effective_short_leverage, skew
from balancer_perps.domain.commit import apply_commit
from balancer_perps.domain.commit_encoding import encode_commit_params
from balancer_perps.domain.pool_math import get_price, minting_or_burning_fee
from balancer_perps.domain.projector import project_until_executed
from balancer_perps.domain.timing import expected_execution_timestamp, in_front_running_window
from balancer_perps.domain.types import (
    CommitType,
    PoolSnapshot,
    TotalCommitment,
    TradePreview,
    UpdateResult,
)


def preview_commit(
    snapshot: PoolSnapshot,
    pending_commitments_by_interval: Mapping[int, TotalCommitment],
    commit_type: CommitType,
    amount: int,
    now: int,
    from_aggregate_balance: bool = False,
) -> TradePreview:
    """Exact preview of `commit(amount, commit_type)` mined at block time `now`.

    `from_aggregate_balance` only changes where the funds come from, not the math; it is
    validated through the same encoder the transaction uses. Raises ContractRevert for
    what the contract rejects up front ("Amount must not be zero", the 128-bit limit,
    "timestamp in the past", "Pool is paused").
    """
    commit_type = CommitType(commit_type)
    encode_commit_params(amount, commit_type, from_aggregate_balance, False)
    effect = apply_commit(snapshot, commit_type, amount, now)
    interval_id = effect.update_interval_id
    pending = dict(pending_commitments_by_interval)
    pending[interval_id] = pending.get(interval_id, TotalCommitment()).merged(effect.queued)
    projection = project_until_executed(
        effect.snapshot, pending, interval_id, snapshot.oracle_price, start_time=now
    )
    after = projection.snapshot
    execution = next(
        (
            interval
            for upkeep in projection.upkeeps
            for interval in upkeep.intervals
            if interval.update_interval_id == interval_id
        ),
        None,
    )
    if execution is None:
        credit = UpdateResult()
        blocked = projection.upkeeps[-1].failure_reason if projection.upkeeps else "not executed"
        long_price = get_price(after.long_balance, after.long_supply + after.pending_long_burns)
        short_price = get_price(after.short_balance, after.short_supply + after.pending_short_burns)
    else:
        credit = credit_for_interval(
            effect.queued,
            interval_id,
            prices=execution.prices,
            burn_fee=execution.burn_fee,
            minting_fee=after.minting_fee,
            current_update_interval_id=after.update_interval_id,
        )
        blocked = None
        long_price, short_price = execution.prices.long_price, execution.prices.short_price
    burn_fee, flip_mint_fee = _aggregation_fees(commit_type, credit)
    receives_long = commit_type in (
        CommitType.LONG_MINT,
        CommitType.LONG_BURN,
        CommitType.SHORT_BURN_LONG_MINT,
    )
    leverage = after.leverage.as_fraction()
    return TradePreview(
        commit_type=commit_type,
        amount=amount,
        fee_at_commit=effect.minting_fee,
        expected_burn_fee=burn_fee,
        expected_flip_mint_fee=flip_mint_fee,
        net_amount=amount - effect.minting_fee,
        update_interval_id=interval_id,
        expected_execution_timestamp=expected_execution_timestamp(
            interval_id,
            snapshot.update_interval_id,
            snapshot.last_price_timestamp,
            snapshot.update_interval,
        ),
        in_front_running_window=in_front_running_window(
            now,
            snapshot.last_price_timestamp,
            snapshot.update_interval,
            snapshot.front_running_interval,
        ),
        expected_tokens_out=credit.new_long_tokens + credit.new_short_tokens,
        expected_settlement_out=credit.new_settlement_tokens,
        projected_price=long_price if receives_long else short_price,
        skew_before=skew(snapshot.long_balance, snapshot.short_balance),
        skew_after=skew(after.long_balance, after.short_balance),
        effective_long_leverage_after=effective_long_leverage(
            leverage, after.long_balance, after.short_balance
        ),
        effective_short_leverage_after=effective_short_leverage(
            leverage, after.long_balance, after.short_balance
        ),
        upkeeps=projection.upkeeps,
        blocked_reason=blocked,
    )


def _aggregation_fees(commit_type: CommitType, credit: UpdateResult) -> tuple[int, int]:
    """(burn fee, flip mint fee) of this commit's credit, from the side each is booked to."""
    if commit_type is CommitType.LONG_BURN:
        return credit.long_settlement_fee, 0
    if commit_type is CommitType.SHORT_BURN:
        return credit.short_settlement_fee, 0
    if commit_type is CommitType.LONG_BURN_SHORT_MINT:
        return credit.long_settlement_fee, credit.short_settlement_fee
    if commit_type is CommitType.SHORT_BURN_LONG_MINT:
        return credit.short_settlement_fee, credit.long_settlement_fee
    return 0, 0


def mint_fee_at_commit(snapshot: PoolSnapshot, amount: int) -> int:
    """The mint fee a mint of `amount` pays right now (the quick number for input fields)."""
    return minting_or_burning_fee(snapshot.minting_fee, amount)
