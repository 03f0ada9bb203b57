"""A fake V2 deployment on the fake node: a factory, a keeper and N markets whose state is
plain Python, served through the real ABIs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from balancer_perps.domain.quad import Quad
from balancer_perps.networks import Network
from tests.chain.fake_node import FakeChain, Revert

ZERO = "0x0000000000000000000000000000000000000000"


def address(label: str) -> str:
    return to_checksum_address(keccak(label.encode())[-20:])


def quad(value: int) -> bytes:
    return Quad.from_uint(value).to_bytes16()


@dataclass
class FakeMarket:
    index: int
    name: str
    pool: str
    committer: str
    long_token: str
    short_token: str
    settlement: str
    oracle: str
    eth_oracle: str
    sma_periods: int | None = None
    leverage: int = 3
    update_interval: int = 3600
    front_running_interval: int = 300
    long_balance: int = 1_000 * 10**18
    short_balance: int = 2_000 * 10**18
    long_supply: int = 900 * 10**18
    short_supply: int = 2_100 * 10**18
    last_price_timestamp: int = 1_700_000_000
    update_interval_id: int = 5
    appropriate_id: int = 5
    minting_fee: int = 5 * 10**15
    burning_fee: int = 3 * 10**15
    change_interval: int = 0
    pending_mint: int = 0
    pending_long_burns: int = 0
    pending_short_burns: int = 0
    primary_fees: int = 7
    secondary_fees: int = 1
    secondary_fee_address: str = field(default_factory=lambda: address("treasury"))
    paused: bool = False
    committer_paused: bool = False
    oracle_price: int | None = 2_000 * 10**18  # None: getOraclePrice reverts (stale)
    execution_price: int = 1_990 * 10**18
    totals: dict[int, tuple[int, ...]] = field(default_factory=dict)
    price_history: dict[int, tuple[bytes, bytes]] = field(default_factory=dict)
    wallet: dict[tuple[str, str], int] = field(default_factory=dict)  # (token, user)
    allowances: dict[str, int] = field(default_factory=dict)  # user -> to pool
    aggregate: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    unaggregated: dict[str, list[int]] = field(default_factory=dict)
    user_commitments: dict[tuple[str, int], tuple[int, ...]] = field(default_factory=dict)
    # (from block, long balance, short balance, long supply, short supply), oldest first
    history: list[tuple[int, int, int, int, int]] = field(default_factory=list)

    def set_state(
        self,
        block: int,
        long_balance: int,
        short_balance: int,
        long_supply: int | None = None,
        short_supply: int | None = None,
    ) -> None:
        """Balances (and supplies) from ``block`` on; earlier blocks keep their values."""
        if not self.history:
            self.history.append(
                (0, self.long_balance, self.short_balance, self.long_supply, self.short_supply)
            )
        self.long_balance, self.short_balance = long_balance, short_balance
        if long_supply is not None:
            self.long_supply = long_supply
        if short_supply is not None:
            self.short_supply = short_supply
        self.history.append(
            (block, long_balance, short_balance, self.long_supply, self.short_supply)
        )

    def state_at(self, block: int) -> tuple[int, int, int, int]:
        for start, *values in reversed(self.history):
            if start <= block:
                return (values[0], values[1], values[2], values[3])
        return (self.long_balance, self.short_balance, self.long_supply, self.short_supply)


@dataclass
class FakeDeployment:
    chain: FakeChain
    network: Network
    factory: str
    keeper: str
    markets: list[FakeMarket]
    settlement_balances: dict[str, int] = field(default_factory=dict)

    def add_market(self, **overrides: Any) -> FakeMarket:
        market = _install_market(self, len(self.markets), **overrides)
        self.markets.append(market)
        return market


def deploy(chain: FakeChain, markets: int, *, verified: int | None = None) -> FakeDeployment:
    factory = address("factory")
    keeper = address("keeper")
    settlement = address("BAL")
    network = Network(
        name="devnet",
        chain_id=chain.chain_id,
        rpc_url="http://fake-node:8545",
        ws_url=None,
        factory=factory,
        pool_keeper=keeper,
        multicall3=to_checksum_address("0xcA11bde05977b3631167028862bE2a173976CA11"),
        deploy_block=0,
        verified_pools=frozenset(),
    )
    deployment = FakeDeployment(chain, network, factory, keeper, [])
    chain.add_contract(
        factory,
        "PoolFactory",
        numPools=lambda: len(deployment.markets),
        pools=lambda i: deployment.markets[i].pool,
        isValidPool=lambda pool: any(m.pool == pool for m in deployment.markets),
        poolKeeper=lambda: keeper,
    )

    def market_by_pool(pool: str) -> FakeMarket:
        return next(m for m in deployment.markets if m.pool == to_checksum_address(pool))

    chain.add_contract(
        keeper,
        "PoolKeeper",
        executionPrice=lambda pool: market_by_pool(pool).execution_price,
        gasPrice=lambda: 2 * 10**9,
    )
    token_balances = deployment.settlement_balances
    chain.add_contract(
        settlement,
        "PoolToken",
        symbol=lambda: "BAL",
        decimals=lambda: 18,
        totalSupply=lambda: 10**27,
        balanceOf=lambda user: token_balances.get(user, 0),
        allowance=lambda owner, spender: market_by_pool(spender).allowances.get(owner, 0),
    )
    chain.add_contract(
        address("ETH/BAL oracle"), "ChainlinkOracleWrapper", getPrice=lambda: 3 * 10**15
    )
    for index in range(markets):
        deployment.add_market(sma_periods=8 if index % 2 else None)
    verified_count = markets if verified is None else verified
    deployment.network = replace(
        network, verified_pools=frozenset(m.pool for m in deployment.markets[:verified_count])
    )
    return deployment


def _install_market(deployment: FakeDeployment, index: int, **overrides: Any) -> FakeMarket:
    chain = deployment.chain
    label = f"market {index}"
    market = FakeMarket(
        index=index,
        name=f"3-ASSET{index}/USD+BAL",
        pool=address(label + " pool"),
        committer=address(label + " committer"),
        long_token=address(label + " long"),
        short_token=address(label + " short"),
        settlement=address("BAL"),
        oracle=address(label + " oracle"),
        eth_oracle=address("ETH/BAL oracle"),
        **overrides,
    )
    m = market

    def oracle_price() -> int:
        if m.oracle_price is None:
            raise Revert.reason("COA: Stale answer")
        return m.oracle_price

    chain.add_contract(
        m.pool,
        "LeveragedPool",
        balances=lambda: tuple(reversed(m.state_at(chain.executing.number)[:2])),
        fee=lambda: quad(2_281_589_172_490),
        frontRunningInterval=lambda: m.front_running_interval,
        getOraclePrice=oracle_price,
        keeper=lambda: deployment.keeper,
        lastPriceTimestamp=lambda: m.last_price_timestamp,
        leverageAmount=lambda: quad(m.leverage),
        oracleWrapper=lambda: m.oracle,
        paused=lambda: m.paused,
        poolCommitter=lambda: m.committer,
        poolName=lambda: m.name,
        poolTokens=lambda: (m.long_token, m.short_token),
        primaryFees=lambda: m.primary_fees,
        secondaryFeeAddress=lambda: m.secondary_fee_address,
        secondaryFees=lambda: m.secondary_fees,
        secondaryFeeSplitPercent=lambda: 10,
        settlementEthOracle=lambda: m.eth_oracle,
        settlementToken=lambda: m.settlement,
        updateInterval=lambda: m.update_interval,
    )

    def unaggregated(user: str, index: int) -> int:
        ids = m.unaggregated.get(user, [])
        if index >= len(ids):
            raise Revert()  # the array getter reverts with no data past the end
        return ids[index]

    chain.add_contract(
        m.committer,
        "PoolCommitter",
        burningFee=lambda: quad(m.burning_fee),
        changeInterval=lambda: quad(m.change_interval),
        getAggregateBalance=lambda user: m.aggregate.get(user, (0, 0, 0)),
        getAppropriateUpdateIntervalId=lambda: m.appropriate_id,
        mintingFee=lambda: quad(m.minting_fee),
        paused=lambda: m.committer_paused,
        pendingLongBurnPoolTokens=lambda: m.pending_long_burns,
        pendingMintSettlementAmount=lambda: m.pending_mint,
        pendingShortBurnPoolTokens=lambda: m.pending_short_burns,
        priceHistory=lambda i: m.price_history.get(i, (b"\0" * 16, b"\0" * 16)),
        totalPoolCommitments=lambda i: m.totals.get(i, (0,) * 6),
        unAggregatedCommitments=unaggregated,
        updateIntervalId=lambda: m.update_interval_id,
        userCommitments=lambda user, i: m.user_commitments.get((user, i), (0,) * 7),
    )
    for token, side in ((m.long_token, 2), (m.short_token, 3)):
        chain.add_contract(
            token,
            "PoolToken",
            totalSupply=lambda side=side: m.state_at(chain.executing.number)[side],
            balanceOf=lambda user, token=token: m.wallet.get((token, user), 0),
            symbol=lambda: "TOKEN",
            decimals=lambda: 18,
        )
    if m.sma_periods is None:
        chain.add_contract(m.oracle, "ChainlinkOracleWrapper", getPrice=oracle_price)
    else:
        chain.add_contract(
            m.oracle, "SMAOracle", getPrice=oracle_price, numPeriods=lambda: m.sma_periods
        )
    return market
