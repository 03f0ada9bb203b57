"""One V2.1 world deployed twice: on anvil (the devnet contracts) and in the domain model.

The model is `tests.domain.replay.Chain`, the chain model that replays the recorded
scenarios; every actor has a role name ("@user0", "@eth3x.pool", ...) and the chain side
maps roles to addresses. Roles the replay model hard-codes ("@PoolKeeper", "@keeper",
"@AutoClaim", "@InvariantCheck", "@primary_fee_receiver") name the matching accounts.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from web3 import HTTPProvider, Web3

from balancer_perps.devnet.deploy import deploy_core, deploy_market
from balancer_perps.devnet.evm import deploy, send
from tests.domain.replay import AUTO_CLAIM, Chain, ChainState, Erc20, Feed

GENESIS = 1_750_000_000
FEED_ANSWER_DECIMALS = 8
MAX_UINT = 2**256 - 1

USERS = ("@user0", "@user1", "@user2", "@user3")
# Roles of the anvil dev accounts, in account order.
ACCOUNT_ROLES = (
    "@gov",
    "@primary_fee_receiver",
    "@deployer",  # oracle wrapper deployer, so the pools' secondary fee receiver
    "@keeper",
    "@fee_controller",
    *USERS,
    "@bystander",
)


@dataclass(frozen=True)
class PoolConfig:
    key: str
    leverage: int
    decimals: int
    update_interval: int
    front_running_interval: int
    minting_fee: int  # WAD
    burning_fee: int
    change_interval: int
    annual_fee: int  # WAD, the factory fee when the pool is deployed
    answer: int  # initial feed answer (8 decimals)

    def role(self, part: str) -> str:
        return f"@{self.key}.{part}"

    @property
    def unit(self) -> int:
        return 10**self.decimals


POOLS = (
    # 3x, 18 decimals, mint and burn fees, 2 %/yr, F < U.
    PoolConfig("eth3x", 3, 18, 3600, 300, 5 * 10**15, 2 * 10**15, 0, 2 * 10**16, 3000 * 10**8),
    # 5x, 6 decimals (USDC-like), F > U (commits land two intervals ahead), 5 %/yr.
    PoolConfig("btc5x", 5, 6, 300, 600, 10**15, 3 * 10**15, 0, 5 * 10**16, 60_000 * 10**8),
    # 2x, 18 decimals, dynamic minting fee (changeInterval 0.1 %), no management fee.
    PoolConfig("dyn2x", 2, 18, 1800, 60, 10**16, 5 * 10**15, 10**15, 0, 1800 * 10**8),
)


@dataclass
class World:
    """Both halves right after deployment; `fresh_model()` copies the model's state."""

    node_url: str
    address_of: dict[str, str]  # role -> lower-case address
    role_of: dict[str, str] = field(init=False)
    model_state: ChainState = field(default_factory=ChainState)

    def __post_init__(self) -> None:
        self.role_of = {address: role for role, address in self.address_of.items()}

    def fresh_model(self) -> Chain:
        return Chain(copy.deepcopy(self.model_state))


def deploy_world(node_url: str) -> World:
    """Deploy the core, the settlement/ETH oracle and every pool of POOLS on both halves."""
    w3 = Web3(HTTPProvider(node_url, request_kwargs={"timeout": 120}))
    w3.provider.make_request("anvil_setBlockTimestampInterval", [1])  # type: ignore[arg-type]
    accounts = [a.lower() for a in w3.eth.accounts]
    address_of = dict(zip(ACCOUNT_ROLES, accounts, strict=False))
    checksum = {role: Web3.to_checksum_address(a) for role, a in address_of.items()}
    gov = checksum["@gov"]

    core = deploy_core(
        w3,
        governance=gov,
        fee_receiver=checksum["@primary_fee_receiver"],
        keeper_gas_price=0,  # keeper rewards depend on gas: 0 makes them comparable
        annual_fee_wad=POOLS[0].annual_fee,
    )
    address_of["@PoolKeeper"] = core.pool_keeper.address.lower()
    address_of[AUTO_CLAIM] = core.auto_claim.address.lower()
    address_of["@InvariantCheck"] = core.invariant_check.address.lower()
    address_of["@PoolFactory"] = core.factory.address.lower()

    state = ChainState(gas_price=0)
    eth_feed = deploy(w3, "TestChainlinkOracle", sender=gov)  # answer 1e8: 1 ETH = 1 token
    eth_wrapper = deploy(w3, "ChainlinkOracleWrapper", eth_feed.address, gov, sender=gov)
    address_of["@eth_feed"] = eth_feed.address.lower()
    address_of["@eth_wrapper"] = eth_wrapper.address.lower()
    state.feeds["@eth_feed"] = Feed(10**FEED_ANSWER_DECIMALS)
    state.wrappers["@eth_wrapper"] = ("@eth_feed", "@gov")

    for config in POOLS:
        token = deploy(w3, "TestToken", f"Settlement {config.key}", "SET", sender=gov)
        if config.decimals != 18:
            send(token.functions.setDecimals(config.decimals), sender=gov)
        feed = deploy(w3, "TestChainlinkOracle", sender=gov)
        send(feed.functions.setPrice(config.answer), sender=gov)
        wrapper = deploy(
            w3, "ChainlinkOracleWrapper", feed.address, checksum["@deployer"], sender=gov
        )
        send(core.factory.functions.setFee(config.annual_fee), sender=gov)
        market = deploy_market(
            w3,
            core,
            deployer=checksum["@deployer"],
            pool_name=config.key.upper(),
            oracle_wrapper=wrapper.address,
            settlement_eth_oracle=eth_wrapper.address,
            settlement_token=token.address,
            leverage=config.leverage,
            update_interval=config.update_interval,
            front_running_interval=config.front_running_interval,
            minting_fee_wad=config.minting_fee,
            burning_fee_wad=config.burning_fee,
            change_interval_wad=config.change_interval,
            fee_controller=checksum["@fee_controller"],
        )
        parts = {
            "settlement": token.address,
            "feed": feed.address,
            "wrapper": wrapper.address,
            "pool": market.pool.address,
            "committer": market.committer.address,
            "long": market.long_token.address,
            "short": market.short_token.address,
        }
        for part, address in parts.items():
            address_of[config.role(part)] = address.lower()

        # The same deployment in the model, at the deployment block's timestamp.
        settlement = config.role("settlement")
        state.tokens[settlement] = Erc20(settlement, config.decimals, f"Settlement {config.key}")
        state.feeds[config.role("feed")] = Feed(config.answer)
        state.wrappers[config.role("wrapper")] = (config.role("feed"), "@deployer")
        state.factory_fee = config.annual_fee
        state.now = int(w3.eth.get_block(market.deploy_block)["timestamp"])
        model = Chain(state)
        model.deploy_pool(
            "@deployer",
            [
                config.key.upper(),
                config.front_running_interval,
                config.update_interval,
                config.leverage,
                settlement,
                config.role("wrapper"),
                "@eth_wrapper",
                "@fee_controller",
                config.minting_fee,
                config.change_interval,
                config.burning_fee,
            ],
            {
                config.role("pool"): {"arg": "pool"},
                config.role("committer"): {"arg": "poolCommitter"},
                config.role("long"): {"arg": "longToken"},
                config.role("short"): {"arg": "shortToken"},
            },
        )
        state = model.state
    return World(node_url, address_of, state)
