"""The markets page: every BAL-settled market, grouped by underlying."""

from __future__ import annotations

import reflex as rx

from balancer_perps.components.layout import page_layout


def empty_state() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading("No markets yet", size="4"),
            rx.text(
                "Markets appear here as soon as the network's PoolFactory has deployed them.",
                color_scheme="gray",
            ),
            align="center",
        ),
        padding="4em",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="12px",
        id="markets-empty",
    )


def markets_page() -> rx.Component:
    return page_layout(
        rx.vstack(
            rx.heading("Markets", size="7", id="page-title"),
            rx.text(
                "Long or short anything with a Chainlink feed, settled in BAL, "
                "without selling BAL and without liquidations.",
                color_scheme="gray",
            ),
            empty_state(),
            spacing="4",
            width="100%",
        )
    )
