"""The in-process publication of the latest ``MarketsSnapshot``.

The app-wide watcher (``watcher.py``) is the only writer; page states read:

    snapshot = live.current()                              # now, never blocks
    snapshot = await live.wait_for_update(seen_version)    # the next one after seen_version

Waiting is safe from any event loop or thread of the backend process: waiters are plain
futures resolved on their own loop.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

from balancer_perps.chain.snapshot import MarketsSnapshot

CONNECTING = "Connecting to the node…"

_lock = threading.Lock()
_current = MarketsSnapshot(
    version=0,
    network="",
    chain_id=0,
    block_number=0,
    block_timestamp=0,
    markets=(),
    node_error=CONNECTING,
)
_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[MarketsSnapshot]]] = []


def current() -> MarketsSnapshot:
    """The latest snapshot (version 0 with ``node_error`` set until the first read)."""
    return _current


async def wait_for_update(after_version: int, timeout: float | None = None) -> MarketsSnapshot:
    """The first snapshot with a version above ``after_version``.

    Returns at once if there already is one; with ``timeout``, returns the current
    snapshot (possibly not newer) when the time is up.
    """
    loop = asyncio.get_running_loop()
    with _lock:
        if _current.version > after_version:
            return _current
        future: asyncio.Future[MarketsSnapshot] = loop.create_future()
        _waiters.append((loop, future))
    try:
        return await asyncio.wait_for(asyncio.shield(future), timeout)
    except TimeoutError:
        return _current
    finally:
        with _lock:
            if (loop, future) in _waiters:
                _waiters.remove((loop, future))


def publish(snapshot: MarketsSnapshot) -> MarketsSnapshot:
    """Make ``snapshot`` current with the next version number and wake every waiter."""
    global _current
    with _lock:
        published = replace(snapshot, version=_current.version + 1)
        _current = published
        waiters = list(_waiters)
        _waiters.clear()
    for loop, future in waiters:
        loop.call_soon_threadsafe(_resolve, future, published)
    return published


def publish_node_error(message: str | None) -> MarketsSnapshot:
    """The current markets with ``node_error`` changed (published only if it changed)."""
    if _current.node_error == message:
        return _current
    return publish(replace(_current, node_error=message))


def _resolve(future: asyncio.Future[MarketsSnapshot], snapshot: MarketsSnapshot) -> None:
    if not future.done():
        future.set_result(snapshot)
