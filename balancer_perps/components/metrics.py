"""Small display pieces every page uses: a metric with its tooltip, the skew bar, badges,
empty and loading states."""

from __future__ import annotations

import reflex as rx

UP_COLOR = "grass"
DOWN_COLOR = "tomato"


def info_tip(text: str) -> rx.Component:
    """An (i) that explains the metric next to it, on hover and on keyboard focus."""
    return rx.tooltip(
        rx.icon("info", size=13, color=rx.color("gray", 9), tab_index=0, aria_label=text),
        content=text,
    )


def metric(
    label: str, value: rx.Var | str | rx.Component, tooltip: str, *, size: str = "3",
    **props: object,
) -> rx.Component:
    """Label (with its tooltip) above a value."""
    shown = value if isinstance(value, rx.Component) else rx.text(value, size=size,
                                                                 weight="medium")
    return rx.vstack(
        rx.hstack(
            rx.text(label, size="1", color_scheme="gray"),
            info_tip(tooltip),
            spacing="1",
            align="center",
        ),
        shown,
        spacing="1",
        min_width="0",
        **props,
    )


def skew_bar(long_percent: rx.Var[int], long_label: rx.Var[str],
             short_label: rx.Var[str]) -> rx.Component:
    """Long (green, left) against short (red, right) share of the pool."""
    return rx.vstack(
        rx.flex(
            rx.box(width=long_percent.to_string() + "%", background=rx.color(UP_COLOR, 9),
                   height="100%"),
            rx.box(flex="1", background=rx.color(DOWN_COLOR, 9), height="100%"),
            width="100%",
            height="6px",
            border_radius="3px",
            overflow="hidden",
            role="img",
            aria_label="Long " + long_label + ", short " + short_label,
        ),
        rx.hstack(
            rx.text("L " + long_label, size="1", color=rx.color(UP_COLOR, 11)),
            rx.spacer(),
            rx.text("S " + short_label, size="1", color=rx.color(DOWN_COLOR, 11)),
            width="100%",
        ),
        spacing="1",
        width="100%",
        min_width="110px",
    )


def trend_text(text: rx.Var[str], trend: rx.Var[str], **props: object) -> rx.Component:
    """A signed change coloured by its direction."""
    return rx.text(
        text,
        color=rx.match(
            trend,
            ("up", rx.color(UP_COLOR, 11)),
            ("down", rx.color(DOWN_COLOR, 11)),
            rx.color("gray", 11),
        ),
        **props,
    )


def empty_state(title: str, body: str, **props: object) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading(title, size="4"),
            rx.text(body, color_scheme="gray", align="center"),
            align="center",
            max_width="36em",
        ),
        padding="3em",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="12px",
        width="100%",
        **props,
    )


def loading_state(text: str, **props: object) -> rx.Component:
    return rx.center(
        rx.hstack(rx.spinner(size="3"), rx.text(text, color_scheme="gray"), align="center"),
        padding="4em",
        width="100%",
        **props,
    )


def panel(*children: rx.Component, **props: object) -> rx.Component:
    """A card surface that follows the theme."""
    return rx.box(
        *children,
        padding="1em",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="14px",
        background="var(--panel-background)",
        width="100%",
        **props,
    )
