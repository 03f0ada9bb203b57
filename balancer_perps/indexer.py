"""The event indexer: follows the V2 contracts' logs into the index tables (``models.py``).

``Indexer.sync()`` indexes from the cursor up to the chain head, one block range at a time:

1. the range's logs, from three ``eth_getLogs`` requests: the factory, the keepers and
   every pool, committer and pool token; then settlement-token transfers to, and from,
   any pool (two topic-filtered requests). A ``DeployPool`` in the range adds the new
   market and fetches its logs from its deployment block;
2. the state the logs do not carry, in one JSON-RPC batch of Multicall3 calls: each
   interval's ``priceHistory`` and each upkept pool's balances before and after its block;
3. one database transaction with every row of the range, the block hashes and the cursor,
   so the index never holds half a range.

Rows are unique on (chain, tx hash, log index) and inserted with "on conflict do nothing":
indexing a range twice changes nothing. The cursor makes a restart resume where it
stopped. Before each range the indexer compares the hash of its cursor block with the
chain's; on a mismatch it walks back through the stored hashes to the fork point, deletes
every row above it and indexes the new branch.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from balancer_perps.chain.adapter import ChainAdapter
from balancer_perps.chain.contracts import v2_abis
from balancer_perps.chain.errors import ChainError, RpcError
from balancer_perps.chain.markets import ZERO_ADDRESS, CallPlan
from balancer_perps.chain.multicall import BatchResult, Call
from balancer_perps.chain.rpc import BlockId, RawLog
from balancer_perps.domain.fees import fee_split
from balancer_perps.models import (
    BLOCK_TABLES,
    ClaimRecord,
    CommitRecord,
    FeePaymentRecord,
    IndexedBlock,
    IndexerCursor,
    IntervalExecutionRecord,
    MarketRecord,
    TokenTransferRecord,
    UpkeepRecord,
    engine_for,
)

logger = logging.getLogger(__name__)

KEEP_BLOCK_HASHES = 2048  # how far back a reorganisation can be undone row by row
_INSERT_CHUNK = 200
_BASE_COLUMNS = ("chain_id", "block_number", "block_timestamp", "tx_hash", "log_index")
_STATE_COLUMNS = (
    "long_balance_before",
    "short_balance_before",
    "long_balance_after",
    "short_balance_after",
    "long_supply_after",
    "short_supply_after",
)


class IndexNotReady(ChainError):
    """The index database has no tables yet."""


@dataclass
class IndexedMarket:
    pool: str
    committer: str
    long_token: str
    short_token: str
    settlement_token: str
    name: str
    deploy_block: int
    deploy_tx: str
    secondary_fee_split_percent: int

    def record(self, chain_id: int) -> MarketRecord:
        return MarketRecord(chain_id=chain_id, **self.__dict__)


@dataclass
class RangeRows:
    """Everything one block range writes."""

    end: int
    end_hash: bytes
    rows: dict[type[SQLModel], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    block_hashes: dict[int, bytes] = field(default_factory=dict)
    markets: list[IndexedMarket] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Answers:
    """The values of one batch, by the keys of its plan."""

    plan: CallPlan
    result: BatchResult

    def __getitem__(self, key: Hashable) -> Any:
        return self.plan.outcome(self.result, key).value()


@dataclass
class _PendingUpkeep:
    log: RawLog
    pool: str
    succeeded: bool
    error: str | None = None
    poll_error: str | None = None
    old_price: int | None = None
    new_price: int | None = None
    rebalance: dict[str, Any] | None = None  # PoolRebalance arguments
    price_change_error: bool = False
    keeper: str | None = None
    keeper_reward: int = 0


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


class Indexer:
    def __init__(
        self,
        adapter: ChainAdapter,
        db_url: str,
        *,
        log_range: int = 5000,
        keep_block_hashes: int = KEEP_BLOCK_HASHES,
    ) -> None:
        self.adapter = adapter
        self.network = adapter.network
        self.chain_id = adapter.network.chain_id
        self.engine = engine_for(db_url)
        self.log_range = log_range
        self.keep_block_hashes = keep_block_hashes
        self.markets: dict[str, IndexedMarket] = {}
        self._loaded = False
        abi = v2_abis()
        self._events = {
            "DeployPool": abi.factory.event("DeployPool"),
            "UpkeepSuccessful": abi.keeper.event("UpkeepSuccessful"),
            "PoolUpkeepError": abi.keeper.event("PoolUpkeepError"),
            "KeeperPaid": abi.keeper.event("KeeperPaid"),
            "KeeperPaymentError": abi.keeper.event("KeeperPaymentError"),
            "PoolRebalance": abi.pool.event("PoolRebalance"),
            "PriceChangeError": abi.pool.event("PriceChangeError"),
            "PrimaryFeesPaid": abi.pool.event("PrimaryFeesPaid"),
            "SecondaryFeesPaid": abi.pool.event("SecondaryFeesPaid"),
            "CreateCommit": abi.committer.event("CreateCommit"),
            "ExecutedCommitsForInterval": abi.committer.event("ExecutedCommitsForInterval"),
            "Claim": abi.committer.event("Claim"),
            "Transfer": abi.token.event("Transfer"),
        }
        self._by_topic = {event.topic0: name for name, event in self._events.items()}

    # ------------------------------------------------------------------ public
    async def sync(self, head: int | None = None) -> int:
        """Index up to ``head`` (the chain head by default); returns the new cursor block."""
        await self._load()
        if head is None:
            head = await self.adapter.rpc.block_number()
        verified = False  # the cursor block is still on the chain
        while True:
            cursor = await asyncio.to_thread(self._cursor)
            if cursor is not None and not verified:
                if not await self._cursor_is_canonical(cursor):
                    await self._handle_reorg()
                    continue
                verified = True
            cursor_block = cursor[0] if cursor else self.network.deploy_block - 1
            if cursor_block >= head:
                return cursor_block
            start = cursor_block + 1
            await self.index_range(start, min(start + self.log_range - 1, head))
            verified = True  # index_range has just read the hash of its last block

    async def index_range(self, start: int, end: int) -> None:
        """Index blocks ``start``..``end`` (inclusive) in one database transaction."""
        await self._load()
        self._seed_from_catalog()
        logs = await self._core_logs(start, end, self.markets.values())
        new_markets, located = await self._new_markets(logs)
        if new_markets:
            first = min(m.deploy_block for m in new_markets)
            logs += await self._core_logs(first, end, new_markets, with_factory=False)
        logs += await self._settlement_logs(start, end)
        logs = _unique_sorted(logs)
        timestamps = await self._timestamps(logs)
        end_header = await self.adapter.rpc.block(end)
        batch = RangeRows(end=end, end_hash=end_header.hash, markets=new_markets + located)
        await self._decode(logs, timestamps, batch)
        await asyncio.to_thread(self._write, batch)

    # ------------------------------------------------------------------ markets
    async def _load(self) -> None:
        if self._loaded:
            return
        records = await asyncio.to_thread(self._stored_markets)
        for record in records:
            fields = record.model_dump(exclude={"chain_id"})
            self.markets[record.pool] = IndexedMarket(**fields)
        self._loaded = True

    def _seed_from_catalog(self) -> None:
        """Markets the adapter already knows (e.g. from the devnet manifest) are indexed from
        the first range, even if their DeployPool log comes later in the walk."""
        for statics in self.adapter.markets.markets:
            info = statics.info
            if info.address not in self.markets:
                self.markets[info.address] = IndexedMarket(
                    pool=info.address,
                    committer=info.committer,
                    long_token=info.long_token,
                    short_token=info.short_token,
                    settlement_token=info.settlement_token,
                    name=info.name,
                    deploy_block=info.deploy_block,
                    deploy_tx="",
                    secondary_fee_split_percent=statics.secondary_fee_split_percent,
                )

    async def _new_markets(
        self, logs: Sequence[RawLog]
    ) -> tuple[list[IndexedMarket], list[IndexedMarket]]:
        """Markets deployed in ``logs``: (new ones, known ones whose deployment is now known)."""
        deploy = self._events["DeployPool"]
        found: dict[str, RawLog] = {}
        for log in logs:
            if log.address == self.network.factory and log.topics[0] == deploy.topic0:
                pool = str(deploy.decode(log.topics, log.data)["pool"])
                found[pool] = log
        known = [p for p in found if p in self.markets and not self.markets[p].deploy_tx]
        for pool in known:  # seeded from the catalog: now we know its deployment
            self.markets[pool].deploy_block = found[pool].block_number
            self.markets[pool].deploy_tx = _hex(found[pool].transaction_hash)
        fresh = [p for p in found if p not in self.markets]
        if fresh:
            await self.adapter.markets.load_markets(fresh)
        added = []
        for pool in fresh:
            statics = self.adapter.markets.statics(pool)
            if statics is None:
                raise ChainError(f"the new market {pool} could not be read; retrying later")
            info = statics.info
            market = IndexedMarket(
                pool=pool,
                committer=info.committer,
                long_token=info.long_token,
                short_token=info.short_token,
                settlement_token=info.settlement_token,
                name=info.name,
                deploy_block=found[pool].block_number,
                deploy_tx=_hex(found[pool].transaction_hash),
                secondary_fee_split_percent=statics.secondary_fee_split_percent,
            )
            self.markets[pool] = market
            added.append(market)
        return added, [self.markets[p] for p in known]

    # ------------------------------------------------------------------ logs
    async def _core_logs(
        self,
        start: int,
        end: int,
        markets: Iterable[IndexedMarket],
        *,
        with_factory: bool = True,
    ) -> list[RawLog]:
        addresses: list[str] = []
        if with_factory:
            keepers = {s.keeper for s in self.adapter.markets.markets} | {self.network.pool_keeper}
            addresses += [self.network.factory, *sorted(keepers)]
        for market in markets:
            addresses += [market.pool, market.committer, market.long_token, market.short_token]
        if not addresses:
            return []
        return await self._logs(start, end, addresses, [])

    async def _settlement_logs(self, start: int, end: int) -> list[RawLog]:
        if not self.markets:
            return []
        tokens = sorted({m.settlement_token for m in self.markets.values()})
        pools = [bytes(12) + bytes.fromhex(p[2:]) for p in sorted(self.markets)]
        transfer = self._events["Transfer"].topic0
        outgoing = await self._logs(start, end, tokens, [transfer, pools])
        incoming = await self._logs(start, end, tokens, [transfer, None, pools])
        return outgoing + incoming

    async def _logs(
        self, start: int, end: int, addresses: list[str], topics: list[Any]
    ) -> list[RawLog]:
        """``eth_getLogs``, halving the range while the node says it is too large."""
        try:
            return await self.adapter.rpc.logs(
                from_block=start, to_block=end, addresses=addresses, topics=topics
            )
        except RpcError:
            if start == end:
                raise
            middle = (start + end) // 2
            return await self._logs(start, middle, addresses, topics) + await self._logs(
                middle + 1, end, addresses, topics
            )

    async def _timestamps(self, logs: Sequence[RawLog]) -> dict[int, int]:
        stamps = {log.block_number: log.block_timestamp for log in logs}
        missing = [number for number, stamp in stamps.items() if stamp is None]
        headers = await self.adapter.rpc.blocks(missing) if missing else {}
        if len(headers) < len(missing):
            raise ChainError("The chain reorganised while the indexer read it; retrying.")
        return {
            number: stamp if stamp is not None else headers[number].timestamp
            for number, stamp in stamps.items()
        }

    # ------------------------------------------------------------------ decoding
    async def _decode(
        self, logs: Sequence[RawLog], timestamps: dict[int, int], batch: RangeRows
    ) -> None:
        by_pool = self.markets
        by_committer = {m.committer: m for m in by_pool.values()}
        by_token: dict[str, tuple[IndexedMarket, str]] = {}
        for market in by_pool.values():
            by_token[market.long_token] = (market, "long")
            by_token[market.short_token] = (market, "short")
        settlement_tokens = {m.settlement_token for m in by_pool.values()}
        keepers = {s.keeper for s in self.adapter.markets.markets} | {self.network.pool_keeper}

        upkeeps: list[_PendingUpkeep] = []
        executions: list[tuple[RawLog, IndexedMarket, dict[str, Any]]] = []
        for tx_logs in _by_transaction(logs):
            upkeeps += self._upkeeps_of(tx_logs, keepers)
            for log in tx_logs:
                name = self._by_topic.get(log.topics[0]) if log.topics else None
                if name is None:
                    continue
                try:
                    args = self._events[name].decode(log.topics, log.data)
                except ChainError:
                    continue  # same topic, other layout (e.g. ERC-721 Transfer): not ours
                base = {
                    "chain_id": self.chain_id,
                    "block_number": log.block_number,
                    "block_timestamp": timestamps[log.block_number],
                    "tx_hash": _hex(log.transaction_hash),
                    "log_index": log.log_index,
                }
                batch.block_hashes[log.block_number] = log.block_hash
                committer_market = by_committer.get(log.address)
                if committer_market is not None:
                    if name == "CreateCommit":
                        batch.rows[CommitRecord].append(
                            base
                            | {
                                "pool": committer_market.pool,
                                "committer": log.address,
                                "account": args["user"],
                                "commit_type": args["commitType"],
                                "amount": args["amount"],
                                "update_interval_id": args["appropriateUpdateIntervalId"],
                                "from_aggregate_balance": args["fromAggregateBalance"],
                                "pay_for_claim": args["payForClaim"],
                                "minting_fee": _hex(args["mintingFee"]),
                            }
                        )
                    elif name == "Claim":
                        batch.rows[ClaimRecord].append(
                            base
                            | {
                                "pool": committer_market.pool,
                                "committer": log.address,
                                "account": args["user"],
                            }
                        )
                    elif name == "ExecutedCommitsForInterval":
                        executions.append((log, committer_market, base | args))
                elif log.address in by_pool and name in ("PrimaryFeesPaid", "SecondaryFeesPaid"):
                    kind = "primary" if name == "PrimaryFeesPaid" else "secondary"
                    receiver = args["feeAddress" if kind == "primary" else "secondaryFeeAddress"]
                    batch.rows[FeePaymentRecord].append(
                        base
                        | {
                            "pool": log.address,
                            "kind": kind,
                            "receiver": receiver,
                            "amount": args["amount"],
                        }
                    )
                elif name == "Transfer":
                    transfer = self._transfer_row(log, args, by_token, settlement_tokens)
                    if transfer is not None:
                        batch.rows[TokenTransferRecord].append(base | transfer)

        await self._add_state_reads(upkeeps, executions, timestamps, batch)

    def _transfer_row(
        self,
        log: RawLog,
        args: dict[str, Any],
        by_token: dict[str, tuple[IndexedMarket, str]],
        settlement_tokens: set[str],
    ) -> dict[str, Any] | None:
        sender, recipient = args["from"], args["to"]
        if log.address in by_token:
            market, kind = by_token[log.address]
            pool = market.pool
        elif log.address in settlement_tokens:
            kind = "settlement"
            pool_market = self.markets.get(sender) or self.markets.get(recipient)
            if pool_market is None or pool_market.settlement_token != log.address:
                return None
            pool = pool_market.pool
        else:
            return None
        return {
            "pool": pool,
            "token": log.address,
            "kind": kind,
            "sender": sender,
            "recipient": recipient,
            "amount": args["value"],
        }

    def _upkeeps_of(self, tx_logs: Sequence[RawLog], keepers: set[str]) -> list[_PendingUpkeep]:
        """The upkeeps in one transaction, in the order of §2.12: per pool, the pool's
        rebalance event, then the keeper's outcome, then the keeper payment."""
        events = self._events
        rebalances: dict[str, tuple[str, dict[str, Any]]] = {}
        errors: dict[str, list[tuple[RawLog, str]]] = defaultdict(list)
        last: dict[str, _PendingUpkeep] = {}
        found: list[_PendingUpkeep] = []
        for log in tx_logs:
            name = self._by_topic.get(log.topics[0]) if log.topics else None
            if name in ("PoolRebalance", "PriceChangeError") and log.address in self.markets:
                rebalances[log.address] = (name, events[name].decode(log.topics, log.data))
            elif log.address not in keepers or name is None:
                continue
            elif name == "PoolUpkeepError":
                args = events[name].decode(log.topics, log.data)
                errors[args["pool"]].append((log, str(args["reason"])))
            elif name == "UpkeepSuccessful":
                args = events[name].decode(log.topics, log.data)
                pool = args["pool"]
                kind, rebalance = rebalances.pop(pool, ("", None))
                poll_errors = errors.pop(pool, [])
                upkeep = _PendingUpkeep(
                    log=log,
                    pool=pool,
                    succeeded=True,
                    poll_error=poll_errors[0][1] if poll_errors else None,
                    old_price=args["startPrice"],
                    new_price=args["endPrice"],
                    rebalance=rebalance if kind == "PoolRebalance" else None,
                    price_change_error=kind == "PriceChangeError",
                )
                found.append(upkeep)
                last[pool] = upkeep
            elif name in ("KeeperPaid", "KeeperPaymentError"):
                args = events[name].decode(log.topics, log.data)
                pool = args["_pool"]
                failures = errors.pop(pool, [])
                if failures:  # no UpkeepSuccessful: the last error is the upkeep's failure
                    failure_log, reason = failures[-1]
                    upkeep = _PendingUpkeep(
                        log=failure_log,
                        pool=pool,
                        succeeded=False,
                        error=reason,
                        poll_error=failures[0][1] if len(failures) > 1 else None,
                    )
                    found.append(upkeep)
                    last[pool] = upkeep
                if pool in last:
                    last[pool].keeper = args["keeper"]
                    last[pool].keeper_reward = args["reward"] if name == "KeeperPaid" else 0
        return [u for u in found if u.pool in self.markets]

    async def _add_state_reads(
        self,
        upkeeps: Sequence[_PendingUpkeep],
        executions: Sequence[tuple[RawLog, IndexedMarket, dict[str, Any]]],
        timestamps: dict[int, int],
        batch: RangeRows,
    ) -> None:
        """priceHistory for the executed intervals, balances around each upkeep: one batch."""
        abi = v2_abis()
        prices = CallPlan()
        for _, market, args in executions:
            function = abi.committer.fn("priceHistory")
            interval_id = args["updateIntervalId"]
            prices.add((market.committer, interval_id), market.committer, function, interval_id)
        # Per upkeep block: the pools' state at the end of the block before, and of the block.
        arounds: dict[int, tuple[CallPlan, CallPlan]] = {}
        for upkeep in upkeeps:
            plans = arounds.setdefault(upkeep.log.block_number, (CallPlan(), CallPlan()))
            market = self.markets[upkeep.pool]
            plans[0].add(("balances", market.pool), market.pool, abi.pool.fn("balances"))
            address_fn = abi.pool.fn("secondaryFeeAddress")
            plans[0].add(("secondary", market.pool), market.pool, address_fn)
            plans[1].add(("balances", market.pool), market.pool, abi.pool.fn("balances"))
            for token in (market.long_token, market.short_token):
                plans[1].add(("supply", token), token, abi.token.fn("totalSupply"))
        # priceHistory is never deleted, so the latest block serves every past interval.
        price_result = await self.adapter.multicall.run(prices.calls) if executions else None
        for _, market, args in executions:
            assert price_result is not None
            key = (market.committer, args["updateIntervalId"])
            long_price, short_price = prices.outcome(price_result, key).value()
            batch.rows[IntervalExecutionRecord].append(
                {key: args[key] for key in _BASE_COLUMNS}
                | {
                    "pool": market.pool,
                    "committer": market.committer,
                    "update_interval_id": args["updateIntervalId"],
                    "burning_fee": _hex(args["burningFee"]),
                    "long_price": _hex(long_price),
                    "short_price": _hex(short_price),
                }
            )
        if not upkeeps:
            return

        around_results: dict[int, tuple[Answers, Answers]] = {}
        requests: list[tuple[Sequence[Call], BlockId]] = []
        for number, (before_plan, after_plan) in arounds.items():
            requests += [(before_plan.calls, number - 1), (after_plan.calls, number)]
        try:
            results = iter(await self.adapter.multicall.run_at_blocks(requests))
            around_results = {
                number: (Answers(before_plan, next(results)), Answers(after_plan, next(results)))
                for number, (before_plan, after_plan) in arounds.items()
            }
        except RpcError as error:
            # A node that keeps no state for old blocks (not an archive node): the upkeeps
            # are still indexed, without their balances.
            logger.warning(
                "balances around upkeeps in blocks %d-%d unavailable (%s): left empty",
                min(arounds),
                max(arounds),
                error.node_message,
            )

        for upkeep in upkeeps:
            market = self.markets[upkeep.pool]
            number = upkeep.log.block_number
            state: dict[str, int | None] = dict.fromkeys(_STATE_COLUMNS)
            has_secondary = True  # the deployer's share, unless the state says otherwise
            if number in around_results:
                before, after = around_results[number]
                short_before, long_before = before["balances", market.pool]
                short_after, long_after = after["balances", market.pool]
                has_secondary = before["secondary", market.pool] != ZERO_ADDRESS
                state = {
                    "long_balance_before": int(long_before),
                    "short_balance_before": int(short_before),
                    "long_balance_after": int(long_after),
                    "short_balance_after": int(short_after),
                    "long_supply_after": int(after["supply", market.long_token]),
                    "short_supply_after": int(after["supply", market.short_token]),
                }
            rebalance = upkeep.rebalance or {}
            long_fee = int(rebalance.get("longFeeAmount", 0))
            short_fee = int(rebalance.get("shortFeeAmount", 0))
            primary, secondary = fee_split(
                long_fee + short_fee, market.secondary_fee_split_percent, has_secondary
            )
            batch.block_hashes[number] = upkeep.log.block_hash
            batch.rows[UpkeepRecord].append(
                {
                    "chain_id": self.chain_id,
                    "pool": market.pool,
                    "block_number": number,
                    "block_timestamp": timestamps[number],
                    "tx_hash": _hex(upkeep.log.transaction_hash),
                    "log_index": upkeep.log.log_index,
                    "succeeded": upkeep.succeeded,
                    "error": upkeep.error,
                    "poll_error": upkeep.poll_error,
                    "old_price": upkeep.old_price,
                    "new_price": upkeep.new_price,
                    "value_transferred": upkeep.rebalance is not None,
                    "long_balance_change": int(rebalance.get("longBalanceChange", 0)),
                    "short_balance_change": int(rebalance.get("shortBalanceChange", 0)),
                    "long_fee": long_fee,
                    "short_fee": short_fee,
                    "primary_fee": primary,
                    "secondary_fee": secondary,
                    **state,
                    "keeper": upkeep.keeper,
                    "keeper_reward": upkeep.keeper_reward,
                }
            )

    # ------------------------------------------------------------------ reorgs
    async def _cursor_is_canonical(self, cursor: tuple[int, bytes]) -> bool:
        number, stored = cursor
        if number < 0:
            return True
        header = (await self.adapter.rpc.blocks([number])).get(number)
        return header is not None and header.hash == stored

    async def _handle_reorg(self) -> None:
        stored = await asyncio.to_thread(self._stored_hashes)
        fork: tuple[int, bytes] | None = None
        for chunk_start in range(0, len(stored), 64):
            chunk = stored[chunk_start : chunk_start + 64]
            headers = await self.adapter.rpc.blocks([number for number, _ in chunk])
            match = next(((n, h) for n, h in chunk if n in headers and headers[n].hash == h), None)
            if match is not None:
                fork = match
                break
        fork_point = fork[0] if fork else -1  # nothing in common: another chain, start over
        logger.warning(
            "chain reorganisation on %s: rolling the index back to block %d",
            self.network.name,
            fork_point,
        )
        await asyncio.to_thread(self._rollback, fork_point, fork[1] if fork else None)
        self.markets = {p: m for p, m in self.markets.items() if m.deploy_block <= fork_point}

    # ------------------------------------------------------------------ database
    def _session(self) -> Session:
        return Session(self.engine)

    def _require_tables(self) -> None:
        if not sa.inspect(self.engine).has_table(table_of(IndexerCursor).name):
            raise IndexNotReady(
                "The index database has no tables: run `reflex db migrate` (scripts/setup.sh "
                "does it)."
            )

    def _cursor(self) -> tuple[int, bytes] | None:
        self._require_tables()
        with self._session() as session:
            row = session.get(IndexerCursor, self.chain_id)
            return None if row is None else (row.block_number, bytes.fromhex(row.block_hash[2:]))

    def _stored_markets(self) -> list[MarketRecord]:
        self._require_tables()
        markets = table_of(MarketRecord)
        with self._session() as session:
            query = sa.select(MarketRecord).where(markets.c.chain_id == self.chain_id)
            return list(session.scalars(query))

    def _stored_hashes(self) -> list[tuple[int, bytes]]:
        blocks = table_of(IndexedBlock)
        query = (
            sa.select(blocks.c.number, blocks.c.hash)
            .where(blocks.c.chain_id == self.chain_id)
            .order_by(blocks.c.number.desc())
        )
        with self._session() as session:
            return [(n, bytes.fromhex(h[2:])) for n, h in session.execute(query)]

    def _write(self, batch: RangeRows) -> None:
        hashes = {**batch.block_hashes, batch.end: batch.end_hash}
        blocks = table_of(IndexedBlock)
        this_chain = blocks.c.chain_id == self.chain_id
        with self._session() as session, session.begin():
            for market in batch.markets:
                session.merge(market.record(self.chain_id))
            for model, rows in batch.rows.items():
                insert_ignoring_duplicates(session, model, rows)
            session.execute(sa.delete(blocks).where(this_chain, blocks.c.number.in_(list(hashes))))
            insert_ignoring_duplicates(
                session,
                IndexedBlock,
                [
                    {"chain_id": self.chain_id, "number": n, "hash": _hex(h)}
                    for n, h in hashes.items()
                ],
            )
            oldest_kept = batch.end - self.keep_block_hashes
            session.execute(sa.delete(blocks).where(this_chain, blocks.c.number < oldest_kept))
            cursor = session.get(IndexerCursor, self.chain_id)
            if cursor is None or cursor.block_number <= batch.end:  # re-indexing stays behind
                session.merge(
                    IndexerCursor(
                        chain_id=self.chain_id,
                        network=self.network.name,
                        block_number=batch.end,
                        block_hash=_hex(batch.end_hash),
                        updated_at=time.time(),
                    )
                )

    def _rollback(self, fork_point: int, fork_hash: bytes | None) -> None:
        """Delete everything above ``fork_point`` and move the cursor there, atomically."""
        with self._session() as session, session.begin():
            for model in BLOCK_TABLES:
                table = table_of(model)
                session.execute(
                    sa.delete(table).where(
                        table.c.chain_id == self.chain_id, table.c.block_number > fork_point
                    )
                )
            markets = table_of(MarketRecord)
            session.execute(
                sa.delete(markets).where(
                    markets.c.chain_id == self.chain_id, markets.c.deploy_block > fork_point
                )
            )
            blocks = table_of(IndexedBlock)
            session.execute(
                sa.delete(blocks).where(
                    blocks.c.chain_id == self.chain_id, blocks.c.number > fork_point
                )
            )
            cursor = session.get(IndexerCursor, self.chain_id)
            if cursor is not None:
                if fork_hash is None:
                    session.delete(cursor)
                else:
                    cursor.block_number = fork_point
                    cursor.block_hash = _hex(fork_hash)
                    cursor.updated_at = time.time()


def table_of(model: type[SQLModel]) -> sa.Table:
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    return table


def insert_ignoring_duplicates(
    session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]
) -> None:
    """INSERT ... ON CONFLICT DO NOTHING, in chunks (SQLite and PostgreSQL)."""
    if not rows:
        return
    table = table_of(model)
    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"the index supports SQLite and PostgreSQL, not {dialect}")
    for start in range(0, len(rows), _INSERT_CHUNK):
        chunk = list(rows[start : start + _INSERT_CHUNK])
        if dialect == "postgresql":
            session.execute(postgresql.insert(table).values(chunk).on_conflict_do_nothing())
        else:
            session.execute(sqlite.insert(table).values(chunk).on_conflict_do_nothing())


def _unique_sorted(logs: Iterable[RawLog]) -> list[RawLog]:
    unique = {(log.block_number, log.log_index): log for log in logs if not log.removed}
    return [unique[key] for key in sorted(unique)]


def _by_transaction(logs: Sequence[RawLog]) -> list[list[RawLog]]:
    groups: dict[bytes, list[RawLog]] = {}
    for log in logs:
        groups.setdefault(log.transaction_hash, []).append(log)
    return list(groups.values())
