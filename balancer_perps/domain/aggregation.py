"""A user's aggregate balance ("escrow"): lazy credits of executed commitments (§3.8.3 10-11).

Credits use each interval's stored quad prices and burn fee, and the committer's
*current* minting fee for flips, exactly like the contract, so they can differ from the
integer amounts the pool moved at execution.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from balancer_perps.domain.pool_math import get_updated_aggregate_balance
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.timing import MAX_ITERATIONS
from balancer_perps.domain.types import Balance, Prices, TotalCommitment, UpdateData, UpdateResult


def credit_for_interval(
    commitment: TotalCommitment,
    interval_id: int,
    *,
    prices: Prices,
    burn_fee: Quad,
    minting_fee: Quad,
    current_update_interval_id: int,
) -> UpdateResult:
    """getUpdatedAggregateBalance for one user commitment (zeros if not yet executed)."""
    return get_updated_aggregate_balance(
        UpdateData(
            long_price=prices.long_price,
            short_price=prices.short_price,
            minting_fee_rate=minting_fee,
            current_update_interval_id=current_update_interval_id,
            update_interval_id=interval_id,
            long_mint_settlement=commitment.long_mint_settlement,
            long_burn_pool_tokens=commitment.long_burn_pool_tokens,
            short_mint_settlement=commitment.short_mint_settlement,
            short_burn_pool_tokens=commitment.short_burn_pool_tokens,
            long_burn_short_mint_pool_tokens=commitment.long_burn_short_mint_pool_tokens,
            short_burn_long_mint_pool_tokens=commitment.short_burn_long_mint_pool_tokens,
            burn_fee=burn_fee,
        )
    )


@dataclass(frozen=True, slots=True)
class Aggregation:
    """updateAggregateBalance: the new escrow, fees for the sides, the rewritten id list."""

    balance: Balance
    long_fee: int  # added to the long side balance (burn fees, flip fees)
    short_fee: int
    unaggregated_ids: tuple[int, ...]
    aggregated_ids: tuple[int, ...]  # their userCommitments entries are deleted


def _sum_credits(
    ids: Sequence[int],
    user_commitments: Mapping[int, TotalCommitment],
    price_history: Mapping[int, Prices],
    burn_fee_history: Mapping[int, Quad],
    minting_fee: Quad,
    update_interval_id: int,
    *,
    deletes: bool,
) -> tuple[UpdateResult, list[int]]:
    """Sum the credits of the executed ids. ``deletes``: the update deletes each commitment
    as it goes, so a duplicate id (possible after a reorder) adds nothing the second time;
    the view ``getAggregateBalance`` deletes nothing and credits a duplicate again."""
    long_tokens = short_tokens = long_fee = short_fee = settlement = 0
    aggregated: list[int] = []
    for interval_id in ids:
        if interval_id == 0 or interval_id >= update_interval_id:
            continue
        already_deleted = deletes and interval_id in aggregated
        commitment = None if already_deleted else user_commitments.get(interval_id)
        aggregated.append(interval_id)
        if commitment is None:
            continue
        credit = credit_for_interval(
            commitment,
            interval_id,
            prices=price_history[interval_id],
            burn_fee=burn_fee_history[interval_id],
            minting_fee=minting_fee,
            current_update_interval_id=update_interval_id,
        )
        long_tokens += credit.new_long_tokens
        short_tokens += credit.new_short_tokens
        long_fee += credit.long_settlement_fee
        short_fee += credit.short_settlement_fee
        settlement += credit.new_settlement_tokens
    total = UpdateResult(long_tokens, short_tokens, long_fee, short_fee, settlement)
    return total, aggregated


def get_aggregate_balance(
    stored: Balance,
    unaggregated_ids: Sequence[int],
    user_commitments: Mapping[int, TotalCommitment],
    *,
    price_history: Mapping[int, Prices],
    burn_fee_history: Mapping[int, Quad],
    minting_fee: Quad,
    update_interval_id: int,
) -> Balance:
    """PoolCommitter.getAggregateBalance: stored escrow plus executed, unaggregated credits."""
    total, _ = _sum_credits(
        unaggregated_ids[:MAX_ITERATIONS],
        user_commitments,
        price_history,
        burn_fee_history,
        minting_fee,
        update_interval_id,
        deletes=False,
    )
    return stored.plus(
        Balance(total.new_long_tokens, total.new_short_tokens, total.new_settlement_tokens)
    )


def update_aggregate_balance(
    stored: Balance,
    unaggregated_ids: Sequence[int],
    user_commitments: Mapping[int, TotalCommitment],
    *,
    price_history: Mapping[int, Prices],
    burn_fee_history: Mapping[int, Quad],
    minting_fee: Quad,
    update_interval_id: int,
) -> Aggregation:
    """PoolCommitter.updateAggregateBalance (the caller adds the fees to the pool sides)."""
    ids = list(unaggregated_ids)
    total, aggregated = _sum_credits(
        ids[:MAX_ITERATIONS],
        user_commitments,
        price_history,
        burn_fee_history,
        minting_fee,
        update_interval_id,
        deletes=True,
    )
    if len(ids) <= MAX_ITERATIONS:
        remaining = [i for i in ids if i >= update_interval_id]
    else:
        # Swap-and-pop at each aggregated id's current slot; with ids 3..19 all executed
        # this leaves [19, 18], as observed on chain (§4.3).
        remaining = ids
        for interval_id in aggregated:
            slot = remaining.index(interval_id)
            remaining[slot] = remaining[-1]
            remaining.pop()
    balance = stored.plus(
        Balance(total.new_long_tokens, total.new_short_tokens, total.new_settlement_tokens)
    )
    return Aggregation(
        balance=balance,
        long_fee=total.long_settlement_fee,
        short_fee=total.short_settlement_fee,
        unaggregated_ids=tuple(remaining),
        aggregated_ids=tuple(aggregated),
    )


def append_unaggregated_id(unaggregated_ids: Sequence[int], interval_id: int) -> tuple[int, ...]:
    """A commit appends its id only if it is greater than the last element (§4.2)."""
    if unaggregated_ids and interval_id <= unaggregated_ids[-1]:
        return tuple(unaggregated_ids)
    return (*unaggregated_ids, interval_id)
