"""The portfolio page: positions, claimable balances and history of a wallet."""

from __future__ import annotations

import reflex as rx

from balancer_perps.components.layout import page_layout


def portfolio_page() -> rx.Component:
    return page_layout(
        rx.vstack(
            rx.heading("Portfolio", size="7", id="page-title"),
            rx.text("Connect a wallet to see your positions.", color_scheme="gray"),
            spacing="4",
            width="100%",
        )
    )
