"""Upkeep timing: when a pool is due, how many intervals an upkeep runs, when a commit executes.

The contract rules are in `pool_math` (appropriate_update_interval_id and
is_before_front_running_interval); this module adds the schedule around them (§3.1, §4).
"""

from __future__ import annotations

from typing import Final

MAX_ITERATIONS: Final = 15  # intervals per upkeep and ids per aggregation


def interval_passed(now: int, last_price_timestamp: int, update_interval: int) -> bool:
    """LeveragedPool.intervalPassed: an upkeep at `now` would run."""
    return now >= last_price_timestamp + update_interval


def intervals_due(now: int, last_price_timestamp: int, update_interval: int) -> int:
    """How many intervals one upkeep at `now` executes (at most 15)."""
    if now < last_price_timestamp + update_interval:
        return 0
    return min(MAX_ITERATIONS, (now - last_price_timestamp) // update_interval)


def last_price_timestamp_after_upkeep(
    now: int, saved_last_price_timestamp: int, update_interval: int
) -> int:
    """`now`, unless a backlog of more than 15 intervals is left for the next call."""
    if now >= saved_last_price_timestamp + (MAX_ITERATIONS + 1) * update_interval:
        return saved_last_price_timestamp + MAX_ITERATIONS * update_interval
    return now


def expected_execution_timestamp(
    commit_interval_id: int,
    update_interval_id: int,
    last_price_timestamp: int,
    update_interval: int,
) -> int:
    """Nominal time the interval executes: T0 + (id - I + 1)·U (keeper latency adds to it)."""
    return last_price_timestamp + (commit_interval_id - update_interval_id + 1) * update_interval


def in_front_running_window(
    now: int, last_price_timestamp: int, update_interval: int, front_running_interval: int
) -> bool:
    """A commit now misses the next upkeep (pools-client's check: T0 + U - F <= now).

    Always true when F > U: every commit then lands at least two intervals ahead.
    """
    return last_price_timestamp + update_interval - front_running_interval <= now


def pools_js_expected_execution_timestamp(
    front_running_interval: int, update_interval: int, last_update: int, created: int
) -> int:
    """pools-js getExpectedExecutionTimestamp (§6), kept for comparison with the old client.

    `created` is the commit time. Ceilings are integer ceilings of the same ratios.
    """
    next_update = last_update + update_interval
    passed = _ceil_div(last_update - created, update_interval) if last_update > created else 0
    if passed == 1:
        passed = 0
    periods = 0
    if front_running_interval > update_interval:
        periods = _ceil_div(front_running_interval, update_interval)
    expected = next_update + (periods - passed) * update_interval
    if expected - created < front_running_interval:
        return expected + update_interval
    return expected


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(numerator // -denominator)
