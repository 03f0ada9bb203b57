"""The markets page: every BAL-settled market, grouped by underlying, live."""

from __future__ import annotations

from typing import Any

import reflex as rx

from balancer_perps.chain.snapshot import MarketsSnapshot
from balancer_perps.components.countdown import countdown
from balancer_perps.components.layout import page_layout
from balancer_perps.components.metrics import (
    empty_state,
    info_tip,
    loading_state,
    metric,
    panel,
    skew_bar,
    trend_text,
)
from balancer_perps.pages import _data
from balancer_perps.pages._live import LivePage
from balancer_perps.pages.markets_view import (
    ALL,
    COLLATERAL_FILTERS,
    DEFAULT_SORT,
    SORTS,
    Filters,
    MarketGroup,
    MarketRow,
    choice,
    clean_search,
    grouped,
    hidden_unverified,
    leverage_options,
    market_rows,
    underlying_options,
)

ROUTES = ("", "markets", "index")  # route patterns of this page, without slashes

# Rows are built once per published snapshot and shared by every session.
_rows_cache: tuple[MarketsSnapshot | None, list[MarketRow]] = (None, [])


async def rows_for(snapshot: MarketsSnapshot) -> list[MarketRow]:
    global _rows_cache
    cached, rows = _rows_cache
    if cached is not snapshot:
        rows = market_rows(snapshot, await _data.day_changes())
        _rows_cache = (snapshot, rows)
    return rows


class MarketsPageState(LivePage, rx.State):
    """Filters are per tab; rows come from the shared snapshot."""

    search: str = ""
    collateral: str = ALL
    leverage: str = ALL
    underlying: str = ALL
    sort: str = DEFAULT_SORT
    show_unverified: bool = False
    _rows: list[MarketRow] = []  # noqa: RUF012 - Reflex copies state defaults per session

    def _on_page(self, route_id: str) -> bool:
        return route_id.strip("/") in ROUTES

    async def _prepare(self, snapshot: MarketsSnapshot, route: dict[str, Any]) -> Any:
        return await rows_for(snapshot)

    def _apply(self, prepared: Any) -> None:
        self._rows = prepared

    @rx.var
    def groups(self) -> list[MarketGroup]:
        filters = Filters(
            search=self.search,
            collateral=self.collateral,
            leverage=self.leverage,
            underlying=self.underlying,
            sort=self.sort,
            show_unverified=self.show_unverified,
        )
        return grouped(self._rows, filters)

    @rx.var
    def market_count(self) -> int:
        return len(self._rows)

    @rx.var
    def unverified_count(self) -> int:
        return hidden_unverified(self._rows)

    @rx.var
    def leverage_choices(self) -> list[str]:
        return [ALL, *leverage_options(self._rows)]

    @rx.var
    def underlying_choices(self) -> list[str]:
        return [ALL, *underlying_options(self._rows)]

    @rx.event
    def set_search(self, value: str) -> None:
        self.search = clean_search(value)

    @rx.event
    def set_collateral(self, value: str) -> None:
        self.collateral = choice(value, COLLATERAL_FILTERS)

    @rx.event
    def set_leverage(self, value: str) -> None:
        self.leverage = choice(value, [ALL, *leverage_options(self._rows)])

    @rx.event
    def set_underlying(self, value: str) -> None:
        self.underlying = choice(value, [ALL, *underlying_options(self._rows)])

    @rx.event
    def set_sort(self, value: str) -> None:
        self.sort = choice(value, SORTS, DEFAULT_SORT)

    @rx.event
    def set_show_unverified(self, value: bool) -> None:
        self.show_unverified = value is True

    @rx.event
    def clear_filters(self) -> None:
        self.search = ""
        self.collateral = ALL
        self.leverage = ALL
        self.underlying = ALL


# ----------------------------------------------------------------------------- view

TIPS = {
    "leverage": "How far a 1% move of the underlying moves a balanced pool's tokens. "
    "Positions are never liquidated: a losing side shrinks at each rebalance instead.",
    "collateral": "The token you post and are paid in. BAL-settled markets keep you long "
    "BAL while you trade the underlying.",
    "oracle": "Where the pool reads its price: Spot is the latest Chainlink answer; an SMA "
    "averages the last few upkeeps, which smooths spikes and delays moves.",
    "index": "The oracle price the next rebalance will use if nothing changes.",
    "tvl": "Total value locked: collateral held by both sides together.",
    "skew": "Long collateral divided by short collateral. Above 1, longs outweigh shorts: "
    "shorts gain more than their leverage, longs less.",
    "rebalance": "When keepers may next rebalance the pool: value moves from the losing "
    "side to the winning side and queued trades execute.",
    "lock": "Trades committed in the last part of an interval (the front-running lock) "
    "execute one rebalance later, so nobody can trade on a price that is already known.",
    "side_tvl": "Collateral backing this side.",
    "token_price": "Collateral per pool token, counting burns already queued.",
    "gain": "How strongly this side gains for a 1% move in its favour at the current skew: "
    "leverage divided by skew for longs, times skew for shorts.",
    "loss": "How strongly this side loses for a 1% move against it: the pool leverage.",
    "change": "Token price change over the last 24 hours, from the index.",
}


def _collateral_label(value: str) -> str:
    return {ALL: "All collateral", "other": "Other collateral"}.get(value, value)


def _select(
    value: rx.Var[str], on_change: Any, items: list[tuple[str, str]] | rx.Var,
    label: str, element_id: str, all_label: str = "",
) -> rx.Component:
    if isinstance(items, rx.Var):
        content = rx.foreach(
            items,
            lambda item: rx.select.item(rx.cond(item == ALL, all_label, item), value=item),
        )
    else:
        content = [rx.select.item(text, value=key) for key, text in items]
    return rx.select.root(
        rx.select.trigger(aria_label=label, id=element_id, min_width="9em"),
        rx.select.content(content),
        value=value,
        on_change=on_change,
    )


def filters_bar() -> rx.Component:
    state = MarketsPageState
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder="Search market, asset or address",
            value=state.search,
            on_change=state.set_search.debounce(250),
            max_length=64,
            id="market-search",
            aria_label="Search markets",
            flex="1",
            min_width="14em",
        ),
        _select(state.collateral, state.set_collateral,
                [(c, _collateral_label(c)) for c in COLLATERAL_FILTERS],
                "Collateral", "filter-collateral"),
        _select(state.leverage, state.set_leverage, state.leverage_choices, "Leverage",
                "filter-leverage", "All leverage"),
        _select(state.underlying, state.set_underlying, state.underlying_choices,
                "Underlying", "filter-underlying", "All markets"),
        _select(state.sort, state.set_sort, [(k, f"Sort: {v}") for k, v in SORTS.items()],
                "Sort", "sort-markets"),
        rx.hstack(
            rx.switch(checked=state.show_unverified, on_change=state.set_show_unverified,
                      id="show-unverified"),
            rx.text("Show unverified markets", size="2", as_="label",
                    html_for="show-unverified"),
            info_tip("Markets not on this network's curated list. Anyone can deploy a pool; "
                     "check its oracle and parameters before you trade."),
            align="center",
            spacing="2",
        ),
        gap="0.75em",
        wrap="wrap",
        align="center",
        width="100%",
    )


def market_side(title: str, side: Any, color: str, element_id: str) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.badge(title, color_scheme=color, variant="soft"),
            rx.spacer(),
            rx.text("24h", size="1", color_scheme="gray"),
            trend_text(side.change_24h, side.change_trend, size="2", weight="medium"),
            info_tip(TIPS["change"]),
            align="center",
            spacing="1",
        ),
        rx.grid(
            metric("TVL", side.tvl, TIPS["side_tvl"], size="2"),
            metric("Token price", side.token_price, TIPS["token_price"], size="2"),
            metric("On gains", side.gain_leverage, TIPS["gain"], size="2"),
            metric("On losses", side.loss_leverage, TIPS["loss"], size="2"),
            columns=rx.breakpoints(initial="2", sm="4"),
            spacing="3",
            margin_top="0.6em",
        ),
        padding="0.75em",
        border_radius="10px",
        background=rx.color(color, 2),
        border=f"1px solid {rx.color(color, 4)}",
        id=element_id,
    )


def _lock(row: Any) -> rx.Component:
    return rx.vstack(
        rx.cond(
            row.lock_always,
            rx.text("Always on", size="3", weight="medium"),
            countdown(row.lock_at, prefix="in ", done_text="On",
                      class_name="rt-Text rt-r-size-3 rt-r-weight-medium"),
        ),
        rx.text(row.lock_label, size="1", color_scheme="gray"),
        spacing="0",
    )


def rebalance_metrics(row: Any, **props: object) -> rx.Component:
    """Index price, TVL, skew, next rebalance and the lock of one pool."""
    return rx.grid(
        metric("Index price", row.index_price, TIPS["index"]),
        metric("TVL", row.tvl, TIPS["tvl"]),
        metric("Skew " + row.skew, skew_bar(row.long_percent, row.long_share,
                                            row.short_share), TIPS["skew"]),
        metric("Next rebalance",
               countdown(row.next_rebalance_at, prefix="in ", done_text="due now",
                         class_name="rt-Text rt-r-size-3 rt-r-weight-medium"),
               TIPS["rebalance"]),
        metric("Front-running lock", _lock(row), TIPS["lock"]),
        columns=rx.breakpoints(initial="2", sm="3", md="5"),
        spacing="4",
        **props,
    )


def market_card(row: Any) -> rx.Component:
    return panel(
        rx.flex(
            rx.link(rx.heading(row.name, size="4"), href=row.href, underline="hover",
                    class_name="market-link"),
            rx.badge(row.leverage, variant="solid", color_scheme="indigo"),
            rx.badge(row.collateral, variant="soft", color_scheme="violet",
                     class_name="market-collateral"),
            rx.badge(row.oracle, variant="outline", color_scheme="gray"),
            rx.cond(~row.verified,
                    rx.badge("Unverified", color_scheme="amber", variant="surface")),
            rx.cond(row.paused, rx.badge("Paused", color_scheme="red", variant="solid")),
            gap="0.5em",
            align="center",
            wrap="wrap",
        ),
        rebalance_metrics(row, margin_y="0.9em"),
        rx.grid(
            market_side("Long", row.long, "grass", "long-" + row.address),
            market_side("Short", row.short, "tomato", "short-" + row.address),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
        ),
        id="market-" + row.address,
        class_name="market-card",
    )


def market_group(group: MarketGroup) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(group.underlying, size="5"),
            rx.text(
                group.markets.length().to_string()
                + rx.cond(group.markets.length() == 1, " pool", " pools"),
                size="2",
                color_scheme="gray",
            ),
            align="baseline",
            spacing="3",
        ),
        rx.foreach(group.markets, market_card),
        spacing="3",
        width="100%",
        class_name="market-group",
    )


def explainer() -> rx.Component:
    return rx.grid(
        rx.callout(
            rx.text(
                rx.text.strong("Leverage without liquidations. "),
                "Each pool has a long and a short side. At every rebalance the losing side "
                "pays the winning side a share of its collateral that grows with the price "
                "move and the leverage. A position can shrink, but it is never liquidated "
                "and never owes more than it put in.",
                as_="span",  # a callout already renders a <p>
            ),
            icon="shield_check",
            color_scheme="indigo",
            variant="surface",
        ),
        rx.callout(
            rx.text(
                rx.text.strong("Why not veBAL? "),
                "veBAL is a vote-escrow lock: it cannot be transferred, so a pool cannot hold "
                "it. Post BAL, the B-80BAL-20WETH pool token or auraBAL instead.",
                as_="span",
            ),
            icon="info",
            color_scheme="violet",
            variant="surface",
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="3",
        width="100%",
        id="explainer",
    )


def markets_list() -> rx.Component:
    state = MarketsPageState
    return rx.cond(
        state.loaded,
        rx.cond(
            state.market_count == 0,
            empty_state(
                "No markets yet",
                "Markets appear here as soon as the network's PoolFactory has deployed them.",
                id="markets-empty",
            ),
            rx.cond(
                state.groups.length() == 0,
                empty_state(
                    "No market matches",
                    "Try another search or clear the filters.",
                    id="markets-no-match",
                ),
                rx.vstack(rx.foreach(state.groups, market_group), spacing="6", width="100%",
                          id="markets-list"),
            ),
        ),
        loading_state("Loading markets from the network…", id="markets-loading"),
    )


def markets_page() -> rx.Component:
    state = MarketsPageState
    return page_layout(
        rx.flex(
            rx.vstack(
                rx.heading("Markets", size="7", id="page-title"),
                rx.text(
                    "Long or short anything with a Chainlink feed, settled in BAL, "
                    "without selling BAL and without liquidations.",
                    color_scheme="gray",
                ),
                spacing="1",
            ),
            rx.spacer(),
            rx.text(state.block_label, size="1", color_scheme="gray", id="block-label"),
            align="end",
            wrap="wrap",
            gap="0.5em",
            width="100%",
        ),
        explainer(),
        filters_bar(),
        markets_list(),
        node_error=state.node_error,
    )


ON_LOAD = [MarketsPageState.show_current, MarketsPageState.follow_live]
