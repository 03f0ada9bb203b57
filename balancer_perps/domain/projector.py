"""Projects a pool through its next upkeeps with the contracts' exact arithmetic.

Given a snapshot and its pending `TotalCommitment`s per interval id, each projected upkeep
does what PoolKeeper does (§3.1): one value transfer and one management fee, every due
interval with running supplies and all pending burns in the denominators, the stored
prices, the dynamic minting fee update and (optionally) the keeper payment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from balancer_perps.domain.types import PoolSnapshot, Prices, TotalCommitment, UpkeepResult
from balancer_perps.domain.upkeep import perform_upkeep


@dataclass(frozen=True, slots=True)
class Projection:
    """The upkeeps in order, the pool after the last one, and what is still queued."""

    upkeeps: tuple[UpkeepResult, ...]
    snapshot: PoolSnapshot
    pending: Mapping[int, TotalCommitment]

    @property
    def prices(self) -> dict[int, Prices]:
        """priceHistory entries the projected upkeeps would store, by interval id."""
        return {
            interval.update_interval_id: interval.prices
            for upkeep in self.upkeeps
            for interval in upkeep.intervals
        }

    @property
    def long_minted(self) -> int:
        return sum(upkeep.long_minted for upkeep in self.upkeeps)

    @property
    def short_minted(self) -> int:
        return sum(upkeep.short_minted for upkeep in self.upkeeps)


def next_upkeep_time(snapshot: PoolSnapshot, not_before: int | None = None) -> int:
    """Earliest time the pool can be upkept: T0 + U, or `not_before` if that is later."""
    due = snapshot.last_price_timestamp + snapshot.update_interval
    return due if not_before is None else max(due, not_before)


def project_upkeeps(
    snapshot: PoolSnapshot,
    pending: Mapping[int, TotalCommitment],
    prices: int | Sequence[int],
    *,
    upkeeps: int | None = None,
    upkeep_times: Sequence[int] | None = None,
    start_time: int | None = None,
    keeper_gas_price: int | None = 0,
    keeper_gas_spent: int = 0,
) -> Projection:
    """State after the next upkeeps at the given oracle price(s).

    `prices` is one WAD price used for `upkeeps` upkeeps, or one price per upkeep. Upkeeps
    happen on time (each at T0 + U of the state before it, the first no earlier than
    `start_time`) unless `upkeep_times` gives them explicitly. `keeper_gas_price` 0 (the
    default) pays no keeper; None uses the snapshot's gas price.
    """
    if isinstance(prices, int):
        if upkeeps is None:
            upkeeps = len(upkeep_times) if upkeep_times is not None else 1
        price_path = [prices] * upkeeps
    else:
        price_path = list(prices)
    if upkeep_times is not None and len(upkeep_times) != len(price_path):
        raise ValueError("give one upkeep time per price")
    queued = dict(pending)
    results: list[UpkeepResult] = []
    for index, price in enumerate(price_path):
        if upkeep_times is not None:
            now = upkeep_times[index]
        else:
            now = next_upkeep_time(snapshot, start_time if index == 0 else None)
        result = perform_upkeep(
            snapshot,
            queued,
            now=now,
            new_price=price,
            keeper_gas_price=keeper_gas_price,
            keeper_gas_spent=keeper_gas_spent,
        )
        if result is None:
            raise ValueError(f"no upkeep is due at {now}")
        results.append(result)
        snapshot = result.snapshot
        for interval in result.intervals:
            queued.pop(interval.update_interval_id, None)
    return Projection(tuple(results), snapshot, queued)


def project_until_executed(
    snapshot: PoolSnapshot,
    pending: Mapping[int, TotalCommitment],
    interval_id: int,
    price: int,
    *,
    start_time: int | None = None,
    keeper_gas_price: int | None = 0,
    keeper_gas_spent: int = 0,
) -> Projection:
    """On-time upkeeps at a constant price until `interval_id` has executed.

    Stops early (with the failing upkeep last) if an upkeep fails, e.g. a frozen pool.
    """
    results: list[UpkeepResult] = []
    queued = dict(pending)
    while snapshot.update_interval_id <= interval_id:
        step = project_upkeeps(
            snapshot,
            queued,
            price,
            upkeeps=1,
            start_time=start_time if not results else None,
            keeper_gas_price=keeper_gas_price,
            keeper_gas_spent=keeper_gas_spent,
        )
        results.extend(step.upkeeps)
        snapshot, queued = step.snapshot, dict(step.pending)
        if not step.upkeeps[-1].succeeded:
            break
    return Projection(tuple(results), snapshot, queued)
