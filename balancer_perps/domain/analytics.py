"""Figures the UI shows around a pool.

Two kinds live here, and each function says which it is:
- exact: the contracts' own integer/quad sequence (next value transfer, token price);
- display approximation: a ratio for humans (skew, effective leverage, annualised fee,
  volatility decay), returned as an exact `Fraction` so the UI chooses the rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from balancer_perps.domain.fees import SECONDS_PER_LEAP_YEAR
from balancer_perps.domain.pool_math import (
    WAD_PRECISION,
    calculate_value_transfer,
    div_int,
    get_price,
    sigmoid,
)
from balancer_perps.domain.quad import POSITIVE_ZERO, Quad
from balancer_perps.domain.types import PoolSnapshot

PJS_YEAR_SECONDS: Final = 31_622_400  # pools-js annualises with a 366-day year


# ----------------------------------------------------------------------------- exact
def token_price(balance: int, supply: int, pending_burns: int) -> Quad:
    """Exact: the price an upkeep would store now, balance / (supply + pending burns)."""
    return get_price(balance, supply + pending_burns)


def loss_transfer_fraction(leverage: Quad, old_price: int, new_price: int) -> Quad:
    """Exact: fraction of the losing side's balance an upkeep moves (the sigmoid)."""
    if old_price <= 0 or new_price <= 0 or old_price == new_price:
        return POSITIVE_ZERO
    low, high = sorted((old_price, new_price))
    return sigmoid(leverage, div_int(low, high))


@dataclass(frozen=True, slots=True)
class ValueTransfer:
    """Exact outcome of the next upkeep's value transfer (management fee included)."""

    long_balance: int
    short_balance: int
    long_fee: int
    short_fee: int
    long_change: int  # as PoolRebalance reports it: including the fee
    short_change: int
    applied: bool  # False when a price <= 0 suppresses the transfer and the fee


def next_value_transfer(snapshot: PoolSnapshot, new_price: int | None = None) -> ValueTransfer:
    """Exact: the transfer from `execution_price` to `new_price` (default: current oracle)."""
    price = snapshot.oracle_price if new_price is None else new_price
    if snapshot.execution_price <= 0 or price <= 0:
        return ValueTransfer(snapshot.long_balance, snapshot.short_balance, 0, 0, 0, 0, False)
    long_balance, short_balance, long_fee, short_fee = calculate_value_transfer(
        snapshot.long_balance,
        snapshot.short_balance,
        snapshot.leverage,
        snapshot.execution_price,
        price,
        snapshot.fee,
    )
    return ValueTransfer(
        long_balance,
        short_balance,
        long_fee,
        short_fee,
        long_balance - snapshot.long_balance,
        short_balance - snapshot.short_balance,
        True,
    )


# ----------------------------------------------------------------------------- display
def skew(long_balance: int, short_balance: int) -> Fraction:
    """Display approximation: long / short, 1 when either side is empty (pools-js)."""
    if long_balance == 0 or short_balance == 0:
        return Fraction(1)
    return Fraction(long_balance, short_balance)


def rebalance_rate(long_balance: int, short_balance: int) -> Fraction:
    """Display approximation: skew - 1 (positive: longs pay shorts), the funding analogue."""
    return skew(long_balance, short_balance) - 1


def effective_long_leverage(
    leverage: int | Fraction, long_balance: int, short_balance: int
) -> Fraction:
    """Display approximation: gain leverage of the long side for small moves, L / skew."""
    return Fraction(leverage) / skew(long_balance, short_balance)


def effective_short_leverage(
    leverage: int | Fraction, long_balance: int, short_balance: int
) -> Fraction:
    """Display approximation: gain leverage of the short side for small moves, L · skew."""
    return Fraction(leverage) * skew(long_balance, short_balance)


def annualised_management_fee(fee_wad: int, update_interval: int) -> Fraction:
    """Display approximation: the per-upkeep fee (`getFee()`) as a yearly fraction.

    Uses the factory's own year (31 556 952 s), so it inverts `per_interval_fee` up to
    the floor the factory applied. pools-js uses a 366-day year (PJS_YEAR_SECONDS).
    """
    return Fraction(fee_wad * SECONDS_PER_LEAP_YEAR, update_interval * WAD_PRECISION)


@dataclass(frozen=True, slots=True)
class VolatilityDecay:
    """Display approximation of volatility decay on a symmetric price path.

    The path alternates up by (1 + σ) and back down to the start, starting with an up
    move, from equal side balances and with no management fee; the price ends where it
    started. `long_value_ratio` and `short_value_ratio` are final/initial balances of the
    two sides. Up-first, the long side (the first move's winner) loses `decay` and the
    short side gains it; a down-first path mirrors the two sides exactly.
    """

    round_trips: int
    long_value_ratio: Fraction
    short_value_ratio: Fraction

    @property
    def decay(self) -> Fraction:
        return 1 - self.long_value_ratio


def volatility_decay(
    leverage: int,
    volatility_wad: int,
    upkeeps: int,
    *,
    initial_balance: int = 10**27,
    start_price: int = 1_000 * 10**18,
) -> VolatilityDecay:
    """Deterministic decay estimate using the contracts' exact transfer at every upkeep.

    `volatility_wad` is the per-upkeep move (5e16 = 5 %); `upkeeps` is rounded down to
    whole up-and-back round trips. Large balances keep the wei floors negligible.
    """
    if upkeeps < 0 or volatility_wad < 0:
        raise ValueError("upkeeps and volatility must be non-negative")
    high_price = start_price + start_price * volatility_wad // WAD_PRECISION
    leverage_quad = Quad.from_uint(leverage)
    long_balance = short_balance = initial_balance
    round_trips = upkeeps // 2
    for _ in range(round_trips):
        for old, new in ((start_price, high_price), (high_price, start_price)):
            long_balance, short_balance, _, _ = calculate_value_transfer(
                long_balance, short_balance, leverage_quad, old, new, POSITIVE_ZERO
            )
    return VolatilityDecay(
        round_trips,
        Fraction(long_balance, initial_balance),
        Fraction(short_balance, initial_balance),
    )
