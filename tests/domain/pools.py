"""Pools for the unit tests, built from the reference's worked examples (§3.3, §3.4)."""

from __future__ import annotations

from balancer_perps.domain.commit import apply_commit
from balancer_perps.domain.fees import per_interval_fee
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.types import CommitType, PoolSnapshot, TotalCommitment

USDC = 10**6
WAD = 10**18
T0 = 1_700_000_000
HOUR = 3600


def worked_example_pool(**changes: object) -> PoolSnapshot:
    """§3.4: 3x, mint fee 0.5 %, burn fee 0.2 %, 2 %/yr, 1 M USDC a side, prices 1.25/0.80."""
    fields: dict[str, object] = {
        "long_balance": 1_000_000 * USDC,
        "short_balance": 1_000_000 * USDC,
        "leverage": Quad.from_uint(3),
        "fee": Quad.from_uint(per_interval_fee(2 * 10**16, HOUR)),
        "update_interval": HOUR,
        "front_running_interval": 300,
        "last_price_timestamp": T0,
        "settlement_decimals": 6,
        "long_supply": 800_000 * USDC,
        "short_supply": 1_250_000 * USDC,
        "update_interval_id": 10,
        "minting_fee": Quad.from_uint(5 * 10**15),
        "burning_fee": Quad.from_uint(2 * 10**15),
        "execution_price": 2000 * WAD,
        "oracle_price": 2020 * WAD,
    }
    fields.update(changes)
    return PoolSnapshot(**fields)  # type: ignore[arg-type]


ALICE_MINT = (CommitType.LONG_MINT, 1000 * USDC)
BOB_BURN = (CommitType.LONG_BURN, 400 * USDC)
CAROL_FLIP = (CommitType.LONG_BURN_SHORT_MINT, 100 * USDC)


def with_commits(
    snapshot: PoolSnapshot, commits: list[tuple[CommitType, int]], now: int = T0 + 10
) -> tuple[PoolSnapshot, dict[int, TotalCommitment]]:
    """The pool and its pending commitments after the given commits."""
    pending: dict[int, TotalCommitment] = {}
    for commit_type, amount in commits:
        effect = apply_commit(snapshot, commit_type, amount, now)
        snapshot = effect.snapshot
        interval = effect.update_interval_id
        pending[interval] = pending.get(interval, TotalCommitment()).merged(effect.queued)
    return snapshot, pending
