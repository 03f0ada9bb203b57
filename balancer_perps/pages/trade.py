"""The trade panel of the market page: mint, burn or flip, previewed exactly, approved and
committed through the user's wallet.

Every public method of `TradeState` is a public endpoint: a browser can call it with any
arguments. Each one validates what it gets (choices from fixed sets, amounts from strings,
addresses checksummed). The server only reads, previews and simulates; every transaction
is simulated here first and signed in the user's wallet (`components/wallet.py`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import reflex as rx

from balancer_perps.chain.adapter import ChainAdapter, loop_adapter
from balancer_perps.chain.errors import ChainError
from balancer_perps.chain.positions import UserMarketPosition
from balancer_perps.chain.snapshot import MarketState
from balancer_perps.chain.transactions import (
    Receipt,
    Simulation,
    TransactionRequest,
    approve_request,
    claim_request,
    commit_request,
    committed_interval,
    revert_reason,
)
from balancer_perps.components.countdown import countdown
from balancer_perps.components.metrics import info_tip, panel
from balancer_perps.components.steps import step_row
from balancer_perps.components.wallet import (
    SwitchChainButton,
    TransactionSender,
    WalletState,
    WalletSync,
    wallet_chain,
)
from balancer_perps.domain.errors import ContractError
from balancer_perps.domain.preview import preview_commit
from balancer_perps.domain.timing import expected_execution_timestamp
from balancer_perps.pages import _data
from balancer_perps.pages._live import IDLE_CHECK_SECONDS
from balancer_perps.pages.market_view import parse_address
from balancer_perps.pages.markets_view import clock_offset
from balancer_perps.pages.trade_view import (
    ACTIONS,
    APPROVALS,
    SIDES,
    SOURCES,
    PendingRow,
    PositionView,
    Steps,
    StepView,
    TradeQuote,
    amount_unit,
    approval_amount,
    available_amount,
    commit_type_of,
    needs_approval,
    parse_amount,
    position_view,
    queued_notice,
    trade_quote,
)

logger = logging.getLogger(__name__)

RECEIPT_POLL_SECONDS = 0.5
RECEIPT_TIMEOUT_SECONDS = 300.0
GAS_MARGIN = (5, 4)  # the wallet gets the simulated gas plus 25%
_TX_HASH = re.compile(r"0x[0-9a-fA-F]{64}")
_REQUEST_ID = re.compile(r"(approve|commit|claim)-[0-9]{1,9}")
MAX_WALLET_MESSAGE = 300

def _adapter() -> ChainAdapter:
    return loop_adapter()


async def read_position(user: str, pool: str) -> UserMarketPosition | None:
    """The user's balances, allowance and escrow in one market (one multicall)."""
    adapter = _adapter()
    if adapter.markets.statics(pool) is None:
        await adapter.markets.discover()
    statics = adapter.markets.statics(pool)
    if statics is None:
        return None
    snapshot = await adapter.read_user(user, [statics])
    return snapshot.position(pool)


class Simulator(Protocol):
    async def simulate(self, request: TransactionRequest) -> Simulation: ...


@dataclass(frozen=True, slots=True)
class WalletHandoff:
    """What goes to the wallet (``params``), or why nothing does (``problem``)."""

    params: dict[str, str] = field(default_factory=dict)
    problem: str = ""


async def prepare_for_wallet(chain: Simulator, request: TransactionRequest, request_id: str,
                             chain_id: int) -> WalletHandoff:
    """Simulate ``request`` as its sender; only a call that passes is handed to the wallet,
    with the simulated gas plus a margin. A revert comes back as its decoded reason."""
    try:
        simulation = await chain.simulate(request)
    except ChainError as error:
        return WalletHandoff(problem=f"The transaction could not be checked: {error}")
    if not simulation.ok:
        return WalletHandoff(problem=f"The transaction would fail: {simulation.reason}. "
                                     "Nothing was sent.")
    gas = (simulation.gas_estimate or 0) * GAS_MARGIN[0] // GAS_MARGIN[1]
    return WalletHandoff(params={
        **{key: str(value) for key, value in request.wallet_params().items()},
        "id": request_id,
        "gas": str(gas) if gas else "",
        "chainId": str(chain_id),
    })


def _market(pool: str) -> tuple[MarketState | None, int]:
    """The market from the watcher's latest snapshot, and the chain time to preview at."""
    snapshot = _data.current_snapshot()
    if snapshot is None or not pool:
        return None, 0
    wall = int(time.time())
    return snapshot.market(pool), max(snapshot.block_timestamp, wall)


class TradeState(rx.State):
    pool: str = ""  # the market's LeveragedPool, checksummed (from the route)
    action: str = "mint"
    side: str = "long"
    source: str = "wallet"
    approval: str = "exact"
    amount_text: str = ""
    amount_problem: str = ""
    amount_ok: bool = False  # a valid, positive amount within the balance
    unit: str = ""
    available_label: str = ""
    approval_needed: bool = False
    quote: TradeQuote = TradeQuote()
    steps: list[StepView] = []  # noqa: RUF012 (a Reflex state field)
    message: str = ""  # why the last attempt stopped (simulation, wallet, chain)
    message_kind: str = "error"  # "error", or "info" when the user chose to stop
    notice: str = ""  # what just succeeded
    queued_at: int = 0  # browser-clock time the trade just queued should execute (0: none)
    position: PositionView = PositionView()
    in_flight: bool = False
    tx_request: dict[str, str] = {}  # noqa: RUF012 (handed to the wallet once, then cleared)
    _position: UserMarketPosition | None = None
    _position_of: str = ""  # whose position `_position` is
    _pending: dict[str, Any] = {}  # noqa: RUF012 (id, kind, step index, hash)
    _counter: int = 0
    _generation: int = 0  # the newest live loop of this tab; older loops stop
    _upkeep_key: tuple[int, int] = (0, 0)  # (interval id, last price time) last seen
    _queued_interval: int = 0  # the interval of the trade the notice is about (0: none)

    # ------------------------------------------------------------------ helpers
    async def _wallet(self) -> WalletState:
        return await self.get_state(WalletState)

    async def _refresh(self) -> None:
        """Recompute the checks and the preview from the inputs, the latest snapshot and
        the user's position (no network request)."""
        wallet = await self._wallet()
        state, now = _market(self.pool)
        if state is None:
            self.quote = TradeQuote()
            self.unit = ""
            self.amount_ok = False
            self.position = PositionView()
            return
        info = state.info
        snapshot = _data.current_snapshot()
        offset = clock_offset(snapshot, int(time.time())) if snapshot else 0
        self._upkeep_key = (state.pool.update_interval_id, state.pool.last_price_timestamp)
        self.position = position_view(
            self._position if wallet.connected else None, info,
            update_interval_id=state.pool.update_interval_id,
            last_price_timestamp=state.pool.last_price_timestamp, clock_offset=offset)
        self._follow_queued(state, offset)
        self.unit = amount_unit(info, self.action, self.side)
        available = None
        self.available_label = ""
        if wallet.connected and self._position is not None:
            available = available_amount(self._position, self.action, self.side, self.source)
            place = "in your wallet" if self.source == "wallet" else "unclaimed"
            self.available_label = (
                f"{fmt_amount(available, info.settlement_decimals)} {self.unit} {place}"
            )
        parsed = parse_amount(self.amount_text, info.settlement_decimals, available=available,
                              unit=self.unit)
        self.amount_problem = parsed.problem
        self.amount_ok = parsed.ok
        allowance = self._position.settlement_allowance if self._position else 0
        self.approval_needed = wallet.connected and needs_approval(
            self.action, self.source, allowance, max(parsed.raw, 1))
        if not parsed.ok:
            self.quote = TradeQuote()
            return
        try:
            preview = preview_commit(
                state.pool, dict(state.pending_commitments),
                commit_type_of(self.action, self.side), parsed.raw, now,
                from_aggregate_balance=self.source == "escrow",
            )
        except ContractError as error:
            self.amount_problem = f"The pool would refuse this trade: {error}."
            self.amount_ok = False
            self.quote = TradeQuote()
            return
        except (ArithmeticError, ValueError):  # odd pool data must not break the panel
            logger.exception("preview of %s %s in %s failed", self.action, self.side, self.pool)
            self.amount_problem = "This trade cannot be previewed right now."
            self.amount_ok = False
            self.quote = TradeQuote()
            return
        self.quote = trade_quote(preview, info, self.action, self.side, clock_offset=offset)

    async def _reload_position(self) -> None:
        wallet = await self._wallet()
        self._position = None
        self._position_of = wallet.address
        if wallet.connected and self.pool:
            try:
                self._position = await read_position(wallet.address, self.pool)
            except ChainError as error:
                self.message = f"Your balances could not be read: {error}"

    def _reset_flow(self) -> None:
        self.steps = []
        self.tx_request = {}
        self._pending = {}
        self.in_flight = False
        self.message = ""
        self.message_kind = "error"
        self.notice = ""
        self.queued_at = 0
        self._queued_interval = 0

    def _clear_messages(self) -> None:
        self.message = self.notice = ""
        self.message_kind = "error"
        self.queued_at = 0
        self._queued_interval = 0

    def _follow_queued(self, state: MarketState, offset: int) -> None:
        """Keep the just-queued trade's countdown on time, and say so once it executed."""
        interval_id = self._queued_interval
        if not interval_id:
            return
        pool = state.pool
        if pool.update_interval_id > interval_id:
            self._queued_interval = 0
            self.queued_at = 0
            self.notice = (f"Rebalance #{interval_id} executed your trade: the result is in "
                           "your claimable balance above.")
            return
        self.queued_at = expected_execution_timestamp(
            interval_id, pool.update_interval_id, pool.last_price_timestamp,
            state.info.update_interval) - offset

    async def _hand_over(self, kind: str, index: int, request: TransactionRequest,
                         chain_id: int) -> None:
        """Simulate ``request``; only a call that passes goes to the wallet."""
        self._counter += 1
        request_id = f"{kind}-{self._counter}"
        prepared = await prepare_for_wallet(_adapter(), request, request_id, chain_id)
        if prepared.problem:
            self._fail(index, prepared.problem)
            return
        self._pending = {
            "id": request_id, "kind": kind, "index": index, "hash": "",
            "from": request.sender, "to": request.to, "data": request.data.hex(),
            "value": request.value, "action": self.action, "side": self.side,
        }
        self.tx_request = prepared.params
        self._set_step(index, "wallet")

    def _on_this_market(self) -> bool:
        """Whether the tab still shows this market's page."""
        path = self.router.url.path.rstrip("/")
        head, _, segment = path.rpartition("/")
        return (head.endswith("/markets") and bool(self.pool)
                and parse_address(segment[:100]).address == self.pool)

    # ------------------------------------------------------------------ events
    @rx.event
    async def load(self) -> Any:
        """On page load: the market from the URL, the user's position, the preview; then
        follow the live snapshots (a new rebalance re-reads the position)."""
        segment = self.router.url.path.rstrip("/").rsplit("/", 1)[-1][:100]
        self.pool = parse_address(segment).address
        self._reset_flow()
        await self._reload_position()
        await self._refresh()
        return TradeState.follow_live

    @rx.event(background=True)
    async def follow_live(self) -> None:
        """Until the tab leaves this market or disconnects: repaint the preview and the
        position's times at every snapshot, and re-read the position (one multicall) when
        the pool was upkept, since executed trades become claimable then."""
        async with self:
            self._generation += 1
            generation = self._generation
            token = self.router.session.client_token
            upkeep_key = self._upkeep_key
        current = _data.current_snapshot()
        seen = current.version if current is not None else -1
        while True:
            snapshot = await _data.next_snapshot(seen, IDLE_CHECK_SECONDS)
            if not await _data.is_client_connected(token):
                return
            async with self:
                if generation != self._generation or not self._on_this_market():
                    return
                pool = self.pool
                wallet = await self._wallet()
                reader = wallet.address if wallet.connected else ""
            if snapshot is None or snapshot.version <= seen:
                continue
            seen = snapshot.version
            state = snapshot.market(pool)
            if state is None:
                continue
            key = (state.pool.update_interval_id, state.pool.last_price_timestamp)
            position: UserMarketPosition | None = None
            reread = key != upkeep_key and reader != ""
            if reread:
                try:
                    position = await read_position(reader, pool)
                except ChainError as error:
                    logger.warning("position of %s in %s: %s", reader, pool, error)
                    reread = False  # try again at the next snapshot
            async with self:
                if generation != self._generation:
                    return
                wallet = await self._wallet()
                if reread and wallet.address == reader and self._position_of == reader:
                    self._position = position
                    upkeep_key = key
                elif not reader:
                    upkeep_key = key
                await self._refresh()

    @rx.event
    async def on_wallet(self, address: str, chain_id: int) -> None:
        """The wallet connected, switched account or chain, or disconnected."""
        wallet = await self._wallet()
        wallet._apply(address, chain_id)
        # The header's copy of this callback may have stored the account already.
        if self._position_of != wallet.address:
            self._reset_flow()
            await self._reload_position()
        await self._refresh()

    @rx.event
    async def set_action(self, value: str | list[str]) -> None:
        if value in ACTIONS and not self.in_flight:
            self.action = value
            self.steps = []
            await self._refresh()

    @rx.event
    async def set_side(self, value: str | list[str]) -> None:
        if value in SIDES and not self.in_flight:
            self.side = value
            self.steps = []
            await self._refresh()

    @rx.event
    async def set_source(self, value: str | list[str]) -> None:
        if value in SOURCES and not self.in_flight:
            self.source = value
            self.steps = []
            await self._refresh()

    @rx.event
    async def set_approval(self, value: str) -> None:
        if value in APPROVALS and not self.in_flight:
            self.approval = value

    @rx.event
    async def set_amount(self, value: str) -> None:
        if not isinstance(value, str) or self.in_flight:
            return
        self.amount_text = value[:100]
        self.steps = []
        await self._refresh()

    @rx.event
    async def submit(self) -> AsyncIterator[Any]:
        """The next step: approve the LeveragedPool if the allowance is short, else commit.
        Built and simulated here; only a call that passes goes to the wallet."""
        if self.in_flight:
            return
        wallet = await self._wallet()
        self._clear_messages()
        if not self._wallet_ready(wallet):
            return
        await self._reload_position()
        await self._refresh()
        state, _ = _market(self.pool)
        if state is None or self._position is None:
            self.message = self.message or "This market is not loaded yet."
            return
        info = state.info
        parsed = parse_amount(self.amount_text, info.settlement_decimals, unit=self.unit,
                              available=available_amount(self._position, self.action,
                                                         self.side, self.source))
        if not parsed.ok:
            self.amount_problem = parsed.problem or "Enter an amount."
            return
        sender = wallet.address
        with_approval = needs_approval(self.action, self.source,
                                       self._position.settlement_allowance, parsed.raw)
        request: TransactionRequest
        if with_approval:
            kind, index = "approve", 0
            self.steps = Steps.plan(self.action, self.side, self.unit, True).steps
            request = approve_request(sender, info.settlement_token, info.address,
                                      approval_amount(self.approval, parsed.raw))
        else:
            kind = "commit"
            approved_first = bool(self.steps) and len(self.steps) == 2 and \
                self.steps[0].status == "confirmed"
            if not approved_first:
                self.steps = Steps.plan(self.action, self.side, self.unit, False).steps
            index = len(self.steps) - 1
            request = commit_request(sender, info.committer,
                                     commit_type_of(self.action, self.side), parsed.raw,
                                     from_aggregate_balance=self.source == "escrow")
        self._set_step(index, "preparing")
        self.in_flight = True
        yield
        await self._hand_over(kind, index, request, wallet.expected_chain_id)

    @rx.event
    async def claim(self) -> AsyncIterator[Any]:
        """Claim the unclaimed balance (``PoolCommitter.claim(user)``): everything executed
        trades left in escrow goes to the wallet. Simulated first, signed in the wallet."""
        if self.in_flight:
            return
        wallet = await self._wallet()
        self._clear_messages()
        if not self._wallet_ready(wallet):
            return
        await self._reload_position()
        await self._refresh()
        state, _ = _market(self.pool)
        if state is None or self._position is None:
            self.message = self.message or "This market is not loaded yet."
            return
        if not any(self._position.claimable.as_tuple()):
            self.message = "Nothing to claim yet: trades become claimable once they execute."
            return
        self.steps = Steps.single("Claim " + self.position.claimable).steps
        self._set_step(0, "preparing")
        self.in_flight = True
        yield
        request = claim_request(wallet.address, state.info.committer)
        await self._hand_over("claim", 0, request, wallet.expected_chain_id)

    @rx.event
    def tx_sent(self, request_id: str, tx_hash: str) -> Any:
        """The wallet sent the transaction: follow its receipt."""
        if not self._is_pending(request_id) or not isinstance(tx_hash, str) \
                or not _TX_HASH.fullmatch(tx_hash):
            return None
        self.tx_request = {}
        self._pending["hash"] = tx_hash.lower()
        self._set_step(self._pending["index"], "confirming", tx_hash.lower())
        return TradeState.follow_receipt

    @rx.event
    def tx_failed(self, request_id: str, message: str, rejected: bool) -> Any:
        """The wallet did not send it. A rejection is the user's choice, not an error:
        nothing was sent, the form keeps what was typed, and the step can be retried."""
        if not self._is_pending(request_id):
            return None
        self.tx_request = {}
        if rejected is True:
            why = ("You rejected the request in your wallet. Nothing was sent; "
                   "you can try again.")
            self._fail(self._pending["index"], why, status="rejected", kind="info")
            return rx.toast.info("Request rejected in your wallet")
        text = str(message)[:MAX_WALLET_MESSAGE] if isinstance(message, str) else ""
        why = f"Your wallet did not send it: {text or 'no reason given'}"
        self._fail(self._pending["index"], why)
        return rx.toast.error(why)

    @rx.event(background=True)
    async def follow_receipt(self) -> AsyncIterator[Any]:
        async with self:
            pending = dict(self._pending)
        tx_hash = pending.get("hash")
        if not tx_hash:
            return
        receipt = None
        deadline = time.monotonic() + RECEIPT_TIMEOUT_SECONDS
        while receipt is None and time.monotonic() < deadline:
            try:
                receipt = await _adapter().receipt(tx_hash)
            except ChainError as error:
                logger.warning("receipt of %s: %s", tx_hash, error)
            if receipt is None:
                await asyncio.sleep(RECEIPT_POLL_SECONDS)
        async with self:
            if self._pending.get("hash") != tx_hash:
                return  # the user moved on (another wallet, another page)
            index = pending["index"]
            if receipt is None:
                self._fail(index, "The transaction is not mined yet; check your wallet.")
                return
        why = ""
        if receipt is not None and not receipt.succeeded:
            why = await _reverted_because(pending, receipt.block_number)
        async with self:
            if self._pending.get("hash") != tx_hash:
                return
            if why:
                self._fail(index, why)
                yield rx.toast.error("The transaction reverted on chain.")
                return
            self._set_step(index, "confirmed")
            self._pending = {}
            self.in_flight = False
            await self._reload_position()
            kind = pending["kind"]
            if kind == "approve":
                self.notice = "Approved. Confirm the trade to finish."
            elif kind == "claim":
                self.notice = "Claimed: the tokens are in your wallet."
            else:
                self._queued(pending, receipt)
                self.amount_text = ""
            await self._refresh()
        yield rx.toast.success({"approve": "Approval confirmed", "claim": "Claim confirmed"}
                               .get(pending["kind"], "Trade submitted"))

    # ------------------------------------------------------------------ internals
    def _is_pending(self, request_id: object) -> bool:
        return (isinstance(request_id, str) and _REQUEST_ID.fullmatch(request_id) is not None
                and self._pending.get("id") == request_id)

    def _set_step(self, index: int, status: str, tx_hash: str = "") -> None:
        tracker = Steps(list(self.steps))
        tracker.set(index, status, tx_hash)
        self.steps = tracker.steps

    def _fail(self, index: int, why: str, *, status: str = "failed", kind: str = "error"
              ) -> None:
        self._set_step(index, status)
        self.message = why
        self.message_kind = kind
        self._pending = {}
        self.in_flight = False

    def _wallet_ready(self, wallet: WalletState) -> bool:
        if not wallet.connected:
            self.message = "Connect a wallet first."
            return False
        if wallet.wrong_network:
            self.message = "Your wallet is on another network: switch it first."
            return False
        return True

    def _queued(self, pending: dict[str, Any], receipt: Receipt) -> None:
        """The notice of a confirmed commit: the rebalance it joined and when that runs."""
        state, _ = _market(self.pool)
        action = pending.get("action", "mint")
        side = pending.get("side", "long")
        if state is None:
            self.notice = "Trade queued: it executes at the next rebalance it can join."
            return
        interval_id = committed_interval(receipt, state.info.committer, pending["from"])
        executes_at = 0
        if interval_id is not None:
            snapshot = _data.current_snapshot()
            offset = clock_offset(snapshot, int(time.time())) if snapshot else 0
            executes_at = expected_execution_timestamp(
                interval_id, state.pool.update_interval_id, state.pool.last_price_timestamp,
                state.info.update_interval) - offset
        self.queued_at = executes_at
        self._queued_interval = interval_id or 0
        self.notice = queued_notice(action, side, state.info, interval_id, executes_at)

    # ------------------------------------------------------------------ computed
    @rx.var
    def submit_label(self) -> str:
        if not self.amount_ok and not self.in_flight:
            return "Enter an amount"
        if self.approval_needed:
            return f"Approve {self.unit}"
        return f"{self.action.capitalize()} {self.side}"


async def _reverted_because(pending: dict[str, Any], block_number: int) -> str:
    """The sentence for a transaction that reverted on chain, with its reason if a replay
    on the state before its block finds one."""
    try:
        request = TransactionRequest(pending["from"], pending["to"],
                                     bytes.fromhex(pending["data"]), int(pending["value"]))
        reason = await revert_reason(_adapter().rpc, request, block_number)
    except (ChainError, KeyError, ValueError) as error:
        logger.warning("replaying reverted %s: %s", pending.get("hash"), error)
        reason = None
    if reason:
        return f"The transaction reverted on chain: {reason}."
    return "The transaction reverted on chain."


def fmt_amount(raw: int, decimals: int) -> str:
    from balancer_perps import format as fmt

    return fmt.amount(raw, decimals, digits=4)


# ----------------------------------------------------------------------------- view


def _choice(items: tuple[tuple[str, str], ...], value: rx.Var, on_change: Any,
            element_id: str) -> rx.Component:
    return rx.segmented_control.root(
        *(rx.segmented_control.item(label, value=key, id=f"{element_id}-{key}")
          for key, label in items),
        value=value,
        on_change=on_change,
        id=element_id,
        width="100%",
    )


def _quote_row(label: str, value: rx.Var | rx.Component, tip: str, element_id: str
               ) -> rx.Component:
    return rx.hstack(
        rx.hstack(rx.text(label, size="2", color_scheme="gray"), info_tip(tip), spacing="1",
                  align="center"),
        rx.spacer(),
        rx.text(value, size="2", weight="medium", id=element_id, text_align="right"),
        width="100%",
        align="center",
    )


def _quote() -> rx.Component:
    quote = TradeState.quote
    return rx.cond(
        quote.ready,
        rx.vstack(
            _quote_row("Fee", quote.fee, "Mints pay the minting fee now; burns pay the "
                       "burning fee when they execute.", "trade-fee"),
            _quote_row("Committed", quote.net, "What joins the queue after the fee.",
                       "trade-net"),
            _quote_row("You receive", quote.receive, "At the price the next rebalance would "
                       "set if the oracle price stayed where it is now.", "trade-receive"),
            _quote_row("Projected token price", quote.price, "The pool token's price after "
                       "the rebalance your trade executes in.", "trade-price"),
            rx.hstack(
                rx.text("Executes", size="2", color_scheme="gray"),
                rx.spacer(),
                countdown(quote.executes_at, prefix="in ", done_text="at the next rebalance",
                          class_name="rt-Text rt-r-size-2"),
                width="100%",
            ),
            rx.text(quote.executes_label, size="1", color_scheme="gray", align="right",
                    width="100%"),
            rx.cond(quote.lock_warning != "",
                    rx.callout(quote.lock_warning, icon="clock", color_scheme="amber",
                               size="1", id="trade-lock-warning")),
            rx.cond(quote.blocked != "",
                    rx.callout("The pool cannot execute trades right now: " + quote.blocked,
                               icon="octagon_x", color_scheme="red", size="1")),
            spacing="1",
            width="100%",
            id="trade-quote",
        ),
    )


def _step(step: StepView) -> rx.Component:
    return step_row(step, "trade")


def _steps() -> rx.Component:
    return rx.cond(
        TradeState.steps.length() > 0,
        rx.vstack(rx.foreach(TradeState.steps, _step), spacing="2", width="100%",
                  id="trade-steps"),
    )


def _position_row(label: str, value: rx.Var, element_id: str) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color_scheme="gray"),
        rx.spacer(),
        rx.text(value, size="2", weight="medium", id=element_id, text_align="right"),
        width="100%",
        align="center",
    )


def _pending_row(row: PendingRow) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(row.kind, size="2", weight="medium", class_name="position-pending-kind"),
            rx.spacer(),
            rx.text(row.amount, size="2", class_name="position-pending-amount"),
            width="100%",
        ),
        rx.hstack(
            rx.text(row.interval, size="1", color_scheme="gray"),
            rx.spacer(),
            countdown(row.executes_at, prefix="executes in ", done_text="executes at the "
                      "next upkeep", class_name="rt-Text rt-r-size-1"),
            width="100%",
        ),
        rx.text(row.executes_label, size="1", color_scheme="gray", align="right",
                width="100%"),
        spacing="0",
        width="100%",
        class_name="position-pending-row",
    )


def _position() -> rx.Component:
    """The connected wallet in this market: tokens held, claimable, queued trades."""
    view = TradeState.position
    return rx.cond(
        WalletState.connected & view.ready,
        rx.vstack(
            rx.hstack(rx.text("Your position in this market", size="2", weight="bold"),
                      info_tip("Pool tokens in your wallet, what executed trades left for "
                               "you to claim, and your trades waiting for a rebalance."),
                      align="center", spacing="1"),
            _position_row("Long tokens in wallet", view.long_balance, "position-long"),
            _position_row("Short tokens in wallet", view.short_balance, "position-short"),
            _position_row("Claimable", view.claimable, "position-claimable"),
            rx.cond(
                view.can_claim,
                rx.button(
                    "Claim",
                    on_click=TradeState.claim,
                    disabled=TradeState.in_flight | WalletState.wrong_network,
                    variant="soft",
                    size="2",
                    width="100%",
                    id="trade-claim",
                ),
            ),
            rx.cond(
                view.has_pending,
                rx.vstack(
                    rx.text("Waiting for a rebalance", size="2", color_scheme="gray"),
                    rx.foreach(view.pending, _pending_row),
                    rx.text("They become claimable when they execute.", size="1",
                            color_scheme="gray"),
                    spacing="2",
                    width="100%",
                    id="position-pending",
                ),
            ),
            spacing="1",
            width="100%",
            padding="0.75em",
            border="1px solid var(--gray-a5)",
            border_radius="var(--radius-3)",
            id="trade-position",
        ),
    )


def _wallet_notices() -> rx.Component:
    wallet = WalletState
    chain = wallet_chain()
    return rx.cond(
        wallet.connected,
        rx.cond(
            wallet.wrong_network,
            rx.callout(
                rx.hstack(
                    rx.text(f"Your wallet is on another network. Trades here use {chain.name}."),
                    SwitchChainButton.create(chain_id=chain.chain_id, label="Switch network",
                                             id="trade-switch-network",
                                             class_name="rt-reset rt-BaseButton rt-Button "
                                                        "rt-r-size-1 rt-variant-solid"),
                    align="center", wrap="wrap", spacing="2",
                ),
                icon="triangle_alert", color_scheme="amber", size="1",
                id="trade-wrong-network",
            ),
        ),
        rx.callout("Connect a wallet to trade. The app never holds your keys: you sign "
                   "every transaction in your wallet.", icon="wallet", size="1",
                   id="trade-connect-prompt"),
    )


def trade_panel() -> rx.Component:
    state = TradeState
    return panel(
        WalletSync.create(on_account=state.on_wallet),
        TransactionSender.create(request=state.tx_request, on_sent=state.tx_sent,
                                 on_failed=state.tx_failed),
        rx.vstack(
            rx.hstack(rx.heading("Trade", size="4"),
                      info_tip("Trades queue until the next rebalance and execute at its "
                               "price; minted tokens wait as unclaimed balance until you "
                               "claim them."),
                      align="center", spacing="2"),
            _choice((("mint", "Mint"), ("burn", "Burn"), ("flip", "Flip")), state.action,
                    state.set_action, "trade-action"),
            _choice((("long", "Long"), ("short", "Short")), state.side, state.set_side,
                    "trade-side"),
            _choice((("wallet", "From wallet"), ("escrow", "From unclaimed")), state.source,
                    state.set_source, "trade-source"),
            rx.input(
                value=state.amount_text,
                on_change=state.set_amount,
                placeholder="0.0",
                input_mode="decimal",
                size="3",
                width="100%",
                id="trade-amount",
                aria_label="Amount",
                auto_complete="off",
            ),
            rx.hstack(
                rx.text(state.unit, size="1", color_scheme="gray"),
                rx.spacer(),
                rx.text(state.available_label, size="1", color_scheme="gray",
                        id="trade-available"),
                width="100%",
            ),
            rx.cond(state.amount_problem != "",
                    rx.text(state.amount_problem, size="2", color_scheme="red",
                            id="trade-amount-problem", role="alert")),
            _quote(),
            rx.cond(
                state.approval_needed,
                rx.vstack(
                    rx.text("Approval", size="2", weight="medium"),
                    rx.radio_group.root(
                        rx.radio_group.item("Exact amount", value="exact",
                                            id="trade-approval-exact"),
                        rx.radio_group.item("Unlimited", value="unlimited",
                                            id="trade-approval-unlimited"),
                        value=state.approval,
                        on_change=state.set_approval,
                        direction="row",
                        size="2",
                    ),
                    rx.text("The pool contract moves your " + state.unit + " when the trade "
                            "is committed, so it needs your approval first.", size="1",
                            color_scheme="gray"),
                    spacing="1",
                    width="100%",
                ),
            ),
            _wallet_notices(),
            _position(),
            _steps(),
            rx.button(
                state.submit_label,
                on_click=state.submit,
                disabled=(state.in_flight | ~state.amount_ok | ~WalletState.connected
                          | WalletState.wrong_network),
                loading=state.in_flight,
                size="3",
                width="100%",
                id="trade-submit",
            ),
            rx.cond(state.message != "",
                    rx.cond(state.message_kind == "info",
                            rx.callout(state.message, icon="info", color_scheme="gray",
                                       size="1", id="trade-message"),
                            rx.callout(state.message, icon="circle_alert", color_scheme="red",
                                       size="1", id="trade-message", role="alert"))),
            rx.cond(state.notice != "",
                    rx.callout(
                        rx.vstack(
                            rx.text(state.notice),
                            rx.cond(state.queued_at > 0,
                                    countdown(state.queued_at, prefix="Executes in ",
                                              done_text="Executes at the next upkeep",
                                              id="trade-queued-countdown")),
                            spacing="1",
                        ),
                        icon="circle_check", color_scheme="grass", size="1",
                        id="trade-notice")),
            spacing="3",
            width="100%",
        ),
        id="trade-panel",
    )
