"""Failures come back typed, with messages a user can read."""

from __future__ import annotations

from dataclasses import replace

import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak

from balancer_perps.chain.abi import AbiError
from balancer_perps.chain.adapter import ChainAdapter
from balancer_perps.chain.contracts import v2_abis
from balancer_perps.chain.errors import (
    ContractReverted,
    NodeUnavailable,
    RpcError,
    WrongNetwork,
    decode_revert,
)
from balancer_perps.chain.rpc import RpcClient, redact_url
from tests.chain.fake_markets import deploy
from tests.chain.fake_node import FakeChain, Revert, fake_rpc

pytestmark = pytest.mark.anyio


def test_error_string_is_the_reason() -> None:
    revert = decode_revert(Revert.reason("Pool is paused").data, {})
    assert (revert.kind, revert.reason) == ("error", "Pool is paused")
    assert revert.message == "The transaction would fail: Pool is paused"


@pytest.mark.parametrize(
    ("code", "meaning"),
    [(0x11, "arithmetic overflow or underflow"), (0x21, "invalid enum value"), (0x12, "division")],
)
def test_panics_carry_their_meaning(code: int, meaning: str) -> None:
    revert = decode_revert(Revert.panic(code).data, {})
    assert revert.kind == "panic"
    assert revert.panic_code == code
    assert revert.reason.startswith(f"Panic(0x{code:02x}): ")
    assert meaning in revert.reason


def test_custom_errors_are_named_from_the_abis() -> None:
    error = AbiError("InsufficientBalance", ("uint256", "uint256"))
    data = keccak(text="InsufficientBalance(uint256,uint256)")[:4] + encode(
        ["uint256", "uint256"], [5, 7]
    )
    revert = decode_revert(data, {error.selector: error})
    assert (revert.kind, revert.error_name, revert.error_args) == (
        "custom",
        "InsufficientBalance",
        (5, 7),
    )
    assert revert.reason == "InsufficientBalance(5, 7)"


def test_empty_and_unknown_revert_data() -> None:
    assert decode_revert(b"", {}).kind == "empty"
    unknown = decode_revert(bytes.fromhex("deadbeef"), {})
    assert unknown.kind == "unknown"
    assert "0xdeadbeef" in unknown.reason


def test_provider_urls_lose_their_api_key_in_messages() -> None:
    assert redact_url("https://arb-mainnet.example.com/v2/SECRETKEY") == (
        "https://arb-mainnet.example.com"
    )
    assert redact_url("http://127.0.0.1:8545") == "http://127.0.0.1:8545"


async def test_a_node_that_is_down_is_node_unavailable() -> None:
    chain = FakeChain()
    chain.down = True
    with pytest.raises(NodeUnavailable, match="does not answer"):
        await fake_rpc(chain).block_number()


async def test_a_real_connection_refused_is_node_unavailable_without_the_key() -> None:
    rpc = RpcClient.http("http://127.0.0.1:9/v2/SECRETKEY", timeout=2)
    with pytest.raises(NodeUnavailable) as caught:
        await rpc.chain_id()
    assert "SECRETKEY" not in caught.value.message
    await rpc.close()


async def test_an_eth_call_revert_is_decoded() -> None:
    chain = FakeChain()
    deployment = deploy(chain, 1)
    market = deployment.markets[0]
    market.oracle_price = None
    rpc = fake_rpc(chain)
    data = v2_abis().pool.fn("getOraclePrice").encode()
    with pytest.raises(ContractReverted) as caught:
        await rpc.call(market.pool, data)
    assert caught.value.reason == "COA: Stale answer"


async def test_other_rpc_errors_are_rpc_errors() -> None:
    chain = FakeChain()
    with pytest.raises(RpcError, match="eth_noSuchMethod"):
        await fake_rpc(chain).request("eth_noSuchMethod", [])


async def test_the_wrong_chain_is_reported_with_both_ids() -> None:
    chain = FakeChain(chain_id=1)
    deployment = deploy(chain, 1)
    adapter = ChainAdapter(replace(deployment.network, chain_id=42161), fake_rpc(chain))
    with pytest.raises(WrongNetwork) as caught:
        await adapter.check_network()
    assert (caught.value.expected_chain_id, caught.value.actual_chain_id) == (42161, 1)
    assert "chain 1" in caught.value.message
