"""What the pages derive from a `PoolSnapshot`, through the domain package.

The math is the domain's (`domain.analytics`, `domain.timing`, `domain.pool_math`); this
module only picks the inputs the pages show and returns exact `Fraction`s and raw integers
for `balancer_perps.format` to display.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from balancer_perps.domain import analytics, timing
from balancer_perps.domain.types import PoolSnapshot

WAD = 10**18
DAYS_PER_YEAR = 365.25
# The decay estimate replays one year of daily up-and-back swings with the pool's own
# transfer function: the result depends on the variance, not on the rebalance interval.
DECAY_STEPS = 366


@dataclass(frozen=True, slots=True)
class EffectiveLeverage:
    """How strongly each side moves with the price at the current skew (reference §6)."""

    long_gain: Fraction
    long_loss: Fraction
    short_gain: Fraction
    short_loss: Fraction


@dataclass(frozen=True, slots=True)
class ValueTransfer:
    """The next rebalance if the oracle price stays where it is now (fee included)."""

    long_change: int  # raw settlement, signed
    short_change: int
    fee: int  # both sides' management fee, raw settlement
    old_price: int  # WAD: the price the last upkeep stored
    new_price: int  # WAD: the oracle price now
    applies: bool  # False when a price is <= 0: the pool skips the transfer (§5.4)


def leverage_of(pool: PoolSnapshot) -> Fraction:
    return pool.leverage.as_fraction()


def tvl(pool: PoolSnapshot) -> int:
    return pool.long_balance + pool.short_balance


def skew(pool: PoolSnapshot) -> Fraction:
    """long / short balance; 1 when either side is empty (reference §6)."""
    return analytics.skew(pool.long_balance, pool.short_balance)


def long_share(pool: PoolSnapshot) -> Fraction:
    """The long side's share of the TVL (0.5 for an empty pool)."""
    total = tvl(pool)
    return Fraction(1, 2) if total == 0 else Fraction(pool.long_balance, total)


def effective_leverage(pool: PoolSnapshot) -> EffectiveLeverage:
    """Gains are scaled by the other side's size, losses are not: long gains L/skew,
    short gains L·skew, both lose at L."""
    leverage = leverage_of(pool)
    return EffectiveLeverage(
        long_gain=analytics.effective_long_leverage(leverage, pool.long_balance,
                                                    pool.short_balance),
        long_loss=leverage,
        short_gain=analytics.effective_short_leverage(leverage, pool.long_balance,
                                                      pool.short_balance),
        short_loss=leverage,
    )


def token_prices(pool: PoolSnapshot) -> tuple[Fraction, Fraction]:
    """Long and short token prices in settlement per token, counting pending burns in the
    supply as the contracts do (audit AUD-SB 5.1.1)."""
    long_price = analytics.token_price(pool.long_balance, pool.long_supply,
                                       pool.pending_long_burns)
    short_price = analytics.token_price(pool.short_balance, pool.short_supply,
                                        pool.pending_short_burns)
    return long_price.as_fraction(), short_price.as_fraction()


def annual_fee(pool: PoolSnapshot) -> Fraction:
    """The management fee per year, from the per-upkeep WAD fee."""
    if pool.update_interval <= 0:
        return Fraction(0)
    return analytics.annualised_management_fee(pool.fee.to_uint(), pool.update_interval)


def fee_rate(rate_wad_quad: object) -> Fraction:
    """A committer fee (a quad holding a WAD integer) as a fraction: 1e16 -> 1 %."""
    as_fraction = getattr(rate_wad_quad, "as_fraction", None)
    return Fraction(0) if as_fraction is None else as_fraction() / WAD


def next_rebalance_at(pool: PoolSnapshot) -> int:
    """Nominal time of the next upkeep; keepers may be later, never earlier."""
    return pool.last_price_timestamp + pool.update_interval


def lock_starts_at(pool: PoolSnapshot) -> int:
    """From this time a new trade misses the next rebalance (front-running interval,
    reference §4.1); at or before the last upkeep when F >= U: always locked."""
    return pool.last_price_timestamp + pool.update_interval - pool.front_running_interval


def execution_time(pool: PoolSnapshot, update_interval_id: int) -> int:
    """Nominal execution time of a queued interval id (reference §4.3)."""
    return timing.expected_execution_timestamp(
        max(update_interval_id, pool.update_interval_id), pool.update_interval_id,
        pool.last_price_timestamp, pool.update_interval,
    )


def trade_now_executes_at(pool: PoolSnapshot, now: int) -> int:
    """When a trade committed at `now` executes: the first nominal upkeep after now + F."""
    if pool.update_interval <= 0:
        return 0
    start = max(now, pool.last_price_timestamp)
    ahead = (start + pool.front_running_interval - pool.last_price_timestamp) // (
        pool.update_interval
    )
    return execution_time(pool, pool.update_interval_id + ahead)


def next_value_transfer(pool: PoolSnapshot) -> ValueTransfer:
    """The contract's fee and sigmoid transfer from the last upkeep's price to today's."""
    move = analytics.next_value_transfer(pool)
    return ValueTransfer(
        long_change=move.long_change,
        short_change=move.short_change,
        fee=move.long_fee + move.short_fee,
        old_price=pool.execution_price,
        new_price=pool.oracle_price,
        applies=move.applied,
    )


def daily_swing(annual_volatility: Fraction) -> Fraction:
    """The daily move with the same variance as a yearly volatility: σ / √365.25."""
    return Fraction(float(annual_volatility) / math.sqrt(DAYS_PER_YEAR)).limit_denominator(
        10**12)


@lru_cache(maxsize=512)
def decay_per_year(leverage: int, annual_volatility: Fraction) -> Fraction:
    """Share of a position lost in a year to volatility decay when the price swings up and
    back every day (with `annual_volatility`) and ends where it started, replayed with the
    pool's exact transfer from a balanced pool, fees left out (the domain's estimator).
    The other side gains what this side loses."""
    swing_wad = int(daily_swing(annual_volatility) * WAD)
    return analytics.volatility_decay(max(leverage, 1), swing_wad, DECAY_STEPS).decay
