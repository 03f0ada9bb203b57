"""The step tracker row shared by the trade panel and the create-a-market page: a numbered
badge coloured by status, the step's label, a spinner while it runs and its status text."""

from __future__ import annotations

from typing import Any

import reflex as rx


def step_row(step: Any, prefix: str, note: rx.Var | None = None) -> rx.Component:
    """``step`` is a ``StepView`` item of ``rx.foreach``; ``prefix`` names the CSS classes
    (``<prefix>-step``, ``<prefix>-step-status``) the page and its tests look for."""
    color = rx.match(step.status, ("confirmed", "grass"), ("failed", "red"),
                     ("rejected", "amber"), ("waiting", "gray"), "indigo")
    row = rx.hstack(
        rx.badge(step.number, variant="solid", color_scheme=color, radius="full"),
        rx.text(step.label, size="2", weight="medium"),
        rx.spacer(),
        rx.cond((step.status == "preparing") | (step.status == "confirming"),
                rx.spinner(size="1")),
        rx.text(step.status_text, size="2", color_scheme="gray",
                class_name=f"{prefix}-step-status"),
        width="100%",
        align="center",
    )
    if note is None:
        return rx.box(row, width="100%", class_name=f"{prefix}-step",
                      custom_attrs={"data-status": step.status})
    return rx.vstack(row, rx.text(note, size="1", color_scheme="gray"), spacing="1",
                     width="100%", class_name=f"{prefix}-step",
                     custom_attrs={"data-status": step.status})
