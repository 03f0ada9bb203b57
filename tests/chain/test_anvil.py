"""The adapter, the watcher and the indexer against the V2 contracts on a real anvil."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from balancer_perps import history, live
from balancer_perps.chain.adapter import ChainAdapter
from balancer_perps.chain.contracts import v2_abis
from balancer_perps.chain.transactions import TransactionRequest, commit_request
from balancer_perps.devnet.anvil import AnvilNode
from balancer_perps.devnet.evm import send
from balancer_perps.domain.types import CommitType
from balancer_perps.indexer import Indexer
from balancer_perps.models import CommitRecord, IndexerCursor, IntervalExecutionRecord, UpkeepRecord
from balancer_perps.networks import load_network
from balancer_perps.settings import load_settings
from balancer_perps.watcher import DatabaseLease, Watcher
from tests.chain.devnet import E18, UPDATE_INTERVAL, Devnet, start_devnet
from tests.indexer.scenario import migrated_database
from tests.indexer.test_indexer import everything, rows

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def devnet(anvil: Callable[..., AnvilNode]) -> Devnet:
    chain = start_devnet(anvil())
    chain.add_markets(1)
    chain.add_markets(1, sma=True)
    return chain


def manifest_of(devnet: Devnet) -> dict[str, Any]:
    """What the devnet command writes (the fields the app reads)."""
    return {
        "chain_id": devnet.w3.eth.chain_id,
        "rpc_url": devnet.node.rpc_url,
        "ws_url": devnet.node.ws_url,
        "deploy_block": devnet.deploy_block,
        "accounts": {},
        "contracts": {
            "PoolFactory": devnet.core.factory.address,
            "PoolKeeper": devnet.core.pool_keeper.address,
            "Multicall3": "0xcA11bde05977b3631167028862bE2a173976CA11",
        },
        "tokens": {"BAL": {"address": devnet.settlement.address, "decimals": 18}},
        "feeds": {},
        "pools": [
            {
                "name": m.market.pool.functions.poolName().call(),
                "address": m.market.pool.address,
                "committer": m.market.committer.address,
                "long_token": m.market.long_token.address,
                "short_token": m.market.short_token.address,
                "deploy_block": m.market.deploy_block,
            }
            for m in devnet.markets
        ],
    }


async def test_the_markets_listed_are_the_manifests(devnet: Devnet, tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps(manifest_of(devnet)))
    network = load_network(load_settings({"BALANCER_PERPS_DEVNET_DIR": str(tmp_path)}))
    adapter = ChainAdapter.connect(network)
    try:
        await adapter.check_network()
        infos = await adapter.discover_markets()
    finally:
        await adapter.close()
    pools = manifest_of(devnet)["pools"]
    assert [(i.address, i.committer, i.long_token, i.short_token, i.name) for i in infos] == [
        (p["address"], p["committer"], p["long_token"], p["short_token"], p["name"]) for p in pools
    ]
    assert all(i.verified for i in infos)
    assert [(i.oracle_kind, i.sma_periods) for i in infos] == [("spot", None), ("sma", 4)]
    assert infos[0].name == "3-ASSET0/USD+BAL"
    assert (infos[0].underlying, infos[0].leverage, infos[0].settlement_symbol) == (
        "ASSET0/USD",
        3,
        "BAL",
    )
    assert [i.deploy_block for i in infos] == [p["deploy_block"] for p in pools]


async def test_simulation_decodes_the_contracts_reverts(devnet: Devnet) -> None:
    adapter = devnet.adapter()
    market = devnet.markets[0].market
    user = devnet.account(5)
    try:
        no_balance = await adapter.simulate(
            commit_request(user, market.committer.address, CommitType.LONG_MINT, E18)
        )
        assert no_balance.reason == "ERC20: transfer amount exceeds balance"
        send(devnet.settlement.functions.mint(user, E18), sender=user)
        no_allowance = await adapter.simulate(
            commit_request(user, market.committer.address, CommitType.LONG_MINT, E18)
        )
        assert no_allowance.reason == "ERC20: transfer amount exceeds allowance"
        bad_type = (E18 | 6 << 128).to_bytes(32, "big")
        data = v2_abis().committer.fn("commit").encode(bad_type)
        panic = await adapter.simulate(TransactionRequest(user, market.committer.address, data))
        assert panic.revert is not None and panic.revert.panic_code == 0x21
        send(devnet.settlement.functions.approve(market.pool.address, E18), sender=user)
        ok = await adapter.simulate(
            commit_request(user, market.committer.address, CommitType.LONG_MINT, E18)
        )
        assert ok.ok and ok.gas_estimate and ok.gas_estimate > 50_000
    finally:
        await adapter.close()


async def test_a_price_move_and_upkeep_reach_the_snapshot_and_the_index(
    devnet: Devnet, tmp_path: Path
) -> None:
    spot = devnet.markets[0]
    alice, bob = devnet.account(6), devnet.account(7)
    devnet.mint_position(spot, alice, CommitType.LONG_MINT, 1_000 * E18)
    devnet.mint_position(spot, bob, CommitType.SHORT_MINT, 1_000 * E18)
    devnet.advance(UPDATE_INTERVAL)
    devnet.upkeep(spot)  # executes the mints
    send(spot.feed.functions.setPrice(2_200 * 10**8), sender=devnet.deployer)  # +10 %
    devnet.advance(UPDATE_INTERVAL)
    devnet.upkeep(spot)  # moves value from short to long

    adapter = devnet.adapter()
    db_url = migrated_database(tmp_path / "index.db")
    try:
        state = (await adapter.read_markets()).markets[0]
        pool = state.pool
        assert pool.execution_price == 2_200 * E18
        assert pool.oracle_price == 2_200 * E18
        assert pool.long_balance > pool.short_balance > 0
        assert pool.long_supply > 0 and pool.short_supply > 0
        assert pool.update_interval_id == 3
        assert pool.primary_fees > 0 and pool.secondary_fees > 0

        indexer = Indexer(adapter, db_url, log_range=7)  # several ranges
        head = devnet.w3.eth.block_number
        assert await indexer.sync() == head
        upkeeps = rows(db_url, UpkeepRecord)
        mine = [u for u in upkeeps if u["pool"] == spot.market.pool.address]
        assert [u["new_price"] for u in mine] == [2_000 * E18, 2_200 * E18]
        last = mine[-1]
        assert last["succeeded"] and last["value_transferred"]
        assert last["long_balance_after"] == pool.long_balance
        assert last["short_balance_after"] == pool.short_balance
        assert last["long_balance_after"] > last["long_balance_before"]
        assert last["keeper_reward"] > 0
        assert last["primary_fee"] + last["secondary_fee"] == last["long_fee"] + last["short_fee"]
        executions = rows(db_url, IntervalExecutionRecord)
        assert [
            e["update_interval_id"] for e in executions if e["pool"] == spot.market.pool.address
        ] == [1, 2]
        commits = [c for c in rows(db_url, CommitRecord) if c["pool"] == spot.market.pool.address]
        assert {(c["account"], c["commit_type"]) for c in commits} >= {
            (alice, CommitType.LONG_MINT),
            (bob, CommitType.SHORT_MINT),
        }

        points = history.oracle_prices(
            devnet.w3.eth.chain_id, spot.market.pool.address, db_url=db_url
        )
        assert points[-1].raw_price == 2_200 * E18
        prices = history.token_prices(
            devnet.w3.eth.chain_id, spot.market.pool.address, db_url=db_url
        )
        assert prices[-1].long_price > prices[-1].short_price

        # Idempotent: the whole range again changes nothing.
        before = everything(db_url)
        await indexer.index_range(devnet.deploy_block, head)
        assert everything(db_url) == before

        # Restart: a new process resumes after its cursor.
        devnet.mint_position(spot, alice, CommitType.LONG_MINT, E18)
        counter: list[str] = []
        restarted = Indexer(devnet.adapter(counter), db_url)
        assert await restarted.sync() == head + 3
        assert len([c for c in rows(db_url, CommitRecord)]) == len(before["CommitRecord"]) + 1

        # Reorg: anvil reverts to a snapshot and mines a different branch.
        snapshot_id = devnet.w3.provider.make_request("evm_snapshot", [])["result"]
        devnet.mint_position(spot, bob, CommitType.SHORT_MINT, 2 * E18)
        await restarted.sync()
        with_doomed = len(rows(db_url, CommitRecord))
        devnet.w3.provider.make_request("evm_revert", [snapshot_id])
        devnet.w3.provider.make_request("anvil_mine", [4])
        new_head = devnet.w3.eth.block_number
        assert await restarted.sync() == new_head
        assert len(rows(db_url, CommitRecord)) == with_doomed - 1
        (cursor,) = rows(db_url, IndexerCursor)
        assert cursor["block_hash"] == devnet.w3.eth.get_block(new_head)["hash"].to_0x_hex()
    finally:
        await adapter.close()


async def test_the_watcher_follows_new_heads_over_websocket(devnet: Devnet, tmp_path: Path) -> None:
    db_url = migrated_database(tmp_path / "index.db")
    settings = replace(load_settings({}), db_url=db_url, poll_interval=0.05)
    watcher = Watcher(
        settings,
        network=devnet.network(ws=True),
        adapter_factory=lambda n: devnet.adapter(ws=True),
        lease=DatabaseLease(db_url, "indexer", "test"),
    )
    task = asyncio.create_task(watcher.run())
    try:
        head = devnet.w3.eth.block_number
        await wait_for_snapshot(lambda s: s.block_number == head and s.node_error is None)
        devnet.w3.provider.make_request("anvil_mine", [1])
        snapshot = await wait_for_snapshot(lambda s: s.block_number == head + 1)
        assert len(snapshot.markets) == len(devnet.markets)
        deadline = time.monotonic() + 30
        while watcher.indexed_block != head + 1:
            assert time.monotonic() < deadline, "the watcher did not index the new block"
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def wait_for_snapshot(condition: Callable[[Any], bool], timeout: float = 30.0) -> Any:
    async def wait() -> Any:
        snapshot = live.current()
        while not condition(snapshot):
            snapshot = await live.wait_for_update(snapshot.version)
        return snapshot

    return await asyncio.wait_for(wait(), timeout)


@pytest.fixture(scope="module")
def big_devnet(anvil: Callable[..., AnvilNode]) -> Devnet:
    chain = start_devnet(anvil())
    chain.add_markets(8)
    return chain


@pytest.mark.parametrize("markets", [8, 40])
async def test_one_refresh_is_one_eth_call(big_devnet: Devnet, markets: int) -> None:
    missing = markets - len(big_devnet.markets)
    if missing > 0:
        big_devnet.add_markets(missing)
    counter: list[str] = []
    adapter = big_devnet.adapter(counter)
    try:
        await adapter.read_markets()  # discovery: once per process
        big_devnet.w3.provider.make_request("anvil_mine", [1])
        counter.clear()
        read = await adapter.read_markets()
        assert len(read.markets) == markets
        assert counter == ["eth_call"]
    finally:
        await adapter.close()
