"""PoolCommitter.executeCommitments: running due intervals inside an upkeep (§3.4, §3.8.3 item 9).

Pool-level amounts are plain integer floors; only the stored prices and the flip proceeds
go through quads. Users are credited later, lazily, through the stored prices (see
`aggregation`), so the two can differ by a wei.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from balancer_perps.domain.errors import checked_uint
from balancer_perps.domain.fees import update_minting_fee
from balancer_perps.domain.pool_math import (
    get_mint_amount,
    get_price,
    get_withdraw_amount_on_burn,
    process_burn_instant_mint_commit,
)
from balancer_perps.domain.quad import Quad
from balancer_perps.domain.timing import intervals_due, last_price_timestamp_after_upkeep
from balancer_perps.domain.types import IntervalExecution, Prices, TotalCommitment

_EMPTY = TotalCommitment()


@dataclass(frozen=True, slots=True)
class SideState:
    """Balances, running supplies and total pending burns of both sides during an upkeep."""

    long_balance: int
    short_balance: int
    long_supply: int
    short_supply: int
    pending_long_burns: int
    pending_short_burns: int


def execute_interval(
    update_interval_id: int,
    commitment: TotalCommitment,
    state: SideState,
    *,
    burning_fee: Quad,
    minting_fee: Quad,
) -> IntervalExecution:
    """Execute one interval. Raises ContractRevert("price == 0") for a zero-balance side."""
    denominator_long = state.long_supply + state.pending_long_burns
    denominator_short = state.short_supply + state.pending_short_burns
    long_price = get_price(state.long_balance, denominator_long)
    short_price = get_price(state.short_balance, denominator_short)
    # Both flips run at every interval, even with nothing to flip: that is what freezes a
    # pool whose side balance is 0 while it still has supply.
    long_flip_settlement = process_burn_instant_mint_commit(
        commitment.long_burn_short_mint_pool_tokens, long_price, burning_fee, minting_fee
    )[0]
    short_flip_settlement = process_burn_instant_mint_commit(
        commitment.short_burn_long_mint_pool_tokens, short_price, burning_fee, minting_fee
    )[0]
    long_mint_in = commitment.long_mint_settlement + short_flip_settlement
    short_mint_in = commitment.short_mint_settlement + long_flip_settlement
    long_burned = commitment.long_burn_pool_tokens + commitment.long_burn_short_mint_pool_tokens
    short_burned = commitment.short_burn_pool_tokens + commitment.short_burn_long_mint_pool_tokens
    long_minted = get_mint_amount(
        state.long_supply, long_mint_in, state.long_balance, state.pending_long_burns
    )
    long_withdrawn = get_withdraw_amount_on_burn(
        state.long_supply, long_burned, state.long_balance, state.pending_long_burns
    )
    short_minted = get_mint_amount(
        state.short_supply, short_mint_in, state.short_balance, state.pending_short_burns
    )
    short_withdrawn = get_withdraw_amount_on_burn(
        state.short_supply, short_burned, state.short_balance, state.pending_short_burns
    )
    return IntervalExecution(
        update_interval_id=update_interval_id,
        prices=Prices(long_price, short_price),
        burn_fee=burning_fee,
        long_minted=long_minted,
        short_minted=short_minted,
        long_withdrawn=long_withdrawn,
        short_withdrawn=short_withdrawn,
        long_flip_settlement=long_flip_settlement,
        short_flip_settlement=short_flip_settlement,
        long_balance=checked_uint(state.long_balance + long_mint_in - long_withdrawn),
        short_balance=checked_uint(state.short_balance + short_mint_in - short_withdrawn),
        long_supply=state.long_supply + long_minted,
        short_supply=state.short_supply + short_minted,
        pending_long_burns=checked_uint(state.pending_long_burns - long_burned),
        pending_short_burns=checked_uint(state.pending_short_burns - short_burned),
    )


@dataclass(frozen=True, slots=True)
class CommitmentsExecution:
    """Result of one executeCommitments call (one upkeep's worth of intervals)."""

    intervals: tuple[IntervalExecution, ...]
    state: SideState
    update_interval_id: int  # next id to execute
    last_price_timestamp: int
    pending_mint_settlement: int
    minting_fee: Quad  # after the once-per-upkeep dynamic update
    long_minted: int  # net tokens minted to the pool (escrow) after the loop
    short_minted: int


def execute_commitments(
    commitments: Mapping[int, TotalCommitment],
    state: SideState,
    *,
    now: int,
    last_price_timestamp: int,
    update_interval: int,
    update_interval_id: int,
    pending_mint_settlement: int,
    burning_fee: Quad,
    minting_fee: Quad,
    change_interval: Quad,
) -> CommitmentsExecution:
    """Run every due interval (at most 15) with running supplies, then update the mint fee.

    `state` holds the side balances after the value transfer and the token supplies as
    read at the start. Raises like the contract (e.g. "price == 0"); the caller rolls back.
    """
    executed: list[IntervalExecution] = []
    interval_id = update_interval_id
    for _ in range(intervals_due(now, last_price_timestamp, update_interval)):
        commitment = commitments.get(interval_id, _EMPTY)
        pending_mint_settlement = checked_uint(
            pending_mint_settlement
            - commitment.long_mint_settlement
            - commitment.short_mint_settlement
        )
        execution = execute_interval(
            interval_id, commitment, state, burning_fee=burning_fee, minting_fee=minting_fee
        )
        executed.append(execution)
        state = SideState(
            execution.long_balance,
            execution.short_balance,
            execution.long_supply,
            execution.short_supply,
            execution.pending_long_burns,
            execution.pending_short_burns,
        )
        interval_id += 1
    new_minting_fee = update_minting_fee(
        minting_fee,
        change_interval,
        state.long_balance,
        state.short_balance,
        state.long_supply,
        state.short_supply,
    )
    return CommitmentsExecution(
        intervals=tuple(executed),
        state=state,
        update_interval_id=interval_id,
        last_price_timestamp=last_price_timestamp_after_upkeep(
            now, last_price_timestamp, update_interval
        ),
        pending_mint_settlement=pending_mint_settlement,
        minting_fee=new_minting_fee,
        long_minted=sum(execution.long_minted for execution in executed),
        short_minted=sum(execution.short_minted for execution in executed),
    )
