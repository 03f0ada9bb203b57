"""The in-process publication the pages read."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

import pytest

from balancer_perps import live

pytestmark = pytest.mark.anyio


async def test_waiters_wake_on_the_next_publication() -> None:
    seen = live.current().version
    waiter = asyncio.create_task(live.wait_for_update(seen))
    await asyncio.sleep(0)
    assert not waiter.done()
    published = live.publish(replace(live.current(), block_number=123, node_error=None))
    snapshot = await asyncio.wait_for(waiter, 1)
    assert snapshot == published
    assert snapshot.version == seen + 1
    assert live.current() is published


async def test_an_older_version_returns_at_once() -> None:
    live.publish(replace(live.current(), block_number=5))
    snapshot = await asyncio.wait_for(live.wait_for_update(live.current().version - 1), 1)
    assert snapshot is live.current()


async def test_a_timeout_returns_the_current_snapshot() -> None:
    current = live.current()
    assert await live.wait_for_update(current.version, timeout=0.01) is current


async def test_publication_from_another_thread_wakes_the_loop() -> None:
    seen = live.current().version
    waiter = asyncio.create_task(live.wait_for_update(seen))
    await asyncio.sleep(0)
    thread = threading.Thread(target=live.publish, args=(replace(live.current(), chain_id=7),))
    thread.start()
    snapshot = await asyncio.wait_for(waiter, 1)
    thread.join()
    assert snapshot.chain_id == 7


def test_node_errors_are_published_only_when_they_change() -> None:
    live.publish(replace(live.current(), node_error=None))
    version = live.current().version
    first = live.publish_node_error("The node at http://127.0.0.1:8545 does not answer.")
    assert first.version == version + 1
    assert live.publish_node_error(first.node_error) is first
    assert live.publish_node_error(None).node_error is None
