"""The V2 contract ABIs the adapter uses, loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from balancer_perps.chain.abi import AbiError, ContractAbi, custom_errors, load_abi

V2_CONTRACTS = (
    "PoolFactory",
    "LeveragedPool",
    "PoolCommitter",
    "PoolKeeper",
    "PoolToken",
    "ChainlinkOracleWrapper",
    "SMAOracle",
    "Multicall3",
)


@dataclass(frozen=True, slots=True)
class V2Abis:
    factory: ContractAbi
    pool: ContractAbi
    committer: ContractAbi
    keeper: ContractAbi
    token: ContractAbi  # PoolToken; its ERC-20 part serves any settlement token too
    oracle: ContractAbi
    sma: ContractAbi
    multicall: ContractAbi


@cache
def v2_abis() -> V2Abis:
    return V2Abis(*(load_abi(name) for name in V2_CONTRACTS))


@cache
def v2_custom_errors() -> dict[bytes, AbiError]:
    return custom_errors(V2_CONTRACTS)
