"""The "Create a market" state: its public events take anything a browser sends, keep what
the user typed, and hand the wallet only simulated steps in order."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from reflex.state import State

from balancer_perps.chain.deployment import FeedProblem, FeedReading
from balancer_perps.chain.errors import ContractReverted
from balancer_perps.chain.rpc import RawLog
from balancer_perps.chain.transactions import Receipt, Simulation, TransactionRequest
from balancer_perps.components.wallet import WalletState
from balancer_perps.networks import Network, TokenInfo
from balancer_perps.pages import create
from balancer_perps.pages.create import CreateState
from tests.app.factories import address

USER = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"
FEED = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
TREASURY = address(77)
NETWORK = Network(
    name="devnet", chain_id=31337, rpc_url="http://127.0.0.1:8545", ws_url=None,
    factory=address(10), pool_keeper=address(11), multicall3=address(12), deploy_block=0,
    verified_pools=frozenset(), tokens=(TokenInfo("BAL", address(1), 18),),
    treasury=TREASURY, settlement_eth_feeds={"BAL": address(100)},
    price_feeds={"ETH/USD": FEED},
)


class _Chain:
    """Stands in for the adapter: simulations pass unless told otherwise."""

    def __init__(self) -> None:
        self.simulated: list[TransactionRequest] = []
        self.revert: ContractReverted | None = None
        self.rpc = object()

    async def simulate(self, request: TransactionRequest) -> Simulation:
        self.simulated.append(request)
        return Simulation(request, b"", self.revert, None if self.revert else 100_000)

    async def discover_markets(self) -> tuple[Any, ...]:
        return ()


@pytest.fixture
def chain(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Chain]:
    fake = _Chain()

    async def read_feed(rpc: object, feed: str) -> FeedReading:
        if feed != FEED:
            raise FeedProblem("There is no contract at this address on this network.")
        return FeedReading(FEED, 8, "ETH / USD", 3_200 * 10**8, 1, 1)

    monkeypatch.setattr(create, "_network", lambda: NETWORK)
    monkeypatch.setattr(create, "load_network", lambda: NETWORK)
    monkeypatch.setattr(create, "_chain", lambda: fake)
    monkeypatch.setattr(create, "read_feed", read_feed)
    yield fake


def _new_state() -> CreateState:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = root.get_substate(CreateState.get_full_name().split(".")[1:])
    assert isinstance(state, CreateState)
    return state


def _handler(name: str) -> Any:
    return CreateState.event_handlers[name].fn


async def _drain(result: Any) -> None:
    if hasattr(result, "__aiter__"):
        async for _ in result:
            pass
    elif asyncio.iscoroutine(result):
        await result


async def _reviewed(state: CreateState) -> None:
    _handler("load")(state)
    _handler("set_feed")(state, FEED)
    await _drain(_handler("review")(state))


def test_setters_keep_text_and_refuse_junk(chain: _Chain) -> None:
    state = _new_state()
    _handler("load")(state)
    assert state.collaterals == ["BAL"] and state.treasury == TREASURY and not state.unavailable
    for junk in (None, 42, ["x"], {"a": 1}):
        _handler("set_feed")(state, junk)
        assert state.feed_text == ""
    _handler("set_leverage")(state, "9" * 500)
    assert state.leverage_text == "9" * 100
    for setter, field, junk in (("set_collateral", "collateral", "WETH"),
                                ("set_update_interval", "update_interval", "7"),
                                ("set_front_running_interval", "front_running_interval", "-1"),
                                ("set_oracle", "oracle", "sma")):
        before = getattr(state, field)
        _handler(setter)(state, junk)
        assert getattr(state, field) == before


def test_review_says_what_is_wrong_and_keeps_the_input(chain: _Chain) -> None:
    async def run() -> None:
        state = _new_state()
        _handler("load")(state)
        _handler("set_feed")(state, address(5))
        _handler("set_leverage")(state, "30")
        _handler("set_minting_fee")(state, "lots")
        await _drain(_handler("review")(state))
        assert not state.reviewed
        assert "no contract" in state.problems["feed"]
        assert "1 to 10" in state.problems["leverage"]
        assert "percent" in state.problems["minting_fee"]
        assert (state.leverage_text, state.minting_fee_text) == ("30", "lots")
        assert state.message

    asyncio.run(run())


def test_review_shows_the_summary_and_four_steps(chain: _Chain) -> None:
    async def run() -> None:
        state = _new_state()
        await _reviewed(state)
        assert state.reviewed and state.underlying_text == "ETH/USD"  # from the description
        assert state.feed_status.startswith("ETH / USD: 3,200")
        assert {row.label: row.value for row in state.summary}["Market"] == "3-ETH/USD+BAL"
        assert [s.number for s in state.steps] == [1, 2, 3, 4]
        assert state.submit_label == "Create market"
        # editing a field withdraws the review
        _handler("set_leverage")(state, "4")
        assert not state.reviewed and state.steps == []

    asyncio.run(run())


def test_steps_are_simulated_then_handed_to_the_wallet(chain: _Chain) -> None:
    async def run() -> None:
        state = _new_state()
        await _reviewed(state)
        await _drain(_handler("start")(state))
        assert state.message == "Connect a wallet first."
        wallet = await state.get_state(WalletState)
        wallet._apply(USER, 31337)

        await _drain(_handler("start")(state))
        (request,) = chain.simulated
        assert request.is_creation and request.sender == USER
        assert "to" not in state.tx_request and state.tx_request["id"] == "create-1"
        assert state.tx_request["gas"] == "125000" and state.in_flight
        assert state.steps[0].status == "wallet"

        # callbacks for other requests, or with junk, change nothing
        assert _handler("tx_sent")(state, "create-9", "0x" + "ab" * 32) is None
        assert _handler("tx_sent")(state, "create-1", "not a hash") is None
        assert _handler("tx_failed")(state, ["create-1"], "x", True) is None
        assert state.steps[0].status == "wallet"

        _handler("tx_failed")(state, "create-1", "User rejected the request.", True)
        assert state.steps[0].status == "rejected" and not state.in_flight
        assert "rejected" in state.message and state.message_kind == "info"
        assert state.leverage_text == "3"

        await _drain(_handler("start")(state))
        follow = _handler("tx_sent")(state, "create-2", "0x" + "AB" * 32)
        assert follow is CreateState.follow_receipt
        assert state.steps[0].status == "confirming"
        assert state.steps[0].tx_hash == "0x" + "ab" * 32

    asyncio.run(run())


def test_a_simulated_revert_sends_nothing(chain: _Chain) -> None:
    async def run() -> None:
        state = _new_state()
        await _reviewed(state)
        wallet = await state.get_state(WalletState)
        wallet._apply(USER, 31337)
        chain.revert = ContractReverted("Deployer must be oracle wrapper owner", kind="error")
        await _drain(_handler("start")(state))
        assert state.tx_request == {} and not state.in_flight
        assert state.steps[0].status == "failed"
        assert "Deployer must be oracle wrapper owner" in state.message

    asyncio.run(run())


def test_confirmed_steps_are_recorded_and_the_flow_moves_on(chain: _Chain) -> None:
    async def run() -> None:
        state = _new_state()
        await _reviewed(state)
        wallet = await state.get_state(WalletState)
        wallet._apply(USER, 31337)
        state._sender = USER
        assert state._record(0, Receipt("0x1", True, 3, (), address(300))) == ""
        assert state._record(1, Receipt("0x2", True, 4, (), address(301))) == ""
        assert state._record(0, Receipt("0x3", True, 4, ())) != ""  # no contract created
        from eth_abi.abi import encode as abi_encode

        from balancer_perps.chain.contracts import v2_abis

        event = v2_abis().factory.event("DeployPool")
        log = RawLog(NETWORK.factory, (event.topic0, bytes(12) + bytes.fromhex(address(400)[2:])),
                     abi_encode(["address", "string"], [address(401), "ETH/USD+BAL"]),
                     5, b"", b"", 0, 0)
        assert state._record(2, Receipt("0x4", True, 5, (log,))) == ""
        assert state.pool_address == address(400) and state.pool_link.endswith(address(400))
        # with the form now fixed, edits are ignored
        state.steps = [*state.steps]
        _handler("set_leverage")(state, "5")
        assert state.leverage_text == "3"
        # the treasury step goes to the new pool, from the same account
        request = state._request(3)
        assert request.to == address(400) and request.sender == USER
        # another account cannot continue this flow
        wallet._apply(address(9), 31337)
        await _drain(_handler("start")(state))
        assert "switch your wallet back" in state.message

    asyncio.run(run())


def test_a_market_of_the_same_name_is_pointed_out(chain: _Chain,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    class Info:
        name = "3-ETH/USD+BAL"
        address = address(500)

    async def discover() -> tuple[Any, ...]:
        return (Info(),)

    monkeypatch.setattr(chain, "discover_markets", discover)

    async def run() -> None:
        state = _new_state()
        await _reviewed(state)
        assert state.reviewed
        assert "already exists" in state.duplicate_warning
        assert address(500) in state.duplicate_warning

    asyncio.run(run())


def test_creation_is_off_without_a_treasury_or_a_settlement_eth_feed() -> None:
    from dataclasses import replace

    assert create._unavailable_reason(NETWORK) == ""
    assert "treasury" in create._unavailable_reason(replace(NETWORK, treasury=None))
    assert "settlement/ETH" in create._unavailable_reason(
        replace(NETWORK, settlement_eth_feeds={}))
    assert "not configured" in create._unavailable_reason(None)


def test_a_known_feed_fills_in_the_address_and_pair(chain: _Chain) -> None:
    state = _new_state()
    _handler("load")(state)
    assert state.known_feeds == ["ETH/USD"]
    for junk in ("DOGE/USD", None, 7, ["ETH/USD"]):
        asyncio.run(_drain(_handler("pick_feed")(state, junk)))
        assert state.feed_text == "" and state.underlying_text == ""
    events = []

    async def collect() -> None:
        async for event in _handler("pick_feed")(state, "ETH/USD"):
            events.append(event)

    asyncio.run(collect())
    assert (state.feed_text, state.underlying_text) == (FEED, "ETH/USD")
    assert events == [CreateState.check_feed]  # then the feed is read like a typed one


def test_a_typed_pair_is_kept_when_the_feed_is_read_again(chain: _Chain) -> None:
    state = _new_state()
    _handler("load")(state)
    _handler("set_feed")(state, FEED)
    asyncio.run(_drain(_handler("check_feed")(state)))
    assert state.underlying_text == "ETH/USD"  # from the feed's description
    _handler("set_underlying")(state, "ETH/USD-fast")
    asyncio.run(_drain(_handler("check_feed")(state)))
    assert state.underlying_text == "ETH/USD-fast"
