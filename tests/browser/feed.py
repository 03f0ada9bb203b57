"""A stand-in for the app-wide watcher in browser tests: the test publishes snapshots and
the app's pages receive them through `pages._data`, exactly as from `balancer_perps.live`.

The backend runs in the harness's own thread and event loop, so waiting is a short poll
rather than an asyncio primitive bound to one loop.
"""

from __future__ import annotations

import asyncio
import threading

from balancer_perps.chain.snapshot import MarketsSnapshot
from balancer_perps.pages._data import DayChange, MarketHistory


class SnapshotFeed:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: MarketsSnapshot | None = None
        self.histories: dict[str, MarketHistory] = {}
        self.changes: dict[str, DayChange] = {}

    def publish(self, snapshot: MarketsSnapshot) -> None:
        with self._lock:
            self._snapshot = snapshot

    def current(self) -> MarketsSnapshot | None:
        with self._lock:
            return self._snapshot

    async def wait_for_update(self, after_version: int) -> MarketsSnapshot:
        while True:
            snapshot = self.current()
            if snapshot is not None and snapshot.version > after_version:
                return snapshot
            await asyncio.sleep(0.05)

    def market_history(self, address: str) -> MarketHistory | None:
        return self.histories.get(address.lower())

    def day_changes(self) -> dict[str, DayChange]:
        return dict(self.changes)
