"""A running devnet: the manifest, what it describes on chain, Multicall3, tokens, feeds,
status, and the keeper and feed processes at work."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from eth_utils.crypto import keccak
from web3 import Web3
from web3.exceptions import ContractLogicError

from balancer_perps.devnet import control
from balancer_perps.devnet.evm import contract_at, deploy, load_artifact, send
from balancer_perps.devnet.manifest import CONTRACT_NAMES, MULTICALL3_ADDRESS, ROLES
from balancer_perps.devnet.markets import ANNUAL_FEE_WAD, DEFAULT_KEEPER_GAS_PRICE, MARKETS
from tests.devnet.conftest import SHORT_HISTORY, Devnet, wait_for

SECONDS_PER_LEAP_YEAR = 31_556_952


@pytest.fixture(scope="module")
def devnet(devnet_factory: Callable[..., Devnet]) -> Devnet:
    return devnet_factory()


def test_cold_start_deploys_and_seeds_within_budget(devnet: Devnet) -> None:
    report = devnet.report
    assert report.path == "cold start"
    assert report.seconds < 60
    assert "0 failed" in report.seed_summary
    for action in ("mint", "burn", "flip", "claim", "upkeep", "feed", "from escrow"):
        assert action in report.seed_summary


def test_manifest_schema(devnet: Devnet) -> None:
    data = json.loads(devnet.config.manifest_file.read_text())
    assert data["chain_id"] == 31337
    assert data["rpc_url"] == f"http://127.0.0.1:{devnet.config.port}"
    assert data["ws_url"] == f"ws://127.0.0.1:{devnet.config.port}"
    assert isinstance(data["deploy_block"], int) and data["deploy_block"] >= 1
    assert set(data["accounts"]) >= {
        "deployer",
        "treasury",
        "primary_fee_receiver",
        "keeper",
        "trader1",
        "trader2",
        "trader3",
        "trader4",
        "trader5",
    }
    for role, account in data["accounts"].items():
        assert account["index"] == ROLES.index(role)
        assert Web3.is_checksum_address(account["address"])
    assert set(data["contracts"]) == set(CONTRACT_NAMES)
    assert data["contracts"]["Multicall3"] == MULTICALL3_ADDRESS
    assert {s: t["decimals"] for s, t in data["tokens"].items()} == {
        "BAL": 18,
        "B-80BAL-20WETH": 18,
        "auraBAL": 18,
        "USDC": 6,
    }
    assert {p: f["decimals"] for p, f in data["feeds"].items()} == {
        "ETH/USD": 8,
        "BTC/USD": 8,
        "BAL/USD": 8,
        "EUR/USD": 8,
        "ETH/BAL": 18,
        "ETH/B-80BAL-20WETH": 18,
        "ETH/auraBAL": 18,
        "ETH/USDC": 18,
    }
    required = {
        "name",
        "address",
        "committer",
        "long_token",
        "short_token",
        "leverage",
        "settlement_token",
        "settlement_symbol",
        "feed",
        "oracle_wrapper",
        "settlement_eth_oracle",
        "update_interval",
        "front_running_interval",
        "deploy_block",
    }
    assert [p["name"] for p in data["pools"]] == [m.pool_name for m in MARKETS]
    for pool in data["pools"]:
        assert required <= set(pool)
        assert pool["settlement_token"] == data["tokens"][pool["settlement_symbol"]]["address"]
        assert pool["feed"] in data["feeds"]


def test_manifest_matches_the_chain(devnet: Devnet) -> None:
    w3, manifest = devnet.w3, devnet.manifest
    deployer = manifest.address_of("deployer")
    factory = contract_at(w3, "PoolFactory", manifest.contracts["PoolFactory"])
    keeper = contract_at(w3, "PoolKeeper", manifest.contracts["PoolKeeper"])
    assert factory.functions.governance().call() == deployer
    assert factory.functions.feeReceiver().call() == manifest.address_of("primary_fee_receiver")
    assert factory.functions.fee().call() == ANNUAL_FEE_WAD
    assert factory.functions.getPoolKeeper().call() == keeper.address
    assert factory.functions.autoClaim().call() == manifest.contracts["AutoClaim"]
    assert factory.functions.invariantCheck().call() == manifest.contracts["InvariantCheck"]
    assert keeper.functions.owner().call() == deployer
    assert keeper.functions.gasPrice().call() == DEFAULT_KEEPER_GAS_PRICE
    assert keeper.functions.keeperRewards().call() == manifest.contracts["KeeperRewards"]
    assert factory.functions.numPools().call() == len(MARKETS)
    wrappers = set()
    for i, (pool, spec) in enumerate(zip(manifest.pools, MARKETS, strict=True)):
        assert factory.functions.pools(i).call() == pool.address
        leveraged = contract_at(w3, "LeveragedPool", pool.address)
        committer = contract_at(w3, "PoolCommitter", pool.committer)
        assert leveraged.functions.poolName().call() == pool.name == spec.pool_name
        assert leveraged.functions.poolCommitter().call() == pool.committer
        assert leveraged.functions.poolTokens().call() == [pool.long_token, pool.short_token]
        assert leveraged.functions.settlementToken().call() == pool.settlement_token
        assert leveraged.functions.oracleWrapper().call() == pool.oracle_wrapper
        assert leveraged.functions.settlementEthOracle().call() == pool.settlement_eth_oracle
        assert leveraged.functions.updateInterval().call() == spec.update_interval
        assert leveraged.functions.frontRunningInterval().call() == spec.front_running_interval
        assert leveraged.functions.getLeverage().call() == spec.leverage
        assert leveraged.functions.getFee().call() == (
            ANNUAL_FEE_WAD * spec.update_interval // SECONDS_PER_LEAP_YEAR
        )
        assert leveraged.functions.secondaryFeeAddress().call() == manifest.address_of("treasury")
        assert leveraged.functions.feeAddress().call() == manifest.address_of(
            "primary_fee_receiver"
        )
        assert committer.functions.getMintingFee().call() == spec.minting_fee_wad
        assert committer.functions.getBurningFee().call() == spec.burning_fee_wad
        wrapper = contract_at(
            w3, "SMAOracle" if spec.sma_periods else "ChainlinkOracleWrapper", pool.oracle_wrapper
        )
        assert wrapper.functions.deployer().call() == manifest.address_of("treasury")
        if spec.sma_periods:
            assert wrapper.functions.numPeriods().call() == spec.sma_periods
            assert wrapper.functions.updateInterval().call() == spec.update_interval
            spot = contract_at(w3, "ChainlinkOracleWrapper", wrapper.functions.oracle().call())
        else:
            spot = wrapper
        assert spot.functions.oracle().call() == manifest.feeds[spec.feed].address
        eth_oracle = contract_at(w3, "ChainlinkOracleWrapper", pool.settlement_eth_oracle)
        assert eth_oracle.functions.oracle().call() == (
            manifest.feeds[f"ETH/{pool.settlement_symbol}"].address
        )
        wrappers.add(pool.oracle_wrapper)
    assert len(wrappers) == len(MARKETS)  # one oracle wrapper per pool


def test_history_reaches_the_present(devnet: Devnet) -> None:
    w3, manifest = devnet.w3, devnet.manifest
    latest = w3.eth.get_block("latest")
    genesis = w3.eth.get_block(0)
    assert latest["timestamp"] - genesis["timestamp"] >= SHORT_HISTORY - 60
    assert abs(latest["timestamp"] - time.time()) < 30
    keeper = contract_at(w3, "PoolKeeper", manifest.contracts["PoolKeeper"])
    upkeeps = keeper.events.UpkeepSuccessful().get_logs(from_block=manifest.deploy_block)
    per_pool = {p.address: 0 for p in manifest.pools}
    for event in upkeeps:
        per_pool[event["args"]["pool"]] += 1
    for pool in manifest.pools:
        if pool.update_interval <= 600:
            assert per_pool[pool.address] >= SHORT_HISTORY // pool.update_interval - 2, pool.name
    committer = contract_at(w3, "PoolCommitter", manifest.pools[0].committer)
    commits = committer.events.CreateCommit().get_logs(from_block=manifest.deploy_block)
    assert {e["args"]["user"] for e in commits} <= {
        manifest.address_of(f"trader{i}") for i in range(1, 6)
    }
    assert len(commits) >= 5


def test_up_again_is_idempotent_and_quick(devnet: Devnet) -> None:
    pids = control.status(devnet.config).processes
    report = control.up(devnet.config)
    assert report.path == "running"
    assert report.seconds < 5
    assert report.manifest == devnet.manifest
    assert control.status(devnet.config).processes == pids


def test_status_shows_processes_chain_and_pools(devnet: Devnet) -> None:
    state = control.status(devnet.config)
    assert all(pid for pid in state.processes.values()), state.processes
    assert state.block is not None and state.block > devnet.manifest.deploy_block
    assert [p.name for p in state.pools] == [m.pool_name for m in MARKETS]
    assert all(
        p.next_upkeep == p.last_upkeep + m.update_interval
        for p, m in zip(state.pools, MARKETS, strict=True)
    )
    assert state.pools[0].long_balance > 0 and state.pools[0].short_balance > 0
    printed = devnet.cli("status")
    assert printed.returncode == 0, printed.stderr
    for line in ("anvil   running", "keeper  running", "feed    running", "3-ETH/USD+USDC"):
        assert line in printed.stdout
    assert "next upkeep" in printed.stdout


def test_multicall3_at_the_canonical_address(devnet: Devnet) -> None:
    w3 = devnet.w3
    artifact = load_artifact("Multicall3")
    assert w3.eth.get_code(MULTICALL3_ADDRESS).hex() == artifact["deployedBytecode"][2:]
    multicall = contract_at(w3, "Multicall3", MULTICALL3_ADDRESS)
    # the public interface's selectors, so standard tooling finds what it expects
    selectors = {
        "aggregate((address,bytes)[])": "252dba42",
        "aggregate3((address,bool,bytes)[])": "82ad56cb",
        "aggregate3Value((address,bool,uint256,bytes)[])": "174dea71",
        "tryAggregate(bool,(address,bytes)[])": "bce38bd7",
        "tryBlockAndAggregate(bool,(address,bytes)[])": "399542e9",
        "blockAndAggregate((address,bytes)[])": "c3077fa9",
        "getBlockNumber()": "42cbb15c",
        "getCurrentBlockTimestamp()": "0f28c97d",
        "getEthBalance(address)": "4d2301cc",
        "getChainId()": "3408e470",
        "getBasefee()": "3e64a696",
    }
    abi_signatures = {
        f"{e['name']}({','.join(_abi_type(i) for i in e['inputs'])})"
        for e in artifact["abi"]
        if e["type"] == "function"
    }
    for signature, selector in selectors.items():
        assert signature in abi_signatures
        assert keccak(text=signature)[:4].hex() == selector
    token = contract_at(w3, "DevToken", devnet.manifest.tokens["BAL"].address)
    calls = [
        (MULTICALL3_ADDRESS, False, multicall.encode_abi("getChainId")),
        (token.address, False, token.encode_abi("decimals")),
        (token.address, True, token.encode_abi("transfer", [MULTICALL3_ADDRESS, 1])),  # fails
    ]
    results = multicall.functions.aggregate3(calls).call()
    assert [ok for ok, _ in results] == [True, True, False]
    assert int.from_bytes(results[0][1], "big") == 31337
    assert int.from_bytes(results[1][1], "big") == 18
    with pytest.raises(ContractLogicError, match="Multicall3: call failed"):
        multicall.functions.aggregate3([(c[0], False, c[2]) for c in calls]).call()
    block_number, returned = multicall.functions.aggregate([(c[0], c[2]) for c in calls[:2]]).call()
    assert block_number == w3.eth.block_number
    assert len(returned) == 2
    tried = multicall.functions.tryAggregate(False, [(c[0], c[2]) for c in calls]).call()
    assert [ok for ok, _ in tried] == [True, True, False]
    assert multicall.functions.getEthBalance(devnet.manifest.address_of("trader1")).call() > 0


def _abi_type(entry: dict[str, object]) -> str:
    kind = str(entry["type"])
    if kind.startswith("tuple"):
        components = entry["components"]
        assert isinstance(components, list)
        return f"({','.join(_abi_type(c) for c in components)}){kind[5:]}"
    return kind


def test_tokens_are_open_mint(devnet: Devnet) -> None:
    w3, manifest = devnet.w3, devnet.manifest
    stranger = Web3.to_checksum_address("0x" + "5e" * 20)
    for symbol, info in manifest.tokens.items():
        token = contract_at(w3, "DevToken", info.address)
        assert token.functions.symbol().call() == symbol
        assert token.functions.decimals().call() == info.decimals
        send(
            token.functions.mint(stranger, 7 * 10**info.decimals),
            sender=manifest.address_of("trader5"),
        )
        assert token.functions.balanceOf(stranger).call() == 7 * 10**info.decimals


def test_a_dev_feed_counts_rounds_like_chainlink(devnet: Devnet) -> None:
    w3 = devnet.w3
    someone = devnet.manifest.address_of("trader4")
    feed = deploy(w3, "DevFeed", 8, "TEST/USD", 100 * 10**8, sender=someone)
    assert feed.functions.latestRound().call() == 1
    send(feed.functions.updateAnswer(101 * 10**8), sender=devnet.manifest.address_of("trader5"))
    round_id, answer, started_at, updated_at, answered_in = feed.functions.latestRoundData().call()
    assert (round_id, answer, answered_in) == (2, 101 * 10**8, 2)
    assert updated_at == started_at == w3.eth.get_block("latest")["timestamp"]
    assert feed.functions.getRoundData(1).call()[1] == 100 * 10**8
    assert feed.functions.description().call() == "TEST/USD"
    with pytest.raises(ContractLogicError, match="No data present"):
        feed.functions.getRoundData(3).call()


def test_feed_process_moves_every_price_consistently(devnet: Devnet) -> None:
    w3, manifest = devnet.w3, devnet.manifest
    feeds = {pair: contract_at(w3, "DevFeed", f.address) for pair, f in manifest.feeds.items()}
    first = feeds["ETH/USD"].functions.latestRound().call()
    wait_for(
        lambda: feeds["ETH/USD"].functions.latestRound().call() >= first + 2, 20, "two feed updates"
    )
    block = w3.eth.block_number
    answers = {
        pair: f.functions.latestAnswer().call(block_identifier=block) for pair, f in feeds.items()
    }
    rounds = {f.functions.latestRound().call(block_identifier=block) for f in feeds.values()}
    assert len(rounds) == 1  # every feed is written in the same transaction
    assert answers["ETH/BAL"] == answers["ETH/USD"] * 10**18 // answers["BAL/USD"]
    assert answers["ETH/USDC"] == answers["ETH/USD"] * 10**10
    log = devnet.config.log_file("feed").read_text()
    assert "feed started" in log


def test_up_sets_the_keeper_gas_price(devnet: Devnet) -> None:
    keeper = contract_at(devnet.w3, "PoolKeeper", devnet.manifest.contracts["PoolKeeper"])
    try:
        report = control.up(devnet.config, keeper_gas_price=0)
        assert keeper.functions.gasPrice().call() == 0
        assert report.manifest.keeper_gas_price == 0
    finally:
        control.up(devnet.config, keeper_gas_price=DEFAULT_KEEPER_GAS_PRICE)
    assert keeper.functions.gasPrice().call() == DEFAULT_KEEPER_GAS_PRICE


def test_pools_rebalance_on_their_own(devnet: Devnet) -> None:
    """Last: it moves the chain's clock. The keeper process upkeeps every due pool."""
    w3, manifest = devnet.w3, devnet.manifest
    pools = [contract_at(w3, "LeveragedPool", p.address) for p in manifest.pools]
    before = [p.functions.lastPriceTimestamp().call() for p in pools]
    w3.provider.make_request("evm_increaseTime", [600])  # type: ignore[arg-type]
    w3.provider.make_request("anvil_mine", [1])  # type: ignore[arg-type]
    short = [i for i, p in enumerate(manifest.pools) if p.update_interval <= 600]

    def upkept() -> bool:
        return all(pools[i].functions.lastPriceTimestamp().call() > before[i] for i in short)

    wait_for(upkept, 30, "the keeper to upkeep every due pool")
    log = devnet.config.log_file("keeper").read_text()
    for i in short:
        assert f"upkeep {manifest.pools[i].name} ok" in log
