"""The Reflex app: routes and theme."""

from __future__ import annotations

import reflex as rx

from balancer_perps.pages.markets import markets_page
from balancer_perps.pages.portfolio import portfolio_page

app = rx.App()
app.add_page(markets_page, route="/", title="Markets · Balancer Perps")
app.add_page(markets_page, route="/markets", title="Markets · Balancer Perps")
app.add_page(portfolio_page, route="/portfolio", title="Portfolio · Balancer Perps")
