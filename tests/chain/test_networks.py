"""Networks and settings by configuration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from balancer_perps.networks import (
    ARBITRUM_ONE_MARKETS,
    NetworkConfigError,
    load_network,
)
from balancer_perps.settings import DEFAULT_DB_URL, SettingsError, load_settings

POOL = "0x8f4af5a3b58ea60e66690f30335ed8586e46aceb"


def manifest(rpc_url: str = "http://127.0.0.1:8545") -> dict[str, object]:
    return {
        "chain_id": 31337,
        "rpc_url": rpc_url,
        "ws_url": "ws://127.0.0.1:8545",
        "deploy_block": 3,
        "accounts": {"deployer": {"address": "0x" + "11" * 20, "index": 0}},
        "contracts": {
            "PoolFactory": "0x" + "aa" * 20,
            "PoolKeeper": "0x" + "bb" * 20,
            "Multicall3": "0xcA11bde05977b3631167028862bE2a173976CA11",
        },
        "tokens": {"BAL": {"address": "0x" + "cc" * 20, "decimals": 18, "name": "Balancer"}},
        "feeds": {},
        "pools": [{"name": "3-ETH/USD+BAL", "address": POOL, "deploy_block": 9}],
    }


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.network == "devnet"
    assert settings.db_url == DEFAULT_DB_URL
    assert settings.redis_url is None
    assert settings.devnet_dir.name == ".devnet"
    assert settings.show_unverified_markets is False
    assert settings.watcher_enabled is True


def test_reflex_db_url_wins_like_in_reflex() -> None:
    env = {"BALANCER_PERPS_DB_URL": "sqlite:///a.db", "REFLEX_DB_URL": "sqlite:///b.db"}
    assert load_settings(env).db_url == "sqlite:///b.db"
    assert load_settings({"BALANCER_PERPS_DB_URL": "sqlite:///a.db"}).db_url == "sqlite:///a.db"


def test_bad_flags_are_refused() -> None:
    with pytest.raises(SettingsError, match="BALANCER_PERPS_SHOW_UNVERIFIED"):
        load_settings({"BALANCER_PERPS_SHOW_UNVERIFIED": "maybe"})


def test_devnet_reads_its_manifest(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps(manifest()))
    network = load_network(load_settings({"BALANCER_PERPS_DEVNET_DIR": str(tmp_path)}))
    assert (network.name, network.chain_id, network.deploy_block) == ("devnet", 31337, 3)
    assert network.rpc_url == "http://127.0.0.1:8545"
    assert network.ws_url == "ws://127.0.0.1:8545"
    assert network.is_verified(POOL)
    assert not network.is_verified("0x" + "dd" * 20)
    assert network.pool_deploy_blocks == {"0x8F4af5A3b58EA60e66690f30335Ed8586E46AcEb": 9}
    assert [t.symbol for t in network.tokens] == ["BAL"]


def test_the_rpc_url_setting_overrides_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps(manifest()))
    env = {"BALANCER_PERPS_DEVNET_DIR": str(tmp_path), "BALANCER_PERPS_RPC_URL": "http://node:1"}
    assert load_network(load_settings(env)).rpc_url == "http://node:1"


def test_a_missing_devnet_says_how_to_start_it(tmp_path: Path) -> None:
    with pytest.raises(NetworkConfigError, match=r"python -m balancer_perps\.devnet up"):
        load_network(load_settings({"BALANCER_PERPS_DEVNET_DIR": str(tmp_path)}))


def test_arbitrum_one_needs_an_rpc_url() -> None:
    with pytest.raises(NetworkConfigError, match="BALANCER_PERPS_RPC_URL"):
        load_network(load_settings({"BALANCER_PERPS_NETWORK": "arbitrum-one"}))


def test_arbitrum_one_is_the_v2_1_deployment() -> None:
    env = {"BALANCER_PERPS_NETWORK": "arbitrum-one", "BALANCER_PERPS_RPC_URL": "http://node:1"}
    network = load_network(load_settings(env))
    assert network.chain_id == 42161
    assert network.factory == "0x3Feafee6b12C8d2E58c5B118e54C09F9273c6124"
    assert network.pool_keeper == "0x051afD0b39ACF4Cc52c76a479aD802d0B82A8249"
    assert network.deploy_block == 13_387_522
    assert network.multicall3 == "0xcA11bde05977b3631167028862bE2a173976CA11"
    assert len(network.verified_pools) == len(ARBITRUM_ONE_MARKETS) == 4
    assert network.is_verified(POOL)
    # The deprecated first-factory pools are not on the list.
    assert not network.is_verified("0x3C16b9efE5E4Fc0ec3963F17c64a3dcBF7269207")


def test_an_unknown_network_lists_the_known_ones() -> None:
    with pytest.raises(NetworkConfigError, match="devnet, arbitrum-one"):
        load_network(load_settings({"BALANCER_PERPS_NETWORK": "mainnet"}))


def test_more_verified_pools_and_the_treasury_come_from_the_environment(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps(manifest()))
    created = "0x" + "dd" * 20
    env = {
        "BALANCER_PERPS_DEVNET_DIR": str(tmp_path),
        "BALANCER_PERPS_VERIFIED_POOLS": f" {created} ,",
        "BALANCER_PERPS_TREASURY": "0x" + "ee" * 20,
    }
    network = load_network(load_settings(env))
    assert network.is_verified(POOL) and network.is_verified(created)
    assert network.treasury is not None and network.treasury.lower() == "0x" + "ee" * 20
    arbitrum = load_network(load_settings({
        **env, "BALANCER_PERPS_NETWORK": "arbitrum-one", "BALANCER_PERPS_RPC_URL": "http://n:1"}))
    assert arbitrum.is_verified(created) and arbitrum.is_verified(POOL)
    assert arbitrum.treasury is not None and arbitrum.treasury.lower() == "0x" + "ee" * 20
    assert load_network(load_settings({
        "BALANCER_PERPS_NETWORK": "arbitrum-one", "BALANCER_PERPS_RPC_URL": "http://n:1",
    })).treasury is None  # no guessed address: market creation stays off


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("BALANCER_PERPS_VERIFIED_POOLS", "0x1234", "not a 0x-prefixed 20-byte address"),
        ("BALANCER_PERPS_VERIFIED_POOLS", f"{POOL},nonsense", "not a 0x-prefixed"),
        ("BALANCER_PERPS_TREASURY", "0x8F4af5A3b58EA60e66690f30335Ed8586E46AcEB", "checksum"),
    ],
)
def test_bad_addresses_in_the_environment_are_refused(name: str, value: str, why: str) -> None:
    with pytest.raises(SettingsError, match=why):
        load_settings({name: value})


def test_walletconnect_is_off_unless_a_project_id_is_configured() -> None:
    assert load_settings({}).walletconnect_project_id == ""
    project = "0123456789ABCDEF0123456789abcdef"
    settings = load_settings({"BALANCER_PERPS_WALLETCONNECT_PROJECT_ID": project})
    assert settings.walletconnect_project_id == project.lower()
    with pytest.raises(SettingsError, match="32 hex digits"):
        load_settings({"BALANCER_PERPS_WALLETCONNECT_PROJECT_ID": "my-project"})


def test_devnet_feeds_split_into_price_feeds_and_settlement_eth_feeds(tmp_path: Path) -> None:
    data = manifest()
    data["feeds"] = {
        "ETH/USD": {"address": "0x" + "01" * 20, "decimals": 8},
        "ETH/BAL": {"address": "0x" + "02" * 20, "decimals": 18},
    }
    (tmp_path / "manifest.json").write_text(json.dumps(data))
    network = load_network(load_settings({"BALANCER_PERPS_DEVNET_DIR": str(tmp_path)}))
    assert network.price_feeds == {"ETH/USD": "0x" + "01" * 20}
    assert network.settlement_eth_feeds == {"BAL": "0x" + "02" * 20}
