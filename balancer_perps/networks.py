"""The networks the app can run against, by configuration (``BALANCER_PERPS_NETWORK``).

- ``devnet`` (default): the local anvil chain; everything comes from the manifest the
  devnet command writes (``<BALANCER_PERPS_DEVNET_DIR>/manifest.json``), and every pool in
  it is on the allow-list.
- ``arbitrum-one``: the live Perpetual Pools V2.1 deployment (protocol reference §5.1);
  the RPC URL must be configured, and the allow-list is the reference's §5.2 markets.

Markets that the factory lists but the allow-list does not are "unverified": the pages
hide them unless the user (or ``BALANCER_PERPS_SHOW_UNVERIFIED``) asks to see them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eth_utils.address import to_checksum_address

from balancer_perps.chain.multicall import MULTICALL3_ADDRESS
from balancer_perps.settings import Settings, load_settings

DEVNET = "devnet"
ARBITRUM_ONE = "arbitrum-one"
NETWORK_NAMES = (DEVNET, ARBITRUM_ONE)


class NetworkConfigError(ValueError):
    """The network cannot be set up from the configuration; the message says what to do."""


@dataclass(frozen=True, slots=True)
class TokenInfo:
    symbol: str
    address: str
    decimals: int


@dataclass(frozen=True, slots=True)
class Network:
    name: str
    chain_id: int
    rpc_url: str
    ws_url: str | None
    factory: str
    pool_keeper: str
    multicall3: str
    deploy_block: int  # the factory's; the indexer starts here
    verified_pools: frozenset[str]  # checksummed pool addresses on the allow-list
    pool_deploy_blocks: Mapping[str, int] = field(default_factory=dict)
    tokens: tuple[TokenInfo, ...] = ()
    explorer_url: str | None = None
    # Market creation: who receives new markets' 10 % secondary fee (the Balancer DAO
    # treasury), and per settlement symbol the Chainlink feed pricing 1 ETH in that token
    # (the keeper-reward oracle of a new market). None / empty: creation is unavailable.
    treasury: str | None = None
    settlement_eth_feeds: Mapping[str, str] = field(default_factory=dict)
    # Price feeds this network is known to have (pair -> address): quick picks on /create.
    price_feeds: Mapping[str, str] = field(default_factory=dict)

    def is_verified(self, pool: str) -> bool:
        return to_checksum_address(pool) in self.verified_pools


# Reference §5.1 (Arbitrum One, the active V2.1 factory) and §5.2 (its markets).
ARBITRUM_ONE_CHAIN_ID = 42161
ARBITRUM_ONE_FACTORY = "0x3Feafee6b12C8d2E58c5B118e54C09F9273c6124"
ARBITRUM_ONE_KEEPER = "0x051afD0b39ACF4Cc52c76a479aD802d0B82A8249"
ARBITRUM_ONE_DEPLOY_BLOCK = 13_387_522
ARBITRUM_ONE_MARKETS = {
    "3-ETH/USD+USDC": "0x8F4af5A3b58EA60e66690f30335Ed8586E46AcEb",
    "3-BTC/USD+USDC": "0x3aca4F1B1791D00eBBAE01d65E9739c9C886F33C",
    "3-WTI/USD+USDC": "0xa740b84Fd3547b9C445844c30A10Cde6dce3E08B",
    "3-BTC/USD+USDC-12h": "0x2bfb8aeE6EB2dcCd694f8eCB4C31FdeBfC22b55a",
}


def load_network(settings: Settings | None = None) -> Network:
    settings = settings or load_settings()
    if settings.network == DEVNET:
        return devnet_network(settings)
    if settings.network == ARBITRUM_ONE:
        return arbitrum_one_network(settings)
    raise NetworkConfigError(
        f"BALANCER_PERPS_NETWORK={settings.network!r} is not a known network "
        f"(use one of: {', '.join(NETWORK_NAMES)})"
    )


def arbitrum_one_network(settings: Settings) -> Network:
    if not settings.rpc_url:
        raise NetworkConfigError(
            "arbitrum-one needs an RPC URL: set BALANCER_PERPS_RPC_URL to your own node or "
            "provider (the app uses no public endpoint)"
        )
    return Network(
        name=ARBITRUM_ONE,
        chain_id=ARBITRUM_ONE_CHAIN_ID,
        rpc_url=settings.rpc_url,
        ws_url=settings.ws_url,
        factory=to_checksum_address(ARBITRUM_ONE_FACTORY),
        pool_keeper=to_checksum_address(ARBITRUM_ONE_KEEPER),
        multicall3=MULTICALL3_ADDRESS,
        deploy_block=ARBITRUM_ONE_DEPLOY_BLOCK,
        verified_pools=frozenset(to_checksum_address(a) for a in ARBITRUM_ONE_MARKETS.values())
        | settings.extra_verified_pools,
        treasury=settings.treasury,
        explorer_url="https://arbiscan.io",
    )


def devnet_network(settings: Settings) -> Network:
    path = settings.devnet_dir / "manifest.json"
    if not path.exists():
        raise NetworkConfigError(
            f"The devnet is not running: {path} does not exist. "
            "Start it with `python -m balancer_perps.devnet up`."
        )
    try:
        manifest = json.loads(path.read_text())
    except ValueError as error:
        raise NetworkConfigError(f"{path} is not valid JSON: {error}") from error
    return network_from_manifest(manifest, settings)


def network_from_manifest(manifest: Mapping[str, Any], settings: Settings) -> Network:
    """The devnet network described by a devnet manifest (schema: the devnet issue)."""
    try:
        contracts = manifest["contracts"]
        pools = manifest.get("pools", [])
        return Network(
            name=DEVNET,
            chain_id=int(manifest["chain_id"]),
            rpc_url=settings.rpc_url or str(manifest["rpc_url"]),
            ws_url=settings.ws_url or manifest.get("ws_url"),
            factory=to_checksum_address(contracts["PoolFactory"]),
            pool_keeper=to_checksum_address(contracts["PoolKeeper"]),
            multicall3=to_checksum_address(contracts.get("Multicall3", MULTICALL3_ADDRESS)),
            deploy_block=int(manifest.get("deploy_block", 0)),
            verified_pools=frozenset(to_checksum_address(p["address"]) for p in pools)
            | settings.extra_verified_pools,
            pool_deploy_blocks={
                to_checksum_address(p["address"]): int(p["deploy_block"])
                for p in pools
                if "deploy_block" in p
            },
            tokens=tuple(
                TokenInfo(symbol, to_checksum_address(t["address"]), int(t["decimals"]))
                for symbol, t in manifest.get("tokens", {}).items()
            ),
            treasury=settings.treasury or _treasury_of(manifest),
            settlement_eth_feeds={
                pair.removeprefix("ETH/"): to_checksum_address(f["address"])
                for pair, f in manifest.get("feeds", {}).items()
                if pair.removeprefix("ETH/") in manifest.get("tokens", {})
            },
            price_feeds={
                pair: to_checksum_address(f["address"])
                for pair, f in manifest.get("feeds", {}).items()
                if pair.removeprefix("ETH/") not in manifest.get("tokens", {})
            },
        )
    except (KeyError, TypeError, ValueError) as error:
        raise NetworkConfigError(
            f"the devnet manifest is incomplete or malformed: {error}"
        ) from error


def _treasury_of(manifest: Mapping[str, Any]) -> str | None:
    """The devnet's ``treasury`` account: it deploys the devnet's own markets, and stands
    for the Balancer DAO treasury that receives every market's secondary fee."""
    account = manifest.get("accounts", {}).get("treasury")
    return to_checksum_address(account["address"]) if account else None
