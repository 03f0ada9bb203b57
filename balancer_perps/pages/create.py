"""The "Create a market" page: a new BAL-settled market from any Chainlink price feed,
deployed in four transactions from the user's own wallet.

Every public method of `CreateState` is a public endpoint: a browser can call it with any
arguments, so each one checks what it gets. The server reads the feed, builds and
simulates every transaction (``prepare_for_wallet``, shared with the trade panel) and
never signs: the wallet does.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx

from balancer_perps.chain.adapter import ChainAdapter, loop_adapter
from balancer_perps.chain.deployment import (
    FeedReading,
    MarketParams,
    deploy_pool_request,
    deployed_pool,
    oracle_wrapper_request,
    read_feed,
    secondary_fee_address,
    secondary_fee_request,
)
from balancer_perps.chain.errors import ChainError
from balancer_perps.chain.transactions import (
    Receipt,
    TransactionRequest,
    revert_reason,
)
from balancer_perps.components.layout import page_layout
from balancer_perps.components.metrics import info_tip, panel
from balancer_perps.components.steps import step_row
from balancer_perps.components.wallet import (
    SwitchChainButton,
    TransactionSender,
    WalletState,
    wallet_chain,
)
from balancer_perps.networks import Network, NetworkConfigError, load_network
from balancer_perps.pages import create_view as view
from balancer_perps.pages.trade import prepare_for_wallet
from balancer_perps.pages.trade_view import Steps, StepView

logger = logging.getLogger(__name__)

ROUTE = "/create"
RECEIPT_POLL_SECONDS = 0.5
RECEIPT_TIMEOUT_SECONDS = 300.0
MAX_WALLET_MESSAGE = 300
_TX_HASH = re.compile(r"0x[0-9a-fA-F]{64}")
_REQUEST_ID = re.compile(r"create-[0-9]{1,9}")
_FIELDS = ("feed", "underlying", "leverage", "collateral", "update_interval",
           "front_running_interval", "minting_fee", "burning_fee", "oracle")
_UPDATE_VALUES = tuple(value for value, _ in view.UPDATE_INTERVALS)
_FRONT_VALUES = tuple(value for value, _ in view.FRONT_RUNNING_INTERVALS)
STEP_WRAPPER, STEP_ETH_WRAPPER, STEP_DEPLOY, STEP_TREASURY = range(4)

def _network() -> Network | None:
    try:
        return load_network()
    except NetworkConfigError:
        return None


def _chain() -> ChainAdapter:
    return loop_adapter()


def _unavailable_reason(network: Network | None) -> str:
    if network is None:
        return "The app's network is not configured, so markets cannot be created right now."
    if not network.treasury:
        return ("Market creation is off on this network: its configuration has no Balancer "
                "DAO treasury address to receive the 10% fee share.")
    if not view.collateral_choices(network):
        return ("Market creation is off on this network: no settlement token has a "
                "settlement/ETH price feed configured for the keeper reward.")
    return ""


class CreateState(rx.State):
    # The form, as typed (never cleared by a failed check).
    feed_text: str = ""
    underlying_text: str = ""
    leverage_text: str = "3"
    collateral: str = "BAL"
    update_interval: str = view.DEFAULT_UPDATE_INTERVAL
    front_running_interval: str = view.DEFAULT_FRONT_RUNNING_INTERVAL
    minting_fee_text: str = "0.3"
    burning_fee_text: str = "0"
    oracle: str = "spot"
    problems: dict[str, str] = dict.fromkeys(_FIELDS, "")
    collaterals: list[str] = []  # noqa: RUF012
    known_feeds: list[str] = []  # noqa: RUF012 (pairs the network is known to have a feed for)
    treasury: str = ""
    unavailable: str = ""  # why creation is off on this network ("" when it is on)
    feed_status: str = ""  # what the feed answered
    checking: bool = False
    # The review and the flow.
    reviewed: bool = False
    summary: list[view.SummaryRow] = []  # noqa: RUF012
    duplicate_warning: str = ""
    steps: list[StepView] = []  # noqa: RUF012
    step_notes: list[str] = []  # noqa: RUF012
    message: str = ""
    message_kind: str = "error"  # or "info" when the user chose to stop
    notice: str = ""
    in_flight: bool = False
    tx_request: dict[str, str] = {}  # noqa: RUF012 (handed to the wallet once, then cleared)
    pool_address: str = ""  # the new pool, once deployed
    done: bool = False
    _params: MarketParams | None = None  # fixed at review
    _feed: FeedReading | None = None
    _eth_feed: str = ""
    _pair_auto: bool = False  # the pair was filled in by the app, not typed
    _sender: str = ""  # the account the flow started with (the wrappers' deployer)
    _results: dict[str, str] = {}  # noqa: RUF012 (wrapper, eth_wrapper, pool)
    _pending: dict[str, Any] = {}  # noqa: RUF012
    _counter: int = 0

    # ------------------------------------------------------------------ helpers
    def _form(self) -> view.CreateForm:
        return view.CreateForm(
            feed=self.feed_text, underlying=self.underlying_text, leverage=self.leverage_text,
            collateral=self.collateral, update_interval=self.update_interval,
            front_running_interval=self.front_running_interval,
            minting_fee=self.minting_fee_text, burning_fee=self.burning_fee_text,
            oracle=self.oracle)

    def _started(self) -> bool:
        """Whether a step is under way or done: the form is then fixed until "Start over"."""
        return self.in_flight or bool(self._results)

    def _edited(self, name: str) -> None:
        """A field changed: its problem and the review no longer apply."""
        self.problems = {**self.problems, name: ""}
        self.reviewed = False
        self.summary = []
        self.steps = []
        self.step_notes = []
        self.duplicate_warning = ""
        self.message = ""

    def _clear_flow(self) -> None:
        self.reviewed = False
        self.summary = []
        self.steps = []
        self.step_notes = []
        self.duplicate_warning = ""
        self.message = ""
        self.message_kind = "error"
        self.notice = ""
        self.in_flight = False
        self.tx_request = {}
        self.pool_address = ""
        self.done = False
        self._params = None
        self._feed = None
        self._eth_feed = ""
        self._sender = ""
        self._results = {}
        self._pending = {}

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

    async def _check_feed(self, network: Network) -> FeedReading | None:
        """Read the typed feed on chain; fills the pair from its description unless the user
        typed one."""
        address, problem = view.parse_address(self.feed_text)
        if problem:
            self.problems = {**self.problems, "feed": problem}
            self.feed_status = ""
            return None
        try:
            reading = await read_feed(_chain().rpc, address)
        except ChainError as error:
            self.problems = {**self.problems, "feed": error.message}
            self.feed_status = ""
            return None
        self.problems = {**self.problems, "feed": ""}
        self.feed_status = view.feed_summary(reading, int(time.time()))
        if self._pair_auto or not self.underlying_text.strip():
            self.underlying_text = view.underlying_from_description(reading.description)
            self._pair_auto = True
        return reading

    async def _duplicate(self, name: str) -> str:
        try:
            markets = await _chain().discover_markets()
        except ChainError as error:
            logger.warning("market discovery for the duplicate check: %s", error)
            return ""
        same = [m for m in markets if m.name == name]
        if not same:
            return ""
        return (f"A market named {name} already exists ({same[0].address}). Creating "
                "another one splits traders between them.")

    def _request(self, index: int) -> TransactionRequest:
        network = load_network()
        params, feed = self._params, self._feed
        if params is None or feed is None:
            raise ValueError("the market is not reviewed")
        if index == STEP_WRAPPER:
            return oracle_wrapper_request(self._sender, feed.address)
        if index == STEP_ETH_WRAPPER:
            return oracle_wrapper_request(self._sender, self._eth_feed)
        if index == STEP_DEPLOY:
            return deploy_pool_request(
                self._sender, network.factory, params,
                oracle_wrapper=self._results["wrapper"],
                settlement_eth_oracle=self._results["eth_wrapper"])
        return secondary_fee_request(self._sender, self._results["pool"], self.treasury)

    def _record(self, index: int, receipt: Receipt) -> str:
        """Keep what a confirmed step created; a sentence when it is not there."""
        if index in (STEP_WRAPPER, STEP_ETH_WRAPPER):
            if not receipt.contract_address:
                return "The wallet's transaction created no contract."
            key = "wrapper" if index == STEP_WRAPPER else "eth_wrapper"
            self._results = {**self._results, key: receipt.contract_address}
        elif index == STEP_DEPLOY:
            deployed = deployed_pool(receipt, load_network().factory)
            if deployed is None:
                return "The factory did not report a new pool in this transaction."
            self._results = {**self._results, "pool": deployed.pool}
            self.pool_address = deployed.pool
        return ""

    # ------------------------------------------------------------------ events
    @rx.event
    def load(self) -> None:
        """On page load: what this network allows. The form keeps what was typed."""
        network = _network()
        self.unavailable = _unavailable_reason(network)
        choices = view.collateral_choices(network) if network else []
        self.collaterals = [t.symbol for t in choices]
        self.known_feeds = sorted(network.price_feeds) if network else []
        self.treasury = (network.treasury or "") if network else ""
        if self.collaterals and self.collateral not in self.collaterals:
            self.collateral = self.collaterals[0]
        if not self.in_flight:
            self.tx_request = {}

    @rx.event
    def set_feed(self, value: str) -> None:
        if self._started():
            return
        self.feed_text = view.clip(value)
        self.feed_status = ""
        self._edited("feed")

    @rx.event
    def set_underlying(self, value: str) -> None:
        if not self._started():
            self.underlying_text = view.clip(value)
            self._pair_auto = False
            self._edited("underlying")

    @rx.event
    def set_leverage(self, value: str) -> None:
        if not self._started():
            self.leverage_text = view.clip(value)
            self._edited("leverage")

    @rx.event
    def set_collateral(self, value: str) -> None:
        if not self._started() and value in self.collaterals:
            self.collateral = value
            self._edited("collateral")

    @rx.event
    def set_update_interval(self, value: str) -> None:
        if not self._started() and value in _UPDATE_VALUES:
            self.update_interval = value
            self._edited("update_interval")
            self._edited("front_running_interval")

    @rx.event
    def set_front_running_interval(self, value: str) -> None:
        if not self._started() and value in _FRONT_VALUES:
            self.front_running_interval = value
            self._edited("front_running_interval")

    @rx.event
    def set_minting_fee(self, value: str) -> None:
        if not self._started():
            self.minting_fee_text = view.clip(value)
            self._edited("minting_fee")

    @rx.event
    def set_burning_fee(self, value: str) -> None:
        if not self._started():
            self.burning_fee_text = view.clip(value)
            self._edited("burning_fee")

    @rx.event
    def set_oracle(self, value: str) -> None:
        if not self._started() and value in view.ORACLES:
            self.oracle = value
            self._edited("oracle")

    @rx.event
    async def pick_feed(self, pair: str) -> AsyncIterator[Any]:
        """A known feed of this network: fill in its address and pair, then read it."""
        network = _network()
        if network is None or self._started() or not isinstance(pair, str):
            return
        address = network.price_feeds.get(pair)
        if address is None:
            return
        self.feed_text, self.underlying_text = address, pair
        self._pair_auto = True
        self.feed_status = ""
        self._edited("feed")
        self._edited("underlying")
        yield CreateState.check_feed

    @rx.event
    async def check_feed(self) -> AsyncIterator[Any]:
        """Read the feed now (the "Check feed" button, and leaving the field)."""
        network = _network()
        if network is None or self.checking or self._started() or not self.feed_text.strip():
            return
        self.checking = True
        yield
        try:
            await self._check_feed(network)
        finally:
            self.checking = False

    @rx.event
    async def review(self) -> AsyncIterator[Any]:
        """Check every field and the feed on chain; show the summary and the steps."""
        if self._started():
            return
        network = _network()
        self.unavailable = _unavailable_reason(network)
        if network is None or self.unavailable:
            return
        self.checking = True
        self.message = ""
        yield
        try:
            reading = await self._check_feed(network)
            choices = view.collateral_choices(network)
            check = view.check_form(self._form(), choices)
            problems = {name: check.problems.get(name, "") for name in _FIELDS}
            if reading is None:
                problems["feed"] = self.problems.get("feed") or "The feed could not be read."
            self.problems = problems
            if check.params is None or reading is None:
                self.message = "Some fields need attention: see the notes under them."
                return
            params = check.params
            wallet = await self.get_state(WalletState)
            self._params = params
            self._feed = reading
            self._eth_feed = network.settlement_eth_feeds[params.settlement_symbol]
            self.summary = view.summary_rows(params, reading, sender=wallet.address,
                                             treasury=self.treasury)
            self.steps = [StepView(i + 1, label)
                          for i, label in enumerate(view.step_labels(params))]
            self.step_notes = view.step_explanations(params, self.treasury)
            self.duplicate_warning = await self._duplicate(params.pool_name)
            self.reviewed = True
        finally:
            self.checking = False

    @rx.event
    async def start(self) -> AsyncIterator[Any]:
        """Send the next step: build it, simulate it from the wallet's address, and only
        hand it to the wallet if it passes."""
        if self.in_flight or self.done:
            return
        if not self.reviewed or self._params is None:
            self.message = "Review the market first."
            return
        wallet = await self.get_state(WalletState)
        if not wallet.connected:
            self.message = "Connect a wallet first."
            return
        if wallet.wrong_network:
            self.message = "Your wallet is on another network: switch it first."
            return
        if self._results and wallet.address != self._sender:
            self.message = (f"This market is being created from {self._sender}: switch your "
                            "wallet back to that account, or start over.")
            return
        self._sender = wallet.address
        index = Steps(list(self.steps)).current()
        if index >= len(self.steps):
            return
        self.message = ""
        self.message_kind = "error"
        self._set_step(index, "preparing")
        self.in_flight = True
        yield
        try:
            request = self._request(index)
        except (ValueError, KeyError, ChainError, NetworkConfigError) as error:
            logger.warning("building step %d: %s", index + 1, error)
            self._fail(index, "This step could not be prepared. Start over and try again.")
            return
        self._counter += 1
        request_id = f"create-{self._counter}"
        prepared = await prepare_for_wallet(_chain(), request, request_id,
                                            wallet.expected_chain_id)
        if prepared.problem:
            self._fail(index, prepared.problem)
            return
        self._pending = {
            "id": request_id, "index": index, "hash": "", "from": request.sender,
            "to": request.to, "data": request.data.hex(), "value": request.value,
        }
        self.tx_request = prepared.params
        self._set_step(index, "wallet")

    @rx.event
    def start_over(self) -> None:
        """Drop the flow (contracts already deployed stay unused); keep the form."""
        if self.in_flight:
            return
        self._clear_flow()

    @rx.event
    def tx_sent(self, request_id: str, tx_hash: str) -> Any:
        if not self._is_pending(request_id) or not isinstance(tx_hash, str) \
                or not _TX_HASH.fullmatch(tx_hash):
            return None
        self.tx_request = {}
        self._pending["hash"] = tx_hash.lower()
        self._set_step(self._pending["index"], "confirming", tx_hash.lower())
        return CreateState.follow_receipt

    @rx.event
    def tx_failed(self, request_id: str, message: str, rejected: bool) -> Any:
        """The wallet did not send it; a rejection is the user's choice, not an error."""
        if not self._is_pending(request_id):
            return None
        self.tx_request = {}
        if rejected is True:
            self._fail(self._pending["index"], "You rejected the request in your wallet. "
                       "Nothing was sent; you can continue when ready.", status="rejected",
                       kind="info")
            return rx.toast.info("Request rejected in your wallet")
        text = str(message)[:MAX_WALLET_MESSAGE] if isinstance(message, str) else ""
        why = f"Your wallet did not send it: {text or 'no reason given'}"
        self._fail(self._pending["index"], why)
        return rx.toast.error(why)

    @rx.event(background=True)
    async def follow_receipt(self) -> AsyncIterator[Any]:
        async with self:
            pending = dict(self._pending)
            treasury = self.treasury
        tx_hash = pending.get("hash")
        if not tx_hash:
            return
        receipt = None
        deadline = time.monotonic() + RECEIPT_TIMEOUT_SECONDS
        while receipt is None and time.monotonic() < deadline:
            try:
                receipt = await _chain().receipt(tx_hash)
            except ChainError as error:
                logger.warning("receipt of %s: %s", tx_hash, error)
            if receipt is None:
                await asyncio.sleep(RECEIPT_POLL_SECONDS)
        index = int(pending["index"])
        why = ""
        if receipt is None:
            why = "The transaction is not mined yet; check your wallet."
        elif not receipt.succeeded:
            why = await _reverted_because(pending, receipt.block_number)
        elif index == STEP_TREASURY:
            why = await _treasury_check(pending["to"], treasury)
        async with self:
            if self._pending.get("hash") != tx_hash:
                return  # the user started over meanwhile
            if not why and receipt is not None:
                why = self._record(index, receipt)
            if why:
                self._fail(index, why)
                yield rx.toast.error("The step did not complete.")
                return
            self._set_step(index, "confirmed")
            self._pending = {}
            self.in_flight = False
            finished = index == STEP_TREASURY
            if finished:
                self.done = True
                self.notice = "Your market is live."
        if finished:
            yield rx.toast.success("Market created")
        else:
            yield CreateState.start

    # ------------------------------------------------------------------ internals
    def _is_pending(self, request_id: object) -> bool:
        return (isinstance(request_id, str) and _REQUEST_ID.fullmatch(request_id) is not None
                and self._pending.get("id") == request_id)

    # ------------------------------------------------------------------ computed
    @rx.var
    def pool_name_preview(self) -> str:
        pair = view.underlying_from_description(self.underlying_text) or "BASE/QUOTE"
        leverage = self.leverage_text.strip() or "L"
        return f"{leverage}-{pair}+{self.collateral}"

    @rx.var
    def pool_link(self) -> str:
        return f"/markets/{self.pool_address}" if self.pool_address else ""

    @rx.var
    def started(self) -> bool:
        return self.in_flight or any(s.status == "confirmed" for s in self.steps)

    @rx.var
    def submit_label(self) -> str:
        current = Steps(list(self.steps)).current()
        if current == 0 and all(s.status == "waiting" for s in self.steps):
            return "Create market"
        if current >= len(self.steps):
            return "Done"
        return f"Continue with step {current + 1}"


async def _reverted_because(pending: dict[str, Any], block_number: int) -> str:
    try:
        request = TransactionRequest(pending["from"], pending["to"],
                                     bytes.fromhex(pending["data"]), int(pending["value"]))
        reason = await revert_reason(_chain().rpc, request, block_number)
    except (ChainError, KeyError, ValueError) as error:
        logger.warning("replaying reverted %s: %s", pending.get("hash"), error)
        reason = None
    if reason:
        return f"The transaction reverted on chain: {reason}."
    return "The transaction reverted on chain."


async def _treasury_check(pool: str, treasury: str) -> str:
    """After step 4: the pool's secondary fee address must now be the treasury."""
    try:
        current = await secondary_fee_address(_chain().rpc, pool)
    except ChainError as error:
        logger.warning("secondaryFeeAddress of %s: %s", pool, error)
        return ""  # the transaction succeeded; a failed read is no reason to fail the step
    if current.lower() != treasury.lower():
        return f"The pool's secondary fee address is {current}, not the treasury."
    return ""


# ----------------------------------------------------------------------------- view


def _field(label: str, control: rx.Component, name: str, hint: str = "") -> rx.Component:
    problem = CreateState.problems[name]
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label"),
        control,
        rx.cond(problem != "",
                rx.text(problem, size="1", color_scheme="red", role="alert",
                        id=f"create-{name.replace('_', '-')}-problem")),
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
        spacing="1",
        width="100%",
    )


def _text_input(value: rx.Var, on_change: Any, element_id: str, placeholder: str = "",
                **props: Any) -> rx.Component:
    return rx.input(value=value, on_change=on_change, id=element_id, placeholder=placeholder,
                    width="100%", auto_complete="off", disabled=CreateState.started,
                    **props)


def _select(options: tuple[tuple[str, str], ...], value: rx.Var, on_change: Any,
            element_id: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%", id=element_id),
        rx.select.content(*(rx.select.item(label, value=key) for key, label in options)),
        value=value,
        on_change=on_change,
        disabled=CreateState.started,
    )


def _form() -> rx.Component:
    state = CreateState
    return panel(
        rx.vstack(
            rx.heading("Market", size="4"),
            _field("Chainlink price feed", rx.hstack(
                _text_input(state.feed_text, state.set_feed, "create-feed", "0x…",
                            on_blur=state.check_feed),
                rx.button("Check feed", on_click=state.check_feed, variant="soft",
                          loading=state.checking, disabled=state.started,
                          id="create-check-feed"),
                width="100%"), "feed",
                "The aggregator's address on this network. It must answer decimals() and "
                "latestRoundData() with a positive price."),
            rx.cond(state.known_feeds.length() > 0, rx.hstack(
                rx.text("Feeds on this network:", size="1", color_scheme="gray"),
                rx.foreach(state.known_feeds, lambda pair: rx.button(
                    pair, size="1", variant="surface", on_click=state.pick_feed(pair),
                    disabled=state.started, class_name="create-known-feed")),
                wrap="wrap", align="center", spacing="2")),
            rx.cond(state.feed_status != "",
                    rx.text(state.feed_status, size="2", color_scheme="grass",
                            id="create-feed-status")),
            _field("Pair", _text_input(state.underlying_text, state.set_underlying,
                                       "create-underlying", "ETH/USD"), "underlying",
                   "Taken from the feed's description; edit it if it does not read as "
                   "BASE/QUOTE."),
            _field("Leverage", _text_input(state.leverage_text, state.set_leverage,
                                           "create-leverage", "3", input_mode="numeric"),
                   "leverage",
                   f"A whole number from {view.MIN_LEVERAGE} to {view.MAX_LEVERAGE}. The "
                   "contracts accept more, but a move of about 1/leverage against a side "
                   "empties it, and the pool then stalls until the price comes back."),
            _field("Collateral", rx.select(state.collaterals, value=state.collateral,
                                           on_change=state.set_collateral,
                                           id="create-collateral", width="100%",
                                           disabled=state.started), "collateral",
                   "What traders post and are paid in."),
            rx.grid(
                _field("Rebalance every", _select(view.UPDATE_INTERVALS,
                                                  state.update_interval,
                                                  state.set_update_interval,
                                                  "create-update-interval"),
                       "update_interval"),
                _field("Front-running lock", _select(view.FRONT_RUNNING_INTERVALS,
                                                     state.front_running_interval,
                                                     state.set_front_running_interval,
                                                     "create-front-running-interval"),
                       "front_running_interval",
                       "Trades sent this close to a rebalance wait for the next one. It "
                       "must be shorter than the rebalance period."),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"),
            rx.grid(
                _field("Minting fee (%)", _text_input(state.minting_fee_text,
                                                     state.set_minting_fee,
                                                     "create-minting-fee", "0.3",
                                                     input_mode="decimal"),
                       "minting_fee", "At most 10%."),
                _field("Burning fee (%)", _text_input(state.burning_fee_text,
                                                     state.set_burning_fee,
                                                     "create-burning-fee", "0",
                                                     input_mode="decimal"),
                       "burning_fee", "At most 10%."),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"),
            _field("Oracle", _select((("spot", "Spot price"),), state.oracle,
                                     state.set_oracle, "create-oracle"), "oracle",
                   "The feed's latest price at each rebalance."),
            rx.hstack(rx.text("Pool name", size="2", color_scheme="gray"), rx.spacer(),
                      rx.text(state.pool_name_preview, size="2", weight="bold",
                              id="create-pool-name"), width="100%"),
            rx.button("Review", on_click=state.review, loading=state.checking,
                      disabled=state.started | (state.unavailable != ""), size="3",
                      width="100%", id="create-review"),
            spacing="3",
            width="100%",
        ),
        id="create-form",
    )


def _step(step: StepView, note: rx.Var) -> rx.Component:
    return step_row(step, "create", note)


def _summary_row(row: view.SummaryRow) -> rx.Component:
    return rx.hstack(rx.text(row.label, size="2", color_scheme="gray"), rx.spacer(),
                     rx.text(row.value, size="2", weight="medium", text_align="right"),
                     width="100%", class_name="create-summary-row")


def _wallet_notice() -> rx.Component:
    chain = wallet_chain()
    return rx.cond(
        WalletState.connected,
        rx.cond(WalletState.wrong_network,
                rx.callout(rx.hstack(
                    rx.text(f"Your wallet is on another network. Markets here live on "
                            f"{chain.name}."),
                    SwitchChainButton.create(chain_id=chain.chain_id, label="Switch network",
                                             id="create-switch-network",
                                             class_name="rt-reset rt-BaseButton rt-Button "
                                                        "rt-r-size-1 rt-variant-solid"),
                    align="center", wrap="wrap", spacing="2"),
                    icon="triangle_alert", color_scheme="amber", size="1")),
        rx.callout("Connect a wallet to create the market: you sign each step in your "
                   "wallet.", icon="wallet", size="1", id="create-connect-prompt"),
    )


def _review() -> rx.Component:
    state = CreateState
    return rx.cond(
        state.reviewed,
        panel(
            rx.vstack(
                rx.heading("Summary", size="4"),
                rx.vstack(rx.foreach(state.summary, _summary_row), spacing="1",
                          width="100%", id="create-summary"),
                rx.cond(state.duplicate_warning != "",
                        rx.callout(state.duplicate_warning, icon="triangle_alert",
                                   color_scheme="amber", size="1", id="create-duplicate")),
                rx.text("Four transactions from your wallet, each checked here before your "
                        "wallet sees it:", size="2"),
                rx.vstack(rx.foreach(state.steps,
                                     lambda step, i: _step(step, state.step_notes[i])),
                          spacing="3", width="100%", id="create-steps"),
                _wallet_notice(),
                rx.cond(~state.done,
                        rx.hstack(
                            rx.button(state.submit_label, on_click=state.start,
                                      loading=state.in_flight,
                                      disabled=state.in_flight | ~WalletState.connected
                                      | WalletState.wrong_network,
                                      size="3", id="create-submit"),
                            rx.cond(state.started & ~state.in_flight,
                                    rx.button("Start over", on_click=state.start_over,
                                              variant="soft", color_scheme="gray", size="3",
                                              id="create-start-over")),
                            spacing="2")),
                rx.cond(state.message != "",
                        rx.cond(state.message_kind == "info",
                                rx.callout(state.message, icon="info", color_scheme="gray",
                                           size="1", id="create-message"),
                                rx.callout(state.message, icon="circle_alert",
                                           color_scheme="red", size="1", id="create-message",
                                           role="alert"))),
                rx.cond(state.done, _success()),
                spacing="3",
                width="100%",
            ),
            id="create-review-panel",
        ),
        rx.cond(state.message != "",
                rx.callout(state.message, icon="circle_alert", color_scheme="red", size="1",
                           id="create-message", role="alert")),
    )


def _success() -> rx.Component:
    state = CreateState
    return rx.callout(
        rx.vstack(
            rx.text(rx.text.strong(state.notice), " Its 10% fee share now goes to the "
                    "Balancer DAO treasury."),
            rx.link("Open the market page", href=state.pool_link, id="create-market-link"),
            rx.text("New markets are listed as unverified: the markets list shows them with "
                    "\"Show unverified markets\" on, until the operators add the pool to "
                    "the curated allow-list (BALANCER_PERPS_VERIFIED_POOLS).", size="1"),
            rx.button("Create another market", on_click=state.start_over, variant="soft",
                      size="1", id="create-another"),
            spacing="1",
        ),
        icon="circle_check", color_scheme="grass", size="1", id="create-done",
    )


def _intro() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.heading("Create a market", size="7"),
                  info_tip("Four transactions from your wallet: two price oracles, the "
                           "market itself, and the hand-over of the 10% fee share."),
                  align="center", spacing="2"),
        rx.text("Open a leveraged long/short market on any Chainlink price feed, settled in "
                "BAL or another Balancer asset. You deploy it from your own wallet; the app "
                "never holds your keys.", color_scheme="gray"),
        rx.callout(
            rx.text(rx.text.strong("Where the fees go. "),
                    "Perpetual Pools V2 sends 10% of a market's fees to its secondary fee "
                    "address, which the factory sets to whoever deploys the market. "
                    "Balancer's policy is that this share goes to the Balancer DAO treasury, "
                    "so the last step hands it over with updateSecondaryFeeAddress(",
                    rx.code(CreateState.treasury, id="create-treasury"), ")."),
            icon="landmark", size="1", id="create-fee-policy"),
        spacing="2",
        width="100%",
    )


def create_page() -> rx.Component:
    state = CreateState
    return page_layout(
        TransactionSender.create(request=state.tx_request, on_sent=state.tx_sent,
                                 on_failed=state.tx_failed),
        _intro(),
        rx.cond(state.unavailable != "",
                rx.callout(state.unavailable, icon="octagon_x", color_scheme="amber",
                           id="create-unavailable")),
        rx.grid(_form(), _review(), columns=rx.breakpoints(initial="1", md="2"),
                spacing="4", width="100%"),
    )


ON_LOAD = [CreateState.load]
