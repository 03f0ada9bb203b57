"""Plotly charts: figure builders from history series, and the component that draws them.

Figures use a tiny template (not Plotly's default, which adds kilobytes to every state
update), transparent backgrounds and mid-grey text so one figure reads in dark and light.
Series are floats for plotting only; every figure keeps at most `MAX_POINTS` points.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

import plotly.graph_objects as go
import reflex as rx

from balancer_perps import format as fmt
from balancer_perps.pages._data import BalancePoint, FeePoint, PricePoint, TokenPricePoint

MAX_POINTS = 400
LONG_COLOR = "#30a46c"
SHORT_COLOR = "#e5484d"
ACCENT = "#7c66dc"
TREASURY_COLOR = "#f5a524"
_TEXT = "#8b8d98"
_GRID = "rgba(139, 141, 152, 0.18)"
_Point = TypeVar("_Point")


def _layout(y_title: str = "", **overrides: object) -> go.Layout:
    settings: dict[str, object] = {
        "template": "none",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"color": _TEXT, "size": 12},
        "margin": {"l": 56, "r": 16, "t": 8, "b": 36},
        "height": 260,
        "hovermode": "x unified",
        "showlegend": True,
        "legend": {"orientation": "h", "y": 1.12, "x": 0},
        "xaxis": {"gridcolor": _GRID, "zeroline": False},
        "yaxis": {"gridcolor": _GRID, "zeroline": False, "title": {"text": y_title}},
    }
    settings.update(overrides)
    return go.Layout(**settings)


def _thin(points: Sequence[_Point]) -> Sequence[_Point]:
    """At most MAX_POINTS, evenly spaced, always keeping the latest."""
    if len(points) <= MAX_POINTS:
        return points
    step = len(points) / MAX_POINTS
    kept = [points[int(i * step)] for i in range(MAX_POINTS - 1)]
    return [*kept, points[-1]]


def _time(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def _line(x: list[datetime], y: list[float], name: str, color: str, **extra: object
          ) -> go.Scatter:
    return go.Scatter(x=x, y=y, name=name, mode="lines", line={"color": color, "width": 2},
                      **extra)


def oracle_price_figure(points: Sequence[PricePoint], underlying: str) -> go.Figure:
    kept = _thin(points)
    return go.Figure(
        data=[_line([_time(p.timestamp) for p in kept], [float(fmt.wad(p.price)) for p in kept],
                    underlying, ACCENT)],
        layout=_layout(underlying, showlegend=False),
    )


def token_price_figure(points: Sequence[TokenPricePoint], symbol: str) -> go.Figure:
    kept = _thin(points)
    times = [_time(p.timestamp) for p in kept]
    return go.Figure(
        data=[
            _line(times, [float(p.long_price) for p in kept], "Long token", LONG_COLOR),
            _line(times, [float(p.short_price) for p in kept], "Short token", SHORT_COLOR),
        ],
        layout=_layout(f"{symbol} per token"),
    )


def tvl_skew_figure(points: Sequence[BalancePoint], decimals: int, symbol: str) -> go.Figure:
    kept = _thin(points)
    times = [_time(p.timestamp) for p in kept]
    scale = Decimal(10) ** decimals
    skews = [
        float(Decimal(p.long_balance) / Decimal(p.short_balance)) if p.short_balance else None
        for p in kept
    ]
    return go.Figure(
        data=[
            _line(times, [float(p.long_balance / scale) for p in kept], "Long TVL", LONG_COLOR,
                  stackgroup="tvl"),
            _line(times, [float(p.short_balance / scale) for p in kept], "Short TVL",
                  SHORT_COLOR, stackgroup="tvl"),
            go.Scatter(x=times, y=skews, name="Skew", mode="lines", yaxis="y2",
                       line={"color": _TEXT, "width": 1.5, "dash": "dot"}),
        ],
        layout=_layout(
            symbol,
            yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "zeroline": False,
                    "title": {"text": "Skew"}},
            margin={"l": 56, "r": 48, "t": 8, "b": 36},
        ),
    )


def fees_figure(points: Sequence[FeePoint], decimals: int, symbol: str) -> go.Figure:
    kept = _thin(points)
    times = [_time(p.timestamp) for p in kept]
    scale = Decimal(10) ** decimals
    return go.Figure(
        data=[
            _line(times, [float(p.total / scale) for p in kept], "All fees", ACCENT),
            _line(times, [float(p.treasury / scale) for p in kept], "Balancer DAO treasury",
                  TREASURY_COLOR, fill="tozeroy"),
        ],
        layout=_layout(symbol),
    )


def decay_figure(curve: Sequence[tuple[int, float]], chosen: int, leverage: str) -> go.Figure:
    chosen_points = [p for p in curve if p[0] == chosen]
    return go.Figure(
        data=[
            _line([p[0] for p in curve], [p[1] for p in curve], f"{leverage} decay", ACCENT),
            go.Scatter(x=[p[0] for p in chosen_points], y=[p[1] for p in chosen_points],
                       mode="markers", marker={"size": 10, "color": TREASURY_COLOR},
                       name="Chosen"),
        ],
        layout=_layout(
            "Decay per year (%)",
            showlegend=False,
            hovermode="closest",
            xaxis={"gridcolor": _GRID, "zeroline": False,
                   "title": {"text": "Yearly volatility (%)"}},
            margin={"l": 56, "r": 16, "t": 8, "b": 44},
        ),
    )


def chart(figure: rx.Var, element_id: str) -> rx.Component:
    """A responsive Plotly chart without the toolbar."""
    return rx.box(
        rx.plotly.basic(
            data=figure,
            config={"displayModeBar": False, "responsive": True},
            use_resize_handler=True,
            width="100%",
            height="260px",
        ),
        width="100%",
        id=element_id,
        class_name="chart",
    )
