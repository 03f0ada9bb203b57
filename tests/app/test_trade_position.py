"""The trade panel's state, driven like a browser would: the user's position block (tokens,
claimable, queued trades with their rebalance and time), the Claim flow (simulated first,
handed to the wallet, followed to its receipt), a rejected signature, a revert on chain,
and events called with arguments no honest client sends.

The chain is faked at the adapter (`trade._adapter`) and the position reader
(`trade.read_position`); the market comes from a snapshot source, as from the watcher.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

import pytest
from eth_abi import encode
from reflex.state import State

from balancer_perps.chain.contracts import v2_abis
from balancer_perps.chain.errors import ERROR_STRING_SELECTOR, ContractReverted, decode_revert
from balancer_perps.chain.positions import UserMarketPosition
from balancer_perps.chain.rpc import RawLog
from balancer_perps.chain.snapshot import MarketsSnapshot
from balancer_perps.chain.transactions import (
    Receipt,
    Simulation,
    TransactionRequest,
    claim_request,
    committed_interval,
)
from balancer_perps.domain.types import Balance, CommitType, TotalCommitment, UserCommitment
from balancer_perps.pages import _data, trade
from balancer_perps.pages.trade import TradeState
from balancer_perps.pages.trade_view import (
    PositionView,
    claimable_summary,
    position_view,
    queued_notice,
)
from tests.app.factories import NOW, WAD, market, snapshot

TRADER = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"
OTHER = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
MARKET = market(1)  # U = 120 s, next interval to execute: 7, last rebalance NOW - 60
INFO = MARKET.info
TX_HASH = "0x" + "ab" * 32


NOTHING = Balance()


def _position(*, claimable: Balance = NOTHING, pending: tuple[UserCommitment, ...] = (),
              long_balance: int = 0, short_balance: int = 0) -> UserMarketPosition:
    return UserMarketPosition(
        market=INFO.address, settlement_balance=100 * WAD, settlement_allowance=10**30,
        long_balance=long_balance, short_balance=short_balance, claimable=claimable,
        pending=pending, unaggregated_ids=tuple(c.update_interval_id for c in pending),
    )


# ----------------------------------------------------------------- pure view model


def test_position_view_lists_tokens_claimable_and_each_queued_trade() -> None:
    pending = (
        UserCommitment(TotalCommitment(long_mint_settlement=12 * WAD,
                                       short_burn_long_mint_pool_tokens=3 * WAD), 8),
        UserCommitment(TotalCommitment(long_burn_pool_tokens=WAD // 2), 7),
    )
    position = _position(claimable=Balance(5 * WAD, 0, 2 * WAD), pending=pending,
                         long_balance=25 * WAD // 10)
    view = position_view(position, INFO, update_interval_id=7,
                         last_price_timestamp=NOW - 60, clock_offset=0)
    assert view.ready and view.can_claim and view.has_pending
    assert view.long_balance == "2.5 long tokens"
    assert view.short_balance == "0 short tokens"
    assert view.claimable == "5 long tokens, 2 BAL"
    # oldest interval first; one row per non-zero field
    assert [(r.kind, r.amount, r.interval) for r in view.pending] == [
        ("Burn long", "0.5 long tokens", "Rebalance #7"),
        ("Mint long", "12 BAL", "Rebalance #8"),
        ("Flip short → long", "3 short tokens", "Rebalance #8"),
    ]
    # interval 7 runs at the next rebalance (T0 + U), interval 8 one later
    assert [r.executes_at for r in view.pending] == [NOW + 60, NOW + 180, NOW + 180]
    assert view.pending[0].executes_label.endswith("UTC")
    # a devnet that runs ahead of the browser's clock shifts the countdowns back
    shifted = position_view(position, INFO, update_interval_id=7,
                            last_price_timestamp=NOW - 60, clock_offset=1_000)
    assert shifted.pending[0].executes_at == NOW + 60 - 1_000


def test_position_view_with_nothing() -> None:
    view = position_view(_position(), INFO, update_interval_id=7, last_price_timestamp=NOW)
    assert view.ready and not view.can_claim and not view.has_pending
    assert view.claimable == "Nothing to claim"
    assert position_view(None, INFO, update_interval_id=7, last_price_timestamp=NOW) == \
        PositionView()
    assert claimable_summary(Balance(0, 1, 0), INFO).endswith(" short tokens")


def test_queued_notice_names_the_rebalance_and_what_becomes_claimable() -> None:
    notice = queued_notice("mint", "long", INFO, 8, NOW + 180)
    assert "rebalance #8" in notice and "2026-01-01 00:03 UTC" in notice
    assert "your long tokens become claimable" in notice
    assert "your BAL become claimable" in queued_notice("burn", "short", INFO, 9, NOW)
    assert "your short tokens" in queued_notice("flip", "long", INFO, 9, NOW)
    assert "next rebalance" in queued_notice("mint", "long", INFO, None, 0)


def _create_commit_log(user: str, interval_id: int, *, address: str = INFO.committer
                       ) -> RawLog:
    event = v2_abis().committer.event("CreateCommit")
    topics = (event.topic0, bytes(12) + bytes.fromhex(user[2:]), (5 * WAD).to_bytes(32, "big"),
              int(CommitType.LONG_MINT).to_bytes(32, "big"))
    data = encode(["uint256", "bool", "bool", "bytes16"], [interval_id, False, False, bytes(16)])
    return RawLog(address=address, topics=topics, data=data, block_number=5,
                  block_hash=bytes(32), transaction_hash=bytes(32), transaction_index=0,
                  log_index=0)


def test_the_interval_of_a_commit_comes_from_its_receipt() -> None:
    receipt = Receipt(TX_HASH, True, 5, (
        _create_commit_log(OTHER, 3),  # someone else's
        _create_commit_log(TRADER, 4, address=OTHER),  # not this market's committer
        _create_commit_log(TRADER, 9),
    ))
    assert committed_interval(receipt, INFO.committer, TRADER) == 9
    assert committed_interval(Receipt(TX_HASH, True, 5, ()), INFO.committer, TRADER) is None


def test_claim_request_is_the_committers_claim_for_the_sender_only() -> None:
    request = claim_request(TRADER.lower(), INFO.committer)
    assert request.sender == TRADER and request.to == INFO.committer and request.value == 0
    function = v2_abis().committer.fn("claim")
    assert request.data == function.encode(TRADER)


# ----------------------------------------------------------------- the state, driven


def _revert(reason: str) -> ContractReverted:
    return decode_revert(ERROR_STRING_SELECTOR + encode(["string"], [reason]), {})


class _Source:
    def __init__(self, snapshot: MarketsSnapshot) -> None:
        self.snapshot = snapshot

    def current(self) -> MarketsSnapshot:
        return self.snapshot

    async def wait_for_update(self, after_version: int) -> MarketsSnapshot:
        while self.snapshot.version <= after_version:
            await asyncio.sleep(0.01)
        return self.snapshot

    def market_history(self, address: str) -> None:
        return None

    def day_changes(self) -> dict[str, Any]:
        return {}


class _Rpc:
    def __init__(self, replay: ContractReverted | None) -> None:
        self.replay = replay
        self.calls: list[Any] = []

    async def call(self, to: str, data: bytes, **kwargs: Any) -> bytes:
        self.calls.append((to, data, kwargs))
        if self.replay is not None:
            raise self.replay
        return b""


@dataclass
class _Chain:
    """The adapter and the position reader, faked."""

    position: UserMarketPosition
    outcome: tuple[ContractReverted | None, int | None] = (None, 90_000)
    receipts: dict[str, Receipt] = field(default_factory=dict)
    replay: ContractReverted | None = None
    simulated: list[TransactionRequest] = field(default_factory=list)
    reads: int = 0

    def __post_init__(self) -> None:
        self.rpc = _Rpc(self.replay)

    async def simulate(self, request: TransactionRequest) -> Simulation:
        self.simulated.append(request)
        revert, gas = self.outcome
        return Simulation(request, b"", revert, None if revert else gas)

    async def receipt(self, tx_hash: str) -> Receipt | None:
        return self.receipts.get(tx_hash)


async def _aenter(self: Any) -> Any:
    return self


async def _aexit(self: Any, *args: object) -> None:
    return None


@pytest.fixture
def chain(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Chain]:
    fake = _Chain(_position(claimable=Balance(5 * WAD, 0, 2 * WAD)))

    async def read_position(user: str, pool: str) -> UserMarketPosition | None:
        fake.reads += 1
        return fake.position if pool == INFO.address and user == TRADER else None

    monkeypatch.setattr(trade, "_adapter", lambda: fake)
    # the market's clock: previews and countdowns at the snapshot's time, not today's
    monkeypatch.setattr(trade, "time", SimpleNamespace(time=lambda: NOW,
                                                       monotonic=time.monotonic))
    monkeypatch.setattr(trade, "read_position", read_position)
    # background handlers lock the state with `async with self` (a proxy in the app)
    monkeypatch.setattr(TradeState, "__aenter__", _aenter, raising=False)
    monkeypatch.setattr(TradeState, "__aexit__", _aexit, raising=False)
    _data.use_source(_Source(snapshot(MARKET)))  # type: ignore[arg-type]
    yield fake
    _data.use_source(None)


async def _connected_panel() -> TradeState:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = root.get_substate(TradeState.get_full_name().split(".")[1:])
    assert isinstance(state, TradeState)
    state.pool = INFO.address
    await _handler("on_wallet")(state, TRADER, 31337)
    return state


def _handler(name: str) -> Any:
    return TradeState.event_handlers[name].fn


async def _drain(generator: Any) -> list[Any]:
    return [item async for item in generator]


def test_the_position_block_follows_the_wallet(chain: _Chain) -> None:
    async def run() -> None:
        state = await _connected_panel()
        assert state.position.ready
        assert state.position.claimable == "5 long tokens, 2 BAL"
        assert state.position.can_claim
        # the wallet disconnects: the block empties
        await _handler("on_wallet")(state, "", 0)
        assert not state.position.ready

    asyncio.run(run())


def test_a_rebalance_rereads_the_position(chain: _Chain,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The live loop re-reads the position when the pool was upkept, not at every block."""
    monkeypatch.setattr(TradeState, "_on_this_market", lambda self: True)

    async def run() -> None:
        source = _Source(snapshot(MARKET, version=1))
        _data.use_source(source)  # type: ignore[arg-type]
        state = await _connected_panel()
        reads = chain.reads
        chain.position = _position(pending=(
            UserCommitment(TotalCommitment(short_mint_settlement=WAD), 8),))
        task = asyncio.ensure_future(_handler("follow_live")(state))
        try:
            await asyncio.sleep(0.05)
            source.snapshot = snapshot(MARKET, version=2)  # a new block, same rebalance
            await asyncio.sleep(0.1)
            assert chain.reads == reads and state.position.can_claim
            upkept = replace(MARKET, pool=replace(MARKET.pool, update_interval_id=8,
                                                  last_price_timestamp=NOW + 60))
            source.snapshot = snapshot(upkept, version=3)
            for _ in range(100):
                if chain.reads > reads:
                    break
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.05)
            assert chain.reads == reads + 1
            assert not state.position.can_claim
            assert [r.kind for r in state.position.pending] == ["Mint short"]
            assert state.position.pending[0].executes_at == NOW + 60 + 120
        finally:
            task.cancel()

    asyncio.run(run())


def test_claim_is_simulated_handed_to_the_wallet_and_followed(chain: _Chain) -> None:
    async def run() -> None:
        state = await _connected_panel()
        await _drain(_handler("claim")(state))
        assert [s.label for s in state.steps] == ["Claim 5 long tokens, 2 BAL"]
        assert state.steps[0].status == "wallet" and state.in_flight
        assert chain.simulated == [claim_request(TRADER, INFO.committer)]
        request = state.tx_request
        assert request["to"] == INFO.committer and request["from"] == TRADER
        assert request["gas"] == str(90_000 * 5 // 4)
        assert request["id"].startswith("claim-")
        # a second click while in flight does nothing
        await _drain(_handler("claim")(state))
        assert len(chain.simulated) == 1

        assert _handler("tx_sent")(state, request["id"], TX_HASH) is TradeState.follow_receipt
        assert state.steps[0].status == "confirming" and state.tx_request == {}
        chain.receipts[TX_HASH] = Receipt(TX_HASH, True, 9, ())
        chain.position = _position(long_balance=5 * WAD)
        await _drain(_handler("follow_receipt")(state))
        assert state.steps[0].status == "confirmed" and not state.in_flight
        assert state.notice.startswith("Claimed")
        assert not state.position.can_claim
        assert state.position.long_balance == "5 long tokens"

    asyncio.run(run())


def test_claim_with_nothing_claimable_sends_nothing(chain: _Chain) -> None:
    chain.position = _position()

    async def run() -> None:
        state = await _connected_panel()
        await _drain(_handler("claim")(state))
        assert state.message.startswith("Nothing to claim")
        assert state.steps == [] and chain.simulated == [] and not state.in_flight

    asyncio.run(run())


def test_claim_that_would_revert_is_not_sent(chain: _Chain) -> None:
    chain.outcome = (_revert("Pool is paused"), None)

    async def run() -> None:
        state = await _connected_panel()
        await _drain(_handler("claim")(state))
        assert state.tx_request == {} and not state.in_flight
        assert state.steps[0].status == "failed"
        assert state.message == "The transaction would fail: Pool is paused. Nothing was sent."

    asyncio.run(run())


def test_a_rejected_signature_is_a_message_not_an_error(chain: _Chain) -> None:
    async def run() -> None:
        state = await _connected_panel()
        state.amount_text = "1"
        await _drain(_handler("claim")(state))
        request_id = state.tx_request["id"]
        _handler("tx_failed")(state, request_id, "User rejected the request.", True)
        assert state.steps[0].status == "rejected"
        assert state.steps[0].status_text == "Rejected in wallet"
        assert state.message_kind == "info" and "rejected" in state.message
        # nothing half-written: no request, nothing pending, the form as it was
        assert state.tx_request == {} and state._pending == {} and not state.in_flight
        assert state.amount_text == "1" and state.notice == ""
        # a late report for the same request changes nothing
        assert _handler("tx_sent")(state, request_id, TX_HASH) is None
        assert state.steps[0].status == "rejected"
        # the user can try again
        await _drain(_handler("claim")(state))
        assert state.steps[0].status == "wallet" and state.message == ""

    asyncio.run(run())


def test_a_revert_on_chain_says_why(chain: _Chain) -> None:
    chain.replay = _revert("Pool is paused")
    chain.rpc = _Rpc(chain.replay)

    async def run() -> None:
        state = await _connected_panel()
        await _drain(_handler("claim")(state))
        _handler("tx_sent")(state, state.tx_request["id"], TX_HASH)
        chain.receipts[TX_HASH] = Receipt(TX_HASH, False, 12, ())
        await _drain(_handler("follow_receipt")(state))
        assert state.steps[0].status == "failed" and not state.in_flight
        assert state.message == "The transaction reverted on chain: Pool is paused."
        to, _, kwargs = chain.rpc.calls[0]
        assert to == INFO.committer and kwargs["block"] == 11 and kwargs["sender"] == TRADER

    asyncio.run(run())


def test_a_confirmed_commit_says_when_it_executes(chain: _Chain) -> None:
    async def run() -> None:
        state = await _connected_panel()
        await _handler("set_amount")(state, "5")
        await _drain(_handler("submit")(state))
        assert [s.label for s in state.steps] == ["Mint long"]
        _handler("tx_sent")(state, state.tx_request["id"], TX_HASH)
        chain.receipts[TX_HASH] = Receipt(TX_HASH, True, 12, (_create_commit_log(TRADER, 8),))
        await _drain(_handler("follow_receipt")(state))
        assert state.steps[0].status == "confirmed"
        assert "rebalance #8" in state.notice
        assert "long tokens become claimable" in state.notice
        assert state.queued_at == NOW + 180
        assert state.amount_text == ""
        # a rebalance that is not this trade's: the countdown stays on the schedule
        source = _data.source()
        assert isinstance(source, _Source)
        later = replace(MARKET, pool=replace(MARKET.pool, update_interval_id=8,
                                             last_price_timestamp=NOW + 70))
        source.snapshot = snapshot(later, version=2)
        await state._refresh()
        assert state.queued_at == NOW + 190 and "rebalance #8" in state.notice
        # the trade's own rebalance: the notice says it executed
        done = replace(MARKET, pool=replace(MARKET.pool, update_interval_id=9,
                                            last_price_timestamp=NOW + 190))
        source.snapshot = snapshot(done, version=3)
        await state._refresh()
        assert state.queued_at == 0
        assert state.notice.startswith("Rebalance #8 executed your trade")

    asyncio.run(run())


@pytest.mark.parametrize("args", [
    ("claim-1", TX_HASH),  # not the pending request
    (["claim-1"], TX_HASH),
    (None, None),
    ("claim-1; drop", "0x12"),
])
def test_wallet_reports_for_no_pending_request_are_ignored(chain: _Chain, args: Any) -> None:
    async def run() -> None:
        state = await _connected_panel()
        assert _handler("tx_sent")(state, *args) is None
        assert _handler("tx_failed")(state, args[0], args[1], True) is None
        assert state.steps == [] and state.message == ""

    asyncio.run(run())


def test_odd_failure_reports_are_errors_not_rejections(chain: _Chain) -> None:
    async def run() -> None:
        state = await _connected_panel()
        await _drain(_handler("claim")(state))
        _handler("tx_failed")(state, state.tx_request["id"], {"x": 1}, "yes")
        assert state.steps[0].status == "failed" and state.message_kind == "error"
        assert state.message == "Your wallet did not send it: no reason given"

    asyncio.run(run())


@pytest.mark.parametrize("value", [["mint"], {"a": 1}, 3, None, "MINT", "sell"])
def test_choices_outside_the_fixed_sets_are_ignored(chain: _Chain, value: Any) -> None:
    async def run() -> None:
        state = await _connected_panel()
        for name, field_name in (("set_action", "action"), ("set_side", "side"),
                                 ("set_source", "source"), ("set_approval", "approval")):
            before = getattr(state, field_name)
            await _handler(name)(state, value)
            assert getattr(state, field_name) == before
        await _handler("set_amount")(state, value)
        assert state.amount_text == (value if isinstance(value, str) else "")

    asyncio.run(run())
