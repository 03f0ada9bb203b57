"""Creating a market through the user's wallet: the feed check and the four transactions.

A new market needs (reference §2.4, §2.7):

1. a ``ChainlinkOracleWrapper`` over the chosen feed whose ``deployer`` is the user, since
   only a wrapper's deployer may ``deployPool`` with it (and a fresh wrapper per market
   keeps the factory's CREATE2 salts apart);
2. a ``ChainlinkOracleWrapper`` over the settlement token's ETH feed, the
   ``settlementEthOracle`` the keeper reward is priced with;
3. ``PoolFactory.deployPool``, which makes the sender the pool's ``secondaryFeeAddress``;
4. ``LeveragedPool.updateSecondaryFeeAddress(treasury)`` from that sender, so the 10 %
   secondary fee goes to the Balancer DAO treasury.

The contract code comes from the committed clean-room build
(``balancer_perps/devnet/artifacts/``). Nothing here signs: these are requests for the
wallet, simulated first like every other transaction (``transactions.simulate``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import DecodingError
from eth_utils.address import to_checksum_address

from balancer_perps.chain.abi import AbiFunction
from balancer_perps.chain.contracts import v2_abis
from balancer_perps.chain.errors import AbiMismatch, ChainError, ContractReverted
from balancer_perps.chain.rpc import RpcClient
from balancer_perps.chain.transactions import Receipt, TransactionRequest
from balancer_perps.devnet.build import ARTIFACTS_DIR

WAD = 10**18
MAX_SETTLEMENT_DECIMALS = 18  # deployPool: "Decimal precision too high" above
MAX_FEED_DECIMALS = 18  # ChainlinkOracleWrapper: "COA: too many decimals" above
MAX_MINTING_FEE_WAD = WAD  # PoolCommitter.initialize: at most 100 %
MAX_BURNING_FEE_WAD = WAD // 10  # PoolCommitter.initialize: at most 10 %
MAX_UINT16 = 2**16 - 1
MAX_UINT32 = 2**32 - 1
MAX_NAME_LENGTH = 64

# The Chainlink aggregator functions the feed check reads (AggregatorV3Interface).
_FEED_DECIMALS = AbiFunction("decimals", (), ("uint8",), ("",), "view")
_FEED_DESCRIPTION = AbiFunction("description", (), ("string",), ("",), "view")
_FEED_LATEST = AbiFunction(
    "latestRoundData", (), ("uint80", "int256", "uint256", "uint256", "uint80"),
    ("roundId", "answer", "startedAt", "updatedAt", "answeredInRound"), "view",
)


class FeedProblem(ChainError):
    """The address is not a usable Chainlink price feed; the message says why."""


@dataclass(frozen=True, slots=True)
class FeedReading:
    """What the feed answers now."""

    address: str
    decimals: int
    description: str  # "" when the feed has no description()
    answer: int  # raw, ``decimals`` decimals
    round_id: int
    updated_at: int  # unix time


@dataclass(frozen=True, slots=True)
class MarketParams:
    """What the user chose; the ``deployPool`` parameters besides the oracle addresses."""

    underlying: str  # "ETH/USD"
    settlement_symbol: str
    settlement_token: str
    leverage: int
    update_interval: int  # seconds
    front_running_interval: int  # seconds
    minting_fee_wad: int
    burning_fee_wad: int
    change_interval_wad: int = 0

    @property
    def deploy_name(self) -> str:
        """The ``poolName`` passed to ``deployPool``; the pool prefixes the leverage."""
        return f"{self.underlying}+{self.settlement_symbol}"

    @property
    def pool_name(self) -> str:
        """The new pool's ``poolName()``, e.g. ``3-ETH/USD+BAL``."""
        return f"{self.leverage}-{self.deploy_name}"


@dataclass(frozen=True, slots=True)
class DeployedPool:
    pool: str
    committer: str


# ----------------------------------------------------------------------------- code


@cache
def _artifact(name: str) -> dict[str, Any]:
    path = ARTIFACTS_DIR / f"{name}.json"
    if not path.exists():
        raise AbiMismatch(f"no build of {name}: run `python -m balancer_perps.devnet.build`")
    artifact: dict[str, Any] = json.loads(path.read_text())
    return artifact


def creation_code(name: str) -> bytes:
    """The init code of a contract of the committed build that links no library."""
    artifact = _artifact(name)
    if artifact.get("linkReferences"):
        raise AbiMismatch(f"{name} needs libraries linked: it cannot be deployed from here")
    return bytes.fromhex(str(artifact["bytecode"]).removeprefix("0x"))


# ----------------------------------------------------------------------------- the feed


async def read_feed(rpc: RpcClient, address: str) -> FeedReading:
    """Check that ``address`` is a Chainlink-style feed a wrapper can use: it has code, its
    ``decimals()`` is at most 18, and ``latestRoundData()`` holds a complete, current round
    with a positive answer. ``description()`` is optional. Raises FeedProblem."""
    feed = to_checksum_address(address)
    code = await rpc.request("eth_getCode", [feed, "latest"])
    if not code or code == "0x":
        raise FeedProblem("There is no contract at this address on this network.")
    try:
        (decimals,) = _FEED_DECIMALS.decode(await rpc.call(feed, _FEED_DECIMALS.selector))
        round_data = _FEED_LATEST.decode(await rpc.call(feed, _FEED_LATEST.selector))
    except (ContractReverted, DecodingError, AbiMismatch) as error:
        raise FeedProblem(
            "This contract does not answer like a Chainlink price feed "
            "(decimals() and latestRoundData())."
        ) from error
    description = ""
    try:
        (text,) = _FEED_DESCRIPTION.decode(await rpc.call(feed, _FEED_DESCRIPTION.selector))
        description = str(text).strip()[:MAX_NAME_LENGTH]
    except (ContractReverted, DecodingError, AbiMismatch):
        pass  # optional
    round_id, answer, _, updated_at, answered_in_round = (int(v) for v in round_data)
    if decimals > MAX_FEED_DECIMALS:
        raise FeedProblem(f"The feed has {decimals} decimals; an oracle wrapper takes at most "
                          f"{MAX_FEED_DECIMALS}.")
    if updated_at == 0:
        raise FeedProblem("The feed's latest round is incomplete (updatedAt is 0).")
    if answered_in_round < round_id:
        raise FeedProblem("The feed's latest answer is stale (answeredInRound < roundId).")
    if answer <= 0:
        raise FeedProblem("The feed's price is not positive: a pool cannot start from it.")
    return FeedReading(feed, int(decimals), description, answer, round_id, updated_at)


# ----------------------------------------------------------------------------- requests


def oracle_wrapper_request(sender: str, feed: str) -> TransactionRequest:
    """Deploy ``ChainlinkOracleWrapper(feed, sender)``: the sender is its ``deployer``."""
    sender = to_checksum_address(sender)
    arguments = abi_encode(["address", "address"], [to_checksum_address(feed), sender])
    return TransactionRequest(sender, "", creation_code("ChainlinkOracleWrapper") + arguments)


def deploy_pool_request(
    sender: str,
    factory: str,
    params: MarketParams,
    *,
    oracle_wrapper: str,
    settlement_eth_oracle: str,
    fee_controller: str | None = None,
) -> TransactionRequest:
    """``PoolFactory.deployPool`` with the user's parameters; the fee controller defaults to
    the sender. Raises ValueError for parameters the factory would refuse or that do not
    fit their ABI types."""
    check_params(params)
    sender = to_checksum_address(sender)
    deployment = (
        params.deploy_name,
        params.front_running_interval,
        params.update_interval,
        params.leverage,
        to_checksum_address(params.settlement_token),
        to_checksum_address(oracle_wrapper),
        to_checksum_address(settlement_eth_oracle),
        to_checksum_address(fee_controller or sender),
        params.minting_fee_wad,
        params.change_interval_wad,  # NB: changeInterval precedes burningFee
        params.burning_fee_wad,
    )
    data = v2_abis().factory.fn("deployPool").encode(deployment)
    return TransactionRequest(sender, to_checksum_address(factory), data)


def secondary_fee_request(sender: str, pool: str, treasury: str) -> TransactionRequest:
    """``LeveragedPool.updateSecondaryFeeAddress(treasury)``; only the current secondary fee
    address (the pool's deployer) may send it."""
    data = v2_abis().pool.fn("updateSecondaryFeeAddress").encode(to_checksum_address(treasury))
    return TransactionRequest(to_checksum_address(sender), to_checksum_address(pool), data)


def check_params(params: MarketParams) -> None:
    """The factory's and committer's deploy-time rules, plus the ABI ranges."""
    if not 1 <= params.leverage <= MAX_UINT16:
        raise ValueError("leverage must be 1 to 65535")
    if not 0 < params.front_running_interval <= MAX_UINT32:
        raise ValueError("the front-running interval must be positive")
    if not 0 < params.update_interval <= MAX_UINT32:
        raise ValueError("the update interval must be positive")
    if not 0 <= params.minting_fee_wad <= MAX_MINTING_FEE_WAD:
        raise ValueError("the minting fee must be 0 to 100 %")
    if not 0 <= params.burning_fee_wad <= MAX_BURNING_FEE_WAD:
        raise ValueError("the burning fee must be 0 to 10 %")
    if not 0 <= params.change_interval_wad <= WAD:
        raise ValueError("the change interval must be 0 to 100 %")
    if not params.underlying or len(params.deploy_name) > MAX_NAME_LENGTH:
        raise ValueError("the market needs a short name")


# ----------------------------------------------------------------------------- receipts


def deployed_pool(receipt: Receipt, factory: str) -> DeployedPool | None:
    """The pool and committer from the factory's ``DeployPool`` log in ``receipt``."""
    event = v2_abis().factory.event("DeployPool")
    factory = to_checksum_address(factory)
    for log in receipt.logs:
        if log.address != factory or not log.topics or log.topics[0] != event.topic0:
            continue
        try:
            values = event.decode(log.topics, log.data)
        except (AbiMismatch, DecodingError):
            continue
        return DeployedPool(to_checksum_address(values["pool"]),
                            to_checksum_address(values["poolCommitter"]))
    return None


async def secondary_fee_address(rpc: RpcClient, pool: str) -> str:
    function = v2_abis().pool.fn("secondaryFeeAddress")
    (address,) = function.decode(await rpc.call(to_checksum_address(pool), function.selector))
    return str(address)
