"""Building the four market-creation transactions, and checking a feed, without a node."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode

from balancer_perps.chain.contracts import v2_abis
from balancer_perps.chain.deployment import (
    FeedProblem,
    MarketParams,
    check_params,
    creation_code,
    deploy_pool_request,
    deployed_pool,
    oracle_wrapper_request,
    read_feed,
    secondary_fee_request,
)
from balancer_perps.chain.errors import ContractReverted
from balancer_perps.chain.rpc import RawLog
from balancer_perps.chain.transactions import Receipt, TransactionRequest, simulate
from balancer_perps.devnet.build import ARTIFACTS_DIR

USER = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"
FEED = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
FACTORY = "0xbB88AeDd69b01ae4c168b4DeBf3F6D22A858bcFe"
POOL = "0x5BFFd99c10CEaDb6a31FABc32c6b487D74d1538C"
TOKEN = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"
WRAPPER = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9"
ETH_WRAPPER = "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9"
TREASURY = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"

PARAMS = MarketParams(underlying="ETH/USD", settlement_symbol="BAL", settlement_token=TOKEN,
                      leverage=3, update_interval=3600, front_running_interval=300,
                      minting_fee_wad=3 * 10**15, burning_fee_wad=10**15)


def test_the_wrapper_is_a_contract_creation_with_the_user_as_deployer() -> None:
    request = oracle_wrapper_request(USER.lower(), FEED.lower())
    assert request.is_creation and request.to == "" and request.value == 0
    assert request.sender == USER
    artifact = json.loads((ARTIFACTS_DIR / "ChainlinkOracleWrapper.json").read_text())
    code = bytes.fromhex(artifact["bytecode"].removeprefix("0x"))
    assert request.data.startswith(code)
    assert request.data[len(code):] == abi_encode(["address", "address"], [FEED, USER])
    params = request.wallet_params()
    assert "to" not in params  # the wallet sends a creation without a recipient
    assert params["from"] == USER and params["data"].startswith("0x")


def test_only_unlinked_contracts_are_deployed_from_here() -> None:
    assert creation_code("ChainlinkOracleWrapper")
    with pytest.raises(Exception, match="libraries"):
        creation_code("PoolFactory")


def test_deploy_pool_carries_the_parameters_in_abi_order() -> None:
    request = deploy_pool_request(USER, FACTORY, PARAMS, oracle_wrapper=WRAPPER,
                                  settlement_eth_oracle=ETH_WRAPPER)
    function = v2_abis().factory.fn("deployPool")
    assert request.to == FACTORY and request.sender == USER
    assert request.data[:4] == function.selector == bytes.fromhex("b7f4bb1c")
    (decoded,) = abi_decode(list(function.inputs), request.data[4:])
    assert decoded[0] == "ETH/USD+BAL"  # the pool prefixes "3-"
    assert decoded[1:4] == (300, 3600, 3)  # front-running, update interval, leverage
    assert [a.lower() for a in decoded[4:8]] == [
        TOKEN.lower(), WRAPPER.lower(), ETH_WRAPPER.lower(), USER.lower()]  # fee controller
    assert decoded[8:] == (3 * 10**15, 0, 10**15)  # mint fee, changeInterval, burn fee


@pytest.mark.parametrize("changes", [
    {"leverage": 0}, {"leverage": 2**16}, {"update_interval": 0},
    {"front_running_interval": 0}, {"update_interval": 2**32},
    {"minting_fee_wad": 10**18 + 1}, {"burning_fee_wad": 10**17 + 1},
    {"minting_fee_wad": -1}, {"underlying": ""}, {"underlying": "X" * 80},
])
def test_parameters_the_contracts_refuse_are_not_built(changes: dict[str, Any]) -> None:
    params = replace(PARAMS, **changes)
    with pytest.raises(ValueError):
        check_params(params)
    with pytest.raises(ValueError):
        deploy_pool_request(USER, FACTORY, params, oracle_wrapper=WRAPPER,
                            settlement_eth_oracle=ETH_WRAPPER)


def test_the_treasury_step_goes_to_the_new_pool() -> None:
    request = secondary_fee_request(USER, POOL, TREASURY)
    function = v2_abis().pool.fn("updateSecondaryFeeAddress")
    assert request.to == POOL and request.sender == USER
    assert request.data == function.encode(TREASURY)


def test_the_new_pool_comes_from_the_factorys_deploy_pool_log() -> None:
    event = v2_abis().factory.event("DeployPool")
    topic = bytes(12) + bytes.fromhex(POOL[2:])
    data = abi_encode(["address", "string"], [WRAPPER, "ETH/USD+BAL"])

    def log(address: str) -> RawLog:
        return RawLog(address, (event.topic0, topic), data, 5, b"", b"", 0, 0)

    receipt = Receipt("0x" + "ab" * 32, True, 5, (log(POOL), log(FACTORY)))
    deployed = deployed_pool(receipt, FACTORY.lower())
    assert deployed is not None
    assert (deployed.pool, deployed.committer) == (POOL, WRAPPER)
    assert deployed_pool(Receipt("0x", True, 5, (log(POOL),)), FACTORY) is None


class FakeFeedNode:
    """Answers ``eth_getCode`` and the three feed reads."""

    def __init__(self, *, code: str = "0x6001", decimals: int = 8, answer: int = 3_200 * 10**8,
                 updated_at: int = 1_000, round_id: int = 7, answered_in_round: int = 7,
                 description: str | None = "ETH / USD", broken: bool = False) -> None:
        self.code = code
        self.values = (decimals, answer, updated_at, round_id, answered_in_round)
        self.description = description
        self.broken = broken
        self.calls: list[dict[str, Any]] = []

    async def request(self, method: str, params: list[Any]) -> Any:
        if method == "eth_getCode":
            return self.code
        assert method in ("eth_call", "eth_estimateGas")
        self.calls.append(params[0])
        if "to" in params[0]:
            return "0x" + await self.call(params[0]["to"], bytes.fromhex(params[0]["data"][2:]))
        return "0x6001" if method == "eth_call" else "0x5208"

    async def call(self, to: str, data: bytes, **_: Any) -> bytes:
        decimals, answer, updated_at, round_id, answered = self.values
        if self.broken:
            raise ContractReverted("reverted without a reason", kind="empty")
        if data == bytes.fromhex("313ce567"):
            return abi_encode(["uint8"], [decimals])
        if data == bytes.fromhex("7284e416"):
            if self.description is None:
                raise ContractReverted("reverted without a reason", kind="empty")
            return abi_encode(["string"], [self.description])
        if data == bytes.fromhex("feaf968c"):
            return abi_encode(["uint80", "int256", "uint256", "uint256", "uint80"],
                              [round_id, answer, max(updated_at - 1, 0), updated_at, answered])
        raise AssertionError(data.hex())


@pytest.mark.anyio
async def test_a_feed_is_read_with_its_description_and_price() -> None:
    reading = await read_feed(FakeFeedNode(), FEED.lower())  # type: ignore[arg-type]
    assert reading.address == FEED
    assert (reading.decimals, reading.answer, reading.description) == (8, 3_200 * 10**8,
                                                                        "ETH / USD")
    bare = await read_feed(FakeFeedNode(description=None), FEED)  # type: ignore[arg-type]
    assert bare.description == ""  # description() is optional


@pytest.mark.anyio
@pytest.mark.parametrize(("node", "words"), [
    (FakeFeedNode(code="0x"), "no contract"),
    (FakeFeedNode(broken=True), "does not answer like a Chainlink"),
    (FakeFeedNode(answer=0), "not positive"),
    (FakeFeedNode(answer=-5), "not positive"),
    (FakeFeedNode(decimals=19), "at most 18"),
    (FakeFeedNode(updated_at=0), "incomplete"),
    (FakeFeedNode(answered_in_round=6), "stale"),
])
async def test_unusable_feeds_are_refused_with_a_reason(node: FakeFeedNode, words: str) -> None:
    with pytest.raises(FeedProblem, match=words):
        await read_feed(node, FEED)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_a_creation_is_simulated_without_a_recipient() -> None:
    node = FakeFeedNode()
    request = oracle_wrapper_request(USER, FEED)
    simulation = await simulate(node, request)  # type: ignore[arg-type]
    assert simulation.ok and simulation.gas_estimate == 0x5208
    assert all("to" not in call for call in node.calls)
    assert node.calls[0]["from"] == USER


def test_a_plain_call_still_has_its_recipient() -> None:
    request = TransactionRequest(USER, POOL, b"\x01")
    assert not request.is_creation
    assert request.wallet_params()["to"] == POOL


def test_the_devnet_network_names_the_treasury_and_the_settlement_eth_feeds() -> None:
    from balancer_perps.networks import network_from_manifest
    from balancer_perps.settings import load_settings
    from tests.chain.test_networks import manifest

    data: dict[str, Any] = dict(manifest())
    data["accounts"] = {"treasury": {"address": TREASURY.lower(), "index": 1}}
    data["feeds"] = {"ETH/USD": {"address": FEED, "decimals": 8},
                     "ETH/BAL": {"address": WRAPPER.lower(), "decimals": 18}}
    network = network_from_manifest(data, load_settings({}))
    assert network.treasury == TREASURY
    assert dict(network.settlement_eth_feeds) == {"BAL": WRAPPER}  # ETH/USD is no such feed
    bare = network_from_manifest(manifest(), load_settings({}))
    assert bare.treasury is None and not bare.settlement_eth_feeds
