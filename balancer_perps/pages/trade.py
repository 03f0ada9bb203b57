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

from balancer_perps.chain.adapter import ChainAdapter
from balancer_perps.chain.errors import ChainError
from balancer_perps.chain.positions import UserMarketPosition
from balancer_perps.chain.snapshot import MarketState
from balancer_perps.chain.transactions import (
    Simulation,
    TransactionRequest,
    approve_request,
    commit_request,
)
from balancer_perps.components.countdown import countdown
from balancer_perps.components.metrics import info_tip, panel
from balancer_perps.components.wallet import (
    SwitchChainButton,
    TransactionSender,
    WalletState,
    WalletSync,
    wallet_chain,
)
from balancer_perps.domain.errors import ContractError
from balancer_perps.domain.preview import preview_commit
from balancer_perps.networks import load_network
from balancer_perps.pages import _data
from balancer_perps.pages.market_view import parse_address
from balancer_perps.pages.markets_view import clock_offset
from balancer_perps.pages.trade_view import (
    ACTIONS,
    APPROVALS,
    SIDES,
    SOURCES,
    Steps,
    StepView,
    TradeQuote,
    amount_unit,
    approval_amount,
    available_amount,
    commit_type_of,
    needs_approval,
    parse_amount,
    trade_quote,
)

logger = logging.getLogger(__name__)

RECEIPT_POLL_SECONDS = 0.5
RECEIPT_TIMEOUT_SECONDS = 300.0
GAS_MARGIN = (5, 4)  # the wallet gets the simulated gas plus 25%
_TX_HASH = re.compile(r"0x[0-9a-fA-F]{64}")
_REQUEST_ID = re.compile(r"(approve|commit)-[0-9]{1,9}")
MAX_WALLET_MESSAGE = 300

# One adapter per event loop of this backend process (its HTTP session belongs to a loop).
_adapters: dict[int, ChainAdapter] = {}


def _adapter() -> ChainAdapter:
    key = id(asyncio.get_running_loop())
    adapter = _adapters.get(key)
    if adapter is None:
        adapter = _adapters[key] = ChainAdapter.connect(load_network())
    return adapter


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
    notice: str = ""  # what just succeeded
    in_flight: bool = False
    tx_request: dict[str, str] = {}  # noqa: RUF012 (handed to the wallet once, then cleared)
    _position: UserMarketPosition | None = None
    _position_of: str = ""  # whose position `_position` is
    _pending: dict[str, Any] = {}  # noqa: RUF012 (id, kind, step index, hash)
    _counter: int = 0

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
            return
        info = state.info
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
        snapshot = _data.current_snapshot()
        offset = clock_offset(snapshot, int(time.time())) if snapshot else 0
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
        self.notice = ""

    # ------------------------------------------------------------------ events
    @rx.event
    async def load(self) -> None:
        """On page load: the market from the URL, the user's position, the preview."""
        segment = self.router.url.path.rstrip("/").rsplit("/", 1)[-1][:100]
        self.pool = parse_address(segment).address
        self._reset_flow()
        await self._reload_position()
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
        self.message = self.notice = ""
        if not wallet.connected:
            self.message = "Connect a wallet first."
            return
        if wallet.wrong_network:
            self.message = "Your wallet is on another network: switch it first."
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
        self._counter += 1
        request_id = f"{kind}-{self._counter}"
        prepared = await prepare_for_wallet(_adapter(), request, request_id,
                                            wallet.expected_chain_id)
        if prepared.problem:
            self._fail(index, prepared.problem)
            return
        self._pending = {"id": request_id, "kind": kind, "index": index, "hash": ""}
        self.tx_request = prepared.params
        self._set_step(index, "wallet")

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
        if not self._is_pending(request_id):
            return None
        self.tx_request = {}
        text = str(message)[:MAX_WALLET_MESSAGE]
        why = ("You rejected the request in your wallet." if rejected is True
               else f"Your wallet did not send it: {text}")
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
            if not receipt.succeeded:
                self._fail(index, "The transaction reverted on chain.")
                yield rx.toast.error("The transaction reverted on chain.")
                return
            self._set_step(index, "confirmed")
            self._pending = {}
            self.in_flight = False
            await self._reload_position()
            if pending["kind"] == "approve":
                self.notice = "Approved. Confirm the trade to finish."
                await self._refresh()
            else:
                self.notice = ("Trade queued: it executes at the rebalance shown above, and "
                               "the tokens wait for you as unclaimed balance.")
                self.amount_text = ""
                await self._refresh()
        yield rx.toast.success("Approval confirmed" if pending["kind"] == "approve"
                               else "Trade submitted")

    # ------------------------------------------------------------------ internals
    def _is_pending(self, request_id: object) -> bool:
        return (isinstance(request_id, str) and _REQUEST_ID.fullmatch(request_id) is not None
                and self._pending.get("id") == request_id)

    def _set_step(self, index: int, status: str, tx_hash: str = "") -> None:
        tracker = Steps(list(self.steps))
        tracker.set(index, status, tx_hash)
        self.steps = tracker.steps

    def _fail(self, index: int, why: str) -> None:
        self._set_step(index, "failed")
        self.message = why
        self._pending = {}
        self.in_flight = False

    # ------------------------------------------------------------------ computed
    @rx.var
    def submit_label(self) -> str:
        if not self.amount_ok and not self.in_flight:
            return "Enter an amount"
        if self.approval_needed:
            return f"Approve {self.unit}"
        return f"{self.action.capitalize()} {self.side}"


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
    color = rx.match(step.status, ("confirmed", "grass"), ("failed", "red"),
                     ("waiting", "gray"), "indigo")
    return rx.hstack(
        rx.badge(step.number, variant="solid", color_scheme=color, radius="full"),
        rx.text(step.label, size="2", weight="medium"),
        rx.spacer(),
        rx.cond((step.status == "preparing") | (step.status == "confirming"),
                rx.spinner(size="1")),
        rx.text(step.status_text, size="2", color_scheme="gray", class_name="trade-step-status"),
        width="100%",
        align="center",
        class_name="trade-step",
        custom_attrs={"data-status": step.status},
    )


def _steps() -> rx.Component:
    return rx.cond(
        TradeState.steps.length() > 0,
        rx.vstack(rx.foreach(TradeState.steps, _step), spacing="2", width="100%",
                  id="trade-steps"),
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
                    rx.callout(state.message, icon="circle_alert", color_scheme="red",
                               size="1", id="trade-message", role="alert")),
            rx.cond(state.notice != "",
                    rx.callout(state.notice, icon="circle_check", color_scheme="grass",
                               size="1", id="trade-notice")),
            spacing="3",
            width="100%",
        ),
        id="trade-panel",
    )
