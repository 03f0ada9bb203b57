"""One writer of the index among several workers; the watcher runs the indexer."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from sqlmodel import SQLModel

from balancer_perps.chain.adapter import ChainAdapter
from balancer_perps.devnet.anvil import free_port
from balancer_perps.domain.types import CommitType
from balancer_perps.models import CommitRecord, engine_for
from balancer_perps.settings import load_settings
from balancer_perps.watcher import DatabaseLease, RedisLease, Watcher
from tests.chain.fake_markets import address
from tests.chain.fake_node import fake_rpc
from tests.indexer.scenario import Scenario
from tests.indexer.test_indexer import rows

pytestmark = pytest.mark.anyio


async def test_the_database_lease_has_one_holder_at_a_time(db_url: str) -> None:
    first = DatabaseLease(db_url, "indexer:test", "worker-1", ttl=0.3)
    second = DatabaseLease(db_url, "indexer:test", "worker-2", ttl=0.3)
    assert await first.acquire()
    assert not await second.acquire()
    assert await first.acquire()  # renewal
    await asyncio.sleep(0.4)  # the first worker died: its lease expires
    assert await second.acquire()
    assert not await first.acquire()
    await second.release()
    assert await first.acquire()


async def test_the_lease_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    from balancer_perps.indexer import IndexNotReady

    lease = DatabaseLease(f"sqlite:///{tmp_path / 'empty.db'}", "indexer:test", "worker-1")
    with pytest.raises(IndexNotReady, match="reflex db migrate"):
        await lease.acquire()


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    client = redis.Redis(port=port)
    while time.monotonic() < deadline:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    client.close()
    yield f"redis://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


async def test_the_redis_lease_has_one_holder_at_a_time(redis_url: str) -> None:
    first = RedisLease(redis_url, "indexer:test", "worker-1", ttl=0.3)
    second = RedisLease(redis_url, "indexer:test", "worker-2", ttl=0.3)
    try:
        assert await first.acquire()
        assert not await second.acquire()
        assert await first.acquire()
        await asyncio.sleep(0.4)
        assert await second.acquire()
        assert not await first.acquire()
    finally:
        await second.release()
        await first.release()


async def test_two_watchers_index_once(db_url: str) -> None:
    """Two workers follow the same chain; only the lease holder writes, and the rows are
    written exactly once."""
    scenario = Scenario()
    market = scenario.deploy_market()
    scenario.commit(market, address("alice"), CommitType.LONG_MINT, 10**18, interval=5)
    settings = replace(load_settings({}), db_url=db_url, poll_interval=0.02)

    def watcher(owner: str) -> Watcher:
        return Watcher(
            settings,
            network=scenario.deployment.network,
            adapter_factory=lambda n: ChainAdapter(n, fake_rpc(scenario.chain)),
            lease=DatabaseLease(db_url, "indexer", owner),
        )

    watchers = [watcher("worker-1"), watcher("worker-2")]
    tasks = [asyncio.create_task(w.run()) for w in watchers]
    try:
        head = scenario.chain.head.number
        await wait_until(lambda: any(w.indexed_block == head for w in watchers))
        scenario.commit(market, address("bob"), CommitType.SHORT_MINT, 10**18, interval=5)
        await wait_until(lambda: any(w.indexed_block == head + 1 for w in watchers))
        assert sum(w.indexed_block is not None for w in watchers) == 1  # one writer
        assert len(rows(db_url, CommitRecord)) == 2
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.02)


def test_migrations_match_the_models(db_url: str) -> None:
    """The Alembic head creates exactly the tables and columns of models.py."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import balancer_perps.models  # noqa: F401

    with engine_for(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, SQLModel.metadata)
    ours = [d for d in differences if _table_of(d) not in _foreign_tables()]
    assert ours == []
    assert set(sa.inspect(engine_for(db_url)).get_table_names()) >= {
        "upkeep",
        "interval_execution",
        "commit_event",
        "claim_event",
        "token_transfer",
        "fee_payment",
        "market",
        "indexer_cursor",
        "indexed_block",
        "indexer_lease",
    }


def _foreign_tables() -> set[str]:
    """Tables of other modules registered on the shared SQLModel metadata, if any."""
    from balancer_perps import models

    ours = {
        getattr(models, name).__tablename__
        for name in dir(models)
        if hasattr(getattr(models, name), "__tablename__")
    }
    return set(SQLModel.metadata.tables) - ours


def _table_of(difference: object) -> str | None:
    for item in difference if isinstance(difference, tuple) else ():
        table = getattr(item, "table", None)
        if table is not None:
            return str(table.name)
        if isinstance(item, sa.Table):
            return str(item.name)
    return None
