"""Value objects shared by the chain adapter, the projector and the UI.

All amounts are integers in raw base units; fee rates, leverage and token prices are
`Quad`s exactly as the contracts store them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from fractions import Fraction

from balancer_perps.domain.quad import POSITIVE_ZERO, Quad


class CommitType(IntEnum):
    """`IPoolCommitter.CommitType` (reference §2.1)."""

    SHORT_MINT = 0
    SHORT_BURN = 1
    LONG_MINT = 2
    LONG_BURN = 3
    LONG_BURN_SHORT_MINT = 4
    SHORT_BURN_LONG_MINT = 5

    @property
    def is_mint(self) -> bool:
        """Plain mint (types 0 and 2), as `PoolCommitter.isMint`; flips are not mints."""
        return self in (CommitType.SHORT_MINT, CommitType.LONG_MINT)

    @property
    def is_burn(self) -> bool:
        return self in (CommitType.SHORT_BURN, CommitType.LONG_BURN)

    @property
    def is_flip(self) -> bool:
        return self in (CommitType.LONG_BURN_SHORT_MINT, CommitType.SHORT_BURN_LONG_MINT)

    @property
    def burns_long_tokens(self) -> bool:
        """True when the commit burns long tokens at commit time (LongBurn, LongBurnShortMint)."""
        return self in (CommitType.LONG_BURN, CommitType.LONG_BURN_SHORT_MINT)

    @property
    def burns_short_tokens(self) -> bool:
        return self in (CommitType.SHORT_BURN, CommitType.SHORT_BURN_LONG_MINT)


@dataclass(frozen=True, slots=True)
class TotalCommitment:
    """`PoolCommitter.totalPoolCommitments(id)`, fields in ABI order.

    Mint fields are settlement raw amounts net of the mint fee; the others are pool tokens.
    """

    long_mint_settlement: int = 0
    long_burn_pool_tokens: int = 0
    short_mint_settlement: int = 0
    short_burn_pool_tokens: int = 0
    short_burn_long_mint_pool_tokens: int = 0
    long_burn_short_mint_pool_tokens: int = 0

    def as_tuple(self) -> tuple[int, int, int, int, int, int]:
        return (
            self.long_mint_settlement,
            self.long_burn_pool_tokens,
            self.short_mint_settlement,
            self.short_burn_pool_tokens,
            self.short_burn_long_mint_pool_tokens,
            self.long_burn_short_mint_pool_tokens,
        )

    @property
    def is_empty(self) -> bool:
        return not any(self.as_tuple())

    def plus(self, commit_type: CommitType, queued_amount: int) -> TotalCommitment:
        """This commitment with `queued_amount` added to the field `commit_type` queues into."""
        values = list(self.as_tuple())
        values[_FIELD_OF_TYPE[commit_type]] += queued_amount
        return TotalCommitment(*values)

    def merged(self, other: TotalCommitment) -> TotalCommitment:
        pairs = zip(self.as_tuple(), other.as_tuple(), strict=True)
        return TotalCommitment(*(a + b for a, b in pairs))


# Index of the TotalCommitment field each commit type accumulates into.
_FIELD_OF_TYPE = {
    CommitType.LONG_MINT: 0,
    CommitType.LONG_BURN: 1,
    CommitType.SHORT_MINT: 2,
    CommitType.SHORT_BURN: 3,
    CommitType.SHORT_BURN_LONG_MINT: 4,
    CommitType.LONG_BURN_SHORT_MINT: 5,
}


@dataclass(frozen=True, slots=True)
class UserCommitment:
    """`PoolCommitter.userCommitments(user, id)`: the 6 TotalCommitment fields + the id."""

    commitment: TotalCommitment
    update_interval_id: int

    def as_tuple(self) -> tuple[int, int, int, int, int, int, int]:
        return (*self.commitment.as_tuple(), self.update_interval_id)


@dataclass(frozen=True, slots=True)
class Balance:
    """`IPoolCommitter.Balance`: a user's aggregate balance (escrow held by the pool)."""

    long_tokens: int = 0
    short_tokens: int = 0
    settlement_tokens: int = 0

    def as_tuple(self) -> tuple[int, int, int]:
        return (self.long_tokens, self.short_tokens, self.settlement_tokens)

    def plus(self, other: Balance) -> Balance:
        return Balance(
            self.long_tokens + other.long_tokens,
            self.short_tokens + other.short_tokens,
            self.settlement_tokens + other.settlement_tokens,
        )


@dataclass(frozen=True, slots=True)
class Prices:
    """`priceHistory(id)`: settlement raw per pool-token raw, as stored quads."""

    long_price: Quad
    short_price: Quad


@dataclass(frozen=True, slots=True)
class UpdateData:
    """`PoolSwapLibrary.UpdateData` in ABI order (flip fields reversed vs TotalCommitment)."""

    long_price: Quad
    short_price: Quad
    minting_fee_rate: Quad
    current_update_interval_id: int
    update_interval_id: int
    long_mint_settlement: int
    long_burn_pool_tokens: int
    short_mint_settlement: int
    short_burn_pool_tokens: int
    long_burn_short_mint_pool_tokens: int
    short_burn_long_mint_pool_tokens: int
    burn_fee: Quad


@dataclass(frozen=True, slots=True)
class UpdateResult:
    """`PoolSwapLibrary.UpdateResult` (settlement amount last, as in the ABI)."""

    new_long_tokens: int = 0
    new_short_tokens: int = 0
    long_settlement_fee: int = 0
    short_settlement_fee: int = 0
    new_settlement_tokens: int = 0


@dataclass(frozen=True, slots=True)
class PoolSnapshot:
    """Everything the previews and the projector need about one pool at one block.

    Supplies are the pool tokens' `totalSupply()`, which already exclude burns committed
    but not yet executed (those are in `pending_*_burns`). `execution_price` is
    `PoolKeeper.executionPrice(pool)` (the old price of the next upkeep); `oracle_price`
    is `pool.getOraclePrice()` (its new price if the market stays where it is).
    """

    # LeveragedPool
    long_balance: int
    short_balance: int
    leverage: Quad
    fee: Quad  # per-upkeep management fee, a WAD integer as a quad
    update_interval: int
    front_running_interval: int
    last_price_timestamp: int
    settlement_decimals: int
    # pool tokens
    long_supply: int
    short_supply: int
    # PoolCommitter
    update_interval_id: int
    minting_fee: Quad
    burning_fee: Quad
    pending_mint_settlement: int = 0
    pending_long_burns: int = 0
    pending_short_burns: int = 0
    change_interval: Quad = POSITIVE_ZERO
    # keeper and oracles
    execution_price: int = 0
    oracle_price: int = 0
    settlement_eth_price: int = 0  # settlementEthOracle price, WAD (keeper rewards)
    keeper_gas_price: int = 0  # PoolKeeper.gasPrice()
    # fee accounting
    secondary_fee_split_percent: int = 10
    has_secondary_fee_address: bool = True
    primary_fees: int = 0
    secondary_fees: int = 0
    paused: bool = False


@dataclass(frozen=True, slots=True)
class IntervalExecution:
    """What executing one update interval did (reference §3.8.3 item 9)."""

    update_interval_id: int
    prices: Prices
    burn_fee: Quad  # burnFeeHistory[id]
    long_minted: int
    short_minted: int
    long_withdrawn: int  # settlement debited from the long side for long burns and LBSM flips
    short_withdrawn: int
    long_flip_settlement: int  # LBSM flips: settlement credited to the short side
    short_flip_settlement: int  # SBLM flips: settlement credited to the long side
    long_balance: int  # balances and running supplies after this interval
    short_balance: int
    long_supply: int
    short_supply: int
    pending_long_burns: int
    pending_short_burns: int


@dataclass(frozen=True, slots=True)
class UpkeepResult:
    """One upkeep of the projector: value transfer, fee, executed intervals, keeper payment."""

    timestamp: int
    old_price: int
    new_price: int
    succeeded: bool
    failure_reason: str | None
    value_transfer_applied: bool  # False on a PriceChangeError (a price <= 0) or a failure
    long_fee: int
    short_fee: int
    primary_fee: int
    secondary_fee: int
    long_balance_change: int  # PoolRebalance: including the fee
    short_balance_change: int
    intervals: tuple[IntervalExecution, ...]
    long_minted: int
    short_minted: int
    keeper_paid: bool  # payKeeperFromBalances paid (a 0 reward too) rather than refusing
    keeper_reward: int
    snapshot: PoolSnapshot  # the pool after this upkeep (executed intervals are id < its id)


@dataclass(frozen=True, slots=True)
class TradePreview:
    """`preview_commit` result. Amounts are raw units; ratios are exact `Fraction`s."""

    commit_type: CommitType
    amount: int  # gross amount the user commits
    fee_at_commit: int  # mint fee taken at commit time (0 for burns and flips)
    expected_burn_fee: int  # burn fee charged at aggregation (burns, flips)
    expected_flip_mint_fee: int  # minting fee charged on a flip's proceeds at aggregation
    net_amount: int  # what is queued: amount - mint fee for mints, amount for burns/flips
    update_interval_id: int  # the interval the commit lands in
    expected_execution_timestamp: int  # nominal; keeper latency adds to it
    in_front_running_window: bool  # the commit misses the next upkeep
    expected_tokens_out: int  # pool tokens credited (mints, flips) at the projected price
    expected_settlement_out: int  # settlement credited (burns), net of the burn fee
    projected_price: Quad  # stored price of the side the user receives or burns at
    skew_before: Fraction  # long/short balance ratio now
    skew_after: Fraction  # after the commit's interval executes (price unchanged)
    effective_long_leverage_after: Fraction
    effective_short_leverage_after: Fraction
    upkeeps: tuple[UpkeepResult, ...] = ()  # the projected upkeeps up to the execution
    blocked_reason: str | None = None  # e.g. "price == 0": the pool is frozen, no output
