"""The market page: one pool at `/markets/<pool address>`, its charts, parameters, queue,
next value transfer and volatility decay, live."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from balancer_perps.chain.snapshot import MarketsSnapshot
from balancer_perps.components.charts import (
    chart,
    decay_figure,
    fees_figure,
    oracle_price_figure,
    token_price_figure,
    tvl_skew_figure,
)
from balancer_perps.components.countdown import countdown
from balancer_perps.components.layout import page_layout
from balancer_perps.components.metrics import (
    info_tip,
    loading_state,
    metric,
    panel,
    trend_text,
)
from balancer_perps.pages import _data
from balancer_perps.pages._live import LivePage
from balancer_perps.pages.market_view import (
    DEFAULT_VOLATILITY,
    VOLATILITIES,
    MarketDetail,
    Param,
    PendingRow,
    decay_curve,
    decay_text,
    market_detail,
    parse_address,
)
from balancer_perps.pages.markets import market_side, rebalance_metrics
from balancer_perps.pages.markets_view import clock_offset
from balancer_perps.pages.trade import TradeState, trade_panel


@dataclass(frozen=True, slots=True)
class _Charts:
    price: go.Figure
    token_prices: go.Figure
    tvl_skew: go.Figure
    fees: go.Figure


@dataclass(frozen=True, slots=True)
class _Prepared:
    status: str  # "ready", "malformed" or "unknown"
    problem: str = ""
    detail: MarketDetail | None = None
    history_key: tuple[object, ...] = ()
    charts: _Charts | None = None  # None: keep the charts shown (history unchanged)
    has_history: bool = False


def _history_key(snapshot: MarketsSnapshot, address: str) -> tuple[object, ...]:
    """History changes at rebalances and commits, not at every block."""
    state = snapshot.market(address)
    if state is None:
        return ()
    pool = state.pool
    return (address, pool.last_price_timestamp, pool.update_interval_id,
            pool.pending_mint_settlement, pool.pending_long_burns, pool.pending_short_burns)


ROUTE = "/markets/[pool]"


def requested_pool(url_path: str) -> str:
    """The pool segment of `/markets/<pool>`, bounded (it is whatever the visitor typed)."""
    return url_path.rstrip("/").rsplit("/", 1)[-1][:100]


class MarketPageState(LivePage, rx.State):
    status: str = "loading"  # loading | ready | malformed | unknown
    problem: str = ""
    requested: str = ""
    detail: MarketDetail = MarketDetail()
    has_history: bool = False
    price_chart: go.Figure = go.Figure()
    token_price_chart: go.Figure = go.Figure()
    tvl_chart: go.Figure = go.Figure()
    fees_chart: go.Figure = go.Figure()
    volatility: str = DEFAULT_VOLATILITY
    _history_key: tuple = ()

    def _on_page(self, route_id: str) -> bool:
        return route_id.strip("/") == ROUTE.strip("/")

    def _route(self) -> dict[str, Any]:
        route = super()._route()
        route["history_key"] = self._history_key
        return route

    async def _prepare(self, snapshot: MarketsSnapshot, route: dict[str, Any]) -> Any:
        requested = requested_pool(route["url_path"])
        check = parse_address(requested)
        if not check.address:
            return _Prepared(status="malformed", problem=check.problem)
        state = snapshot.market(check.address)
        if state is None:
            return _Prepared(status="unknown")
        changes = await _data.day_changes()
        offset = clock_offset(snapshot, int(time.time()))
        detail = market_detail(snapshot, state, changes.get(check.address.lower()),
                               clock_offset=offset)
        key = _history_key(snapshot, check.address)
        if key == route.get("history_key"):
            return _Prepared(status="ready", detail=detail, history_key=key)
        history = await _data.market_history(check.address, key)
        if history is None or history.is_empty:
            empty = go.Figure()
            return _Prepared(status="ready", detail=detail, history_key=key,
                             charts=_Charts(empty, empty, empty, empty), has_history=False)
        info = state.info
        charts = _Charts(
            price=oracle_price_figure(history.oracle_prices, info.underlying),
            token_prices=token_price_figure(history.token_prices, info.settlement_symbol),
            tvl_skew=tvl_skew_figure(history.balances, info.settlement_decimals,
                                     info.settlement_symbol),
            fees=fees_figure(history.fees, info.settlement_decimals, info.settlement_symbol),
        )
        return _Prepared(status="ready", detail=detail, history_key=key, charts=charts,
                         has_history=True)

    def _apply(self, prepared: Any) -> None:
        self.requested = requested_pool(self.router.url.path)
        self.status = prepared.status
        self.problem = prepared.problem
        if prepared.detail is None:
            return
        self.detail = prepared.detail
        self._history_key = prepared.history_key
        if prepared.charts is not None:
            self.has_history = prepared.has_history
            self.price_chart = prepared.charts.price
            self.token_price_chart = prepared.charts.token_prices
            self.tvl_chart = prepared.charts.tvl_skew
            self.fees_chart = prepared.charts.fees

    @rx.event
    def reset_for_route(self) -> None:
        """A new address in the URL: show loading until its data is painted."""
        self.status = "loading"
        self._history_key = ()

    @rx.event
    def set_volatility(self, value: str) -> None:
        if value in VOLATILITIES:
            self.volatility = value

    @rx.var
    def decay_summary(self) -> str:
        return decay_text(self.detail.leverage_value, self.volatility)

    @rx.var
    def decay_chart(self) -> go.Figure:
        return decay_figure(decay_curve(self.detail.leverage_value), int(self.volatility),
                            self.detail.row.leverage)


# ----------------------------------------------------------------------------- view


def _param_row(param: Param) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.hstack(rx.text(param.label, size="2"), info_tip(param.tooltip),
                                spacing="1", align="center")),
        rx.table.cell(rx.text(param.value, size="2", class_name="mono", word_break="break-all")),
    )


def parameters_panel() -> rx.Component:
    return panel(
        rx.heading("Parameters", size="4", margin_bottom="0.5em"),
        rx.table.root(
            rx.table.body(rx.foreach(MarketPageState.detail.params, _param_row)),
            size="1",
            variant="ghost",
            width="100%",
        ),
        id="market-parameters",
    )


def _pending_row(row: PendingRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.interval),
        rx.table.cell(rx.vstack(
            countdown(row.executes_at, prefix="in ", done_text="waiting for a keeper"),
            rx.text(row.executes_label, size="1", color_scheme="gray"),
            spacing="0",
        )),
        rx.table.cell(row.long_mints),
        rx.table.cell(row.long_burns),
        rx.table.cell(row.short_mints),
        rx.table.cell(row.short_burns),
        rx.table.cell(row.flips),
    )


def queue_panel() -> rx.Component:
    state = MarketPageState
    header = ("Interval", "Executes", "Long mints", "Long burns", "Short mints", "Short burns",
              "Flips")
    return panel(
        rx.hstack(
            rx.heading("Pending trades", size="4"),
            info_tip("Trades wait in a queue until the rebalance of their interval. Times are "
                     "nominal: keepers may run a little later, never earlier."),
            align="center",
            spacing="2",
        ),
        rx.text(state.detail.queued_summary, size="2", color_scheme="gray", margin_y="0.4em"),
        rx.hstack(
            rx.text("A trade made now executes", size="2"),
            countdown(state.detail.trade_now_executes_at, prefix="in ",
                      done_text="at the next rebalance", class_name="rt-Text rt-r-size-2"),
            spacing="1",
        ),
        rx.cond(
            state.detail.pending.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(
                        *(rx.table.column_header_cell(h) for h in header))),
                    rx.table.body(rx.foreach(state.detail.pending, _pending_row)),
                    size="1",
                    width="100%",
                ),
                overflow_x="auto",
                margin_top="0.6em",
            ),
        ),
        id="pending-queue",
    )


def transfer_panel() -> rx.Component:
    transfer = MarketPageState.detail.transfer
    return panel(
        rx.hstack(
            rx.heading("Next value transfer", size="4"),
            info_tip("The rebalance the pool would make if the oracle price stayed where it is "
                     "now: the management fee, then the losing side pays tanh(L·(1 − r)) of its "
                     "collateral to the winning side."),
            align="center",
            spacing="2",
        ),
        rx.text(transfer.headline, size="2", margin_y="0.5em"),
        rx.cond(
            transfer.applies,
            rx.grid(
                metric("Price move", transfer.prices, "From the price the last rebalance used "
                       "to the oracle price now."),
                metric("Long side", trend_text(transfer.long_change, transfer.long_trend,
                                               size="3", weight="medium"),
                       "Change of the long side's collateral, fee included."),
                metric("Short side", trend_text(transfer.short_change, transfer.short_trend,
                                                size="3", weight="medium"),
                       "Change of the short side's collateral, fee included."),
                metric("Fee", transfer.fee, "Management fee of this rebalance, both sides."),
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="4",
            ),
        ),
        id="next-transfer",
    )


def decay_panel() -> rx.Component:
    state = MarketPageState
    return panel(
        rx.hstack(
            rx.heading("Volatility decay", size="4"),
            info_tip("Value a position loses when the price swings back and forth, even if "
                     "it ends where it started. Estimated by replaying a year of daily up-and-"
                     "back swings through this pool's own transfer, from a balanced pool and "
                     "before fees."),
            rx.spacer(),
            rx.select.root(
                rx.select.trigger(aria_label="Yearly volatility", id="decay-volatility"),
                rx.select.content(*(rx.select.item(f"{v}% volatility", value=v)
                                    for v in VOLATILITIES)),
                value=state.volatility,
                on_change=state.set_volatility,
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        rx.text(state.decay_summary, size="2", margin_y="0.5em", id="decay-summary"),
        chart(state.decay_chart, "chart-decay"),
        id="decay",
    )


def _chart_panel(title: str, tip: str, figure: rx.Var, element_id: str) -> rx.Component:
    return panel(
        rx.hstack(rx.heading(title, size="3"), info_tip(tip), align="center", spacing="2"),
        rx.cond(
            MarketPageState.has_history,
            chart(figure, element_id),
            rx.center(rx.text("No history yet: the chart fills in as the index records this "
                              "market's rebalances.", size="2", color_scheme="gray",
                              align="center"),
                      height="260px", class_name="chart-empty"),
        ),
    )


def charts_grid() -> rx.Component:
    state = MarketPageState
    return rx.grid(
        _chart_panel("Oracle price", "The price each upkeep used.", state.price_chart,
                     "chart-price"),
        _chart_panel("Token prices", "Long and short token prices after each rebalance.",
                     state.token_price_chart, "chart-token-prices"),
        _chart_panel("TVL and skew", "Collateral on each side and their ratio over time.",
                     state.tvl_chart, "chart-tvl"),
        _chart_panel("Fees accrued", "Cumulative management fees, and the 10% share paid to "
                     "the Balancer DAO treasury.", state.fees_chart, "chart-fees"),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="3",
        width="100%",
        id="market-charts",
    )


def market_header() -> rx.Component:
    state = MarketPageState
    row = state.detail.row
    return rx.vstack(
        rx.flex(
            rx.heading(row.name, size="7", id="page-title"),
            rx.badge(row.leverage, variant="solid", color_scheme="indigo", size="2"),
            rx.badge(row.collateral, variant="soft", color_scheme="violet", size="2",
                     id="market-collateral"),
            rx.badge(row.oracle, variant="outline", color_scheme="gray", size="2"),
            rx.cond(~row.verified, rx.badge("Unverified", color_scheme="amber", size="2")),
            rx.cond(row.paused, rx.badge("Paused", color_scheme="red", variant="solid",
                                         size="2")),
            gap="0.5em",
            align="center",
            wrap="wrap",
        ),
        rx.text(state.detail.address, size="1", color_scheme="gray", class_name="mono",
                word_break="break-all"),
        spacing="1",
    )


def ready_view() -> rx.Component:
    row = MarketPageState.detail.row
    return rx.vstack(
        market_header(),
        panel(rebalance_metrics(row)),
        rx.grid(
            rx.vstack(
                rx.grid(
                    market_side("Long", row.long, "grass", "market-long"),
                    market_side("Short", row.short, "tomato", "market-short"),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                transfer_panel(),
                spacing="3",
                width="100%",
            ),
            trade_panel(),
            grid_template_columns=rx.breakpoints(initial="1fr", md="3fr 2fr"),
            spacing="3",
            width="100%",
        ),
        charts_grid(),
        rx.grid(
            decay_panel(),
            queue_panel(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        parameters_panel(),
        spacing="4",
        width="100%",
    )


def market_page() -> rx.Component:
    state = MarketPageState
    return page_layout(
        rx.hstack(
            rx.link(rx.hstack(rx.icon("arrow_left", size=16), rx.text("All markets"),
                              align="center", spacing="1"),
                    href="/markets", id="back-to-markets"),
            rx.spacer(),
            rx.text(state.block_label, size="1", color_scheme="gray", id="block-label"),
            width="100%",
            align="center",
        ),
        rx.match(
            state.status,
            ("ready", ready_view()),
            ("malformed", not_found_panel(
                "That is not an address",
                "“" + state.requested + "” is not a valid pool address. " + state.problem,
                "market-malformed",
            )),
            ("unknown", not_found_panel(
                "Not a Perpetual Pools V2 market",
                "No Perpetual Pools V2 market lives at " + state.requested + " on this network. "
                "Check the address, or pick a market from the list.",
                "market-unknown",
            )),
            loading_state("Loading the market…", id="market-loading"),
        ),
        node_error=state.node_error,
    )


def not_found_panel(title: str, body: rx.Var | str, element_id: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="7", id="page-title"),
        rx.text(body, color_scheme="gray"),
        rx.link("Browse all markets", href="/markets"),
        spacing="3",
        id=element_id,
    )


ON_LOAD = [MarketPageState.reset_for_route, MarketPageState.show_current,
           TradeState.load, MarketPageState.follow_live]
