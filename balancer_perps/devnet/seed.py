"""Seed the devnet with hours of history, by moving block time from genesis to the present.

The chain starts in the past (anvil ``--timestamp``). ``seed_history`` then plays a seeded
timeline on it: a block about every ``FEED_STEP`` seconds, stamped with its own time
(``evm_mine``), holding in order

- one Multicall3 transaction that moves every feed (``feed.PriceModel``: geometric random
  walks with each asset's annualised volatility);
- one ``performUpkeepMultiplePools`` from the keeper account for every pool due by then
  (so upkeeps run on schedule, up to a block late);
- trader activity per pool at random (Poisson) times: mints, burns and flips, from the
  wallet and from the aggregate balance, some paying AutoClaim, claims and paid claims.
  Each trader reads their balances first, so every action is one they can afford.

Automine is off while seeding (a block is mined only with its event's timestamp), and on
again at the end, when block time has caught up with the wall clock; real time continues.
"""

from __future__ import annotations

import heapq
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from balancer_perps.devnet.feed import PriceModel, update_calldata
from balancer_perps.devnet.jsonrpc import JsonRpc, calldata
from balancer_perps.devnet.manifest import MULTICALL3_ADDRESS, Manifest, PoolEntry
from balancer_perps.devnet.markets import token
from balancer_perps.domain.commit_encoding import encode_commit_params
from balancer_perps.domain.types import CommitType

log = logging.getLogger("balancer_perps.devnet.seed")

TRADERS = ("trader1", "trader2", "trader3", "trader4", "trader5")
FEED_STEP = 60  # seconds between two blocks (and feed updates) in the history
MAX_UINT = 2**256 - 1
WALLET_FUNDING = 10_000  # typical trades per trader and token
OPENING_LIQUIDITY = 20  # typical trades minted on each side of each pool at the start
PAID_CLAIM_REWARD = 5 * 10**14  # 0.0005 ETH attached to commits that pay for an auto-claim
UPKEEP_GAS = 12_000_000  # explicit limits (automine is off): ample, and within a block
TX_GAS = 1_000_000

ACTION_OF_TYPE = ("mint", "burn", "mint", "burn", "flip", "flip")  # by CommitType


@dataclass
class SeedStats:
    blocks: int = 0
    transactions: int = 0
    failed: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    started_at: int = 0
    ended_at: int = 0

    def summary(self) -> str:
        actions = ", ".join(f"{n} {kind}" for kind, n in sorted(self.actions.items()))
        hours = (self.ended_at - self.started_at) / 3600
        return (
            f"{hours:.1f} h of history: {self.blocks} blocks, {self.transactions} transactions"
            f" ({actions}); {self.failed} failed"
        )


@dataclass
class _Pool:
    entry: PoolEntry
    typical_trade: int  # raw settlement units
    last_upkeep: int
    paid_requests: set[str] = field(default_factory=set)


class HistorySeeder:
    def __init__(self, rpc: JsonRpc, manifest: Manifest, rng: random.Random) -> None:
        self.rpc = rpc
        self.manifest = manifest
        self.rng = rng
        self.stats = SeedStats()
        self.now = int(rpc.block()["timestamp"], 16)
        self.traders = [manifest.address_of(role) for role in TRADERS]
        self.feeds = {pair: asset.address for pair, asset in manifest.feeds.items()}
        self.model = PriceModel.initial(rng)
        self.pools = []
        for entry in manifest.pools:
            spec = token(entry.settlement_symbol)
            (last,) = rpc.read([(entry.address, calldata("lastPriceTimestamp()"), ["uint256"])])[0]
            self.pools.append(_Pool(entry, spec.typical_trade * spec.unit, int(last)))
        self._pending: list[tuple[str, str]] = []  # (tx hash, action) not yet checked
        self._trades: list[tuple[int, int, int]] = []  # (time, sequence, pool index) heap
        self._sequence = 0

    # --- blocks and transactions -------------------------------------------------------

    def _send(
        self, action: str, sender: str, to: str, data: str, *, value: int = 0, gas: int = TX_GAS
    ) -> None:
        tx_hash = self.rpc.send(sender, to, data, value=value, gas=gas)
        self._pending.append((tx_hash, action))
        self.stats.transactions += 1
        self.stats.actions[action] += 1

    def _mine(self, timestamp: int) -> None:
        """Mine the sent transactions in one block at ``timestamp`` (at least now + 1)."""
        self.now = max(timestamp, self.now + 1)
        self.rpc.call("evm_mine", [self.now])
        self.stats.blocks += 1
        if len(self._pending) >= 200:
            self._check_receipts()

    def _check_receipts(self) -> None:
        receipts = self.rpc.batch(
            [("eth_getTransactionReceipt", [tx_hash]) for tx_hash, _ in self._pending]
        )
        for (tx_hash, action), receipt in zip(self._pending, receipts, strict=True):
            if receipt is None or int(receipt["status"], 16) != 1:
                self.stats.failed += 1
                log.warning("seeded %s transaction %s failed", action, tx_hash)
        self._pending.clear()

    # --- the timeline --------------------------------------------------------------------

    def _schedule_trade(self, index: int, after: int) -> None:
        """Draw the next trader action in pool ``index``: Poisson arrivals, busier in pools
        with short intervals."""
        pool = self.pools[index]
        mean = min(max(pool.entry.update_interval * 0.75, 60.0), 1_200.0)
        at = after + max(1, round(self.rng.expovariate(1.0 / mean)))
        self._sequence += 1
        heapq.heappush(self._trades, (at, self._sequence, index))

    def setup(self) -> None:
        """Fund the traders, approve every pool, and open each pool with liquidity."""
        for pool in self.pools:
            settlement = pool.entry.settlement_token
            for trader in self.traders:
                self._send(
                    "approve",
                    trader,
                    settlement,
                    calldata("approve(address,uint256)", pool.entry.address, MAX_UINT),
                    gas=100_000,
                )
        for symbol, asset in self.manifest.tokens.items():
            amount = token(symbol).typical_trade * token(symbol).unit * WALLET_FUNDING
            for trader in self.traders:
                self._send(
                    "faucet",
                    trader,
                    asset.address,
                    calldata("mint(address,uint256)", trader, amount),
                    gas=100_000,
                )
        self._mine(self.now + 1)
        for pool in self.pools:
            opening = pool.typical_trade * OPENING_LIQUIDITY
            self._commit(pool, self.traders[0], CommitType.LONG_MINT, opening, False)
            self._commit(pool, self.traders[1], CommitType.SHORT_MINT, opening, False)
        self._mine(self.now + 1)

    def run(self, until: Callable[[], int]) -> SeedStats:
        """Play the timeline until block time reaches ``until()`` (re-read as time passes).

        One block about every ``FEED_STEP`` seconds holds, in order: the feed update, the
        upkeep of every due pool, and the trader actions drawn for that stretch of time.
        (anvil's cost per block grows with the chain's storage, so fewer, fuller blocks make
        a long history affordable.)"""
        self.stats.started_at = self.now
        self.rpc.call("evm_setAutomine", [False])
        try:
            self.setup()
            for index in range(len(self.pools)):
                self._schedule_trade(index, self.now)
            while True:
                block_time = self.now + FEED_STEP + self.rng.randint(-3, 3)
                if block_time > until():
                    break
                self._feed(block_time)
                upkept = self._upkeep(block_time)
                acted: set[tuple[int, str]] = set()
                while self._trades and self._trades[0][0] <= block_time:
                    _, _, index = heapq.heappop(self._trades)
                    self._trade(index, acted)
                    self._schedule_trade(index, block_time)
                self._mine(block_time)
                self._record_upkeeps(upkept)
            self._check_receipts()
        finally:
            self.rpc.call("evm_setAutomine", [True])
        self.stats.ended_at = self.now
        return self.stats

    def _feed(self, at: int) -> None:
        self.model.step(at - self.now)
        self._send(
            "feed",
            self.manifest.address_of("feed"),
            MULTICALL3_ADDRESS,
            update_calldata(self.feeds, self.model.answers()),
            gas=1_000_000,
        )

    def _upkeep(self, at: int) -> list[_Pool]:
        """Upkeep every pool that is due at ``at``, in one transaction."""
        due = [p for p in self.pools if p.last_upkeep + p.entry.update_interval <= at]
        if due:
            self._send(
                "upkeep",
                self.manifest.address_of("keeper"),
                self.manifest.contracts["PoolKeeper"],
                calldata("performUpkeepMultiplePools(address[])", [p.entry.address for p in due]),
                gas=UPKEEP_GAS,
            )
        return due

    def _record_upkeeps(self, upkept: list[_Pool]) -> None:
        """Read back when the upkept pools were last upkept (a failed upkeep is retried one
        interval later, not every block)."""
        if not upkept:
            return
        lasts = self.rpc.read(
            [(p.entry.address, calldata("lastPriceTimestamp()"), ["uint256"]) for p in upkept]
        )
        for pool, (last,) in zip(upkept, lasts, strict=True):
            if int(last) == pool.last_upkeep:
                log.warning("seeded upkeep of %s did not happen", pool.entry.name)
                last = self.now
            pool.last_upkeep = int(last)

    # --- traders -------------------------------------------------------------------------

    def _commit(
        self,
        pool: _Pool,
        trader: str,
        commit_type: CommitType,
        amount: int,
        from_aggregate: bool,
        pay_for_claim: bool = False,
    ) -> None:
        action = ACTION_OF_TYPE[commit_type] + (" from escrow" if from_aggregate else "")
        data = calldata(
            "commit(bytes32)",
            encode_commit_params(amount, commit_type, from_aggregate, pay_for_claim),
        )
        value = PAID_CLAIM_REWARD if pay_for_claim else 0
        self._send(action, trader, pool.entry.committer, data, value=value)
        if pay_for_claim:
            pool.paid_requests.add(trader)

    def _portion(self, amount: int, low: int = 250) -> int:
        """A random share (``low``‰ to all) of ``amount``."""
        return amount * self.rng.randint(low, 1000) // 1000

    def _trade(self, index: int, acted: set[tuple[int, str]]) -> None:
        """One action of a random trader in pool ``index`` (each trader acts at most once per
        pool and block: their balances are read from the previous block)."""
        pool = self.pools[index]
        entry = pool.entry
        free = [t for t in self.traders if (index, t) not in acted]
        if not free:
            return
        trader = self.rng.choice(free)
        acted.add((index, trader))
        (wallet_long,), (wallet_short,), (escrow,), (long_balance,), (short_balance,) = (
            self.rpc.read(
                [
                    (entry.long_token, calldata("balanceOf(address)", trader), ["uint256"]),
                    (entry.short_token, calldata("balanceOf(address)", trader), ["uint256"]),
                    (
                        entry.committer,
                        calldata("getAggregateBalance(address)", trader),
                        ["(uint256,uint256,uint256)"],
                    ),
                    (entry.address, calldata("longBalance()"), ["uint256"]),
                    (entry.address, calldata("shortBalance()"), ["uint256"]),
                ]
            )
        )
        escrow_long, escrow_short, escrow_settlement = escrow
        claimable = self._claimable_requests(pool, exclude=trader)
        dust = pool.typical_trade // 1000
        options: list[tuple[str, float]] = [("mint", 5.0)]
        if escrow_settlement > dust:
            options.append(("mint from escrow", 2.0))
        if escrow_long + escrow_short + escrow_settlement > 0:
            options.append(("claim", 3.0))
        if escrow_long > dust or escrow_short > dust:
            options += [("burn from escrow", 1.0), ("flip from escrow", 0.5)]
        if wallet_long > dust or wallet_short > dust:
            options += [("burn", 2.0), ("flip", 0.8)]
        if claimable:
            options.append(("paid claim", 1.5))
        choice = self.rng.choices([o[0] for o in options], [o[1] for o in options])[0]

        if choice == "mint":
            # Lean towards the smaller side so that pools stay two-sided.
            long_side = self.rng.random() < (0.65 if long_balance < short_balance else 0.35)
            multiplier = min(max(self.rng.lognormvariate(0.0, 0.8), 0.05), 10.0)
            amount = pool.typical_trade * round(multiplier * 1000) // 1000
            pay = self.rng.random() < 0.1
            self._commit(
                pool,
                trader,
                CommitType.LONG_MINT if long_side else CommitType.SHORT_MINT,
                amount,
                False,
                pay,
            )
        elif choice == "mint from escrow":
            long_side = self.rng.random() < 0.5
            self._commit(
                pool,
                trader,
                CommitType.LONG_MINT if long_side else CommitType.SHORT_MINT,
                self._portion(escrow_settlement, 500),
                True,
            )
        elif choice == "claim":
            self._send("claim", trader, entry.committer, calldata("claim(address)", trader))
        elif choice in ("burn from escrow", "flip from escrow", "burn", "flip"):
            from_escrow = choice.endswith("escrow")
            held_long, held_short = (
                (escrow_long, escrow_short) if from_escrow else (wallet_long, wallet_short)
            )
            long_side = held_long > dust and (held_short <= dust or self.rng.random() < 0.5)
            held = held_long if long_side else held_short
            if choice.startswith("burn"):
                commit_type = CommitType.LONG_BURN if long_side else CommitType.SHORT_BURN
            else:
                commit_type = (
                    CommitType.LONG_BURN_SHORT_MINT
                    if long_side
                    else CommitType.SHORT_BURN_LONG_MINT
                )
            self._commit(pool, trader, commit_type, self._portion(held), from_escrow)
        else:
            user = self.rng.choice(claimable)
            self._send(
                "paid claim",
                trader,
                self.manifest.contracts["AutoClaim"],
                calldata("paidClaim(address,address)", user, entry.committer),
            )
            pool.paid_requests.discard(user)

    def _claimable_requests(self, pool: _Pool, exclude: str) -> list[str]:
        users = sorted(pool.paid_requests - {exclude})
        if not users:
            return []
        auto_claim = self.manifest.contracts["AutoClaim"]
        checks = self.rpc.read(
            [
                (
                    auto_claim,
                    calldata("checkUserClaim(address,address)", u, pool.entry.committer),
                    ["bool"],
                )
                for u in users
            ]
        )
        return [u for u, (ok,) in zip(users, checks, strict=True) if ok]


def seed_history(
    rpc: JsonRpc, manifest: Manifest, *, seed: int, until: Callable[[], int] | None = None
) -> SeedStats:
    """Play seeded history on a freshly deployed devnet up to ``until()`` (default: the wall
    clock, re-read as seeding goes), then line block time up with the wall clock."""
    seeder = HistorySeeder(rpc, manifest, random.Random(seed))
    stats = seeder.run(until or (lambda: int(time.time()) - 1))
    present = int(time.time())
    if present > seeder.now:
        rpc.call("evm_mine", [present])  # real time continues from here
    return stats
