"""Timings of the domain model: preview_commit and a 10-upkeep projection.

Run: .venv/bin/python benchmarks/bench_domain.py
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from balancer_perps.domain.fees import per_interval_fee
from balancer_perps.domain.preview import preview_commit
from balancer_perps.domain.projector import project_upkeeps
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.types import CommitType, PoolSnapshot, TotalCommitment

USDC = 10**6
WAD = 10**18
T0 = 1_735_776_000
HOUR = 3600


def _pool(front_running_interval: int) -> PoolSnapshot:
    return PoolSnapshot(
        long_balance=1_234_567_890_123,
        short_balance=987_654_321_987,
        leverage=Quad.from_uint(3),
        fee=Quad.from_uint(per_interval_fee(2 * 10**16, HOUR)),
        update_interval=HOUR,
        front_running_interval=front_running_interval,
        last_price_timestamp=T0,
        settlement_decimals=6,
        long_supply=1_000_000_000_000,
        short_supply=1_100_000_000_000,
        update_interval_id=100,
        minting_fee=Quad.from_uint(5 * 10**15),
        burning_fee=Quad.from_uint(3 * 10**15),
        change_interval=Quad.from_uint(10**14),
        execution_price=2000 * WAD,
        oracle_price=2017 * WAD,
    )


def _with_pending(snapshot: PoolSnapshot) -> tuple[PoolSnapshot, dict[int, TotalCommitment]]:
    """A busy queue: a mint, a burn and a flip queued in each of the next 9 intervals."""
    long_mint, short_burn, flip = 1_000 * USDC, 300 * USDC, 50 * USDC
    pending = {
        snapshot.update_interval_id + k: TotalCommitment(
            long_mint_settlement=long_mint,
            short_burn_pool_tokens=short_burn,
            long_burn_short_mint_pool_tokens=flip,
        )
        for k in range(9)
    }
    busy = replace(
        snapshot,
        long_supply=snapshot.long_supply - 9 * flip,
        short_supply=snapshot.short_supply - 9 * short_burn,
        pending_long_burns=9 * flip,
        pending_short_burns=9 * short_burn,
        pending_mint_settlement=9 * long_mint,
    )
    return busy, pending


def _median_ms(action: Callable[[], object], runs: int) -> tuple[float, float]:
    action()  # warm-up (loads the ABDK table once)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    spot = _pool(front_running_interval=300)
    busy_spot, spot_pending = _with_pending(spot)
    sma = _pool(front_running_interval=8 * HOUR)
    busy_sma, sma_pending = _with_pending(sma)
    cases: list[tuple[str, Callable[[], object], int]] = [
        (
            "preview_commit, spot market (1 upkeep ahead)",
            lambda: preview_commit(
                busy_spot, spot_pending, CommitType.LONG_MINT, 1234 * USDC, T0 + 60
            ),
            2000,
        ),
        (
            "preview_commit, flip, 8 h front-running (9 upkeeps ahead)",
            lambda: preview_commit(
                busy_sma, sma_pending, CommitType.SHORT_BURN_LONG_MINT, 77 * USDC, T0 + 60
            ),
            500,
        ),
        (
            "project_upkeeps, 10 upkeeps of 1 interval (busy queue)",
            lambda: project_upkeeps(busy_spot, spot_pending, 2017 * WAD, upkeeps=10),
            500,
        ),
        (
            "project_upkeeps, 1 upkeep running a 10-interval backlog",
            lambda: project_upkeeps(
                busy_spot, spot_pending, 2017 * WAD, upkeep_times=[T0 + 10 * HOUR]
            ),
            500,
        ),
    ]
    print(f"{'case':60} {'median ms':>10} {'max ms':>8}  runs")
    for name, action, runs in cases:
        median, worst = _median_ms(action, runs)
        print(f"{name:60} {median:10.3f} {worst:8.3f}  {runs}")


if __name__ == "__main__":
    main()
