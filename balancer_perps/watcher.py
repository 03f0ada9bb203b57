"""The app-wide block watcher: one per backend process, never one per browser session.

It follows new blocks (a WebSocket ``newHeads`` subscription when a WebSocket URL is
configured, otherwise, or when the subscription fails, polling about once a second), reads
every market on each new block (one ``eth_call``), publishes the ``MarketsSnapshot`` for
the pages (``live.py``) and wakes the indexer. While the node is unreachable it keeps the
last markets and publishes a ``node_error`` message; it clears it when the node answers.

With several backend workers every worker keeps its own snapshot, but only the holder of
a lease writes the index: a Redis key when ``REFLEX_REDIS_URL`` is set, else a row in the
database (``indexer_lease``).

The app module registers it once:

    from balancer_perps.watcher import start_watcher
    app.register_lifespan_task(start_watcher)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from balancer_perps import live
from balancer_perps.chain.adapter import ChainAdapter
from balancer_perps.chain.errors import ChainError
from balancer_perps.chain.rpc import new_head_numbers, redact_url
from balancer_perps.chain.snapshot import MarketsSnapshot
from balancer_perps.indexer import Indexer, IndexNotReady, table_of
from balancer_perps.models import IndexerLease, engine_for
from balancer_perps.networks import Network, NetworkConfigError, load_network
from balancer_perps.settings import Settings, load_settings

logger = logging.getLogger(__name__)

LEASE_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 30.0


# ---------------------------------------------------------------------- leases
class IndexLease(Protocol):
    async def acquire(self) -> bool:
        """Take or renew the lease; True while this process holds it."""
        ...

    async def release(self) -> None: ...


def lease_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class RedisLease:
    """``SET key owner NX PX ttl``, renewed only by its owner (a Lua check-and-extend)."""

    _RENEW = (
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
    )
    _RELEASE = (
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        "return redis.call('del', KEYS[1]) else return 0 end"
    )

    def __init__(self, url: str, name: str, owner: str, ttl: float = LEASE_SECONDS) -> None:
        import redis.asyncio

        self.client: Any = redis.asyncio.from_url(url)
        self.key = f"balancer_perps:lease:{name}"
        self.owner = owner
        self.ttl_ms = int(ttl * 1000)

    async def acquire(self) -> bool:
        if await self.client.set(self.key, self.owner, nx=True, px=self.ttl_ms):
            return True
        return bool(await self.client.eval(self._RENEW, 1, self.key, self.owner, self.ttl_ms))

    async def release(self) -> None:
        with contextlib.suppress(Exception):
            await self.client.eval(self._RELEASE, 1, self.key, self.owner)
        await self.client.aclose()


class DatabaseLease:
    """A row in ``indexer_lease``: taken when free or expired, renewed by its owner."""

    def __init__(self, db_url: str, name: str, owner: str, ttl: float = LEASE_SECONDS) -> None:
        self.engine = engine_for(db_url)
        self.name = name
        self.owner = owner
        self.ttl = ttl

    async def acquire(self) -> bool:
        return await asyncio.to_thread(self._acquire)

    async def release(self) -> None:
        await asyncio.to_thread(self._release)

    def _acquire(self) -> bool:
        table = table_of(IndexerLease)
        if not sa.inspect(self.engine).has_table(table.name):
            raise IndexNotReady(
                "The index database has no tables: run `reflex db migrate` (scripts/setup.sh "
                "does it)."
            )
        now = time.time()
        with self.engine.begin() as connection:
            taken = connection.execute(
                sa.update(table)
                .where(
                    table.c.name == self.name,
                    sa.or_(table.c.owner == self.owner, table.c.expires_at < now),
                )
                .values(owner=self.owner, expires_at=now + self.ttl)
            )
            if taken.rowcount:
                return True
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    sa.insert(table).values(
                        name=self.name, owner=self.owner, expires_at=now + self.ttl
                    )
                )
        except IntegrityError:
            return False  # another worker holds it
        return True

    def _release(self) -> None:
        table = table_of(IndexerLease)
        with self.engine.begin() as connection:
            connection.execute(
                sa.delete(table).where(table.c.name == self.name, table.c.owner == self.owner)
            )


def make_lease(settings: Settings, network: Network) -> IndexLease:
    name = f"indexer:{network.name}:{network.chain_id}"
    if settings.redis_url:
        return RedisLease(settings.redis_url, name, lease_owner())
    return DatabaseLease(settings.db_url, name, lease_owner())


# ---------------------------------------------------------------------- watcher
AdapterFactory = Callable[[Network], ChainAdapter]


class Watcher:
    def __init__(
        self,
        settings: Settings,
        *,
        network: Network | None = None,
        adapter_factory: AdapterFactory = ChainAdapter.connect,
        lease: IndexLease | None = None,
        index: bool = True,
    ) -> None:
        self.settings = settings
        self._network = network
        self._adapter_factory = adapter_factory
        self._lease = lease
        self._index = index
        self._new_head = asyncio.Event()
        self._index_due = asyncio.Event()
        self._holds_lease = False
        self.head = 0
        self.indexed_block: int | None = None  # the indexer's cursor after its last sync

    async def run(self) -> None:
        """Forever: connect, follow blocks, and on any failure report it and reconnect."""
        backoff = 1.0
        while True:
            adapter: ChainAdapter | None = None
            try:
                network = self._network or load_network(self.settings)
                adapter = self._adapter_factory(network)
                await adapter.check_network()
                await self.refresh(adapter)
                backoff = 1.0
                await self._follow(adapter)
            except (ChainError, NetworkConfigError) as error:
                message = error.message if isinstance(error, ChainError) else str(error)
                logger.warning("watcher: %s", message)
                live.publish_node_error(message)
            except Exception as error:
                logger.exception("watcher failed")
                live.publish_node_error(f"Unexpected error while reading the chain: {error}")
            finally:
                if adapter is not None:
                    with contextlib.suppress(Exception):
                        await adapter.close()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    async def refresh(self, adapter: ChainAdapter) -> MarketsSnapshot:
        """Read every market (one eth_call) and publish the snapshot."""
        read = await adapter.read_markets()
        self.head = max(self.head, read.block_number)
        return live.publish(
            MarketsSnapshot(
                version=0,  # live.publish numbers it
                network=adapter.network.name,
                chain_id=adapter.network.chain_id,
                block_number=read.block_number,
                block_timestamp=read.block_timestamp,
                markets=read.markets,
                node_error=None,
            )
        )

    async def _follow(self, adapter: ChainAdapter) -> None:
        heads = asyncio.create_task(self._watch_heads(adapter), name="watcher heads")
        indexing = asyncio.create_task(self._index_loop(adapter), name="watcher indexer")
        self._index_due.set()
        try:
            while True:
                waiter = asyncio.create_task(self._new_head.wait())
                await asyncio.wait({waiter, heads}, return_when=asyncio.FIRST_COMPLETED)
                if heads.done():
                    waiter.cancel()
                    heads.result()  # raises the node failure that ended the head watch
                    raise ChainError("The block subscription ended.")
                self._new_head.clear()
                await self.refresh(adapter)
                self._index_due.set()
                # Coalesce fast chains: at most one refresh per poll interval.
                await asyncio.sleep(self.settings.poll_interval)
        finally:
            for task in (heads, indexing):
                task.cancel()
            await asyncio.gather(heads, indexing, return_exceptions=True)

    # ------------------------------------------------------------------ new blocks
    async def _watch_heads(self, adapter: ChainAdapter) -> None:
        ws_url = adapter.network.ws_url
        if ws_url:
            try:
                await self._subscribe_heads(ws_url)
            except Exception as error:  # any failure: polling still works
                logger.warning(
                    "newHeads subscription on %s failed (%s): polling instead",
                    redact_url(ws_url),
                    error,
                )
        await self._poll_heads(adapter)

    async def _subscribe_heads(self, ws_url: str) -> None:
        async for number in new_head_numbers(ws_url):
            if number is not None:
                self.head = max(self.head, number)
            self._new_head.set()

    async def _poll_heads(self, adapter: ChainAdapter) -> None:
        last_hash = b""
        while True:
            await asyncio.sleep(self.settings.poll_interval)
            header = await adapter.rpc.block("latest")
            if header.hash != last_hash:  # a new block, or the same height on a new branch
                last_hash = header.hash
                self.head = header.number
                self._new_head.set()

    # ------------------------------------------------------------------ indexing
    async def _index_loop(self, adapter: ChainAdapter) -> None:
        if not self._index:
            return
        lease = self._lease or make_lease(self.settings, adapter.network)
        keeper = asyncio.create_task(self._keep_lease(lease), name="watcher lease")
        indexer = Indexer(adapter, self.settings.db_url, log_range=self.settings.log_range)
        try:
            while True:
                await self._index_due.wait()
                self._index_due.clear()
                if not self._holds_lease:
                    continue
                try:
                    self.indexed_block = await indexer.sync(self.head or None)
                except IndexNotReady as error:
                    logger.error("indexer stopped: %s", error.message)
                    return
                except ChainError as error:
                    logger.warning("indexer: %s (retrying on the next block)", error.message)
                except Exception:
                    logger.exception("indexer failed (retrying on the next block)")
        finally:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)
            if self._holds_lease:
                self._holds_lease = False
                with contextlib.suppress(Exception):
                    await lease.release()

    async def _keep_lease(self, lease: IndexLease) -> None:
        while True:
            try:
                held = await lease.acquire()
            except IndexNotReady as error:
                logger.error("indexer stopped: %s", error.message)
                return
            except Exception as error:
                logger.warning("index lease unavailable: %s", error)
                held = False
            if held and not self._holds_lease:
                self._index_due.set()  # just became the writer: catch up now
            self._holds_lease = held
            await asyncio.sleep(LEASE_SECONDS / 3)


async def start_watcher() -> None:
    """The lifespan task: ``app.register_lifespan_task(start_watcher)`` in the app module."""
    settings = load_settings()
    if not settings.watcher_enabled:
        logger.info("block watcher disabled (BALANCER_PERPS_WATCHER=false)")
        return
    await Watcher(settings).run()
