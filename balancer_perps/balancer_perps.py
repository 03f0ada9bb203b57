"""The Reflex app: routes and theme."""

from __future__ import annotations

import reflex as rx

from balancer_perps.pages import create, market, markets
from balancer_perps.pages.portfolio import portfolio_page
from balancer_perps.watcher import start_watcher

app = rx.App(stylesheets=["/theme.css"])
# One block watcher per backend process publishes the snapshot every page reads.
app.register_lifespan_task(start_watcher)
app.add_page(markets.markets_page, route="/", title="Markets · Balancer Perps",
             on_load=markets.ON_LOAD)
app.add_page(markets.markets_page, route="/markets", title="Markets · Balancer Perps",
             on_load=markets.ON_LOAD)
app.add_page(market.market_page, route=market.ROUTE, title="Market · Balancer Perps",
             on_load=market.ON_LOAD)
app.add_page(portfolio_page, route="/portfolio", title="Portfolio · Balancer Perps")
app.add_page(create.create_page, route=create.ROUTE, title="Create a market · Balancer Perps",
             on_load=create.ON_LOAD)
