"""Live updates for a page state, without polling the chain.

The app-wide watcher publishes one `MarketsSnapshot` per block. Each open page runs one
background task that waits for the next publication in-process (`_data.next_snapshot`),
builds the page's small view model outside the state lock and copies it in. The task
ends when the tab disconnects or leaves the page, so N tabs never grow into N pollers.
"""

from __future__ import annotations

import logging
from typing import Any

import reflex as rx

from balancer_perps import format as fmt
from balancer_perps.chain.snapshot import MarketsSnapshot
from balancer_perps.pages import _data

logger = logging.getLogger(__name__)

# How long a loop sleeps without a publication before it checks the tab is still there.
IDLE_CHECK_SECONDS = 15.0
SNAPSHOT_ERROR = "This page could not be updated from the latest block; it will try again."


class LivePage(rx.State, mixin=True):
    """Mixed into a page state: the snapshot version shown, node status and the loop."""

    loaded: bool = False  # a snapshot has been shown
    version: int = -1
    node_error: str = ""
    block_label: str = ""
    _generation: int = 0  # the newest loop of this tab; older loops stop

    async def _prepare(self, snapshot: MarketsSnapshot, route: dict[str, Any]) -> Any:
        """Build the view model for `snapshot` (outside the state lock). Override."""
        raise NotImplementedError

    def _apply(self, prepared: Any) -> None:
        """Copy a prepared view model into the state (inside the lock). Override."""
        raise NotImplementedError

    def _on_page(self, route_id: str) -> bool:
        """Whether the tab still shows this page (route pattern). Override."""
        raise NotImplementedError

    def _route(self) -> dict[str, Any]:
        """What the page shows, read under the lock: its route pattern and browser path."""
        return {"path": self.router.route_id, "url_path": self.router.url.path}

    def _show_status(self, snapshot: MarketsSnapshot) -> None:
        self.version = snapshot.version
        self.node_error = _data.node_problem(snapshot)
        if _data.has_chain_data(snapshot):
            self.loaded = True
            self.block_label = (
                f"{snapshot.network} · block {snapshot.block_number:,} · "
                f"{fmt.utc_time(snapshot.block_timestamp)}"
            )

    async def _build(self, snapshot: MarketsSnapshot, route: dict[str, Any]) -> Any:
        try:
            return await self._prepare(snapshot, route)
        except Exception:  # a bad snapshot must not take the page down
            logger.exception("building the view of snapshot %s failed", snapshot.version)
            return None

    async def show_current(self) -> None:
        """Paint the latest snapshot right away (on page load)."""
        snapshot = _data.current_snapshot()
        if snapshot is None:
            return
        if not _data.has_chain_data(snapshot):
            self._show_status(snapshot)
            return
        prepared = await self._build(snapshot, self._route())
        if prepared is not None:
            self._apply(prepared)
        self._show_status(snapshot)

    @rx.event(background=True)
    async def follow_live(self) -> None:
        """Follow the watcher's publications until this tab disconnects, leaves the page
        or starts a newer loop (a page load does)."""
        async with self:
            self._generation += 1
            generation = self._generation
            token = self.router.session.client_token
            seen = self.version
        while True:
            snapshot = await _data.next_snapshot(seen, IDLE_CHECK_SECONDS)
            if not await _data.is_client_connected(token):
                return
            async with self:
                route = self._route()
                if generation != self._generation or not self._on_page(route["path"]):
                    return
                seen = max(seen, self.version)
            if snapshot is None or snapshot.version <= seen:
                continue
            if not _data.has_chain_data(snapshot):
                async with self:
                    self._show_status(snapshot)
                seen = snapshot.version
                continue
            prepared = await self._build(snapshot, route)
            async with self:
                if generation != self._generation:
                    return
                if prepared is not None:
                    self._apply(prepared)
                self._show_status(snapshot)
            seen = snapshot.version
