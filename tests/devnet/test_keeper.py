"""The keeper, driven pass by pass on a devnet whose background processes are not started:
it upkeeps every due pool, works through backlogs, and skips paused pools (a batch with a
paused pool reverts)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from web3 import Web3
from web3.exceptions import ContractLogicError

from balancer_perps.devnet import control
from balancer_perps.devnet.evm import contract_at, deploy, send
from balancer_perps.devnet.keeper import Keeper
from tests.devnet.conftest import Devnet


@pytest.fixture(scope="module")
def devnet(devnet_factory: Callable[..., Devnet]) -> Devnet:
    net = devnet_factory(start_services=False)
    assert not any(control.status(net.config).processes[s] for s in control.SERVICES)
    return net


def _move_time(w3: Web3, seconds: int) -> None:
    w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    w3.provider.make_request("anvil_mine", [1])  # type: ignore[arg-type]


def _intervals_passed(net: Devnet) -> dict[str, bool]:
    w3 = net.w3
    return {
        p.name: contract_at(w3, "LeveragedPool", p.address).functions.intervalPassed().call()
        for p in net.manifest.pools
    }


def test_keeper_upkeeps_every_due_pool_and_works_through_backlogs(devnet: Devnet) -> None:
    keeper = Keeper.from_manifest(devnet.manifest)
    keeper.run_once()  # whatever was due at the end of the history
    assert keeper.due() == []
    _move_time(devnet.w3, 3600)  # 30 intervals of the 2-minute pools: more than 15 per upkeep
    assert all(_intervals_passed(devnet).values())
    first = keeper.run_once()
    assert {r.pool.name for r in first} == {p.name for p in devnet.manifest.pools}
    assert all(r.ok for r in first), [r.detail for r in first]
    assert "price" in first[0].detail and "keeper paid" in first[0].detail
    backlog = {p.name for p in devnet.manifest.pools if p.update_interval == 120}
    assert {name for name, due in _intervals_passed(devnet).items() if due} == backlog
    second = keeper.run_once()
    assert {r.pool.name for r in second} == backlog
    assert not any(_intervals_passed(devnet).values())


def test_keeper_skips_paused_pools(devnet: Devnet) -> None:
    w3, manifest = devnet.w3, devnet.manifest
    entry = manifest.pool("3-EUR/USD+BAL")
    pool = contract_at(w3, "LeveragedPool", entry.address)
    # Break the pool's invariant (take its BAL away), so InvariantCheck pauses it.
    bal = contract_at(w3, "DevToken", entry.settlement_token)
    w3.provider.make_request("anvil_impersonateAccount", [entry.address])  # type: ignore[arg-type]
    w3.provider.make_request(  # type: ignore[arg-type]
        "anvil_setBalance", [entry.address, hex(10**18)]
    )
    send(
        bal.functions.transfer(
            manifest.address_of("trader5"), bal.functions.balanceOf(entry.address).call()
        ),
        sender=entry.address,
    )
    invariant_check = contract_at(w3, "InvariantCheck", manifest.contracts["InvariantCheck"])
    send(
        invariant_check.functions.checkInvariants(entry.address),
        sender=manifest.address_of("trader5"),
    )
    assert pool.functions.paused().call()

    _move_time(w3, 600)
    pool_keeper = contract_at(w3, "PoolKeeper", manifest.contracts["PoolKeeper"])
    assert pool_keeper.functions.isUpkeepRequiredSinglePool(entry.address).call()
    everything = [p.address for p in manifest.pools]
    with pytest.raises(ContractLogicError, match="Pool is paused"):
        pool_keeper.functions.performUpkeepMultiplePools(everything).call(
            {"from": manifest.address_of("keeper")}
        )

    keeper = Keeper.from_manifest(manifest)
    results = keeper.run_once()
    assert entry.name not in {r.pool.name for r in results}
    assert results and all(r.ok for r in results), [r.detail for r in results]
    passed = _intervals_passed(devnet)
    assert passed.pop(entry.name)  # still due, still paused
    assert not any(passed.values())


def test_anyone_can_deploy_a_pool_and_the_keeper_finds_it(devnet: Devnet) -> None:
    """With the V2 ABI alone: an oracle wrapper of one's own, then factory.deployPool."""
    w3, manifest = devnet.w3, devnet.manifest
    someone = manifest.address_of("trader4")
    wrapper = deploy(
        w3, "ChainlinkOracleWrapper", manifest.feeds["BTC/USD"].address, someone, sender=someone
    )
    usdc_pool = manifest.pool("3-ETH/USD+USDC")
    factory = contract_at(w3, "PoolFactory", manifest.contracts["PoolFactory"])
    params = (
        "BTC/USD+USDC",
        30,
        120,
        2,
        usdc_pool.settlement_token,
        wrapper.address,
        usdc_pool.settlement_eth_oracle,
        someone,
        0,
        0,
        0,
    )
    send(factory.functions.deployPool(params), sender=someone)
    _move_time(w3, 120)
    results = Keeper.from_manifest(manifest).run_once()
    new = [r for r in results if r.pool.name == "2-BTC/USD+USDC"]
    assert len(new) == 1 and new[0].ok, [r.detail for r in results]
