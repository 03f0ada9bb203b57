"""The one place the pages get data from the backend.

Pages never talk to a node. The app-wide watcher publishes a `MarketsSnapshot` through
`balancer_perps.live` (`current()`, `wait_for_update(after_version)`), and the indexer
answers history queries through `balancer_perps.history`. This module adapts both to what
the pages need, so plugging the backend in, or replacing it in a test, happens here only.

Until a backend module exists the source reports "no data yet" (pages show their loading
and empty states); it never invents numbers.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from balancer_perps.chain.snapshot import MarketsSnapshot

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PricePoint:
    """The oracle price one upkeep used, WAD."""

    timestamp: int
    price: int


@dataclass(frozen=True, slots=True)
class TokenPricePoint:
    """Long and short token prices (settlement per token) set by one rebalance."""

    timestamp: int
    long_price: Decimal
    short_price: Decimal


@dataclass(frozen=True, slots=True)
class BalancePoint:
    """Side balances (raw settlement) after one rebalance: TVL and skew over time."""

    timestamp: int
    long_balance: int
    short_balance: int


@dataclass(frozen=True, slots=True)
class FeePoint:
    """Cumulative management fees (raw settlement) and the treasury's share of them."""

    timestamp: int
    total: int
    treasury: int


@dataclass(frozen=True, slots=True)
class MarketHistory:
    """Everything the market page charts, oldest first."""

    oracle_prices: Sequence[PricePoint] = ()
    token_prices: Sequence[TokenPricePoint] = ()
    balances: Sequence[BalancePoint] = ()
    fees: Sequence[FeePoint] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.oracle_prices or self.token_prices or self.balances or self.fees)


@dataclass(frozen=True, slots=True)
class DayChange:
    """24 h change of each side's token price, as a ratio (0.05 is +5 %); None: no data."""

    long: Decimal | None = None
    short: Decimal | None = None


class DataSource(Protocol):
    """What the pages read. The backend modules provide it; tests may swap in their own."""

    def current(self) -> MarketsSnapshot | None: ...

    async def wait_for_update(self, after_version: int) -> MarketsSnapshot: ...

    def market_history(self, address: str) -> MarketHistory | None: ...

    def day_changes(self) -> dict[str, DayChange]: ...


class BackendSource:
    """`balancer_perps.live` and `balancer_perps.history`, when they are installed."""

    def __init__(self) -> None:
        self._live = _optional_module("balancer_perps.live")
        self._history = _optional_module("balancer_perps.history")

    def current(self) -> MarketsSnapshot | None:
        if self._live is None:
            return None
        snapshot: MarketsSnapshot | None = self._live.current()
        return snapshot

    async def wait_for_update(self, after_version: int) -> MarketsSnapshot:
        if self._live is None:
            await asyncio.Event().wait()  # nothing will ever be published
        snapshot: MarketsSnapshot = await self._live.wait_for_update(after_version)
        return snapshot

    def market_history(self, address: str) -> MarketHistory | None:
        if self._history is None:
            return None
        return history_from_index(self._history.market_history(address))

    def day_changes(self) -> dict[str, DayChange]:
        if self._history is None:
            return {}
        return {
            address.lower(): DayChange(long=change.long_change, short=change.short_change)
            for address, change in self._history.day_changes().items()
        }


def history_from_index(found: Any) -> MarketHistory:
    """`balancer_perps.history.MarketHistory` as the series the charts draw."""
    return MarketHistory(
        oracle_prices=tuple(PricePoint(p.timestamp, p.raw_price) for p in found.oracle_prices),
        token_prices=tuple(
            TokenPricePoint(p.timestamp, p.long_price, p.short_price) for p in found.token_prices
        ),
        balances=tuple(
            BalancePoint(p.timestamp, p.long_balance, p.short_balance) for p in found.tvl
        ),
        fees=tuple(
            FeePoint(p.timestamp, p.cumulative_fee, p.cumulative_secondary) for p in found.fees
        ),
    )


def _optional_module(name: str) -> object | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        logger.warning("%s is not installed yet: pages show their empty states", name)
        return None


_source: DataSource | None = None
_CONNECTING = "Connecting to the node…"  # balancer_perps.live's message before the first read


def source() -> DataSource:
    global _source
    if _source is None:
        _source = BackendSource()
    return _source


def use_source(new_source: DataSource | None) -> None:
    """Replace the data source (tests); None goes back to the backend."""
    global _source, _changes_cache
    _source = new_source
    _history_cache.clear()
    _changes_cache = (None, {})


def current_snapshot() -> MarketsSnapshot | None:
    """The latest published snapshot, or None before the watcher's first publication."""
    return source().current()


async def next_snapshot(after_version: int, timeout: float) -> MarketsSnapshot | None:
    """The first snapshot newer than `after_version`, or None after `timeout` seconds."""
    try:
        return await asyncio.wait_for(source().wait_for_update(after_version), timeout)
    except TimeoutError:
        return None


def has_chain_data(snapshot: MarketsSnapshot) -> bool:
    """False for the placeholder published before the watcher's first successful read."""
    return snapshot.block_number > 0


def node_problem(snapshot: MarketsSnapshot) -> str:
    """The node error to show in the banner; "" while healthy or still connecting."""
    error = snapshot.node_error or ""
    if not has_chain_data(snapshot) and error == _CONNECTING:
        return ""
    return error


# History changes at rebalances and commits, not at every block: every session on the same
# market shares one read per change, and one 24 h change table per snapshot.
_HISTORY_CACHE_SIZE = 64
_history_cache: dict[tuple[str, tuple[object, ...]], MarketHistory | None] = {}
_changes_cache: tuple[object, dict[str, DayChange]] = (None, {})


async def market_history(address: str, key: tuple[object, ...] = ()) -> MarketHistory | None:
    """A market's history from the index (a database read, so off the event loop); `key`
    names the market's state it belongs to (reads with the same key share a result)."""
    cache_key = (address.lower(), key)
    if key and cache_key in _history_cache:
        return _history_cache[cache_key]
    found = await asyncio.to_thread(source().market_history, address)
    if key:
        if len(_history_cache) >= _HISTORY_CACHE_SIZE:
            _history_cache.pop(next(iter(_history_cache)))
        _history_cache[cache_key] = found
    return found


async def day_changes() -> dict[str, DayChange]:
    """24 h token price change per market address (lower-case), once per snapshot."""
    global _changes_cache
    snapshot = source().current()
    cached_for, changes = _changes_cache
    if snapshot is None or cached_for is not snapshot:
        changes = await asyncio.to_thread(source().day_changes)
        _changes_cache = (snapshot, changes)
    return changes


async def is_client_connected(token: str) -> bool:
    """Whether a browser tab still holds a socket, so its live loop can stop when it leaves."""
    from reflex_base.registry import RegistrationContext

    try:
        namespace = RegistrationContext.get().app.event_namespace
    except Exception:  # no running app (unit tests): nobody to stop for
        return True
    if namespace is None:
        return False
    return bool(await namespace._token_manager.is_token_connected(token))
