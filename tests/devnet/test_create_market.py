"""Creating a market on a real devnet, as the "Create a market" page does it: the feed is
checked, each of the four transactions is built and simulated by the server, then sent in
order from an unlocked devnet account (standing in for the user's wallet)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from web3 import Web3

from balancer_perps.chain.adapter import ChainAdapter
from balancer_perps.chain.deployment import (
    FeedProblem,
    MarketParams,
    deploy_pool_request,
    deployed_pool,
    oracle_wrapper_request,
    read_feed,
    secondary_fee_address,
    secondary_fee_request,
)
from balancer_perps.chain.transactions import Receipt, TransactionRequest
from balancer_perps.networks import network_from_manifest
from balancer_perps.settings import load_settings
from tests.devnet.conftest import Devnet

BPS = 10**14


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def net(devnet_factory: Callable[..., Devnet]) -> Devnet:
    return devnet_factory(start_services=False, history=120)


async def _send(adapter: ChainAdapter, w3: Web3, request: TransactionRequest) -> Receipt:
    """What the page and the wallet do together: simulate, then send with the simulated
    gas plus a margin, then read the receipt back."""
    simulation = await adapter.simulate(request)
    assert simulation.ok, simulation.reason
    assert simulation.gas_estimate
    params: dict[str, Any] = {
        key: value for key, value in request.wallet_params().items() if key != "value"
    }
    params["gas"] = simulation.gas_estimate * 5 // 4
    tx_hash = w3.eth.send_transaction(params)  # type: ignore[arg-type]
    w3.eth.wait_for_transaction_receipt(tx_hash)
    receipt = await adapter.receipt("0x" + bytes(tx_hash).hex())
    assert receipt is not None and receipt.succeeded
    return receipt


@pytest.mark.anyio
async def test_a_market_created_through_the_four_steps_sends_its_fee_share_to_the_treasury(
    net: Devnet,
) -> None:
    manifest = net.manifest
    network = network_from_manifest(manifest.to_dict(), load_settings({}))
    assert network.treasury == manifest.address_of("treasury")
    assert network.settlement_eth_feeds["BAL"] == manifest.feeds["ETH/BAL"].address
    user = manifest.address_of("trader2")
    w3 = net.w3
    adapter = ChainAdapter.connect(network)
    try:
        reading = await read_feed(adapter.rpc, manifest.feeds["BTC/USD"].address)
        assert reading.description == "BTC/USD"
        assert reading.decimals == 8 and reading.answer > 0
        with pytest.raises(FeedProblem):  # a token is no price feed
            await read_feed(adapter.rpc, manifest.tokens["BAL"].address)
        with pytest.raises(FeedProblem):  # an account has no code
            await read_feed(adapter.rpc, user)

        params = MarketParams(
            underlying="BTC/USD", settlement_symbol="BAL",
            settlement_token=manifest.tokens["BAL"].address, leverage=7,
            update_interval=300, front_running_interval=60,
            minting_fee_wad=25 * BPS, burning_fee_wad=10 * BPS,
        )
        # 1. the feed's wrapper, deployed by the user
        wrapper = (await _send(adapter, w3, oracle_wrapper_request(user, reading.address))
                   ).contract_address
        assert wrapper is not None
        # 2. the BAL/ETH wrapper for the keeper reward
        eth_wrapper = (await _send(
            adapter, w3, oracle_wrapper_request(user, network.settlement_eth_feeds["BAL"]))
        ).contract_address
        assert eth_wrapper is not None

        # Someone else cannot deploy with the user's wrapper (decoded reason).
        stranger = manifest.address_of("trader3")
        foreign = deploy_pool_request(stranger, network.factory, params,
                                      oracle_wrapper=wrapper, settlement_eth_oracle=eth_wrapper)
        simulation = await adapter.simulate(foreign)
        assert simulation.reason == "Deployer must be oracle wrapper owner"

        # 3. deployPool
        receipt = await _send(adapter, w3, deploy_pool_request(
            user, network.factory, params, oracle_wrapper=wrapper,
            settlement_eth_oracle=eth_wrapper))
        deployed = deployed_pool(receipt, network.factory)
        assert deployed is not None
        assert await secondary_fee_address(adapter.rpc, deployed.pool) == user

        # Only the secondary fee address may move it: anyone else reverts without a reason.
        other = await adapter.simulate(secondary_fee_request(stranger, deployed.pool,
                                                             stranger))
        assert other.revert is not None and other.revert.kind == "empty"

        # 4. the 10 % share to the treasury
        await _send(adapter, w3, secondary_fee_request(user, deployed.pool, network.treasury))
        assert await secondary_fee_address(adapter.rpc, deployed.pool) == network.treasury

        factory = w3.eth.contract(address=Web3.to_checksum_address(network.factory), abi=[{
            "type": "function", "name": "isValidPool", "stateMutability": "view",
            "inputs": [{"name": "", "type": "address"}],
            "outputs": [{"name": "", "type": "bool"}]}])
        assert factory.functions.isValidPool(deployed.pool).call() is True

        markets = {m.address: m for m in await adapter.discover_markets()}
        info = markets[deployed.pool]
        assert info.name == "7-BTC/USD+BAL"
        assert info.underlying == "BTC/USD"
        assert info.leverage == 7 and info.settlement_symbol == "BAL"
        assert info.update_interval == 300 and info.front_running_interval == 60
        assert info.oracle_kind == "spot"
        assert info.verified is False  # not on the curated allow-list
        statics = adapter.markets.statics(deployed.pool)
        assert statics is not None and statics.settlement_eth_oracle == eth_wrapper
        read = await adapter.read_markets()
        assert any(m.info.address == deployed.pool for m in read.markets)

        # The same parameters with the same wrapper collide on the factory's CREATE2 salt.
        again = deploy_pool_request(user, network.factory, params, oracle_wrapper=wrapper,
                                    settlement_eth_oracle=eth_wrapper)
        assert (await adapter.simulate(again)).reason == "ERC1167: create2 failed"
    finally:
        await adapter.close()
