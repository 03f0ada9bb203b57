"""``up`` / ``down`` / ``reset`` through the command line: restart safety, a clean reset, and
the odd states ``up`` has to recover from. The tests in this module share one devnet and
run in order."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from balancer_perps.devnet import control, services
from balancer_perps.devnet.anvil import is_up, start_anvil
from balancer_perps.devnet.evm import contract_at, send
from balancer_perps.devnet.jsonrpc import JsonRpc
from balancer_perps.domain.commit_encoding import encode_commit_params
from balancer_perps.domain.types import CommitType
from tests.devnet.conftest import Devnet, new_config, wait_for


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    """A devnet brought up by the command line, with keeper gas price 0."""
    config = new_config(tmp_path_factory.mktemp("devnet"))
    net = Devnet(config, report=None)  # type: ignore[arg-type]
    result = net.cli("up", "--history", "15m", "--seed", "3", "--keeper-gas-price", "0")
    assert result.returncode == 0, result.stderr
    assert str(config.manifest_file) in result.stdout
    assert config.rpc_url in result.stdout
    assert "cold start" in result.stdout
    net.report = control.up(config)  # verifies it and gives us the manifest
    yield net
    control.down(config)


def _trader_position(net: Devnet) -> tuple[int, tuple[int, ...], list[int]]:
    """trader3's BAL wallet, their commitment in the interval of their last commit to
    3-ETH/USD+BAL (kept until they are next aggregated, whatever the keeper does), and the
    amounts of every commit they made there (the CreateCommit events: the chain's history)."""
    w3, manifest = net.w3, net.manifest
    pool = manifest.pool("3-ETH/USD+BAL")
    trader = manifest.address_of("trader3")
    committer = contract_at(w3, "PoolCommitter", pool.committer)
    bal = contract_at(w3, "DevToken", manifest.tokens["BAL"].address)
    commits = committer.events.CreateCommit().get_logs(
        from_block=manifest.deploy_block, argument_filters={"user": trader}
    )
    last_id = commits[-1]["args"]["appropriateUpdateIntervalId"] if commits else 0
    return (
        bal.functions.balanceOf(trader).call(),
        tuple(committer.functions.userCommitments(trader, last_id).call()),
        [e["args"]["amount"] for e in commits],
    )


def test_cli_cold_start_with_keeper_gas_price_zero(devnet: Devnet) -> None:
    keeper = contract_at(devnet.w3, "PoolKeeper", devnet.manifest.contracts["PoolKeeper"])
    assert keeper.functions.gasPrice().call() == 0
    assert devnet.manifest.keeper_gas_price == 0
    assert devnet.report.path == "running"


def test_positions_and_history_survive_down_and_up(devnet: Devnet) -> None:
    w3, manifest = devnet.w3, devnet.manifest
    pool = manifest.pool("3-ETH/USD+BAL")
    trader = manifest.address_of("trader3")
    committer = contract_at(w3, "PoolCommitter", pool.committer)
    bal = contract_at(w3, "DevToken", manifest.tokens["BAL"].address)
    send(bal.functions.approve(pool.address, 10**24), sender=trader)
    send(
        committer.functions.commit(
            encode_commit_params(123 * 10**18, CommitType.LONG_MINT, False, False)
        ),
        sender=trader,
    )
    position = _trader_position(devnet)
    assert position[2][-1] == 123 * 10**18
    assert position[1][0] > 0  # longMintSettlement, net of the mint fee
    # the chain is moved ahead of the wall clock: block time must not run backwards later
    w3.provider.make_request("evm_increaseTime", [3600])  # type: ignore[arg-type]
    w3.provider.make_request("anvil_mine", [1])  # type: ignore[arg-type]
    before = w3.eth.get_block("latest")

    stopped = devnet.cli("down")
    assert stopped.returncode == 0, stopped.stderr
    assert "keeper" in stopped.stdout and "anvil" in stopped.stdout
    assert devnet.config.state_file.stat().st_size > 0
    assert not is_up(devnet.config.rpc_url)
    state = control.status(devnet.config)
    assert state.processes == {"anvil": None, "keeper": None, "feed": None}
    assert not state.chain_reachable

    started = devnet.cli("up")
    assert started.returncode == 0, started.stderr
    assert "restarted from saved state" in started.stdout
    assert json.loads(devnet.config.manifest_file.read_text()) == manifest.to_dict()
    assert _trader_position(devnet) == position
    assert w3.eth.get_block(before["number"])["hash"] == before["hash"]
    w3.provider.make_request("anvil_mine", [1])  # type: ignore[arg-type]
    assert w3.eth.get_block("latest")["timestamp"] >= before["timestamp"]
    state = control.status(devnet.config)
    assert all(state.processes.values()), state.processes


def test_keeper_and_feed_ride_out_a_node_restart(devnet: Devnet) -> None:
    config = devnet.config
    keeper_pid = control.service_pid(config, "keeper")
    feed_pid = control.service_pid(config, "feed")
    assert services.stop(config.pid_file("anvil"), config.marker("anvil"), timeout=120)
    report = control.up(config)
    assert report.path == "restarted"
    assert control.service_pid(config, "keeper") == keeper_pid
    assert control.service_pid(config, "feed") == feed_pid
    w3 = devnet.w3
    pool = contract_at(w3, "LeveragedPool", devnet.manifest.pool("3-ETH/USD+BAL").address)
    last = pool.functions.lastPriceTimestamp().call()
    w3.provider.make_request("evm_increaseTime", [300])  # type: ignore[arg-type]
    w3.provider.make_request("anvil_mine", [1])  # type: ignore[arg-type]
    wait_for(
        lambda: pool.functions.lastPriceTimestamp().call() > last,
        90,  # generous: the keeper backs off while the node is away, and CI is busy
        "the running keeper to upkeep after the node came back",
        logs=[config.log_file("keeper")],
    )


def test_a_transaction_sent_during_a_restart_cannot_turn_the_clock_back(devnet: Devnet) -> None:
    """The keeper and the feed keep running while anvil restarts; whatever they send before
    the clock is aligned must not be mined with the wall clock when the chain is ahead."""
    config, w3 = devnet.config, devnet.w3
    w3.provider.make_request("evm_increaseTime", [3600])  # type: ignore[arg-type]
    w3.provider.make_request("anvil_mine", [1])  # type: ignore[arg-type]
    ahead = w3.eth.get_block("latest")["timestamp"]
    assert ahead > time.time() + 3000
    assert services.stop(config.pid_file("anvil"), config.marker("anvil"), timeout=120)
    control._start_anvil(config, genesis=None, mining=False)
    rpc = JsonRpc(config.rpc_url)
    sender = devnet.manifest.address_of("trader1")
    tx_hash = rpc.send(sender, sender, "0x")
    assert rpc.call("eth_getTransactionReceipt", [tx_hash]) is None  # not mined yet
    control._align_clock(config)
    receipt = rpc.wait(tx_hash)
    assert w3.eth.get_block(int(receipt["blockNumber"], 16))["timestamp"] > ahead
    rpc.send(sender, sender, "0x")  # automine is back on
    assert w3.eth.get_block("latest")["timestamp"] > ahead


def test_reset_starts_a_clean_chain(devnet: Devnet) -> None:
    old = devnet.manifest
    result = devnet.cli("reset", "--history", "10m", "--seed", "4")
    assert result.returncode == 0, result.stderr
    assert "cold start" in result.stdout
    devnet.report = control.up(devnet.config)
    assert devnet.manifest.genesis_timestamp > old.genesis_timestamp
    assert devnet.manifest.keeper_gas_price == 100_000_000  # back to the default
    assert 123 * 10**18 not in _trader_position(devnet)[2]
    assert all(control.status(devnet.config).processes.values())


def test_up_recovers_from_an_interrupted_cold_start(devnet: Devnet) -> None:
    """Our anvil running without a manifest (an `up` killed while seeding): start over."""
    devnet.config.manifest_file.unlink()
    report = control.up(devnet.config, history=600)
    assert report.path == "cold start"
    devnet.report = report


def test_up_refuses_a_port_taken_by_another_node(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    config = new_config(tmp_path_factory.mktemp("devnet"))
    other = start_anvil(port=config.port)
    try:
        with pytest.raises(control.DevnetError, match="already in use"):
            control.up(config, history=600)
    finally:
        other.stop()


def test_down_twice_is_harmless(devnet: Devnet) -> None:
    assert control.down(devnet.config) == ["keeper", "feed", "anvil"]
    assert control.down(devnet.config) == []
