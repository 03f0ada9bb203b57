"""A deployed V2 world for the contract tests: the core via the shared ``deploy_core`` and
markets via ``deploy_market`` (reference §5.3), bound to the reference ABI (``pp_ref``).

Block timestamps advance by exactly one second per block unless a transaction names its own
(``at=``), so nothing depends on the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from web3 import HTTPProvider, Web3

from balancer_perps.devnet import evm
from balancer_perps.devnet.anvil import AnvilNode
from balancer_perps.devnet.deploy import Core, deploy_core, deploy_market
from tests.contracts import pp_quad, pp_ref
from tests.contracts.pp_chain import Bound, Chain, TxResult

GENESIS = 1_735_689_600
MAX_UINT = 2**256 - 1
WAD = 10**18
SECONDS_PER_LEAP_YEAR = 31_556_952

V2_CONTRACTS = (
    "PoolSwapLibrary",
    "PoolFactory",
    "LeveragedPool",
    "PoolCommitter",
    "PoolToken",
    "PoolKeeper",
    "KeeperRewards",
    "AutoClaim",
    "InvariantCheck",
    "L2Encoder",
    "ChainlinkOracleWrapper",
    "SMAOracle",
    "TestToken",
    "TestChainlinkOracle",
)


def require_artifacts(*names: str) -> None:
    """Skip while no V2 contract has been built at all; fail if only some are missing."""
    directory = evm.ARTIFACTS_DIR
    present = {p.stem for p in directory.glob("*.json")}
    if not present & set(V2_CONTRACTS):
        pytest.skip(f"the V2 contracts are not built yet (no artifacts in {directory})")
    missing = [name for name in names or V2_CONTRACTS if name not in present]
    if missing:
        pytest.fail(f"artifacts missing from {directory}: {', '.join(missing)}")


@dataclass
class Market:
    world: World
    pool: Bound
    committer: Bound
    long: Bound
    short: Bound
    token: Bound
    feed: Bound
    oracle: Bound
    settlement_oracle: Bound
    deployer: str
    update_interval: int
    front_running_interval: int
    deployed_at: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def chain(self) -> Chain:
        return self.world.chain

    def commit(
        self,
        user: str,
        amount: int,
        commit_type: int,
        *,
        from_aggregate: bool = False,
        pay_for_claim: bool = False,
        value: int = 0,
        at: int | None = None,
    ) -> TxResult:
        args = pp_ref.encode_commit(amount, commit_type, from_aggregate, pay_for_claim)
        return self.committer.tx("commit", args, sender=user, value=value, at=at)

    def upkeep(self, *, at: int | None = None, sender: str | None = None) -> TxResult:
        return self.world.keeper.tx(
            "performUpkeepSinglePool",
            self.pool.address,
            sender=sender or self.world.keeper_eoa,
            at=at,
        )

    def last_price_timestamp(self) -> int:
        return int(self.pool.call("lastPriceTimestamp"))

    def set_price(self, answer: int) -> TxResult:
        return self.feed.send("setPrice", answer, sender=self.world.gov)

    def fund(self, user: str, amount: int) -> None:
        self.token.send("mint", user, amount, sender=self.world.gov)
        self.token.send("approve", self.pool.address, MAX_UINT, sender=user)

    def balances(self) -> tuple[int, int]:
        """(long, short)."""
        return int(self.pool.call("longBalance")), int(self.pool.call("shortBalance"))


class World:
    """The core, wired, plus factories for tokens, feeds, wrappers and markets."""

    def __init__(
        self,
        node: AnvilNode,
        *,
        annual_fee_wad: int = 2 * 10**16,
        keeper_gas_price: int = 0,
    ) -> None:
        self.node = node
        self.chain = Chain(node.rpc_url)
        self.chain.rpc.call("anvil_setBlockTimestampInterval", [1])
        self.w3 = Web3(HTTPProvider(node.rpc_url, request_kwargs={"timeout": 120}))
        accounts = self.chain.accounts
        self.gov, self.fee_receiver, self.treasury, self.keeper_eoa = accounts[:4]
        self.users = accounts[4:9]
        self.bot = accounts[9]
        self.fee_controller = accounts[-1]
        self.core: Core = deploy_core(
            self.w3,
            governance=Web3.to_checksum_address(self.gov),
            fee_receiver=Web3.to_checksum_address(self.fee_receiver),
            keeper_gas_price=keeper_gas_price,
            annual_fee_wad=annual_fee_wad,
        )
        c = self.chain.contract
        self.library = c("PoolSwapLibrary", self.core.pool_swap_library.address)
        self.factory = c("PoolFactory", self.core.factory.address)
        self.keeper = c("PoolKeeper", self.core.pool_keeper.address)
        self.rewards = c("KeeperRewards", self.core.keeper_rewards.address)
        self.auto_claim = c("AutoClaim", self.core.auto_claim.address)
        self.invariant_check = c("InvariantCheck", self.core.invariant_check.address)
        self.encoder = c("L2Encoder", self.core.l2_encoder.address)
        self._wrappers = 0

    def token(self, decimals: int = 18, name: str = "Balancer", symbol: str = "BAL") -> Bound:
        token = self.chain.deploy("TestToken", name, symbol, sender=self.gov)
        if decimals != 18:
            token.send("setDecimals", decimals, sender=self.gov)
        return token

    def feed(self, answer: int = 3000 * 10**8) -> Bound:
        feed = self.chain.deploy("TestChainlinkOracle", sender=self.gov)
        feed.send("setPrice", answer, sender=self.gov)
        return feed

    def wrapper(self, feed: Bound, deployer: str) -> Bound:
        return self.chain.deploy("ChainlinkOracleWrapper", feed.address, deployer, sender=self.gov)

    def market(
        self,
        *,
        token: Bound | None = None,
        leverage: int = 3,
        update_interval: int = 3600,
        front_running_interval: int = 300,
        minting_fee: int = 0,
        burning_fee: int = 0,
        change_interval: int = 0,
        answer: int = 3000 * 10**8,
        deployer: str | None = None,
        oracle: Bound | None = None,
        feed: Bound | None = None,
        settlement_oracle: Bound | None = None,
        fee_controller: str | None = None,
        name: str = "ETH/USD+BAL",
        at: int | None = None,
    ) -> Market:
        """Deploy a pool with ``deploy_market`` (a fresh oracle wrapper unless ``oracle``)."""
        deployer = deployer or self.treasury
        token = token or self.token()
        if oracle is None:
            feed = feed or self.feed(answer)
            oracle = self.wrapper(feed, deployer)
        assert feed is not None, "pass the feed behind a custom oracle"
        if settlement_oracle is None:
            settlement_oracle = self.wrapper(self.feed(10**8), self.gov)
        if at is not None:
            self.chain.set_next_timestamp(at)
        handle = deploy_market(
            self.w3,
            self.core,
            deployer=Web3.to_checksum_address(deployer),
            pool_name=name,
            oracle_wrapper=Web3.to_checksum_address(oracle.address),
            settlement_eth_oracle=Web3.to_checksum_address(settlement_oracle.address),
            settlement_token=Web3.to_checksum_address(token.address),
            leverage=leverage,
            update_interval=update_interval,
            front_running_interval=front_running_interval,
            minting_fee_wad=minting_fee,
            burning_fee_wad=burning_fee,
            change_interval_wad=change_interval,
            fee_controller=Web3.to_checksum_address(fee_controller or self.fee_controller),
        )
        c = self.chain.contract
        market = Market(
            world=self,
            pool=c("LeveragedPool", handle.pool.address),
            committer=c("PoolCommitter", handle.committer.address),
            long=c("PoolToken", handle.long_token.address),
            short=c("PoolToken", handle.short_token.address),
            token=token,
            feed=feed,
            oracle=oracle,
            settlement_oracle=settlement_oracle,
            deployer=deployer,
            update_interval=update_interval,
            front_running_interval=front_running_interval,
            deployed_at=int(self.chain.block(handle.deploy_block)["timestamp"], 16),
        )
        return market


# ---------------------------------------------------------------------------- expected math
# Independent re-statements of the reference's §3.8.3 sequences (with pp_quad), used to
# predict what the contracts must produce.


def fee_of(rate: int | str | bytes, amount: int) -> int:
    """Item 7: U(rate ⊗ q(amount)) / 1e18 (rate as a WAD int or as its quad)."""
    rate_q = pp_quad.q(rate) if isinstance(rate, int) else pp_quad.as_bytes(rate)
    return pp_quad.to_uint(pp_quad.mul(rate_q, pp_quad.q(amount))) // WAD


def get_mint(price: str | bytes, amount: int) -> int:
    return pp_quad.to_uint(pp_quad.div(pp_quad.q(amount), pp_quad.as_bytes(price)))


def get_burn(price: str | bytes, amount: int) -> int:
    return pp_quad.to_uint(pp_quad.mul(pp_quad.q(amount), pp_quad.as_bytes(price)))


def flip(
    amount: int, price: str | bytes, burn_fee: str | bytes, mint_fee: str | bytes
) -> tuple[int, int, int]:
    """Item 8: (settlement for the other side, burn fee, mint fee)."""
    value = get_burn(price, amount)
    burn = fee_of(burn_fee, value)
    value -= burn
    mint = fee_of(mint_fee, value)
    return value - mint, burn, mint


def secondary_share(total: int, percent: int) -> int:
    """Item 3: U((q(T) ⊗ q(pct)) ⊘ q(100))."""
    return pp_quad.to_uint(
        pp_quad.div(pp_quad.mul(pp_quad.q(total), pp_quad.q(percent)), pp_quad.q(100))
    )


def side_fee(per_interval_fee: int, balance: int) -> int:
    """Item 2: U(q(f) ⊗ q(balance)) / 1e18."""
    return pp_quad.to_uint(pp_quad.mul(pp_quad.q(per_interval_fee), pp_quad.q(balance))) // WAD


def interval_id(t: int, t0: int, frontrunning: int, interval: int, current: int) -> int:
    """§4.1: id = I + ⌊(t + F − T0) / U⌋."""
    return current + (t + frontrunning - t0) // interval


def events_of(result: TxResult) -> list[tuple[str, str, dict[str, Any]]]:
    return [(log.address, log.event, log.args) for log in result.logs]


def assert_events(
    result: TxResult, expected: list[tuple[Bound | str, str, dict[str, Any] | None]]
) -> None:
    """Compare a transaction's logs in order: emitter, event name and (unless None) all args."""
    got = events_of(result)
    want_names = [(e if isinstance(e, str) else e.address, n) for e, n, _ in expected]
    assert [(a, n) for a, n, _ in got] == want_names, (
        f"events: got {[n for _, n, _ in got]}, expected {[n for _, n, _ in expected]}\n"
        f"{result.logs}"
    )
    for (_, name, args), (_, _, want) in zip(got, expected, strict=True):
        if want is not None:
            assert args == want, f"{name}: got {args}, expected {want}"
