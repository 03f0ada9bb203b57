"""The devnet keeper: upkeeps every due pool, the way the public V2 keeper bots do.

Each pass it discovers pools from the factory (``numPools`` / ``pools(i)``), reads each
pool's ``lastPriceTimestamp``, ``updateInterval`` and ``paused``, confirms the due ones with
``PoolKeeper.isUpkeepRequiredSinglePool`` and upkeeps them with one
``performUpkeepMultiplePools``. Paused pools are skipped: a batch that contains one reverts
(reference §3.1, §5.5). If the batch still reverts, each pool is tried alone. A pool whose
upkeep fails (``PoolUpkeepError``, or a revert) is retried after ``retry_after`` seconds
rather than every pass, because every failed upkeep still pays the keeper from the pool.

"Now" is the timestamp of the pending block, so time moved by ``evm_increaseTime`` counts.
The loop survives node restarts: it waits and carries on.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal

from eth_abi.abi import decode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from balancer_perps.devnet.jsonrpc import JsonRpc, NodeUnreachable, RpcError, calldata
from balancer_perps.devnet.manifest import Manifest
from balancer_perps.devnet.services import StopFlag

log = logging.getLogger("balancer_perps.devnet.keeper")

UPKEEP_SUCCESSFUL = "0x" + keccak(text="UpkeepSuccessful(address,bytes,int256,int256)").hex()
POOL_UPKEEP_ERROR = "0x" + keccak(text="PoolUpkeepError(address,string)").hex()
KEEPER_PAID = "0x" + keccak(text="KeeperPaid(address,address,uint256)").hex()
GAS_BASE, GAS_PER_POOL, GAS_CAP = 500_000, 2_500_000, 25_000_000


@dataclass(frozen=True)
class PoolInfo:
    address: str
    name: str
    settlement_symbol: str
    settlement_decimals: int


@dataclass
class UpkeepResult:
    pool: PoolInfo
    ok: bool
    detail: str


@dataclass
class Keeper:
    rpc: JsonRpc
    factory: str
    pool_keeper: str
    sender: str
    retry_after: float = 60.0
    pools: list[PoolInfo] = field(default_factory=list)
    retry_at: dict[str, float] = field(default_factory=dict)
    skipped_paused: set[str] = field(default_factory=set)

    @classmethod
    def from_manifest(cls, manifest: Manifest, rpc: JsonRpc | None = None) -> Keeper:
        return cls(
            rpc=rpc or JsonRpc(manifest.rpc_url, timeout=30.0),
            factory=manifest.contracts["PoolFactory"],
            pool_keeper=manifest.contracts["PoolKeeper"],
            sender=manifest.address_of("keeper"),
        )

    def discover(self) -> list[PoolInfo]:
        """Add pools the factory deployed since the last pass."""
        (count,) = self.rpc.read([(self.factory, calldata("numPools()"), ["uint256"])])[0]
        known = len(self.pools)
        if count > known:
            indices = range(known, count)
            addresses = [
                to_checksum_address(r[0])
                for r in self.rpc.read(
                    [(self.factory, calldata("pools(uint256)", i), ["address"]) for i in indices]
                )
            ]
            names = self.rpc.read([(a, calldata("poolName()"), ["string"]) for a in addresses])
            tokens = self.rpc.read(
                [(a, calldata("settlementToken()"), ["address"]) for a in addresses]
            )
            token_reads = []
            for (settlement,) in tokens:
                token_reads += [
                    (to_checksum_address(settlement), calldata("symbol()"), ["string"]),
                    (to_checksum_address(settlement), calldata("decimals()"), ["uint8"]),
                ]
            details = self.rpc.read(token_reads)
            for i, (address, (name,)) in enumerate(zip(addresses, names, strict=True)):
                (symbol,), (places,) = details[2 * i : 2 * i + 2]
                self.pools.append(PoolInfo(address, name, symbol, int(places)))
                log.info("watching %s at %s", name, address)
        return self.pools

    def due(self) -> list[PoolInfo]:
        """Pools that need an upkeep now, minus paused pools and pools waiting for a retry."""
        pools = self.discover()
        if not pools:
            return []
        now = int(self.rpc.block("pending")["timestamp"], 16)
        reads = []
        for pool in pools:
            reads += [
                (pool.address, calldata("lastPriceTimestamp()"), ["uint256"]),
                (pool.address, calldata("updateInterval()"), ["uint32"]),
                (pool.address, calldata("paused()"), ["bool"]),
            ]
        values = self.rpc.read(reads, block="pending")
        candidates = []
        for i, pool in enumerate(pools):
            (last,), (interval,), (paused,) = values[3 * i : 3 * i + 3]
            if now < last + interval:
                continue
            if paused:
                if pool.address not in self.skipped_paused:
                    log.warning("skipping %s: paused", pool.name)
                    self.skipped_paused.add(pool.address)
                continue
            self.skipped_paused.discard(pool.address)
            if self.retry_at.get(pool.address, 0.0) > time.monotonic():
                continue
            candidates.append(pool)
        if not candidates:
            return []
        confirmed = self.rpc.read(
            [
                (
                    self.pool_keeper,
                    calldata("isUpkeepRequiredSinglePool(address)", p.address),
                    ["bool"],
                )
                for p in candidates
            ],
            block="pending",
        )
        return [pool for pool, (required,) in zip(candidates, confirmed, strict=True) if required]

    def upkeep(self, pools: list[PoolInfo]) -> list[UpkeepResult]:
        """Upkeep ``pools`` in one batch; on a revert, one by one."""
        if not pools:
            return []
        try:
            return self._send(
                pools,
                calldata("performUpkeepMultiplePools(address[])", [p.address for p in pools]),
            )
        except RpcError as error:
            if len(pools) == 1:
                self.retry_at[pools[0].address] = time.monotonic() + self.retry_after
                return [UpkeepResult(pools[0], False, f"reverted: {error.message}")]
            log.warning("batch upkeep reverted (%s); trying pools one by one", error.message)
        results = []
        for pool in pools:
            results += self.upkeep([pool])
        return results

    def _send(self, pools: list[PoolInfo], data: str) -> list[UpkeepResult]:
        # An explicit limit: anvil would estimate at the latest block, where the pools may
        # not be due yet, and a silent no-op needs far less gas than an upkeep.
        gas = min(GAS_BASE + GAS_PER_POOL * len(pools), GAS_CAP)
        # Simulate first, in the pending block: a revert raises RpcError with its reason.
        tx = {"from": self.sender, "to": self.pool_keeper, "data": data, "gas": hex(gas)}
        self.rpc.call("eth_call", [tx, "pending"])
        receipt = self.rpc.wait(self.rpc.send(self.sender, self.pool_keeper, data, gas=gas))
        if int(receipt["status"], 16) != 1:
            raise RpcError("performUpkeep", {"message": "transaction reverted"})
        by_address = {p.address.lower(): p for p in pools}
        outcome: dict[str, UpkeepResult] = {}
        paid: dict[str, int] = {}
        for entry in receipt["logs"]:
            topics: list[str] = entry["topics"]
            if not topics or len(topics) < 2:
                continue
            pool = by_address.get("0x" + topics[1][-40:].lower())
            if pool is None:
                continue
            if topics[0] == UPKEEP_SUCCESSFUL:
                start, end = (_int256(t) for t in topics[2:4])
                outcome[pool.address] = UpkeepResult(
                    pool, True, f"price {_wad(start)} -> {_wad(end)}"
                )
            elif topics[0] == POOL_UPKEEP_ERROR:
                (reason,) = decode(["string"], bytes.fromhex(entry["data"][2:]))
                outcome.setdefault(pool.address, UpkeepResult(pool, False, f"error: {reason}"))
            elif topics[0] == KEEPER_PAID:
                (paid[pool.address],) = decode(["uint256"], bytes.fromhex(entry["data"][2:]))
        results = []
        block = int(receipt["blockNumber"], 16)
        for pool in pools:
            result = outcome.get(pool.address, UpkeepResult(pool, False, "no upkeep event"))
            reward = Decimal(paid.get(pool.address, 0)).scaleb(-pool.settlement_decimals)
            result.detail += f", keeper paid {reward:.6g} {pool.settlement_symbol} (block {block})"
            if result.ok:
                self.retry_at.pop(pool.address, None)
            else:
                self.retry_at[pool.address] = time.monotonic() + self.retry_after
            results.append(result)
        return results

    def run_once(self) -> list[UpkeepResult]:
        results = self.upkeep(self.due())
        for result in results:
            level = logging.INFO if result.ok else logging.WARNING
            log.log(
                level,
                "upkeep %s %s: %s",
                result.pool.name,
                "ok" if result.ok else "FAILED",
                result.detail,
            )
        return results


def _int256(topic: str) -> int:
    value = int(topic, 16)
    return value - (1 << 256) if value >> 255 else value


def _wad(value: int) -> str:
    return f"{Decimal(value).scaleb(-18):.8g}"


def run_keeper(manifest: Manifest, *, interval: float = 1.0, retry_after: float = 60.0) -> None:
    """The keeper process: a pass every ``interval`` seconds until SIGTERM."""
    stop = StopFlag()
    keeper = Keeper.from_manifest(manifest)
    keeper.retry_after = retry_after
    reachable = True
    log.info(
        "keeper started: factory %s, sender %s, node %s",
        keeper.factory,
        keeper.sender,
        keeper.rpc.url,
    )
    while not stop.requested:
        try:
            keeper.run_once()
            if not reachable:
                log.info("node reachable again")
                reachable = True
        except NodeUnreachable as error:
            if reachable:
                log.warning("node unreachable, retrying: %s", error)
                reachable = False
        except RpcError as error:
            log.error("keeper pass failed: %s", error)
        stop.sleep(interval)
    log.info("keeper stopped")
