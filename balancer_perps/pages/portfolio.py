"""The portfolio page: the connected wallet's positions in every market, what waits for it
(unclaimed balances, queued trades) and its PnL, live.

The account is the one the browser's wallet reports (`WalletState`): a client claim, good
for choosing whose public balances to show, nothing more. Balances come from one multicall
(`chain.positions.read_user`), re-read at every rebalance, every half minute and on
request; the trades behind the PnL come from the index (`history.account_trades`). Values
follow the live snapshot at every block without a read. The trade history (the latest
commits, filtered by market and type) is read from the index with the balances and when a
filter changes; its CSV download is built from the index on request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from balancer_perps import format as fmt
from balancer_perps import history
from balancer_perps.chain.adapter import loop_adapter
from balancer_perps.chain.errors import ChainError
from balancer_perps.chain.positions import UserSnapshot
from balancer_perps.chain.snapshot import MarketsSnapshot
from balancer_perps.components.countdown import countdown
from balancer_perps.components.layout import page_layout
from balancer_perps.components.metrics import info_tip, loading_state, panel, trend_text
from balancer_perps.components.wallet import (
    SwitchChainButton,
    WalletState,
    WalletSync,
    checked_address,
    wallet_chain,
)
from balancer_perps.networks import NetworkConfigError, load_network
from balancer_perps.pages import _data
from balancer_perps.pages._live import LivePage
from balancer_perps.pages.markets_view import clock_offset
from balancer_perps.pages.portfolio_history import (
    ALL,
    FLIP_NOTE,
    SHOWN,
    TYPE_FILTERS,
    TYPE_OPTIONS,
    HistoryRow,
    MarketOption,
    count_label,
    csv_filename,
    history_csv,
    history_rows,
    market_options,
    type_filter,
)
from balancer_perps.pages.portfolio_view import (
    EXPOSURE_EXPLANATION,
    PNL_EXPLANATION,
    CollateralExposureRow,
    ExposureRow,
    PendingCommitRow,
    PortfolioView,
    PositionRow,
    TotalRow,
    UnderlyingExposureRow,
    portfolio_view,
)

logger = logging.getLogger(__name__)

ROUTE = "/portfolio"
REREAD_SECONDS = 30  # chain time between balance reads when no rebalance happens


async def read_positions(account: str, snapshot: MarketsSnapshot) -> UserSnapshot:
    """The account in every market of the snapshot, in one batch (the trade panel's
    adapter, so one HTTP session per event loop)."""
    adapter = loop_adapter()
    pools = [m.info.address for m in snapshot.markets]
    if any(adapter.markets.statics(pool) is None for pool in pools):
        await adapter.markets.discover()
    statics = [s for s in (adapter.markets.statics(pool) for pool in pools) if s is not None]
    return await adapter.read_user(account, statics)


async def read_trades(chain_id: int, account: str) -> list[history.AccountTrade] | None:
    """The account's trades from the index; None when the index cannot be read."""
    try:
        return await asyncio.to_thread(history.account_trades, chain_id, account)
    except SQLAlchemyError:
        logger.exception("reading the trades of %s from the index failed", account)
        return None


async def read_history(
    chain_id: int, account: str, pool: str | None, kind: str
) -> tuple[list[history.AccountCommit], int] | None:
    """The latest commits of the account (at most `SHOWN`, filtered by market and type) and
    how many match in all; None when the index cannot be read."""
    types = type_filter(kind)

    def read() -> tuple[list[history.AccountCommit], int]:
        commits = history.account_commit_history(chain_id, account, pool=pool,
                                                 commit_types=types, limit=SHOWN)
        total = history.count_account_commits(chain_id, account, pool=pool, commit_types=types)
        return commits, max(total, len(commits))

    try:
        return await asyncio.to_thread(read)
    except SQLAlchemyError:
        logger.exception("reading the trade history of %s from the index failed", account)
        return None


async def read_all_history(chain_id: int, account: str) -> list[history.AccountCommit] | None:
    """Every commit of the account (the CSV download); None when the index cannot be read."""
    try:
        return await asyncio.to_thread(history.account_commit_history, chain_id, account)
    except SQLAlchemyError:
        logger.exception("reading the trade history of %s from the index failed", account)
        return None


def explorer_url() -> str:
    """The network's block explorer ("" when it has none, like the devnet)."""
    try:
        return load_network().explorer_url or ""
    except (NetworkConfigError, OSError):
        return ""


HISTORY_UNAVAILABLE = "Trade history is unavailable right now; it will try again shortly."
DOWNLOAD_FAILED = "The trade history could not be read for the download; please try again."


def reread_key(snapshot: MarketsSnapshot, account: str) -> tuple[object, ...]:
    """Balances change at rebalances (executed trades become claimable) and at the user's
    own transactions: read them again when a market executes, or every half minute."""
    return (
        account,
        snapshot.chain_id,
        snapshot.block_timestamp // REREAD_SECONDS,
        tuple((m.info.address, m.pool.update_interval_id) for m in snapshot.markets),
    )


@dataclass(frozen=True, slots=True)
class _History:
    """The trade history read for one reread key and one choice of filters."""

    key: tuple[object, ...]
    filters: tuple[str, str]  # (market, type) it was read for
    rows: list[HistoryRow]
    label: str
    markets: list[MarketOption]
    problem: str = ""


@dataclass(frozen=True, slots=True)
class _Prepared:
    account: str
    key: tuple[object, ...] = ()
    user: UserSnapshot | None = None
    trades: Sequence[history.AccountTrade] | None = None
    view: PortfolioView | None = None
    problem: str = ""
    history: _History | None = None  # None: what is shown stays


class PortfolioState(LivePage, rx.State):
    status: str = "loading"  # disconnected | loading | ready | empty | error
    account_label: str = ""
    rows: list[PositionRow] = []  # noqa: RUF012 (a Reflex state field)
    totals: list[TotalRow] = []  # noqa: RUF012
    underlying_exposure: list[UnderlyingExposureRow] = []  # noqa: RUF012
    collateral_exposure: list[CollateralExposureRow] = []  # noqa: RUF012
    history_note: str = ""
    problem: str = ""  # why the balances shown may be stale, or could not be read
    balances_label: str = ""
    # the trade history
    trades_rows: list[HistoryRow] = []  # noqa: RUF012
    trades_label: str = ""
    trades_market: str = ALL  # a pool address the account traded in, or ALL
    trades_type: str = ALL  # a key of TYPE_FILTERS, or ALL
    trades_markets: list[MarketOption] = []  # noqa: RUF012
    trades_problem: str = ""
    _account: str = ""
    _key: tuple = ()
    _user: UserSnapshot | None = None
    _trades: Sequence[history.AccountTrade] | None = None
    _history_key: tuple = ()

    # ------------------------------------------------------------------ LivePage
    def _on_page(self, route_id: str) -> bool:
        return route_id.strip("/") == ROUTE.strip("/")

    def _route(self) -> dict[str, Any]:
        route = super()._route()
        route.update(account=self._account, key=self._key, user=self._user,
                     trades=self._trades, history_key=self._history_key,
                     trades_filters=(self.trades_market, self.trades_type))
        return route

    async def _prepare(self, snapshot: MarketsSnapshot, route: dict[str, Any]) -> Any:
        account = route["account"]
        if not account:
            return _Prepared(account="")
        key = reread_key(snapshot, account)
        user, trades, problem = route["user"], route["trades"], ""
        if key != route["key"] or user is None:
            try:
                user = await read_positions(account, snapshot)
            except ChainError as error:
                problem = f"Your balances could not be read: {error.message}"
                key = route["key"]  # try again with the next block
            else:
                trades = await read_trades(snapshot.chain_id, account)
        if user is None:
            return _Prepared(account=account, key=key, problem=problem)
        view = portfolio_view(snapshot, user, trades,
                              clock_offset=clock_offset(snapshot, int(time.time())))
        filters = route["trades_filters"]
        found = None
        if (key, filters) != route["history_key"]:
            found = await self._read_history(snapshot, account, key, filters, trades)
        return _Prepared(account=account, key=key, user=user, trades=trades, view=view,
                         problem=problem, history=found)

    @staticmethod
    async def _read_history(snapshot: MarketsSnapshot, account: str, key: tuple[object, ...],
                            filters: tuple[str, str],
                            trades: Sequence[history.AccountTrade] | None) -> _History:
        market, kind = filters
        read = await read_history(snapshot.chain_id, account, None if market == ALL else market,
                                  kind)
        if read is None:
            return _History(key, filters, [], "", [], HISTORY_UNAVAILABLE)
        commits, total = read
        traded = [t.pool for t in trades] if trades is not None else [c.pool for c in commits]
        if market != ALL:
            traded.append(market)  # keep the chosen market listed
        return _History(key, filters, history_rows(commits, snapshot, explorer_url()),
                        count_label(len(commits), total), market_options(traded, snapshot))

    def _apply(self, prepared: Any) -> None:
        if prepared.account != self._account:
            return  # the wallet switched accounts while this was read
        if not prepared.account:
            self.status = "disconnected"
            return
        self._key = prepared.key
        self.problem = prepared.problem
        if prepared.view is None:
            self.status = "error"
            return
        self._user = prepared.user
        self._trades = prepared.trades
        self.rows = prepared.view.rows
        self.totals = prepared.view.totals
        self.underlying_exposure = prepared.view.underlying_exposure
        self.collateral_exposure = prepared.view.collateral_exposure
        self.history_note = prepared.view.history_note
        self.balances_label = f"Balances at block {prepared.user.block_number:,}"
        self.status = "ready" if prepared.view.rows or prepared.view.totals else "empty"
        found = prepared.history
        if found is not None and found.filters == (self.trades_market, self.trades_type):
            self._history_key = (found.key, found.filters)
            self.trades_problem = found.problem
            if not found.problem:
                self.trades_rows = found.rows
                self.trades_label = found.label
                self.trades_markets = found.markets

    # ------------------------------------------------------------------ helpers
    def _show_account(self, address: str) -> None:
        """Start over for another account ("" when disconnected)."""
        self._account = address
        self._key = ()
        self._user = None
        self._trades = None
        self.rows = []
        self.totals = []
        self.underlying_exposure = []
        self.collateral_exposure = []
        self.problem = ""
        self.history_note = ""
        self.balances_label = ""
        self._history_key = ()
        self.trades_rows = []
        self.trades_label = ""
        self.trades_market = ALL
        self.trades_type = ALL
        self.trades_markets = []
        self.trades_problem = ""
        self.account_label = fmt.short_address(address) if address else ""
        self.status = "loading" if address else "disconnected"

    # ------------------------------------------------------------------ events
    @rx.event
    async def load(self) -> Any:
        """When the page opens: the wallet's account, its portfolio, then live updates."""
        wallet = await self.get_state(WalletState)
        self._show_account(checked_address(wallet.address))
        await self.show_current()
        return PortfolioState.follow_live

    @rx.event
    async def on_wallet(self, address: str, chain_id: int) -> None:
        """The wallet connected, switched account or chain, or disconnected."""
        wallet = await self.get_state(WalletState)
        wallet._apply(address, chain_id)  # checks both; anything else counts as disconnected
        if wallet.address != self._account or self.status == "loading":
            self._show_account(wallet.address)
            await self.show_current()

    @rx.event
    async def refresh(self) -> None:
        """Read the balances and the trades again now."""
        if self._account:
            self._key = ()
            self._user = None
            self._history_key = ()
            await self.show_current()

    async def _reload_history(self) -> None:
        self._history_key = ()
        if self._account:
            await self.show_current()

    @rx.event
    async def set_trades_market(self, value: str) -> None:
        """Show the trades of one market the account traded in, or ALL."""
        if not isinstance(value, str) or value == self.trades_market:
            return
        if value != ALL and value not in {option.value for option in self.trades_markets}:
            return
        self.trades_market = value
        await self._reload_history()

    @rx.event
    async def set_trades_type(self, value: str) -> None:
        """Show one kind of trade (a key of TYPE_FILTERS), or ALL."""
        if not isinstance(value, str) or value == self.trades_type:
            return
        if value != ALL and value not in TYPE_FILTERS:
            return
        self.trades_type = value
        await self._reload_history()

    @rx.event
    async def download_trades(self) -> Any:
        """Every trade of the account shown, as a CSV file built from the index."""
        account = self._account
        snapshot = _data.current_snapshot()
        if not account or snapshot is None:
            return None
        commits = await read_all_history(snapshot.chain_id, account)
        if commits is None:
            self.trades_problem = DOWNLOAD_FAILED
            return None
        self.trades_problem = ""
        return rx.download(data=history_csv(commits, snapshot),
                           filename=csv_filename(account, snapshot.block_timestamp),
                           mime_type="text/csv")


# ----------------------------------------------------------------------------- view


def _pending_row(row: PendingCommitRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.kind),
        rx.table.cell(row.amount),
        rx.table.cell(row.interval),
        rx.table.cell(rx.vstack(
            countdown(row.executes_at, prefix="in ", done_text="waiting for a keeper"),
            rx.text(row.executes_label, size="1", color_scheme="gray"),
            spacing="0",
        )),
        class_name="portfolio-pending-row",
    )


def _figure(label: str, value: Any, tip: str, **props: Any) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text(label, size="1", color_scheme="gray"), info_tip(tip), spacing="1",
                  align="center"),
        value if isinstance(value, rx.Component) else rx.text(value, size="2",
                                                              weight="medium"),
        spacing="1",
        min_width="0",
        **props,
    )


GAIN_TIP = ("Underlying notional if the price moves your way: the value of this side "
            "times its effective leverage on gains at today's skew (as on the markets page). "
            "A crowded side gains less than its nominal leverage, a lonely one more.")
LOSS_TIP = ("Underlying notional if the price moves against you: the value of this side "
            "times its effective leverage on losses (the pool's leverage).")
COLLATERAL_TIP = ("The collateral leg: your pool tokens at today's prices, your unclaimed "
                  "settlement and your queued mints are all held in the settlement token, so "
                  "you are long it by that much, whichever side you trade. In USD only when "
                  "a listed market prices the token (its index price).")


def _exposure_side(row: ExposureRow) -> rx.Component:
    return rx.flex(
        trend_text(row.direction, row.trend, size="2", weight="medium", min_width="9em"),
        rx.text(row.value + " held", size="2", color_scheme="gray"),
        rx.hstack(
            rx.text("≈ " + row.on_gains + " on gains (" + row.gain_leverage + ")", size="2"),
            info_tip(GAIN_TIP),
            spacing="1", align="center",
        ),
        rx.hstack(
            rx.text("≈ " + row.on_losses + " on losses (" + row.loss_leverage + ")",
                    size="2"),
            info_tip(LOSS_TIP),
            spacing="1", align="center",
        ),
        gap="0.4em 1.2em",
        wrap="wrap",
        align="center",
        class_name="portfolio-exposure-side",
    )


def _exposure_block(row: PositionRow) -> rx.Component:
    """The market's two legs: the underlying per side held, and the settlement token."""
    return rx.box(
        rx.vstack(
            rx.hstack(rx.text("Exposure", size="2", weight="medium"),
                      info_tip(EXPOSURE_EXPLANATION), spacing="1", align="center"),
            rx.foreach(row.exposure, _exposure_side),
            rx.flex(
                rx.text(row.collateral, size="2", weight="medium", min_width="9em",
                        color_scheme="violet"),
                rx.text(row.collateral_exposure, size="2"),
                rx.cond(row.collateral_usd != "",
                        rx.text(row.collateral_usd, size="2", color_scheme="gray")),
                info_tip(COLLATERAL_TIP),
                gap="0.4em 1.2em",
                wrap="wrap",
                align="center",
                class_name="portfolio-exposure-collateral",
            ),
            rx.text(row.exposure_note, size="1", color_scheme="gray"),
            spacing="2",
            width="100%",
        ),
        padding="0.6em 0.8em",
        border_radius="10px",
        background=rx.color("gray", 2),
        width="100%",
        class_name="portfolio-exposure",
    )


def _position_card(row: PositionRow) -> rx.Component:
    return panel(
        rx.vstack(
            rx.flex(
                rx.link(rx.heading(row.name, size="4"), href=row.href),
                rx.badge(row.leverage, variant="solid", color_scheme="indigo"),
                rx.badge(row.collateral, variant="soft", color_scheme="violet"),
                rx.spacer(),
                rx.hstack(
                    rx.text("PnL", size="2", color_scheme="gray"),
                    trend_text(row.pnl, row.pnl_trend, size="3", weight="bold",
                               class_name="portfolio-pnl"),
                    trend_text(row.pnl_percent, row.pnl_trend, size="2"),
                    align="baseline",
                    spacing="2",
                ),
                gap="0.5em",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.grid(
                _figure("Long tokens in wallet", row.long_tokens + " (" + row.long_value + ")",
                        "Long pool tokens in your wallet, and their value at today's token "
                        "price."),
                _figure("Short tokens in wallet",
                        row.short_tokens + " (" + row.short_value + ")",
                        "Short pool tokens in your wallet, and their value at today's token "
                        "price."),
                _figure("Paid in", row.paid_in, "Settlement your executed mints paid, "
                        "mint fees included."),
                _figure("Paid out", row.paid_out, "Settlement your executed burns paid you "
                        "(claimed or not), after the burn fee."),
                _figure("Tokens now", row.tokens_value, "Your long and short tokens in the "
                        "wallet, unclaimed or queued to burn, at today's token prices."),
                columns=rx.breakpoints(initial="2", md="5"),
                spacing="3",
                width="100%",
            ),
            _exposure_block(row),
            rx.cond(
                row.has_unclaimed,
                rx.callout(
                    rx.flex(
                        rx.text("Unclaimed: " + row.unclaimed + "."),
                        rx.link("Claim on the market page →", href=row.href,
                                weight="medium", class_name="portfolio-claim-link"),
                        gap="0.5em",
                        wrap="wrap",
                        align="center",
                    ),
                    icon="hand_coins",
                    size="1",
                    width="100%",
                    class_name="portfolio-unclaimed",
                ),
            ),
            rx.cond(
                row.pending.length() > 0,
                rx.box(
                    rx.text("Queued trades", size="2", weight="medium"),
                    rx.table.root(
                        rx.table.header(rx.table.row(*(
                            rx.table.column_header_cell(h)
                            for h in ("Trade", "Amount", "Interval", "Executes")))),
                        rx.table.body(rx.foreach(row.pending, _pending_row)),
                        size="1",
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
            ),
            rx.link("Trade on the market page →", href=row.href, size="2"),
            spacing="3",
            width="100%",
        ),
        class_name="portfolio-position",
        custom_attrs={"data-market": row.address},
    )


def _total_card(row: TotalRow) -> rx.Component:
    return rx.vstack(
        rx.text(row.collateral, size="2", color_scheme="gray"),
        trend_text(row.pnl, row.pnl_trend, size="5", weight="bold"),
        trend_text(row.pnl_percent, row.pnl_trend, size="2"),
        rx.text("Tokens now " + row.tokens_value + " · unclaimed " + row.unclaimed, size="1",
                color_scheme="gray"),
        rx.cond(row.note != "", rx.text(row.note, size="1", color_scheme="gray")),
        spacing="1",
        class_name="portfolio-total",
    )


def _underlying_total(row: UnderlyingExposureRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.underlying, weight="medium")),
        rx.table.cell(row.collateral),
        rx.table.cell(trend_text(row.if_rises, row.rises_trend, size="2")),
        rx.table.cell(trend_text(row.if_falls, row.falls_trend, size="2")),
        rx.table.cell(rx.text(row.held, size="1", color_scheme="gray")),
        class_name="portfolio-exposure-underlying",
    )


def _collateral_total(row: CollateralExposureRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.collateral, weight="medium")),
        rx.table.cell(row.amount),
        rx.table.cell(rx.text(rx.cond(row.usd != "", row.usd, "no USD price listed"),
                              size="2", color_scheme="gray")),
        class_name="portfolio-exposure-token",
    )


def _header(label: str, tip: str) -> rx.Component:
    return rx.table.column_header_cell(
        rx.hstack(rx.text(label), info_tip(tip), spacing="1", align="center"))


def _exposure_totals() -> rx.Component:
    state = PortfolioState
    return panel(
        rx.vstack(
            rx.hstack(rx.heading("Total exposure", size="4"),
                      info_tip("Netted per underlying within one settlement token, and summed "
                               "per settlement token: different tokens are never added "
                               "together."),
                      align="center", spacing="2"),
            rx.text(EXPOSURE_EXPLANATION, size="1", color_scheme="gray",
                    id="exposure-explanation"),
            rx.cond(
                state.underlying_exposure.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(rx.table.row(
                            _header("Underlying", "What the pools track. Markets on the same "
                                    "underlying are netted only within one settlement token."),
                            _header("In", "The settlement token the notional is counted in."),
                            _header("If it rises", "Longs at their leverage on gains minus "
                                    "shorts at their leverage on losses: how much of the "
                                    "underlying you are net long (or short) for a rise."),
                            _header("If it falls", "Longs at their leverage on losses minus "
                                    "shorts at their leverage on gains, for a fall."),
                            _header("Held", "What your long and short tokens on it are worth "
                                    "now."),
                        )),
                        rx.table.body(rx.foreach(state.underlying_exposure,
                                                 _underlying_total)),
                        size="1",
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
            ),
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(
                        _header("Settlement token", "Each token on its own: different "
                                "tokens are never added together."),
                        _header("Collateral exposure", COLLATERAL_TIP),
                        _header("In USD", "The token's USD index price from a listed "
                                "<token>/USD market, when there is one."),
                    )),
                    rx.table.body(rx.foreach(state.collateral_exposure, _collateral_total)),
                    size="1",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        id="portfolio-exposure",
    )


def _summary() -> rx.Component:
    state = PortfolioState
    return panel(
        rx.vstack(
            rx.hstack(rx.heading("Total PnL", size="4"),
                      info_tip("Added up per settlement token: markets settled in different "
                               "tokens are never added together."),
                      align="center", spacing="2"),
            rx.flex(rx.foreach(state.totals, _total_card), gap="2em", wrap="wrap"),
            rx.text(PNL_EXPLANATION, size="1", color_scheme="gray", id="pnl-explanation"),
            rx.cond(state.history_note != "",
                    rx.text(state.history_note, size="2", color_scheme="amber")),
            spacing="3",
            width="100%",
        ),
        id="portfolio-summary",
    )


def _wrong_network() -> rx.Component:
    chain = wallet_chain()
    return rx.cond(
        WalletState.wrong_network,
        rx.callout(
            rx.hstack(
                rx.text(f"Your wallet is on another network. These balances are on "
                        f"{chain.name}; switch to trade or claim."),
                SwitchChainButton.create(chain_id=chain.chain_id, label="Switch network",
                                         id="portfolio-switch-network",
                                         class_name="rt-reset rt-BaseButton rt-Button "
                                                    "rt-r-size-1 rt-variant-solid"),
                align="center", wrap="wrap", spacing="2",
            ),
            icon="triangle_alert", color_scheme="amber", size="1", width="100%",
            id="portfolio-wrong-network",
        ),
    )


def _history_tx(row: HistoryRow) -> rx.Component:
    label = rx.text(row.tx_label, size="1", class_name="mono", white_space="nowrap")
    return rx.hstack(
        rx.cond(
            row.tx_url != "",
            rx.link(label, href=row.tx_url, is_external=True, class_name="portfolio-tx-link"),
            label,
        ),
        rx.icon_button(rx.icon("copy", size=12), on_click=rx.set_clipboard(row.tx_hash),
                       variant="ghost", size="1", aria_label="Copy transaction hash",
                       title=row.tx_hash),
        spacing="1",
        align="center",
        custom_attrs={"data-tx": row.tx_hash},
    )


def _history_row(row: HistoryRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.time, size="1", white_space="nowrap")),
        rx.table.cell(rx.link(row.market, href=row.href, size="2")),
        rx.table.cell(rx.hstack(
            rx.text(row.kind, size="2", white_space="nowrap"),
            rx.cond(row.from_unclaimed,
                    rx.tooltip(rx.badge("unclaimed", variant="soft", size="1"),
                               content="Paid from your unclaimed balance")),
            spacing="1", align="center",
        )),
        rx.table.cell(rx.text(row.amount, size="2", white_space="nowrap")),
        rx.table.cell(rx.vstack(
            rx.badge(row.status, variant="soft", size="1",
                     color_scheme=rx.cond(row.executed, "green", "amber")),
            rx.text(row.status_detail, size="1", color_scheme="gray"),
            spacing="1",
        )),
        rx.table.cell(rx.text(rx.cond(row.executed, row.received, "—"), size="2",
                              white_space="nowrap")),
        rx.table.cell(_history_tx(row)),
        class_name="portfolio-trade-row",
        custom_attrs={"data-key": row.key},
    )


def _trades_select(value: Any, on_change: Any, items: Any, label: str,
                   element_id: str) -> rx.Component:
    if isinstance(items, rx.Var):
        content: Any = rx.foreach(items, lambda item: rx.select.item(item.label,
                                                                    value=item.value))
    else:
        content = [rx.select.item(text, value=key) for key, text in items]
    return rx.select.root(
        rx.select.trigger(aria_label=label, id=element_id, min_width="10em"),
        rx.select.content(content),
        value=value,
        on_change=on_change,
        size="1",
    )


def _trades_panel() -> rx.Component:
    state = PortfolioState
    return panel(
        rx.vstack(
            rx.flex(
                rx.heading("Trade history", size="4"),
                info_tip("Your trades in every market, newest first, from the app's index of "
                         "the chain. Amounts in are gross (mints before the mint fee); "
                         "\"Received\" is what the trade got at its rebalance's price, after "
                         "fees. " + FLIP_NOTE),
                rx.spacer(),
                _trades_select(state.trades_market, state.set_trades_market,
                               state.trades_markets, "Market", "portfolio-trades-market"),
                _trades_select(state.trades_type, state.set_trades_type, TYPE_OPTIONS,
                               "Trade type", "portfolio-trades-type"),
                rx.button(rx.icon("download", size=14), "Download CSV",
                          on_click=state.download_trades, size="1", variant="soft",
                          id="portfolio-trades-csv"),
                gap="0.6em",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(state.trades_problem != "",
                    rx.text(state.trades_problem, size="2", color_scheme="amber",
                            id="portfolio-trades-problem")),
            rx.text(state.trades_label, size="1", color_scheme="gray",
                    id="portfolio-trades-count"),
            rx.cond(
                state.trades_rows.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(rx.table.row(*(
                            rx.table.column_header_cell(h)
                            for h in ("Time", "Market", "Trade", "Amount in", "Status",
                                      "Received", "Transaction")))),
                        rx.table.body(rx.foreach(state.trades_rows, _history_row)),
                        size="1",
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        id="portfolio-trades",
    )


def _ready() -> rx.Component:
    state = PortfolioState
    return rx.vstack(
        _summary(),
        rx.cond(state.collateral_exposure.length() > 0, _exposure_totals()),
        rx.cond(
            state.rows.length() > 0,
            rx.vstack(rx.foreach(state.rows, _position_card), spacing="3", width="100%"),
            rx.text("No open positions: everything you traded is closed.", color_scheme="gray"),
        ),
        _trades_panel(),
        spacing="3",
        width="100%",
    )


def _connect_prompt() -> rx.Component:
    return rx.callout(
        "Connect a wallet to see your positions, unclaimed balances, queued trades and PnL. "
        "The app never holds your keys.",
        icon="wallet", id="portfolio-connect-prompt",
    )


def _empty() -> rx.Component:
    return rx.vstack(
        rx.text("This wallet has no positions, unclaimed balances or queued trades in any "
                "market yet.", color_scheme="gray"),
        rx.link("Browse the markets", href="/markets"),
        spacing="2",
        id="portfolio-empty",
    )


def portfolio_page() -> rx.Component:
    state = PortfolioState
    return page_layout(
        WalletSync.create(on_account=state.on_wallet),
        rx.flex(
            rx.heading("Portfolio", size="7", id="page-title"),
            rx.cond(state.account_label != "",
                    rx.badge(state.account_label, variant="soft", color_scheme="gray",
                             class_name="mono", id="portfolio-account")),
            rx.spacer(),
            rx.text(state.balances_label, size="1", color_scheme="gray"),
            rx.cond(state.account_label != "",
                    rx.icon_button(rx.icon("refresh_cw", size=14), on_click=state.refresh,
                                   variant="ghost", size="1", aria_label="Refresh balances",
                                   id="portfolio-refresh")),
            gap="0.6em",
            align="center",
            wrap="wrap",
            width="100%",
            on_mount=state.load,
        ),
        _wrong_network(),
        rx.cond(state.problem != "",
                rx.callout(state.problem, icon="circle_alert", color_scheme="red", size="1",
                           role="alert", id="portfolio-problem")),
        rx.match(
            state.status,
            ("disconnected", _connect_prompt()),
            ("ready", _ready()),
            ("empty", _empty()),
            ("error", rx.text("Your portfolio could not be loaded yet; it will try again with "
                              "the next block.", color_scheme="gray")),
            loading_state("Loading your portfolio…", id="portfolio-loading"),
        ),
        node_error=state.node_error,
    )
