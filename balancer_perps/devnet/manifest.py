"""The devnet manifest, ``.devnet/manifest.json``: where everything on the devnet lives.

Written by ``python -m balancer_perps.devnet up``; read by the app, the keeper and feed
processes and the tests.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROLES = (
    "deployer",  # factory governance, PoolKeeper owner, SMA governance
    "treasury",  # deploys the markets: their secondary fee receiver and fee controller
    "primary_fee_receiver",  # the factory's feeReceiver
    "keeper",  # the keeper process
    "trader1",
    "trader2",
    "trader3",
    "trader4",
    "trader5",
    "feed",  # the price-feed process
)
CONTRACT_NAMES = (
    "PoolFactory",
    "PoolKeeper",
    "KeeperRewards",
    "AutoClaim",
    "InvariantCheck",
    "PoolSwapLibrary",
    "L2Encoder",
    "Multicall3",
)
MULTICALL3_ADDRESS = "0xcA11bde05977b3631167028862bE2a173976CA11"


@dataclass(frozen=True)
class Account:
    address: str
    index: int  # derivation index in the devnet mnemonic


@dataclass(frozen=True)
class Token:
    address: str
    decimals: int
    name: str


@dataclass(frozen=True)
class Feed:
    """A Chainlink-style aggregator (``DevFeed``)."""

    address: str
    decimals: int


@dataclass(frozen=True)
class PoolEntry:
    name: str  # poolName(), e.g. "3-ETH/USD+BAL"
    address: str
    committer: str
    long_token: str
    short_token: str
    leverage: int
    settlement_token: str
    settlement_symbol: str
    feed: str  # pair of the underlying base feed
    oracle: str  # "spot" or "<n>-period SMA"
    oracle_wrapper: str  # the pool's oracleWrapper()
    settlement_eth_oracle: str
    update_interval: int
    front_running_interval: int
    minting_fee_wad: int
    burning_fee_wad: int
    deploy_block: int


@dataclass(frozen=True)
class Manifest:
    chain_id: int
    rpc_url: str
    ws_url: str
    deploy_block: int
    accounts: dict[str, Account]
    contracts: dict[str, str]
    tokens: dict[str, Token]
    feeds: dict[str, Feed]
    pools: list[PoolEntry]
    mnemonic: str
    keeper_gas_price: int  # wei, PoolKeeper.gasPrice() at deployment
    genesis_timestamp: int
    seeded_until: int  # block time at which the seeded history ends
    seed: int

    def address_of(self, role: str) -> str:
        return self.accounts[role].address

    def pool(self, name: str) -> PoolEntry:
        for pool in self.pools:
            if pool.name == name:
                return pool
        raise KeyError(f"no pool {name} in the manifest")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            chain_id=data["chain_id"],
            rpc_url=data["rpc_url"],
            ws_url=data["ws_url"],
            deploy_block=data["deploy_block"],
            accounts={role: Account(**a) for role, a in data["accounts"].items()},
            contracts=dict(data["contracts"]),
            tokens={symbol: Token(**t) for symbol, t in data["tokens"].items()},
            feeds={pair: Feed(**f) for pair, f in data["feeds"].items()},
            pools=[PoolEntry(**p) for p in data["pools"]],
            mnemonic=data["mnemonic"],
            keeper_gas_price=data["keeper_gas_price"],
            genesis_timestamp=data["genesis_timestamp"],
            seeded_until=data["seeded_until"],
            seed=data["seed"],
        )

    def write(self, path: Path) -> None:
        """Write atomically, so readers never see half a manifest."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        os.replace(partial, path)


def load_manifest(path: Path) -> Manifest:
    return Manifest.from_dict(json.loads(path.read_text()))
