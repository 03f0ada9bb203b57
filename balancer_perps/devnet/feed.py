"""Devnet prices: seeded random walks of the USD feeds and the derived ETH/<settlement> feeds.

``PriceModel`` is a simulation, so it works in floats; what reaches the chain are integer
feed answers. Base feeds (ETH/USD, BTC/USD, BAL/USD, EUR/USD; 8 decimals) follow geometric
random walks with their annualised volatility. The keeper-reward feeds price 1 ETH in each
settlement token (18 decimals) and are derived from the integer base answers of the same
update, so they are always consistent with them:

- ETH/BAL = ETH/USD ÷ BAL/USD
- ETH/B-80BAL-20WETH: the 80/20 pool token is worth BAL^0.8 · ETH^0.2 (USD), the value of
  a weighted-pool share at a constant invariant, scaled so it trades near $10
- ETH/auraBAL: auraBAL trades at a slowly mean-reverting discount (``peg``) to that token
- ETH/USDC: USDC = 1 USD

``run_feed`` is the feed process: every few seconds it reads the current answers from the
chain (so prices a test sets by hand are respected), steps the walks by the real time that
passed, and writes every feed in one Multicall3 transaction.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from balancer_perps.devnet.jsonrpc import JsonRpc, NodeUnreachable, RpcError, calldata
from balancer_perps.devnet.manifest import MULTICALL3_ADDRESS, Manifest
from balancer_perps.devnet.markets import (
    BASE_FEED_DECIMALS,
    BASE_FEEDS,
    ETH_FEED_DECIMALS,
    TOKENS,
)
from balancer_perps.devnet.services import StopFlag

log = logging.getLogger("balancer_perps.devnet.feed")

SECONDS_PER_YEAR = 31_556_952
AURABAL_PEG = 0.88  # auraBAL / B-80BAL-20WETH, long-run mean
AURABAL_PEG_VOLATILITY = 0.15  # annualised
AURABAL_PEG_REVERSION = 365.0  # per year: deviations halve in about half a day
BPT_SCALE = 1.0  # B-80BAL-20WETH USD = BPT_SCALE · BAL^0.8 · ETH^0.2


def feed_pairs() -> list[str]:
    """Every feed the devnet deploys: base USD feeds, then the ETH/<settlement> feeds."""
    return [f.pair for f in BASE_FEEDS] + [t.eth_feed for t in TOKENS]


def feed_decimals(pair: str) -> int:
    return BASE_FEED_DECIMALS if pair in {f.pair for f in BASE_FEEDS} else ETH_FEED_DECIMALS


@dataclass
class PriceModel:
    """Base USD prices (floats) and the auraBAL peg, stepped by seeded random walks."""

    usd: dict[str, float]  # base asset symbol -> USD price
    peg: float  # auraBAL per B-80BAL-20WETH in value
    rng: random.Random

    @classmethod
    def initial(cls, rng: random.Random) -> PriceModel:
        return cls({f.base: float(f.initial_price) for f in BASE_FEEDS}, AURABAL_PEG, rng)

    @classmethod
    def from_answers(cls, answers: Mapping[str, int], rng: random.Random) -> PriceModel:
        """Resume from on-chain answers (the peg is implied by the two derived feeds)."""
        usd = {f.base: answers[f.pair] / 10**BASE_FEED_DECIMALS for f in BASE_FEEDS}
        bpt, aura = answers.get("ETH/B-80BAL-20WETH"), answers.get("ETH/auraBAL")
        peg = bpt / aura if bpt and aura and bpt > 0 and aura > 0 else AURABAL_PEG
        return cls(usd, peg, rng)

    def step(self, seconds: float) -> None:
        """Advance every walk by ``seconds`` of time."""
        if seconds <= 0:
            return
        years = seconds / SECONDS_PER_YEAR
        for spec in BASE_FEEDS:
            sigma = spec.annual_volatility
            shock = sigma * math.sqrt(years) * self.rng.gauss(0.0, 1.0)
            self.usd[spec.base] *= math.exp(shock - sigma * sigma * years / 2)
        deviation = math.log(self.peg / AURABAL_PEG)
        deviation *= math.exp(-AURABAL_PEG_REVERSION * years)
        deviation += AURABAL_PEG_VOLATILITY * math.sqrt(years) * self.rng.gauss(0.0, 1.0)
        self.peg = AURABAL_PEG * math.exp(deviation)

    def settlement_usd(self, symbol: str) -> float:
        """USD value of one settlement token under the model."""
        if symbol == "USDC":
            return 1.0
        if symbol == "BAL":
            return self.usd["BAL"]
        bpt = BPT_SCALE * math.pow(self.usd["BAL"], 0.8) * math.pow(self.usd["ETH"], 0.2)
        if symbol == "B-80BAL-20WETH":
            return bpt
        if symbol == "auraBAL":
            return bpt * self.peg
        raise KeyError(f"no USD price model for settlement token {symbol}: add it to PriceModel")

    def answers(self) -> dict[str, int]:
        """Integer answers for every feed; the derived feeds use the rounded base answers."""
        scale = 10**BASE_FEED_DECIMALS
        result = {f.pair: max(1, round(self.usd[f.base] * scale)) for f in BASE_FEEDS}
        eth_usd = result["ETH/USD"]
        for spec in TOKENS:
            if spec.symbol == "BAL":
                settlement_usd = result["BAL/USD"]
            elif spec.symbol == "USDC":
                settlement_usd = scale
            else:
                settlement_usd = max(1, round(self.settlement_usd(spec.symbol) * scale))
            result[spec.eth_feed] = eth_usd * 10**ETH_FEED_DECIMALS // settlement_usd
        return result


def initial_answer(pair: str) -> int:
    """The answer a feed is deployed with."""
    return PriceModel.initial(random.Random(0)).answers()[pair]


def update_calldata(feeds: Mapping[str, str], answers: Mapping[str, int]) -> str:
    """Multicall3.aggregate calldata that writes ``answers`` (pair -> answer) to ``feeds``."""
    calls = [
        (feeds[pair], bytes.fromhex(calldata("updateAnswer(int256)", answer)[2:]))
        for pair, answer in answers.items()
    ]
    return calldata("aggregate((address,bytes)[])", calls)


def read_answers(rpc: JsonRpc, feeds: Mapping[str, str]) -> dict[str, int]:
    pairs = list(feeds)
    results = rpc.read([(feeds[p], calldata("latestAnswer()"), ["int256"]) for p in pairs])
    return {pair: int(result[0]) for pair, result in zip(pairs, results, strict=True)}


def describe(answers: Mapping[str, int]) -> str:
    return "  ".join(
        f"{pair} {Decimal(answer).scaleb(-feed_decimals(pair)):.6g}"
        for pair, answer in answers.items()
    )


def run_feed(
    manifest: Manifest, *, interval: float = 5.0, seed: int | None = None, log_every: float = 60.0
) -> None:
    """The feed process: move every price every ``interval`` seconds until SIGTERM."""
    stop = StopFlag()
    rpc = JsonRpc(manifest.rpc_url, timeout=10.0)
    feeds = {pair: asset.address for pair, asset in manifest.feeds.items()}
    sender = manifest.address_of("feed")
    rng = random.Random(seed)
    last_step = time.monotonic()
    last_log = 0.0
    reachable = True
    log.info("feed started: %d feeds, every %.1f s, node %s", len(feeds), interval, rpc.url)
    while not stop.requested:
        try:
            model = PriceModel.from_answers(read_answers(rpc, feeds), rng)
            now = time.monotonic()
            model.step(now - last_step)
            last_step = now
            answers = model.answers()
            receipt = rpc.wait(
                rpc.send(sender, MULTICALL3_ADDRESS, update_calldata(feeds, answers), gas=2_000_000)
            )
            if int(receipt["status"], 16) != 1:
                log.error("feed update reverted in block %d", int(receipt["blockNumber"], 16))
            if not reachable:
                log.info("node reachable again")
                reachable = True
            if now - last_log >= log_every:
                log.info("block %d  %s", int(receipt["blockNumber"], 16), describe(answers))
                last_log = now
        except NodeUnreachable as error:
            if reachable:
                log.warning("node unreachable, retrying: %s", error)
                reachable = False
            last_step = time.monotonic()
        except RpcError as error:
            log.error("feed update failed: %s", error)
        stop.sleep(interval)
    log.info("feed stopped")
