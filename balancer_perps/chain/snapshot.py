"""What the app knows about every market at one block: the seam between the chain
adapter and watcher (which fill it) and the pages (which read it).

Amounts are raw integers; the pool math state is the domain's ``PoolSnapshot``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from balancer_perps.domain.types import PoolSnapshot, TotalCommitment

OracleKind = Literal["spot", "sma"]


@dataclass(frozen=True, slots=True)
class MarketInfo:
    """Facts about a market that do not change after deployment."""

    address: str  # LeveragedPool, checksummed
    committer: str
    long_token: str
    short_token: str
    name: str  # poolName(), e.g. "3-ETH/USD+BAL"
    underlying: str  # e.g. "ETH/USD"
    leverage: int
    settlement_token: str
    settlement_symbol: str
    settlement_decimals: int
    oracle_wrapper: str
    oracle_kind: OracleKind
    sma_periods: int | None  # SMAOracle numPeriods, None for spot
    update_interval: int  # seconds
    front_running_interval: int  # seconds
    deploy_block: int
    verified: bool  # on the curated allow-list of the network


@dataclass(frozen=True, slots=True)
class MarketState:
    """One market at the snapshot's block."""

    info: MarketInfo
    pool: PoolSnapshot
    # Added by the chain adapter (optional, so existing constructors keep working):
    # the id a commit made now would get (`getAppropriateUpdateIntervalId`) ...
    appropriate_update_interval_id: int = 0
    # ... and the pool-wide commitments queued for ids >= `pool.update_interval_id`, by id
    # (non-empty ones only, the next 24 ids at most).
    pending_commitments: tuple[tuple[int, TotalCommitment], ...] = ()
    committer_paused: bool = False  # `pool.paused` is the LeveragedPool's flag (§5.5)
    oracle_error: str | None = None  # why `getOraclePrice` reverted (then oracle_price is 0)


@dataclass(frozen=True, slots=True)
class MarketsSnapshot:
    """Every listed market at one block, as published by the app-wide watcher."""

    version: int  # increases with every publication
    network: str
    chain_id: int
    block_number: int
    block_timestamp: int
    markets: tuple[MarketState, ...]
    node_error: str | None = None  # a human message while the node is unreachable

    def market(self, address: str) -> MarketState | None:
        lowered = address.lower()
        return next((m for m in self.markets if m.info.address.lower() == lowered), None)
