"""Market discovery and the per-block read of every market.

Discovery lists the factory's pools (``numPools`` / ``pools(i)``) and reads each new
market's static facts once. The per-block read then asks for every dynamic value of every
market in one Multicall3 batch, so a refresh is one ``eth_call`` whatever the number of
markets. Two cases add calls: a new pool in the factory (discovery, then a fresh read) and
an upkeep that moved the pending-interval window further than the batch guessed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils.address import to_checksum_address

from balancer_perps.chain.contracts import V2Abis, v2_abis
from balancer_perps.chain.errors import ContractReverted
from balancer_perps.chain.multicall import BatchResult, Call, CallOutcome, Multicall
from balancer_perps.chain.rpc import BlockId
from balancer_perps.chain.snapshot import MarketInfo, MarketState, OracleKind
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.types import PoolSnapshot, TotalCommitment
from balancer_perps.networks import Network

logger = logging.getLogger(__name__)

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
MAX_PENDING_IDS = 24  # pending intervals read per market and block
_WINDOW_SLACK = 2  # ids read beyond the last known appropriate id

# What every block reads of every market (besides supplies, keeper and oracle prices).
POOL_READS = (
    "balances",
    "lastPriceTimestamp",
    "primaryFees",
    "secondaryFees",
    "secondaryFeeAddress",
    "paused",
    "getOraclePrice",
)
COMMITTER_READS = (
    "updateIntervalId",
    "getAppropriateUpdateIntervalId",
    "mintingFee",
    "burningFee",
    "changeInterval",
    "pendingMintSettlementAmount",
    "pendingLongBurnPoolTokens",
    "pendingShortBurnPoolTokens",
    "paused",
)
STATIC_POOL_READS = (
    "poolCommitter",
    "poolTokens",
    "settlementToken",
    "oracleWrapper",
    "settlementEthOracle",
    "poolName",
    "updateInterval",
    "frontRunningInterval",
    "leverageAmount",
    "fee",
    "secondaryFeeSplitPercent",
    "keeper",
)


@dataclass(frozen=True, slots=True)
class MarketStatics:
    """What a market's per-block read needs beyond ``MarketInfo``; fixed at deployment."""

    info: MarketInfo
    keeper: str
    settlement_eth_oracle: str
    leverage: Quad
    fee: Quad  # per-upkeep management fee (a WAD integer as a quad)
    secondary_fee_split_percent: int


@dataclass(frozen=True, slots=True)
class MarketsRead:
    block_number: int
    block_timestamp: int
    markets: tuple[MarketState, ...]
    eth_calls: int  # how many eth_call requests this read took


class CallPlan:
    """Calls of one batch, addressed by key; repeated keys are asked once."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._index: dict[Hashable, int] = {}

    def add(self, key: Hashable, target: str, function: Any, *args: Any) -> None:
        if key not in self._index:
            self._index[key] = len(self.calls)
            self.calls.append(Call(target, function, args))

    def __contains__(self, key: Hashable) -> bool:
        return key in self._index

    def outcome(self, result: BatchResult, key: Hashable) -> CallOutcome:
        return result.outcomes[self._index[key]]


def underlying_of(pool_name: str) -> str:
    """``3-ETH/USD+BAL`` → ``ETH/USD`` (leverage prefix and settlement suffix removed)."""
    return re.sub(r"^\d+-", "", pool_name).split("+", 1)[0]


class MarketReader:
    """Keeps the catalog of known markets and reads all of them at a block."""

    def __init__(self, network: Network, multicall: Multicall) -> None:
        self.network = network
        self.multicall = multicall
        self.abi: V2Abis = v2_abis()
        self._pools: list[str] = []  # factory order, including pools that failed to load
        self._catalog: dict[str, MarketStatics] = {}
        # per pool: (updateIntervalId, appropriate id) of the last read, to guess the window
        self._windows: dict[str, tuple[int, int]] = {}

    @property
    def markets(self) -> tuple[MarketStatics, ...]:
        return tuple(self._catalog[p] for p in self._pools if p in self._catalog)

    def statics(self, pool: str) -> MarketStatics | None:
        return self._catalog.get(to_checksum_address(pool))

    # ------------------------------------------------------------------ discovery
    async def discover(self, pool_count: int | None = None) -> tuple[MarketInfo, ...]:
        """Load every factory pool not yet in the catalog; returns the new markets."""
        factory = self.network.factory
        if pool_count is None:
            result = await self.multicall.run([Call(factory, self.abi.factory.fn("numPools"))])
            pool_count = int(result.outcomes[0].value())
        new_indices = range(len(self._pools), pool_count)
        if not new_indices:
            return ()
        listing = await self.multicall.run(
            [Call(factory, self.abi.factory.fn("pools"), (i,)) for i in new_indices]
        )
        new_pools = [to_checksum_address(o.value()) for o in listing.outcomes]
        added = await self.load_markets(new_pools)
        self._pools.extend(new_pools)
        return added

    async def load_markets(self, pools: Sequence[str]) -> tuple[MarketInfo, ...]:
        """Read the static facts of ``pools`` (two eth_calls) and add them to the catalog."""
        pools = [to_checksum_address(p) for p in pools]
        if not pools:
            return ()
        pool_abi = self.abi.pool
        names = STATIC_POOL_READS
        first = CallPlan()
        for pool in pools:
            for name in names:
                first.add((name, pool), pool, pool_abi.fn(name))
        result = await self.multicall.run(first.calls)
        raw: dict[str, dict[str, Any]] = {}
        for pool in pools:
            try:
                raw[pool] = {name: first.outcome(result, (name, pool)).value() for name in names}
            except ContractReverted as error:
                logger.warning("%s does not read as a V2 pool (%s): skipped", pool, error.reason)

        second = CallPlan()
        for values in raw.values():
            settlement, committer = values["settlementToken"], values["poolCommitter"]
            second.add(("symbol", settlement), settlement, self.abi.token.fn("symbol"))
            second.add(("decimals", settlement), settlement, self.abi.token.fn("decimals"))
            oracle = values["oracleWrapper"]
            second.add(("numPeriods", oracle), oracle, self.abi.sma.fn("numPeriods"))
            second.add(("id", committer), committer, self.abi.committer.fn("updateIntervalId"))
            appropriate_fn = self.abi.committer.fn("getAppropriateUpdateIntervalId")
            second.add(("appropriate", committer), committer, appropriate_fn)
        details = await self.multicall.run(second.calls)

        added = []
        for pool, values in raw.items():
            settlement, oracle = values["settlementToken"], values["oracleWrapper"]
            committer = to_checksum_address(values["poolCommitter"])
            periods = second.outcome(details, ("numPeriods", oracle))
            symbol = second.outcome(details, ("symbol", settlement))
            decimals = second.outcome(details, ("decimals", settlement))
            oracle_kind: OracleKind = "sma" if periods.ok else "spot"
            long_token, short_token = values["poolTokens"]
            leverage = Quad.from_bytes16(values["leverageAmount"])
            info = MarketInfo(
                address=pool,
                committer=committer,
                long_token=to_checksum_address(long_token),
                short_token=to_checksum_address(short_token),
                name=str(values["poolName"]),
                underlying=underlying_of(str(values["poolName"])),
                leverage=leverage.to_uint(),
                settlement_token=to_checksum_address(settlement),
                settlement_symbol=str(symbol.value_or("?")),
                settlement_decimals=int(decimals.value()),
                oracle_wrapper=to_checksum_address(oracle),
                oracle_kind=oracle_kind,
                sma_periods=int(periods.value()) if periods.ok else None,
                update_interval=int(values["updateInterval"]),
                front_running_interval=int(values["frontRunningInterval"]),
                deploy_block=self.network.pool_deploy_blocks.get(pool, self.network.deploy_block),
                verified=self.network.is_verified(pool),
            )
            self._catalog[pool] = MarketStatics(
                info=info,
                keeper=to_checksum_address(values["keeper"]),
                settlement_eth_oracle=to_checksum_address(values["settlementEthOracle"]),
                leverage=leverage,
                fee=Quad.from_bytes16(values["fee"]),
                secondary_fee_split_percent=int(values["secondaryFeeSplitPercent"]),
            )
            current = int(second.outcome(details, ("id", committer)).value())
            appropriate = int(second.outcome(details, ("appropriate", committer)).value())
            self._windows[pool] = (current, appropriate)
            added.append(info)
        return tuple(added)

    # ------------------------------------------------------------------ per-block read
    def refresh_plan(self) -> CallPlan:
        """The batch one refresh of every known market sends."""
        return self._plan(self.markets, {p: self._window(p) for p in self._catalog})

    async def read(self, block: BlockId = "latest") -> MarketsRead:
        """Every known market at ``block``: one eth_call in the steady state."""
        plan = self.refresh_plan()
        result = await self.multicall.run(plan.calls, block)
        eth_calls = 1
        pool_count = int(plan.outcome(result, "numPools").value())
        if pool_count > len(self._pools) and block == "latest":
            await self.discover(pool_count)
            again = await self.read(result.block_number)
            return MarketsRead(
                again.block_number, again.block_timestamp, again.markets, again.eth_calls + 3
            )
        missing = self._missing_ids(plan, result)
        if missing:
            extra = CallPlan()
            for statics, ids in missing.items():
                for interval_id in ids:
                    self._add_total(extra, statics, interval_id)
            extra_result = await self.multicall.run(extra.calls, result.block_number)
            eth_calls += 1
        else:
            extra, extra_result = CallPlan(), result
        markets = []
        for statics in self.markets:
            try:
                markets.append(self._market_state(statics, plan, result, extra, extra_result))
            except ContractReverted as error:
                logger.warning("reading %s failed: %s", statics.info.name, error.reason)
        return MarketsRead(result.block_number, result.block_timestamp, tuple(markets), eth_calls)

    def _window(self, pool: str) -> range:
        current, appropriate = self._windows.get(pool, (1, 1))
        last = min(appropriate + _WINDOW_SLACK, current + MAX_PENDING_IDS - 1)
        return range(current, last + 1)

    def _plan(self, markets: Sequence[MarketStatics], windows: dict[str, range]) -> CallPlan:
        abi = self.abi
        plan = CallPlan()
        plan.add("numPools", self.network.factory, abi.factory.fn("numPools"))
        for statics in markets:
            info = statics.info
            pool, committer = info.address, info.committer
            for name in POOL_READS:
                plan.add((name, pool), pool, abi.pool.fn(name))
            for token in (info.long_token, info.short_token):
                plan.add(("totalSupply", token), token, abi.token.fn("totalSupply"))
            for name in COMMITTER_READS:
                plan.add((name, committer), committer, abi.committer.fn(name))
            keeper = statics.keeper
            plan.add(("executionPrice", pool), keeper, abi.keeper.fn("executionPrice"), pool)
            plan.add(("gasPrice", keeper), keeper, abi.keeper.fn("gasPrice"))
            eth_oracle = statics.settlement_eth_oracle
            plan.add(("getPrice", eth_oracle), eth_oracle, abi.oracle.fn("getPrice"))
            for interval_id in windows.get(pool, range(0)):
                self._add_total(plan, statics, interval_id)
        return plan

    def _add_total(self, plan: CallPlan, statics: MarketStatics, interval_id: int) -> None:
        committer = statics.info.committer
        function = self.abi.committer.fn("totalPoolCommitments")
        plan.add(("totals", committer, interval_id), committer, function, interval_id)

    def _missing_ids(self, plan: CallPlan, result: BatchResult) -> dict[MarketStatics, list[int]]:
        missing: dict[MarketStatics, list[int]] = {}
        for statics in self.markets:
            committer = statics.info.committer
            current = plan.outcome(result, ("updateIntervalId", committer)).value_or(None)
            appropriate_key = ("getAppropriateUpdateIntervalId", committer)
            appropriate = plan.outcome(result, appropriate_key).value_or(None)
            if current is None or appropriate is None:
                continue
            wanted = range(current, min(appropriate, current + MAX_PENDING_IDS - 1) + 1)
            ids = [i for i in wanted if ("totals", committer, i) not in plan]
            if ids:
                missing[statics] = ids
        return missing

    def _market_state(
        self,
        statics: MarketStatics,
        plan: CallPlan,
        result: BatchResult,
        extra: CallPlan,
        extra_result: BatchResult,
    ) -> MarketState:
        info = statics.info
        pool, committer = info.address, info.committer

        def value(name: str, target: str) -> Any:
            return plan.outcome(result, (name, target)).value()

        short_balance, long_balance = value("balances", pool)
        current = int(value("updateIntervalId", committer))
        appropriate = int(value("getAppropriateUpdateIntervalId", committer))
        self._windows[pool] = (current, appropriate)
        oracle = plan.outcome(result, ("getOraclePrice", pool))
        eth_oracle = statics.settlement_eth_oracle
        eth_price = int(plan.outcome(result, ("getPrice", eth_oracle)).value_or(0))

        pending = []
        for interval_id in range(current, min(appropriate, current + MAX_PENDING_IDS - 1) + 1):
            key = ("totals", committer, interval_id)
            source, source_result = (plan, result) if key in plan else (extra, extra_result)
            totals = TotalCommitment(*source.outcome(source_result, key).value())
            if not totals.is_empty:
                pending.append((interval_id, totals))

        snapshot = PoolSnapshot(
            long_balance=int(long_balance),
            short_balance=int(short_balance),
            leverage=statics.leverage,
            fee=statics.fee,
            update_interval=info.update_interval,
            front_running_interval=info.front_running_interval,
            last_price_timestamp=int(value("lastPriceTimestamp", pool)),
            settlement_decimals=info.settlement_decimals,
            long_supply=int(value("totalSupply", info.long_token)),
            short_supply=int(value("totalSupply", info.short_token)),
            update_interval_id=current,
            minting_fee=Quad.from_bytes16(value("mintingFee", committer)),
            burning_fee=Quad.from_bytes16(value("burningFee", committer)),
            pending_mint_settlement=int(value("pendingMintSettlementAmount", committer)),
            pending_long_burns=int(value("pendingLongBurnPoolTokens", committer)),
            pending_short_burns=int(value("pendingShortBurnPoolTokens", committer)),
            change_interval=Quad.from_bytes16(value("changeInterval", committer)),
            execution_price=int(value("executionPrice", pool)),
            oracle_price=int(oracle.value_or(0)),
            settlement_eth_price=eth_price,
            keeper_gas_price=int(value("gasPrice", statics.keeper)),
            secondary_fee_split_percent=statics.secondary_fee_split_percent,
            has_secondary_fee_address=value("secondaryFeeAddress", pool) != ZERO_ADDRESS,
            primary_fees=int(value("primaryFees", pool)),
            secondary_fees=int(value("secondaryFees", pool)),
            paused=bool(value("paused", pool)),
        )
        return MarketState(
            info=info,
            pool=snapshot,
            appropriate_update_interval_id=appropriate,
            pending_commitments=tuple(pending),
            committer_paused=bool(value("paused", committer)),
            oracle_error=None if oracle.ok or oracle.revert is None else oracle.revert.reason,
        )
