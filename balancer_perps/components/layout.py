"""The page frame every route shares: header with navigation, content, footer."""

from __future__ import annotations

import reflex as rx

from balancer_perps.components.wallet import wallet_button

NAV_LINKS = (("Markets", "/markets"), ("Portfolio", "/portfolio"), ("Create", "/create"))


def _nav_link(label: str, href: str) -> rx.Component:
    return rx.link(label, href=href, size="3", weight="medium", underline="none",
                   id=f"nav-{label.lower()}")


def header() -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.hstack(
                rx.image(src="/logo.svg", alt="", width="28px", height="28px"),
                rx.heading("Balancer Perps", size="5",
                           display=rx.breakpoints(initial="none", sm="block")),
                align="center",
                spacing="2",
            ),
            href="/",
            underline="none",
            color="inherit",
        ),
        rx.hstack(*(_nav_link(label, href) for label, href in NAV_LINKS),
                  spacing=rx.breakpoints(initial="4", sm="5")),
        rx.spacer(),
        wallet_button(),
        rx.color_mode.button(id="color-mode-toggle", aria_label="Toggle light and dark theme"),
        width="100%",
        align="center",
        spacing=rx.breakpoints(initial="4", sm="6"),
        padding_x=rx.breakpoints(initial="1em", sm="1.5em"),
        padding_y="0.9em",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        role="banner",
    )


def footer() -> rx.Component:
    return rx.flex(
        rx.text("Powered by Tracer DAO", size="2", color_scheme="gray", id="powered-by"),
        rx.spacer(display=rx.breakpoints(initial="none", sm="block")),
        rx.text(
            "Leverage without liquidations: positions can shrink at a rebalance, "
            "but are never liquidated.",
            size="1",
            color_scheme="gray",
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        gap="0.4em",
        width="100%",
        padding_x="1.5em",
        padding_y="1em",
        border_top=f"1px solid {rx.color('gray', 5)}",
        role="contentinfo",
    )


def node_banner(node_error: rx.Var[str]) -> rx.Component:
    """Shown while the app cannot reach its node; it disappears when the node is back."""
    return rx.cond(
        node_error != "",
        rx.callout(
            rx.text(
                rx.text.strong("The network node is unreachable. "),
                "Figures below are from the last block the app saw and will refresh by "
                "themselves when the node answers again. ",
                rx.text(node_error, color_scheme="gray", size="1", as_="span"),
            ),
            icon="triangle_alert",
            color_scheme="amber",
            role="alert",
            width="100%",
            id="node-banner",
        ),
    )


def page_layout(*children: rx.Component, node_error: rx.Var[str] | None = None) -> rx.Component:
    banner = [node_banner(node_error)] if node_error is not None else []
    return rx.vstack(
        header(),
        rx.box(
            rx.vstack(*banner, *children, spacing="4", width="100%"),
            width="100%",
            max_width="1200px",
            padding=rx.breakpoints(initial="1em", sm="1.5em"),
            flex="1",
            role="main",
        ),
        footer(),
        min_height="100vh",
        width="100%",
        align="center",
        spacing="0",
    )
