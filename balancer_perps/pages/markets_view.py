"""The markets table as display rows: built once per published snapshot for every session,
then filtered, sorted and grouped per session. Pure functions, no Reflex."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from balancer_perps import format as fmt
from balancer_perps.chain.snapshot import MarketsSnapshot, MarketState
from balancer_perps.pages import _metrics
from balancer_perps.pages._data import DayChange

ALL = "all"
OTHER_COLLATERAL = "other"
# The collateral the product is about, in the order the filter shows them.
BALANCER_COLLATERAL = ("BAL", "B-80BAL-20WETH", "auraBAL")
COLLATERAL_FILTERS = (ALL, *BALANCER_COLLATERAL, OTHER_COLLATERAL)
SORTS = {
    "tvl": "TVL",
    "leverage": "Leverage",
    "name": "Name",
    "rebalance": "Next rebalance",
}
DEFAULT_SORT = "tvl"
MAX_SEARCH_LENGTH = 64


@dataclass(slots=True)
class SideRow:
    """One side of a pool, ready to display."""

    tvl: str = ""
    token_price: str = ""
    gain_leverage: str = ""
    loss_leverage: str = ""
    change_24h: str = fmt.MISSING
    change_trend: str = "flat"  # "up", "down" or "flat": colours the 24 h change


@dataclass(slots=True)
class MarketRow:
    """One pool, ready to display; the `sort_*` fields are for ordering only."""

    address: str = ""
    href: str = ""
    name: str = ""
    underlying: str = ""
    leverage: str = ""
    collateral: str = ""
    collateral_group: str = ""
    oracle: str = ""
    index_price: str = ""
    tvl: str = ""
    skew: str = ""
    long_percent: int = 50  # the skew bar: long's share of the TVL, 0..100
    long_share: str = ""
    short_share: str = ""
    next_rebalance_at: int = 0  # unix seconds, counted down in the browser
    lock_at: int = 0  # unix seconds from which a new trade misses the next rebalance
    lock_always: bool = False  # F >= U: every trade waits more than one rebalance
    lock_label: str = ""
    verified: bool = True
    paused: bool = False
    long: SideRow = dataclasses.field(default_factory=SideRow)
    short: SideRow = dataclasses.field(default_factory=SideRow)
    sort_tvl: float = 0.0
    sort_leverage: int = 0


@dataclass(slots=True)
class MarketGroup:
    underlying: str = ""
    markets: list[MarketRow] = dataclasses.field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Filters:
    search: str = ""
    collateral: str = ALL
    leverage: str = ALL
    underlying: str = ALL
    sort: str = DEFAULT_SORT
    show_unverified: bool = False


def collateral_group(symbol: str) -> str:
    return symbol if symbol in BALANCER_COLLATERAL else OTHER_COLLATERAL


def oracle_label(state: MarketState) -> str:
    info = state.info
    if info.oracle_kind == "sma" and info.sma_periods:
        window = fmt.duration(info.sma_periods * info.update_interval)
        return f"{window} SMA"
    return "Spot"


def _change(value: Decimal | None) -> tuple[str, str]:
    if value is None:
        return fmt.MISSING, "flat"
    trend = "up" if value > 0 else "down" if value < 0 else "flat"
    return fmt.percent(value, signed=True), trend


def clock_offset(snapshot: MarketsSnapshot, wall_clock: int) -> int:
    """Seconds the chain's clock runs ahead of the server's (a devnet may fast-forward).
    Countdowns run on the browser's clock, so chain times are shifted back by this."""
    return max(0, snapshot.block_timestamp - wall_clock)


def market_row(
    state: MarketState, change: DayChange | None = None, *, clock_offset: int = 0
) -> MarketRow:
    info, pool = state.info, state.pool
    decimals, symbol = info.settlement_decimals, info.settlement_symbol
    long_price, short_price = _metrics.token_prices(pool)
    effective = _metrics.effective_leverage(pool)
    share = _metrics.long_share(pool)
    total = _metrics.tvl(pool)
    lock_at = _metrics.lock_starts_at(pool)
    lock_always = pool.front_running_interval >= pool.update_interval
    change = change or DayChange()
    long_change, long_trend = _change(change.long)
    short_change, short_trend = _change(change.short)
    return MarketRow(
        address=info.address,
        href=f"/markets/{info.address}",
        name=info.name,
        underlying=info.underlying,
        leverage=f"{info.leverage}×",
        collateral=symbol,
        collateral_group=collateral_group(symbol),
        oracle=oracle_label(state),
        index_price=fmt.price(fmt.wad(pool.oracle_price)) if pool.oracle_price > 0 else fmt.MISSING,
        tvl=fmt.amount(total, decimals, symbol),
        skew=fmt.ratio(_metrics.skew(pool)),
        long_percent=round(share * 100),
        long_share=fmt.percent(share, digits=0),
        short_share=fmt.percent(1 - share, digits=0),
        next_rebalance_at=_metrics.next_rebalance_at(pool) - clock_offset,
        lock_at=lock_at - clock_offset,
        lock_always=lock_always,
        lock_label=(
            f"Trades wait {fmt.duration(pool.front_running_interval)}+"
            if lock_always
            else f"Last {fmt.duration(pool.front_running_interval)} locked"
        ),
        verified=info.verified,
        paused=pool.paused,
        long=SideRow(
            tvl=fmt.amount(pool.long_balance, decimals, symbol),
            token_price=fmt.price(long_price),
            gain_leverage=fmt.leverage(effective.long_gain),
            loss_leverage=fmt.leverage(effective.long_loss),
            change_24h=long_change,
            change_trend=long_trend,
        ),
        short=SideRow(
            tvl=fmt.amount(pool.short_balance, decimals, symbol),
            token_price=fmt.price(short_price),
            gain_leverage=fmt.leverage(effective.short_gain),
            loss_leverage=fmt.leverage(effective.short_loss),
            change_24h=short_change,
            change_trend=short_trend,
        ),
        sort_tvl=float(fmt.to_decimal(total, decimals)),
        sort_leverage=info.leverage,
    )


def market_rows(
    snapshot: MarketsSnapshot,
    changes: Mapping[str, DayChange] | None = None,
    *,
    wall_clock: int | None = None,
) -> list[MarketRow]:
    changes = changes or {}
    offset = clock_offset(snapshot, int(time.time()) if wall_clock is None else wall_clock)
    return [
        market_row(m, changes.get(m.info.address.lower()), clock_offset=offset)
        for m in snapshot.markets
    ]


def clean_search(text: object) -> str:
    """A search box value as sent by any client: a bounded, stripped string."""
    return text.strip()[:MAX_SEARCH_LENGTH] if isinstance(text, str) else ""


def choice(value: object, allowed: Iterable[str], default: str = ALL) -> str:
    """`value` when it is one of `allowed`, else `default`."""
    return value if isinstance(value, str) and value in set(allowed) else default


def leverage_options(rows: Iterable[MarketRow]) -> list[str]:
    return sorted({r.leverage for r in rows}, key=lambda label: Fraction(label.rstrip("×")))


def underlying_options(rows: Iterable[MarketRow]) -> list[str]:
    return sorted({r.underlying for r in rows})


def _matches(row: MarketRow, filters: Filters) -> bool:
    if not filters.show_unverified and not row.verified:
        return False
    if filters.collateral != ALL and row.collateral_group != filters.collateral:
        return False
    if filters.leverage != ALL and row.leverage != filters.leverage:
        return False
    if filters.underlying != ALL and row.underlying != filters.underlying:
        return False
    needle = filters.search.lower()
    if needle:
        haystack = f"{row.name} {row.underlying} {row.collateral} {row.address}".lower()
        return all(word in haystack for word in needle.split())
    return True


def _sort_key(row: MarketRow, sort: str) -> tuple[object, ...]:
    if sort == "leverage":
        return (-row.sort_leverage, -row.sort_tvl, row.name)
    if sort == "name":
        return (row.name.lower(),)
    if sort == "rebalance":
        return (row.next_rebalance_at, row.name)
    return (-row.sort_tvl, row.name)


def grouped(rows: Iterable[MarketRow], filters: Filters) -> list[MarketGroup]:
    """The visible rows, grouped by underlying; groups ordered by their first row."""
    visible = sorted(
        (r for r in rows if _matches(r, filters)), key=lambda r: _sort_key(r, filters.sort)
    )
    groups: dict[str, MarketGroup] = {}
    for row in visible:
        group = groups.setdefault(row.underlying, MarketGroup(underlying=row.underlying))
        group.markets.append(row)
    return list(groups.values())


def hidden_unverified(rows: Iterable[MarketRow]) -> int:
    return sum(1 for r in rows if not r.verified)
