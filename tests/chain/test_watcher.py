"""The app-wide watcher against the fake node: publication per block, node errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

import pytest

from balancer_perps import live
from balancer_perps.chain.adapter import ChainAdapter
from balancer_perps.chain.snapshot import MarketsSnapshot
from balancer_perps.networks import Network
from balancer_perps.settings import load_settings
from balancer_perps.watcher import Watcher
from tests.chain.fake_markets import deploy
from tests.chain.fake_node import FakeChain, count, fake_rpc

pytestmark = pytest.mark.anyio


async def next_matching(
    condition: Callable[[MarketsSnapshot], bool], timeout: float = 10.0
) -> MarketsSnapshot:
    async def wait() -> MarketsSnapshot:
        snapshot = live.current()
        while not condition(snapshot):
            snapshot = await live.wait_for_update(snapshot.version)
        return snapshot

    return await asyncio.wait_for(wait(), timeout)


def watcher_for(chain: FakeChain, network: Network) -> Watcher:
    settings = replace(load_settings({}), poll_interval=0.02)
    return Watcher(
        settings,
        network=network,
        adapter_factory=lambda n: ChainAdapter(n, fake_rpc(chain)),
        index=False,
    )


async def test_the_watcher_publishes_every_new_block_and_reports_a_dead_node() -> None:
    chain = FakeChain()
    deployment = deploy(chain, 3)
    chain.mine()
    task = asyncio.create_task(watcher_for(chain, deployment.network).run())
    try:
        first = await next_matching(lambda s: s.block_number == 1 and s.node_error is None)
        assert len(first.markets) == 3
        assert (first.network, first.chain_id) == ("devnet", chain.chain_id)

        deployment.markets[0].long_balance = 42
        chain.mine()
        second = await next_matching(lambda s: s.block_number == 2)
        assert second.markets[0].pool.long_balance == 42

        chain.down = True
        down = await next_matching(lambda s: s.node_error is not None)
        assert "does not answer" in down.node_error
        assert down.markets == second.markets  # the last known markets stay visible

        chain.down = False
        chain.mine()
        back = await next_matching(lambda s: s.node_error is None and s.block_number == 3)
        assert len(back.markets) == 3
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_no_new_block_means_no_new_read() -> None:
    chain = FakeChain()
    deployment = deploy(chain, 2)
    task = asyncio.create_task(watcher_for(chain, deployment.network).run())
    try:
        await next_matching(lambda s: s.node_error is None and len(s.markets) == 2)
        await asyncio.sleep(0.1)  # a few polls
        calls = count(chain, "eth_call")
        await asyncio.sleep(0.2)
        assert count(chain, "eth_call") == calls  # polling asks for the head only
        assert count(chain, "eth_getBlockByNumber") > 2
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_misconfigured_network_is_a_node_error(tmp_path: object) -> None:
    settings = replace(
        load_settings({"BALANCER_PERPS_DEVNET_DIR": "/nonexistent-devnet"}), poll_interval=0.02
    )
    task = asyncio.create_task(Watcher(settings, index=False).run())
    try:
        snapshot = await next_matching(lambda s: "devnet is not running" in (s.node_error or ""))
        assert "python -m balancer_perps.devnet up" in (snapshot.node_error or "")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_an_unreachable_websocket_falls_back_to_polling() -> None:
    chain = FakeChain()
    deployment = deploy(chain, 1)
    network = replace(deployment.network, ws_url="ws://127.0.0.1:9")  # nothing listens there
    task = asyncio.create_task(watcher_for(chain, network).run())
    try:
        await next_matching(lambda s: s.node_error is None and s.block_number == 0)
        chain.mine()
        snapshot = await next_matching(lambda s: s.block_number == 1)
        assert snapshot.node_error is None
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
