"""The chain adapter: one object per node connection, the only way the app reads the chain.

adapter = ChainAdapter.connect(load_network())
await adapter.check_network()          # WrongNetwork if the node is another chain
read = await adapter.read_markets()    # every market, one eth_call
user = await adapter.read_user(address)
sim = await adapter.simulate(commit_request(...))
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from balancer_perps.chain.contracts import v2_custom_errors
from balancer_perps.chain.errors import WrongNetwork
from balancer_perps.chain.markets import MarketReader, MarketsRead, MarketStatics
from balancer_perps.chain.multicall import Multicall
from balancer_perps.chain.positions import UserSnapshot, read_user
from balancer_perps.chain.rpc import BlockId, RpcClient
from balancer_perps.chain.snapshot import MarketInfo
from balancer_perps.chain.transactions import (
    Receipt,
    Simulation,
    TransactionRequest,
    fetch_receipt,
    simulate,
)
from balancer_perps.networks import Network, load_network


class ChainAdapter:
    def __init__(self, network: Network, rpc: RpcClient) -> None:
        self.network = network
        self.rpc = rpc
        self.multicall = Multicall(rpc, network.multicall3)
        self.markets = MarketReader(network, self.multicall)

    @classmethod
    def connect(cls, network: Network, *, timeout: float = 10.0) -> ChainAdapter:
        rpc = RpcClient.http(network.rpc_url, timeout=timeout, custom_errors=v2_custom_errors())
        return cls(network, rpc)

    async def close(self) -> None:
        await self.rpc.close()

    async def check_network(self) -> None:
        """Raise WrongNetwork unless the node serves the configured chain."""
        chain_id = await self.rpc.chain_id()
        if chain_id != self.network.chain_id:
            raise WrongNetwork(self.network.name, self.network.chain_id, chain_id)

    async def discover_markets(self) -> tuple[MarketInfo, ...]:
        """Every market of the factory (new ones are read; known ones come from the cache)."""
        await self.markets.discover()
        return tuple(statics.info for statics in self.markets.markets)

    async def read_markets(self, block: BlockId = "latest") -> MarketsRead:
        if not self.markets.markets:
            await self.markets.discover()
        return await self.markets.read(block)

    async def read_user(
        self, user: str, markets: Sequence[MarketStatics] | None = None
    ) -> UserSnapshot:
        """The user's wallet, allowances, claimable escrow and pending commits everywhere."""
        if not self.markets.markets:
            await self.markets.discover()
        return await read_user(self.multicall, user, markets or self.markets.markets)

    async def simulate(
        self, request: TransactionRequest, *, estimate_gas: bool = True
    ) -> Simulation:
        """Every transaction goes through here before it is handed to the wallet."""
        return await simulate(self.rpc, request, estimate_gas=estimate_gas)

    async def receipt(self, tx_hash: str) -> Receipt | None:
        """A sent transaction's receipt, None while it is pending."""
        return await fetch_receipt(self.rpc, tx_hash)


# One adapter per event loop of a backend process: its HTTP session belongs to that loop.
_per_loop: dict[int, ChainAdapter] = {}


def loop_adapter() -> ChainAdapter:
    """The adapter for the running event loop, on the app's configured network."""
    key = id(asyncio.get_running_loop())
    adapter = _per_loop.get(key)
    if adapter is None:
        adapter = _per_loop[key] = ChainAdapter.connect(load_network())
    return adapter
