"""A small V2 deployment on a real anvil for the integration tests: the core from
``devnet/deploy.py``, a TestToken settlement, TestChainlinkOracle feeds behind
ChainlinkOracleWrappers (one per market, reference §2.4 step 7), optionally an SMAOracle,
and Multicall3 at its canonical address."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web3 import AsyncHTTPProvider, AsyncWeb3, Web3

from balancer_perps.chain.adapter import ChainAdapter
from balancer_perps.chain.contracts import v2_custom_errors
from balancer_perps.chain.multicall import MULTICALL3_ADDRESS
from balancer_perps.chain.rpc import RpcClient
from balancer_perps.devnet.anvil import AnvilNode
from balancer_perps.devnet.deploy import Core, Market, deploy_core, deploy_market
from balancer_perps.devnet.evm import deploy, load_artifact, send
from balancer_perps.domain.commit_encoding import encode_commit_params
from balancer_perps.domain.types import CommitType
from balancer_perps.networks import Network

E18 = 10**18
UPDATE_INTERVAL = 60
FRONT_RUNNING_INTERVAL = 5


@dataclass
class DevnetMarket:
    market: Market
    feed: Any  # TestChainlinkOracle


@dataclass
class Devnet:
    node: AnvilNode
    w3: Web3
    core: Core
    settlement: Any
    eth_oracle: str
    deploy_block: int
    markets: list[DevnetMarket] = field(default_factory=list)

    @property
    def deployer(self) -> str:
        return str(self.w3.eth.accounts[0])

    def account(self, index: int) -> str:
        return str(self.w3.eth.accounts[index])

    def network(self, ws: bool = False) -> Network:
        return Network(
            name="devnet",
            chain_id=self.w3.eth.chain_id,
            rpc_url=self.node.rpc_url,
            ws_url=self.node.ws_url if ws else None,
            factory=self.core.factory.address,
            pool_keeper=self.core.pool_keeper.address,
            multicall3=MULTICALL3_ADDRESS,
            deploy_block=self.deploy_block,
            verified_pools=frozenset(m.market.pool.address for m in self.markets),
            pool_deploy_blocks={m.market.pool.address: m.market.deploy_block for m in self.markets},
        )

    def add_markets(self, count: int, *, sma: bool = False) -> list[DevnetMarket]:
        added = []
        for _ in range(count):
            index = len(self.markets)
            feed = deploy(self.w3, "TestChainlinkOracle", sender=self.deployer)
            send(feed.functions.setPrice(2_000 * 10**8 + index * 10**8), sender=self.deployer)
            wrapper = deploy(
                self.w3,
                "ChainlinkOracleWrapper",
                feed.address,
                self.deployer,
                sender=self.deployer,
            )
            oracle = wrapper.address
            if sma:
                oracle = deploy(
                    self.w3,
                    "SMAOracle",
                    wrapper.address,
                    4,
                    UPDATE_INTERVAL,
                    self.deployer,
                    self.core.pool_keeper.address,
                    self.deployer,
                    sender=self.deployer,
                ).address
            market = deploy_market(
                self.w3,
                self.core,
                deployer=self.deployer,
                pool_name=f"ASSET{index}/USD+BAL",
                oracle_wrapper=oracle,
                settlement_eth_oracle=self.eth_oracle,
                settlement_token=self.settlement.address,
                leverage=3,
                update_interval=UPDATE_INTERVAL,
                front_running_interval=FRONT_RUNNING_INTERVAL,
                minting_fee_wad=5 * 10**15,
            )
            test_market = DevnetMarket(market, feed)
            self.markets.append(test_market)
            added.append(test_market)
        return added

    # ------------------------------------------------------------------ actions
    def mint_position(
        self, test_market: DevnetMarket, user: str, commit_type: CommitType, amount: int
    ) -> None:
        market = test_market.market
        send(self.settlement.functions.mint(user, amount), sender=user)
        send(self.settlement.functions.approve(market.pool.address, amount), sender=user)
        args = _commit_args(amount, commit_type)
        send(market.committer.functions.commit(args), sender=user)

    def advance(self, seconds: int) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
        self.w3.provider.make_request("anvil_mine", [1])  # type: ignore[arg-type]

    def upkeep(self, test_market: DevnetMarket) -> dict[str, Any]:
        keeper = self.account(3)
        receipt = send(
            self.core.pool_keeper.functions.performUpkeepSinglePool(
                test_market.market.pool.address
            ),
            sender=keeper,
        )
        return dict(receipt)

    def rpc(self, counter: list[str] | None = None) -> RpcClient:
        provider = CountingProvider(self.node.rpc_url, counter if counter is not None else [])
        return RpcClient(
            AsyncWeb3(provider), url=self.node.rpc_url, custom_errors=v2_custom_errors()
        )

    def adapter(self, counter: list[str] | None = None, ws: bool = False) -> ChainAdapter:
        return ChainAdapter(self.network(ws), self.rpc(counter))


def _commit_args(amount: int, commit_type: CommitType) -> bytes:
    return encode_commit_params(amount, commit_type, False, False)


class CountingProvider(AsyncHTTPProvider):
    """Records the method of every JSON-RPC request it sends (batch members one by one)."""

    def __init__(self, url: str, counter: list[str]) -> None:
        super().__init__(url, exception_retry_configuration=None)
        self.counter = counter

    async def make_request(self, method: Any, params: Any) -> Any:
        self.counter.append(str(method))
        return await super().make_request(method, params)

    async def make_batch_request(self, requests: Any) -> Any:
        self.counter.extend(str(method) for method, _ in requests)
        return await super().make_batch_request(requests)


def start_devnet(node: AnvilNode, *, keeper_gas_price: int = 10**9) -> Devnet:
    w3 = Web3(Web3.HTTPProvider(node.rpc_url, request_kwargs={"timeout": 120}))
    deployer = str(w3.eth.accounts[0])
    code = load_artifact("Multicall3")["deployedBytecode"]
    w3.provider.make_request("anvil_setCode", [MULTICALL3_ADDRESS, code])  # type: ignore[arg-type]
    deploy_block = w3.eth.block_number + 1
    core = deploy_core(
        w3,
        governance=deployer,
        fee_receiver=str(w3.eth.accounts[2]),
        keeper_gas_price=keeper_gas_price,
        annual_fee_wad=2 * 10**16,
    )
    settlement = deploy(w3, "TestToken", "Balancer", "BAL", sender=deployer)
    eth_feed = deploy(w3, "TestChainlinkOracle", sender=deployer)
    send(eth_feed.functions.setPrice(3 * 10**5), sender=deployer)  # 0.003 ETH per BAL, 8 dp
    eth_oracle = deploy(
        w3, "ChainlinkOracleWrapper", eth_feed.address, deployer, sender=deployer
    ).address
    return Devnet(node, w3, core, settlement, eth_oracle, deploy_block)
