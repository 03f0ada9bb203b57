"""Collateral-aware exposure: what a position is really exposed to.

A position in a market on BASE/QUOTE settled in token C is two positions at once:

* the **underlying leg**: a long (short) of BASE/QUOTE whose size is the position's value
  times the side's effective leverage right now. Because the pool's skew scales gains but
  not losses, the leverage, and so the size, differs for a rise and for a fall;
* the **collateral leg**: the whole value is held in C, so the holder is also long C by
  that value, whichever side the position is on.

A BAL-settled ETH/USD long therefore gains when ETH/USD rises *and* when BAL/USD rises: it
is not the same as an ETH long.

Pure integer arithmetic on raw base units. Every amount is counted in its market's
settlement token and is only ever added up with amounts of that same token (grouped by the
token's address, not its symbol). Leverage ratios are exact ``Fraction``s, as the domain's
analytics return them; USD values are WAD integers (18 decimals) from a WAD price. No
floats, and ``Decimal`` is left to the display layer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

WAD = 10**18

Side = Literal["long", "short"]


def _scale(amount: int, numerator: int, denominator: int) -> int:
    """amount × numerator / denominator, truncated toward zero (so a short's negative
    figure has the same magnitude as the long's)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    magnitude = abs(amount) * abs(numerator) // denominator
    return -magnitude if (amount < 0) != (numerator < 0) and magnitude else magnitude


def notional(value: int, leverage: Fraction) -> int:
    """The underlying exposure of ``value`` (raw settlement) at ``leverage``, rounded down;
    0 for an empty position or a non-positive leverage."""
    if value <= 0 or leverage <= 0:
        return 0
    return _scale(value, leverage.numerator, leverage.denominator)


def usd_value(raw: int, decimals: int, price_wad: int) -> int | None:
    """A signed raw amount of a token with ``decimals`` at ``price_wad`` USD per whole
    token, as USD in WAD (18 decimals), truncated toward zero; None without a price."""
    if price_wad <= 0 or decimals < 0:
        return None
    return _scale(raw, price_wad, 10**decimals)


@dataclass(frozen=True, slots=True)
class SideExposure:
    """One side of one market the account holds, worth ``value`` raw settlement."""

    underlying: str  # e.g. "ETH/USD"
    settlement: str  # the settlement token's address: the unit of every amount here
    side: Side
    value: int  # raw settlement: what the side's tokens are worth now
    gain_leverage: Fraction  # effective leverage on gains at today's skew
    loss_leverage: Fraction  # effective leverage on losses

    @property
    def on_gains(self) -> int:
        """Underlying notional for a move in the side's favour (raw settlement)."""
        return notional(self.value, self.gain_leverage)

    @property
    def on_losses(self) -> int:
        """Underlying notional for a move against the side (raw settlement)."""
        return notional(self.value, self.loss_leverage)

    @property
    def if_rises(self) -> int:
        """Signed notional for a rise of the underlying: positive long, negative short. A
        long gains on a rise (gain leverage), a short loses on it (loss leverage)."""
        return self.on_gains if self.side == "long" else -self.on_losses

    @property
    def if_falls(self) -> int:
        """Signed notional for a fall: a long loses (loss leverage), a short gains."""
        return self.on_losses if self.side == "long" else -self.on_gains


@dataclass(frozen=True, slots=True)
class UnderlyingTotal:
    """All sides on one underlying settled in one token, netted (raw settlement)."""

    underlying: str
    settlement: str
    long_value: int = 0
    short_value: int = 0
    net_if_rises: int = 0  # signed: > 0 net long, < 0 net short
    net_if_falls: int = 0

    def plus(self, side: SideExposure) -> UnderlyingTotal:
        if (side.underlying, side.settlement) != (self.underlying, self.settlement):
            raise ValueError("only exposures on the same underlying and token add up")
        is_long = side.side == "long"
        return UnderlyingTotal(
            self.underlying,
            self.settlement,
            self.long_value + (side.value if is_long else 0),
            self.short_value + (0 if is_long else side.value),
            self.net_if_rises + side.if_rises,
            self.net_if_falls + side.if_falls,
        )


def underlying_totals(sides: Iterable[SideExposure]) -> list[UnderlyingTotal]:
    """Sides summed per (underlying, settlement token), in order of first appearance.
    The same underlying settled in two tokens gives two totals: they are not added."""
    totals: dict[tuple[str, str], UnderlyingTotal] = {}
    for side in sides:
        key = (side.underlying, side.settlement)
        totals[key] = totals.get(key, UnderlyingTotal(*key)).plus(side)
    return list(totals.values())


@dataclass(frozen=True, slots=True)
class MarketExposure:
    """One market's two legs: the underlying sides held and the collateral held."""

    sides: tuple[SideExposure, ...]
    collateral: int  # raw settlement: long in the settlement token by this much


def market_exposure(
    underlying: str,
    settlement: str,
    *,
    long_value: int,
    short_value: int,
    idle: int,
    long_leverage: tuple[Fraction, Fraction],
    short_leverage: tuple[Fraction, Fraction],
) -> MarketExposure:
    """The exposure of an account in one market.

    ``long_value``/``short_value``: raw settlement the account's long and short tokens are
    worth now; ``idle``: raw settlement waiting without underlying exposure (unclaimed,
    queued mints). ``*_leverage``: (on gains, on losses) effective leverage of that side.
    Every unit of all three is held in the settlement token: that is the collateral leg.
    """
    if min(long_value, short_value, idle) < 0:
        raise ValueError("values are non-negative")
    held: tuple[tuple[Side, int, tuple[Fraction, Fraction]], ...] = (
        ("long", long_value, long_leverage),
        ("short", short_value, short_leverage),
    )
    sides = tuple(
        SideExposure(underlying, settlement, side, value, gain, loss)
        for side, value, (gain, loss) in held
        if value > 0
    )
    return MarketExposure(sides, long_value + short_value + idle)


def collateral_totals(held: Iterable[tuple[str, int]]) -> dict[str, int]:
    """(settlement token, raw amount) pairs summed per token, in order of first
    appearance; tokens are never added to each other."""
    totals: dict[str, int] = {}
    for token, amount in held:
        totals[token] = totals.get(token, 0) + amount
    return totals
