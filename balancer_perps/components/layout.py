"""The page frame every route shares: header with navigation, content, footer."""

from __future__ import annotations

import reflex as rx

NAV_LINKS = (("Markets", "/markets"), ("Portfolio", "/portfolio"))


def _nav_link(label: str, href: str) -> rx.Component:
    return rx.link(label, href=href, size="3", weight="medium", underline="none",
                   id=f"nav-{label.lower()}")


def header() -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.hstack(
                rx.image(src="/logo.svg", alt="", width="28px", height="28px"),
                rx.heading("Balancer Perps", size="5"),
                align="center",
                spacing="2",
            ),
            href="/",
            underline="none",
            color="inherit",
        ),
        rx.hstack(*(_nav_link(label, href) for label, href in NAV_LINKS), spacing="5"),
        rx.spacer(),
        rx.color_mode.button(id="color-mode-toggle", aria_label="Toggle light and dark theme"),
        width="100%",
        align="center",
        spacing="6",
        padding_x="1.5em",
        padding_y="0.9em",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        role="banner",
    )


def footer() -> rx.Component:
    return rx.hstack(
        rx.text("Powered by Tracer DAO", size="2", color_scheme="gray", id="powered-by"),
        rx.spacer(),
        rx.text(
            "Leverage without liquidations: positions can shrink at a rebalance, "
            "but are never liquidated.",
            size="1",
            color_scheme="gray",
        ),
        width="100%",
        padding_x="1.5em",
        padding_y="1em",
        border_top=f"1px solid {rx.color('gray', 5)}",
        role="contentinfo",
    )


def page_layout(*children: rx.Component) -> rx.Component:
    return rx.vstack(
        header(),
        rx.box(*children, width="100%", max_width="1200px", padding="1.5em", flex="1",
               role="main"),
        footer(),
        min_height="100vh",
        width="100%",
        align="center",
        spacing="0",
    )
