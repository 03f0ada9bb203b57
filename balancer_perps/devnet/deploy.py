"""Deploy and wire the Perpetual Pools V2 core, following the reference's §5.3.

Shared by the devnet command and the contract tests. Markets are deployed
separately (``deploy_market``) because each needs its own oracle wrapper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from balancer_perps.devnet.evm import contract_at, deploy, send

SECONDS_PER_LEAP_YEAR = 31_556_952


@dataclass
class Core:
    """The deployed, wired V2 core."""

    pool_swap_library: Contract
    factory: Contract
    invariant_check: Contract
    auto_claim: Contract
    pool_keeper: Contract
    keeper_rewards: Contract
    l2_encoder: Contract
    governance: str

    def addresses(self) -> dict[str, str]:
        return {
            "PoolSwapLibrary": self.pool_swap_library.address,
            "PoolFactory": self.factory.address,
            "InvariantCheck": self.invariant_check.address,
            "AutoClaim": self.auto_claim.address,
            "PoolKeeper": self.pool_keeper.address,
            "KeeperRewards": self.keeper_rewards.address,
            "L2Encoder": self.l2_encoder.address,
        }


@dataclass
class Market:
    """One deployed pool with its committer, tokens and oracle wrappers."""

    pool: Contract
    committer: Contract
    long_token: Contract
    short_token: Contract
    oracle_wrapper: str
    settlement_eth_oracle: str
    deploy_block: int
    extra: dict[str, Any] = field(default_factory=dict)


def deploy_core(
    w3: Web3,
    *,
    governance: str,
    fee_receiver: str,
    keeper_gas_price: int,
    annual_fee_wad: int,
    secondary_fee_split_percent: int | None = None,
) -> Core:
    """Deploy the library, factory, InvariantCheck, AutoClaim, PoolKeeper, KeeperRewards and
    L2Encoder from ``governance`` and wire them (§5.3 steps 3-6)."""
    library = deploy(w3, "PoolSwapLibrary", sender=governance)
    libraries = {"PoolSwapLibrary": library.address}
    factory = deploy(w3, "PoolFactory", fee_receiver, governance, sender=governance,
                     libraries=libraries)
    invariant_check = deploy(w3, "InvariantCheck", factory.address, sender=governance)
    auto_claim = deploy(w3, "AutoClaim", factory.address, sender=governance)
    pool_keeper = deploy(w3, "PoolKeeper", factory.address, sender=governance)
    keeper_rewards = deploy(w3, "KeeperRewards", pool_keeper.address, sender=governance,
                            libraries=libraries)
    l2_encoder = deploy(w3, "L2Encoder", sender=governance)

    send(pool_keeper.functions.setKeeperRewards(keeper_rewards.address), sender=governance)
    send(pool_keeper.functions.setGasPrice(keeper_gas_price), sender=governance)
    send(factory.functions.setPoolKeeper(pool_keeper.address), sender=governance)
    send(factory.functions.setAutoClaim(auto_claim.address), sender=governance)
    send(factory.functions.setInvariantCheck(invariant_check.address), sender=governance)
    send(factory.functions.setFee(annual_fee_wad), sender=governance)
    if secondary_fee_split_percent is not None:
        send(factory.functions.setSecondaryFeeSplitPercent(secondary_fee_split_percent),
             sender=governance)
    return Core(
        pool_swap_library=library,
        factory=factory,
        invariant_check=invariant_check,
        auto_claim=auto_claim,
        pool_keeper=pool_keeper,
        keeper_rewards=keeper_rewards,
        l2_encoder=l2_encoder,
        governance=governance,
    )


def deploy_market(
    w3: Web3,
    core: Core,
    *,
    deployer: str,
    pool_name: str,
    oracle_wrapper: str,
    settlement_eth_oracle: str,
    settlement_token: str,
    leverage: int,
    update_interval: int,
    front_running_interval: int,
    minting_fee_wad: int = 0,
    burning_fee_wad: int = 0,
    change_interval_wad: int = 0,
    fee_controller: str | None = None,
) -> Market:
    """``factory.deployPool`` from ``deployer`` (the oracle wrapper's deployer, who becomes the
    pool's secondary fee receiver) and bind the new contracts from the DeployPool event."""
    params = (
        pool_name,
        front_running_interval,
        update_interval,
        leverage,
        Web3.to_checksum_address(settlement_token),
        Web3.to_checksum_address(oracle_wrapper),
        Web3.to_checksum_address(settlement_eth_oracle),
        Web3.to_checksum_address(fee_controller or deployer),
        minting_fee_wad,
        change_interval_wad,
        burning_fee_wad,
    )
    receipt = send(core.factory.functions.deployPool(params), sender=deployer)
    # DISCARD: the receipt also holds other contracts' logs, which are not DeployPool.
    (event,) = core.factory.events.DeployPool().process_receipt(receipt, errors=DISCARD)
    pool = contract_at(w3, "LeveragedPool", event["args"]["pool"])
    committer = contract_at(w3, "PoolCommitter", event["args"]["poolCommitter"])
    long_address, short_address = pool.functions.poolTokens().call()
    return Market(
        pool=pool,
        committer=committer,
        long_token=contract_at(w3, "PoolToken", long_address),
        short_token=contract_at(w3, "PoolToken", short_address),
        oracle_wrapper=oracle_wrapper,
        settlement_eth_oracle=settlement_eth_oracle,
        deploy_block=int(receipt["blockNumber"]),
    )
