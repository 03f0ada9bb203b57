"""What a `commit` does to the pool at commit time (§3.4 "At commit time", §2.9 check order).

This is the pool-level half. The user-level half (escrow or wallet debits, the
aggregation that runs first, AutoClaim) belongs to whoever tracks users.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from balancer_perps.domain.errors import ContractRevert, checked_uint
from balancer_perps.domain.pool_math import appropriate_update_interval_id, minting_or_burning_fee
from balancer_perps.domain.types import CommitType, PoolSnapshot, TotalCommitment


@dataclass(frozen=True, slots=True)
class CommitEffect:
    """The pool after one commit, and what the commit queued."""

    snapshot: PoolSnapshot
    update_interval_id: int  # the interval the commit lands in
    queued: TotalCommitment  # added to totalPoolCommitments[id] and userCommitments[user][id]
    minting_fee: int  # mint fee credited to the side now (0 for burns and flips)


def commit_interval_id(snapshot: PoolSnapshot, now: int) -> int:
    """PoolCommitter.getAppropriateUpdateIntervalId at block time `now`."""
    return appropriate_update_interval_id(
        now,
        snapshot.last_price_timestamp,
        snapshot.front_running_interval,
        snapshot.update_interval,
        snapshot.update_interval_id,
    )


def apply_commit(
    snapshot: PoolSnapshot, commit_type: CommitType, amount: int, now: int
) -> CommitEffect:
    """Queue a commit: a mint pays its fee into the side now; burns and flips burn now.

    `amount` is the gross amount (settlement for mints, pool tokens otherwise).
    """
    if amount == 0:
        raise ContractRevert("Amount must not be zero")
    if snapshot.paused:
        raise ContractRevert("Pool is paused")
    interval_id = commit_interval_id(snapshot, now)
    commit_type = CommitType(commit_type)
    if commit_type.is_mint:
        fee = minting_or_burning_fee(snapshot.minting_fee, amount)
        queued_amount = amount - fee
        if commit_type is CommitType.LONG_MINT:
            after = replace(snapshot, long_balance=snapshot.long_balance + fee)
        else:
            after = replace(snapshot, short_balance=snapshot.short_balance + fee)
        after = replace(
            after, pending_mint_settlement=snapshot.pending_mint_settlement + queued_amount
        )
        return CommitEffect(
            after, interval_id, TotalCommitment().plus(commit_type, queued_amount), fee
        )
    if commit_type.burns_long_tokens:
        after = replace(
            snapshot,
            long_supply=checked_uint(snapshot.long_supply - amount),
            pending_long_burns=snapshot.pending_long_burns + amount,
        )
    else:
        after = replace(
            snapshot,
            short_supply=checked_uint(snapshot.short_supply - amount),
            pending_short_burns=snapshot.pending_short_burns + amount,
        )
    return CommitEffect(after, interval_id, TotalCommitment().plus(commit_type, amount), 0)
