"""Plotly figures from history: small template, both sides, thinned series."""

from __future__ import annotations

import json

from balancer_perps.components import charts
from balancer_perps.pages._data import PricePoint
from tests.app.factories import history, market


def test_figures_from_history() -> None:
    state = market(1)
    past = history(state, points=10)
    price = charts.oracle_price_figure(past.oracle_prices, "ETH/USD")
    assert len(price.data[0].x) == 10
    assert price.data[0].y[0] == 3000.0
    tokens = charts.token_price_figure(past.token_prices, "BAL")
    assert [t.name for t in tokens.data] == ["Long token", "Short token"]
    tvl = charts.tvl_skew_figure(past.balances, 18, "BAL")
    assert [t.name for t in tvl.data] == ["Long TVL", "Short TVL", "Skew"]
    assert tvl.data[2].y[0] == 1.0
    fees = charts.fees_figure(past.fees, 18, "BAL")
    assert fees.data[1].name == "Balancer DAO treasury"
    for figure in (price, tokens, tvl, fees):
        # no default template: Plotly's adds kilobytes to every state update
        assert len(json.dumps(figure.layout.template.to_plotly_json())) < 200


def test_long_series_are_thinned_keeping_the_latest() -> None:
    points = [PricePoint(i, (i + 1) * 10**18) for i in range(5_000)]
    figure = charts.oracle_price_figure(points, "ETH/USD")
    assert len(figure.data[0].y) == charts.MAX_POINTS
    assert figure.data[0].y[-1] == 5_000.0
