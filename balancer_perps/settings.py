"""The app's own settings, read from the environment (or a ``.env`` file Reflex loads).

Reflex's fields (``db_url``, ``redis_url``, CORS) are configured in ``rxconfig.py``; the
database and Redis URLs are read here with the same precedence so that the watcher and
the indexer use exactly what Reflex uses: ``REFLEX_DB_URL`` over ``BALANCER_PERPS_DB_URL``
over the SQLite default, and ``REFLEX_REDIS_URL``.

| Variable | Default | Meaning |
|---|---|---|
| ``BALANCER_PERPS_NETWORK`` | ``devnet`` | ``devnet`` or ``arbitrum-one`` |
| ``BALANCER_PERPS_RPC_URL`` | from the manifest | JSON-RPC URL (required for arbitrum-one) |
| ``BALANCER_PERPS_WS_URL`` | from the manifest | WebSocket URL for new-block subscriptions |
| ``BALANCER_PERPS_DEVNET_DIR`` | ``.devnet`` | where the devnet writes ``manifest.json`` |
| ``BALANCER_PERPS_SHOW_UNVERIFIED`` | ``false`` | list markets that are not on the allow-list |
| ``BALANCER_PERPS_VERIFIED_POOLS`` | empty | more allow-listed pools, comma-separated |
| ``BALANCER_PERPS_TREASURY`` | devnet: ``treasury`` | gets the 10 % of UI-created markets |
| ``BALANCER_PERPS_WALLETCONNECT_PROJECT_ID`` | empty | adds WalletConnect (its relay) |
| ``BALANCER_PERPS_WATCHER`` | ``true`` | run the block watcher in this backend process |
| ``BALANCER_PERPS_POLL_INTERVAL`` | ``1.0`` | seconds between new-block polls without WebSocket |
| ``BALANCER_PERPS_LOG_RANGE`` | ``5000`` | most blocks per ``eth_getLogs`` request of the indexer |
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from eth_utils.address import to_checksum_address

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NETWORK = "devnet"
DEFAULT_DB_URL = "sqlite:///balancer_perps.db"
_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


@dataclass(frozen=True, slots=True)
class Settings:
    network: str
    rpc_url: str | None  # None: the network's default (the devnet manifest)
    ws_url: str | None
    db_url: str
    redis_url: str | None
    devnet_dir: Path
    show_unverified_markets: bool
    extra_verified_pools: frozenset[str]  # checksummed
    treasury: str | None  # checksummed; None: the network's default
    walletconnect_project_id: str  # "": browser-extension wallets only, no WalletConnect relay
    watcher_enabled: bool
    poll_interval: float
    log_range: int


class SettingsError(ValueError):
    """An environment variable has a value the app cannot use."""


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={value!r}: use true or false")


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    value = env.get(name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a number") from None
    if number <= 0:
        raise SettingsError(f"{name} must be positive")
    return number


def _address(name: str, value: str) -> str:
    """A checksummed address; mixed case must be a correct EIP-55 checksum."""
    value = value.strip()
    if not _HEX_ADDRESS.fullmatch(value):
        raise SettingsError(f"{name}: {value!r} is not a 0x-prefixed 20-byte address")
    checksummed = to_checksum_address(value)
    mixed_case = value[2:] not in (value[2:].lower(), value[2:].upper())
    if mixed_case and value != checksummed:
        raise SettingsError(f"{name}: {value!r} has a wrong EIP-55 checksum (a typo?)")
    return checksummed


def _addresses(env: Mapping[str, str], name: str) -> frozenset[str]:
    return frozenset(_address(name, item) for item in env.get(name, "").split(",") if item.strip())


def _project_id(value: str | None) -> str:
    """A WalletConnect Cloud project id: 32 hex digits."""
    value = (value or "").strip()
    if value and not re.fullmatch(r"[0-9a-fA-F]{32}", value):
        raise SettingsError(
            f"BALANCER_PERPS_WALLETCONNECT_PROJECT_ID={value!r}: expected the 32 hex digits of "
            "a WalletConnect Cloud project id"
        )
    return value.lower()


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    devnet_dir = Path(env.get("BALANCER_PERPS_DEVNET_DIR") or ".devnet")
    if not devnet_dir.is_absolute():
        devnet_dir = REPO_ROOT / devnet_dir
    return Settings(
        network=env.get("BALANCER_PERPS_NETWORK") or DEFAULT_NETWORK,
        rpc_url=env.get("BALANCER_PERPS_RPC_URL") or None,
        ws_url=env.get("BALANCER_PERPS_WS_URL") or None,
        db_url=env.get("REFLEX_DB_URL") or env.get("BALANCER_PERPS_DB_URL") or DEFAULT_DB_URL,
        redis_url=env.get("REFLEX_REDIS_URL") or None,
        devnet_dir=devnet_dir,
        show_unverified_markets=_flag(env, "BALANCER_PERPS_SHOW_UNVERIFIED", False),
        extra_verified_pools=_addresses(env, "BALANCER_PERPS_VERIFIED_POOLS"),
        treasury=(_address("BALANCER_PERPS_TREASURY", env["BALANCER_PERPS_TREASURY"])
                  if env.get("BALANCER_PERPS_TREASURY") else None),
        walletconnect_project_id=_project_id(env.get("BALANCER_PERPS_WALLETCONNECT_PROJECT_ID")),
        watcher_enabled=_flag(env, "BALANCER_PERPS_WATCHER", True),
        poll_interval=_number(env, "BALANCER_PERPS_POLL_INTERVAL", 1.0),
        log_range=int(_number(env, "BALANCER_PERPS_LOG_RANGE", 5000)),
    )
