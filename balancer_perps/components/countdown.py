"""A countdown that ticks in the browser (assets/countdown.jsx): no server event per second."""

from __future__ import annotations

import reflex as rx
from reflex_base.components.component import NoSSRComponent


class Countdown(NoSSRComponent):
    """Text counting down to a unix time, then `done_text`."""

    library = "$/public/countdown.jsx"
    tag = "Countdown"

    target: rx.Var[int]
    prefix: rx.Var[str]
    done_text: rx.Var[str]


def countdown(
    target: rx.Var[int] | int, *, prefix: str = "", done_text: str = "now", **props: object
) -> rx.Component:
    return Countdown.create(target=target, prefix=prefix, done_text=done_text, **props)
