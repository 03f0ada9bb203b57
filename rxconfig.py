"""Reflex configuration. Every field can be overridden by an environment variable
``REFLEX_<FIELD>`` (e.g. ``REFLEX_DB_URL``, ``REFLEX_REDIS_URL``); the app's own settings
(network, RPC URLs) live in ``balancer_perps/settings.py``."""

import os

import reflex as rx

config = rx.Config(
    app_name="balancer_perps",
    db_url=os.environ.get("BALANCER_PERPS_DB_URL", "sqlite:///balancer_perps.db"),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    default_color_mode="dark",
    # Only the app's own origin in production (comma-separated list in the environment).
    cors_allowed_origins=os.environ.get(
        "BALANCER_PERPS_CORS_ORIGINS", "http://localhost:3000,http://127.0.0.1:3000"
    ).split(","),
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                appearance="dark", accent_color="indigo", gray_color="slate", radius="large"
            )
        )
    ],
)
