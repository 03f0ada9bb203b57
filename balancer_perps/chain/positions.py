"""A user's position in every market, read in one batch (reference §4.3).

The first batch reads wallet balances, allowances to each pool, the claimable aggregate
balance (``getAggregateBalance``) and the user's unaggregated interval ids (the array has
no length getter: ids are read until one index reverts). A second batch, only when the
user has pending commits, reads ``userCommitments`` for the ids not yet executed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_utils.address import to_checksum_address

from balancer_perps.chain.contracts import v2_abis
from balancer_perps.chain.markets import CallPlan, MarketStatics
from balancer_perps.chain.multicall import BatchResult, Multicall
from balancer_perps.chain.rpc import BlockId
from balancer_perps.domain.types import Balance, TotalCommitment, UserCommitment

UNAGGREGATED_PROBE = 16  # indices of unAggregatedCommitments asked per batch


@dataclass(frozen=True, slots=True)
class UserMarketPosition:
    """One user in one market. Amounts are raw units of the market's tokens."""

    market: str  # LeveragedPool address
    settlement_balance: int  # wallet
    settlement_allowance: int  # approved to the LeveragedPool (the mint approval target)
    long_balance: int  # wallet pool tokens
    short_balance: int
    claimable: Balance  # getAggregateBalance: escrow incl. executed, unaggregated commits
    pending: tuple[UserCommitment, ...]  # commits whose interval has not executed yet
    unaggregated_ids: tuple[int, ...]  # the raw array, in contract order (§4.3)

    @property
    def has_anything(self) -> bool:
        return bool(
            self.long_balance
            or self.short_balance
            or any(self.claimable.as_tuple())
            or self.pending
        )


@dataclass(frozen=True, slots=True)
class UserSnapshot:
    user: str
    block_number: int
    block_timestamp: int
    eth_balance: int  # wei (pays for AutoClaim requests)
    positions: tuple[UserMarketPosition, ...]

    def position(self, market: str) -> UserMarketPosition | None:
        lowered = market.lower()
        return next((p for p in self.positions if p.market.lower() == lowered), None)


async def read_user(
    multicall: Multicall,
    user: str,
    markets: Sequence[MarketStatics],
    block: BlockId = "latest",
) -> UserSnapshot:
    abi = v2_abis()
    user = to_checksum_address(user)
    plan = CallPlan()
    plan.add("eth", multicall.address, abi.multicall.fn("getEthBalance"), user)
    for statics in markets:
        info = statics.info
        balance_of = abi.token.fn("balanceOf")
        for token in (info.settlement_token, info.long_token, info.short_token):
            plan.add(("balanceOf", token), token, balance_of, user)
        allowance = abi.token.fn("allowance")
        plan.add(("allowance", info.address), info.settlement_token, allowance, user, info.address)
        committer = info.committer
        plan.add(("aggregate", committer), committer, abi.committer.fn("getAggregateBalance"), user)
        plan.add(("current", committer), committer, abi.committer.fn("updateIntervalId"))
        for index in range(UNAGGREGATED_PROBE):
            _add_unaggregated(plan, committer, user, index)
    result = await multicall.run(plan.calls, block)

    committers = [statics.info.committer for statics in markets]
    ids = {c: _collect_ids(plan, result, c, range(UNAGGREGATED_PROBE)) for c in committers}
    # Arrays longer than the probe: keep asking, at the same block, until an index reverts.
    start = UNAGGREGATED_PROBE
    still_open = [c for c in committers if len(ids[c]) == start]
    while still_open:
        indices = range(start, start + UNAGGREGATED_PROBE)
        more = CallPlan()
        for committer in still_open:
            for index in indices:
                _add_unaggregated(more, committer, user, index)
        more_result = await multicall.run(more.calls, result.block_number)
        for committer in still_open:
            ids[committer] += _collect_ids(more, more_result, committer, indices)
        start += UNAGGREGATED_PROBE
        still_open = [c for c in still_open if len(ids[c]) == start]

    pending_plan = CallPlan()
    for statics in markets:
        committer = statics.info.committer
        current = int(plan.outcome(result, ("current", committer)).value())
        for interval_id in sorted({i for i in ids[committer] if i >= current}):
            function = abi.committer.fn("userCommitments")
            pending_plan.add((committer, interval_id), committer, function, user, interval_id)
    pending_result = (
        await multicall.run(pending_plan.calls, result.block_number) if pending_plan.calls else None
    )

    positions = []
    for statics in markets:
        info = statics.info
        committer = info.committer
        current = int(plan.outcome(result, ("current", committer)).value())
        pending = []
        if pending_result is not None:
            for interval_id in sorted({i for i in ids[committer] if i >= current}):
                *fields, stored_id = pending_plan.outcome(
                    pending_result, (committer, interval_id)
                ).value()
                commitment = TotalCommitment(*fields)
                if not commitment.is_empty:
                    pending.append(UserCommitment(commitment, int(stored_id) or interval_id))
        long_tokens, short_tokens, settlement_tokens = plan.outcome(
            result, ("aggregate", committer)
        ).value()
        positions.append(
            UserMarketPosition(
                market=info.address,
                settlement_balance=int(
                    plan.outcome(result, ("balanceOf", info.settlement_token)).value()
                ),
                settlement_allowance=int(plan.outcome(result, ("allowance", info.address)).value()),
                long_balance=int(plan.outcome(result, ("balanceOf", info.long_token)).value()),
                short_balance=int(plan.outcome(result, ("balanceOf", info.short_token)).value()),
                claimable=Balance(int(long_tokens), int(short_tokens), int(settlement_tokens)),
                pending=tuple(pending),
                unaggregated_ids=tuple(ids[committer]),
            )
        )
    return UserSnapshot(
        user=user,
        block_number=result.block_number,
        block_timestamp=result.block_timestamp,
        eth_balance=int(plan.outcome(result, "eth").value()),
        positions=tuple(positions),
    )


def _add_unaggregated(plan: CallPlan, committer: str, user: str, index: int) -> None:
    function = v2_abis().committer.fn("unAggregatedCommitments")
    plan.add(("unaggregated", committer, index), committer, function, user, index)


def _collect_ids(plan: CallPlan, result: BatchResult, committer: str, indices: range) -> list[int]:
    """The array entries at ``indices``, up to the first index that reverted (the end)."""
    found = []
    for index in indices:
        outcome = plan.outcome(result, ("unaggregated", committer, index))
        if not outcome.ok:
            break
        found.append(int(outcome.value()))
    return found
