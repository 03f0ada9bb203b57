"""Every revert reason of reference §2.11 that can be triggered from outside, table-driven, on a
real anvil. Each row starts from the same snapshot: a market with one executed interval
(user A holds 100 escrowed long tokens, user B 100 escrowed short tokens).

Rows covered elsewhere: "Pool is paused" (test_behaviour_pause), "settlement price must be
>= 0" (test_behaviour_keeper), "timestamp in the past" and "price == 0" / "price == negative
zero" of the library (golden vectors), "price == 0" inside an upkeep (the zero-balance freeze).
Not triggerable with the test feeds: "COA: Stale answer" / "COA: Round incomplete"
(TestChainlinkOracle always answers round 1, updated now).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.contracts import pp_quad, pp_ref
from tests.contracts.pp_chain import Bound, TxResult
from tests.contracts.pp_world import GENESIS, WAD, Market, World, require_artifacts

U, F = 3600, 300
ZERO = "0x" + "00" * 20
MAX_UINT = 2**256 - 1


@dataclass
class Env:
    w: World
    m: Market
    a: str
    b: str
    stranger: str
    snapshot: str

    def params(self, **changes: Any) -> list[Any]:
        """A PoolDeployment that deploys (a fresh wrapper owned by the treasury)."""
        feed = changes.pop("feed", None) or self.w.feed(2000 * 10**8)
        wrapper = self.w.wrapper(feed, self.w.treasury)
        values = {
            "poolName": "X/USD+BAL",
            "frontRunningInterval": F,
            "updateInterval": U,
            "leverageAmount": 3,
            "settlementToken": self.m.token.address,
            "oracleWrapper": wrapper.address,
            "settlementEthOracle": self.m.settlement_oracle.address,
            "feeController": self.w.fee_controller,
            "mintingFee": 0,
            "changeInterval": 0,
            "burningFee": 0,
        }
        values |= changes
        return list(values.values())

    def deploy_pool(self, **changes: Any) -> TxResult:
        return self.w.factory.tx("deployPool", self.params(**changes), sender=self.w.treasury)


@pytest.fixture(scope="module")
def env(anvil: Any) -> Env:
    require_artifacts()
    w = World(anvil(timestamp=GENESIS, accounts=12))
    m = w.market()
    a, b, stranger = w.users[0], w.users[1], w.users[4]
    m.fund(a, 1000 * WAD)
    m.fund(b, 1000 * WAD)
    assert m.commit(a, 100 * WAD, pp_ref.LONG_MINT).ok
    assert m.commit(b, 100 * WAD, pp_ref.SHORT_MINT).ok
    assert m.upkeep(at=m.last_price_timestamp() + U).ok
    return Env(w, m, a, b, stranger, w.chain.snapshot())


@pytest.fixture
def e(env: Env) -> Iterator[Env]:
    env.w.chain.revert_to(env.snapshot)
    env.snapshot = env.w.chain.snapshot()
    yield env


Outcome = TxResult | tuple[bool, Any]


def _impersonated(e: Env, contract: Bound) -> str:
    return e.w.chain.impersonate(contract.address)


def _claim_governance_wrong_caller(e: Env) -> Outcome:
    e.m.pool.send("transferGovernance", e.a, sender=e.w.gov)
    return e.m.pool.tx("claimGovernance", sender=e.b)


def _secondary_to_zero_then_claim(e: Env) -> Outcome:
    e.m.pool.send("updateSecondaryFeeAddress", ZERO, sender=e.m.deployer)
    return e.m.pool.tx("claimSecondaryFees", sender=e.stranger)


def _reject_reward(e: Env) -> Outcome:
    """paidClaim sent from a contract without a payable fallback (the TestToken)."""
    e.m.token.send("mint", e.b, WAD, sender=e.w.gov)
    assert e.m.commit(e.b, WAD, pp_ref.LONG_MINT, pay_for_claim=True, value=10**15).ok
    assert e.m.upkeep(at=e.m.last_price_timestamp() + U).ok
    caller = e.w.chain.impersonate(e.m.token.address)
    return e.w.auto_claim.tx("paidClaim", e.b, e.m.committer.address, sender=caller)


def _fresh_factory(e: Env, *setters: str) -> Outcome:
    w = e.w
    factory = w.chain.deploy(
        "PoolFactory",
        w.fee_receiver,
        w.gov,
        sender=w.gov,
        libraries={"PoolSwapLibrary": w.library.address},
    )
    targets = {
        "setPoolKeeper": w.keeper,
        "setAutoClaim": w.auto_claim,
        "setInvariantCheck": w.invariant_check,
    }
    for setter in setters:
        factory.send(setter, targets[setter].address, sender=w.gov)
    return factory.tx("deployPool", e.params(), sender=w.treasury)


def _decimals_19(e: Env) -> Outcome:
    token = e.w.token(decimals=19)
    return e.deploy_pool(settlementToken=token.address)


def _feed_decimals(e: Env, decimals: int) -> Bound:
    feed = e.w.feed()
    feed.send("setDecimals", decimals, sender=e.w.gov)
    return feed


def _initialization(e: Env) -> list[Any]:
    x = e.stranger
    return [x, x, x, x, x, x, x, x, "again", F, U, 3, 0, x, x, x, 10]


def _sma(e: Env, *args: Any) -> Outcome:
    return e.w.chain.deploy_tx("SMAOracle", *args, sender=e.w.gov)


def _sma_contract(e: Env) -> Bound:
    return e.w.chain.deploy(
        "SMAOracle",
        e.m.oracle.address,
        3,
        U,
        e.w.treasury,
        e.w.keeper.address,
        e.w.gov,
        sender=e.w.gov,
    )


CASES: list[tuple[str, str, Callable[[Env], Outcome]]] = [
    # ---------------------------------------------------------------- PoolCommitter
    ("commit: amount 0", "Amount must not be zero", lambda e: e.m.commit(e.a, 0, pp_ref.LONG_MINT)),
    (
        "commit: amount 0 is checked before the type",
        "Amount must not be zero",
        lambda e: e.m.commit(e.a, 0, 7),
    ),
    ("commit: type byte > 5", "Panic(0x21)", lambda e: e.m.commit(e.a, WAD, 6)),
    (
        "commit: mint from escrow > escrow",
        "Insufficient settlement tokens",
        lambda e: e.m.commit(e.a, 1, pp_ref.LONG_MINT, from_aggregate=True),
    ),
    (
        "commit: burn from escrow > escrow",
        "Insufficient pool tokens",
        lambda e: e.m.commit(e.a, 100 * WAD + 1, pp_ref.LONG_BURN, from_aggregate=True),
    ),
    (
        "commit: flip from escrow > escrow",
        "Insufficient pool tokens",
        lambda e: e.m.commit(e.b, 100 * WAD + 1, pp_ref.SHORT_BURN_LONG_MINT, from_aggregate=True),
    ),
    (
        "commit: burn from wallet > wallet",
        "ERC20: burn amount exceeds balance",
        lambda e: e.m.commit(e.a, 1, pp_ref.LONG_BURN),
    ),
    (
        "commit: mint without balance",
        "ERC20: transfer amount exceeds balance",
        lambda e: e.m.commit(e.stranger, WAD, pp_ref.SHORT_MINT),
    ),
    (
        "commit: mint without allowance",
        "ERC20: transfer amount exceeds allowance",
        lambda e: (
            e.m.token.send("mint", e.stranger, WAD, sender=e.w.gov),
            e.m.commit(e.stranger, WAD, pp_ref.SHORT_MINT),
        )[1],
    ),
    (
        "commit: payForClaim without ETH",
        "Must pay for claim",
        lambda e: e.m.commit(e.a, WAD, pp_ref.LONG_MINT, pay_for_claim=True),
    ),
    (
        "commit: ETH without payForClaim",
        "msg.value must be zero",
        lambda e: e.m.commit(e.a, WAD, pp_ref.LONG_MINT, value=1),
    ),
    (
        "claim: someone else's",
        "msg.sender not committer or AutoClaim",
        lambda e: e.m.committer.tx("claim", e.a, sender=e.b),
    ),
    (
        "executeCommitments: not the pool",
        "msg.sender not leveragedPool",
        lambda e: e.m.committer.tx("executeCommitments", 0, U, 0, 0, sender=e.a),
    ),
    (
        "setPool: not the factory",
        "Committer: not factory",
        lambda e: e.m.committer.tx("setPool", e.a, sender=e.a),
    ),
    (
        "setPool: zero",
        "Leveraged pool cannot be null",
        lambda e: e.m.committer.tx("setPool", ZERO, sender=_impersonated(e, e.w.factory)),
    ),
    (
        "setMintingFee: not the controller",
        "msg.sender not fee controller",
        lambda e: e.m.committer.tx("setMintingFee", 1, sender=e.a),
    ),
    (
        "setBurningFee: not the controller",
        "msg.sender not fee controller",
        lambda e: e.m.committer.tx("setBurningFee", 1, sender=e.w.gov),
    ),
    (
        "setChangeInterval: not the controller",
        "msg.sender not fee controller",
        lambda e: e.m.committer.tx("setChangeInterval", 1, sender=e.a),
    ),
    (
        "setMintingFee: > 100 %",
        "Minting fee > 100%",
        lambda e: e.m.committer.tx("setMintingFee", WAD + 1, sender=e.w.fee_controller),
    ),
    (
        "setBurningFee: exactly 10 %",
        "Burning fee >= 10%",
        lambda e: e.m.committer.tx("setBurningFee", WAD // 10, sender=e.w.fee_controller),
    ),
    (
        "setChangeInterval: > 100 %",
        "Change Interval exceeds limit",
        lambda e: e.m.committer.tx("setChangeInterval", WAD + 1, sender=e.w.fee_controller),
    ),
    (
        "setFeeController: stranger",
        "Cannot set feeController",
        lambda e: e.m.committer.tx("setFeeController", e.a, sender=e.a),
    ),
    (
        "committer pause: not InvariantCheck",
        "msg.sender not invariantCheck",
        lambda e: e.m.committer.tx("pause", sender=e.w.gov),
    ),
    (
        "committer unpause: not governance",
        "msg.sender not governance",
        lambda e: e.m.committer.tx("unpause", sender=e.a),
    ),
    (
        "committer initialize: again",
        "Initializable: contract is already initialized",
        lambda e: e.m.committer.tx("initialize", e.a, e.a, e.a, e.a, e.a, 0, 0, 0, sender=e.a),
    ),
    (
        "unAggregatedCommitments: past the end",
        "",
        lambda e: e.m.committer.try_call("unAggregatedCommitments", e.a, 5),
    ),
    # ---------------------------------------------------------------- LeveragedPool
    (
        "poolUpkeep: not the keeper",
        "msg.sender not keeper",
        lambda e: e.m.pool.tx("poolUpkeep", 1, 1, sender=e.a),
    ),
    (
        "poolUpkeep: interval not passed",
        "Update interval hasn't passed",
        lambda e: e.m.pool.tx("poolUpkeep", WAD, WAD, sender=_impersonated(e, e.w.keeper)),
    ),
    (
        "payKeeperFromBalances: not KeeperRewards",
        "msg.sender not keeperRewards",
        lambda e: e.m.pool.tx("payKeeperFromBalances", e.a, 1, sender=e.a),
    ),
    (
        "settlementTokenTransfer: not the committer",
        "msg.sender not poolCommitter",
        lambda e: e.m.pool.tx("settlementTokenTransfer", e.a, 1, sender=e.a),
    ),
    (
        "settlementTokenTransferFrom: not the committer",
        "msg.sender not poolCommitter",
        lambda e: e.m.pool.tx("settlementTokenTransferFrom", e.a, e.b, 1, sender=e.a),
    ),
    (
        "poolTokenTransfer: not the committer",
        "msg.sender not poolCommitter",
        lambda e: e.m.pool.tx("poolTokenTransfer", True, e.a, 1, sender=e.a),
    ),
    (
        "burnTokens: not the committer",
        "msg.sender not poolCommitter",
        lambda e: e.m.pool.tx("burnTokens", 0, 1, e.a, sender=e.a),
    ),
    (
        "setNewPoolBalances: not the committer",
        "msg.sender not poolCommitter",
        lambda e: e.m.pool.tx("setNewPoolBalances", 1, 1, sender=e.a),
    ),
    (
        "pool pause: not InvariantCheck",
        "msg.sender not invariantCheck",
        lambda e: e.m.pool.tx("pause", sender=e.w.gov),
    ),
    (
        "pool unpause: not governance",
        "msg.sender not governance",
        lambda e: e.m.pool.tx("unpause", sender=e.a),
    ),
    (
        "setKeeper: not governance",
        "msg.sender not governance",
        lambda e: e.m.pool.tx("setKeeper", e.a, sender=e.a),
    ),
    (
        "updateFeeAddress: not governance",
        "msg.sender not governance",
        lambda e: e.m.pool.tx("updateFeeAddress", e.a, sender=e.a),
    ),
    (
        "withdrawSettlement: not governance",
        "msg.sender not governance",
        lambda e: e.m.pool.tx("withdrawSettlement", sender=e.a),
    ),
    (
        "transferGovernance: not governance",
        "msg.sender not governance",
        lambda e: e.m.pool.tx("transferGovernance", e.a, sender=e.a),
    ),
    (
        "updateFeeAddress: zero",
        "Account cannot be null",
        lambda e: e.m.pool.tx("updateFeeAddress", ZERO, sender=e.w.gov),
    ),
    (
        "setKeeper: zero",
        "Keeper cannot be null",
        lambda e: e.m.pool.tx("setKeeper", ZERO, sender=e.w.gov),
    ),
    (
        "updateSecondaryFeeAddress: not the secondary address",
        "",
        lambda e: e.m.pool.tx("updateSecondaryFeeAddress", e.a, sender=e.w.gov),
    ),
    (
        "withdrawSettlement: live",
        "Pool is live",
        lambda e: e.m.pool.tx("withdrawSettlement", sender=e.w.gov),
    ),
    (
        "transferGovernance: same",
        "New governance address cannot be same as old governance address",
        lambda e: e.m.pool.tx("transferGovernance", e.w.gov, sender=e.w.gov),
    ),
    (
        "transferGovernance: zero",
        "Governance cannot be null",
        lambda e: e.m.pool.tx("transferGovernance", ZERO, sender=e.w.gov),
    ),
    (
        "claimGovernance: none in progress",
        "No governance change active",
        lambda e: e.m.pool.tx("claimGovernance", sender=e.a),
    ),
    (
        "claimGovernance: not the provisional governor",
        "Not provisional governor",
        _claim_governance_wrong_caller,
    ),
    (
        "pool initialize: again",
        "Initializable: contract is already initialized",
        lambda e: e.m.pool.tx("initialize", _initialization(e), sender=e.a),
    ),
    (
        "claimSecondaryFees: secondary address 0",
        "ERC20: transfer to the zero address",
        _secondary_to_zero_then_claim,
    ),
    # ---------------------------------------------------------------- PoolKeeper / KeeperRewards
    (
        "newPool: not the factory",
        "Caller not factory",
        lambda e: e.w.keeper.tx("newPool", e.m.pool.address, sender=e.a),
    ),
    (
        "performUpkeepMultiplePoolsPacked: 21 bytes",
        "Data must only include addresses",
        lambda e: e.w.keeper.tx("performUpkeepMultiplePoolsPacked", "0x" + "11" * 21, sender=e.a),
    ),
    (
        "setKeeperRewards: zero",
        "KeeperRewards cannot be 0 address",
        lambda e: e.w.keeper.tx("setKeeperRewards", ZERO, sender=e.w.gov),
    ),
    (
        "setKeeperRewards: not the owner",
        "Ownable: caller is not the owner",
        lambda e: e.w.keeper.tx("setKeeperRewards", e.a, sender=e.a),
    ),
    (
        "setGasPrice: not the owner",
        "Ownable: caller is not the owner",
        lambda e: e.w.keeper.tx("setGasPrice", 1, sender=e.a),
    ),
    (
        "transferOwnership: not the owner",
        "Ownable: caller is not the owner",
        lambda e: e.w.keeper.tx("transferOwnership", e.a, sender=e.a),
    ),
    (
        "renounceOwnership: not the owner",
        "Ownable: caller is not the owner",
        lambda e: e.w.keeper.tx("renounceOwnership", sender=e.a),
    ),
    (
        "transferOwnership: zero",
        "Ownable: new owner is the zero address",
        lambda e: e.w.keeper.tx("transferOwnership", ZERO, sender=e.w.gov),
    ),
    (
        "PoolKeeper constructor: factory 0",
        "Factory cannot be null",
        lambda e: e.w.chain.deploy_tx("PoolKeeper", ZERO, sender=e.a),
    ),
    (
        "KeeperRewards.payKeeper: not the PoolKeeper",
        "msg.sender not keeper",
        lambda e: e.w.rewards.tx("payKeeper", e.a, e.m.pool.address, 0, 0, 0, U, sender=e.a),
    ),
    (
        "KeeperRewards constructor: keeper 0",
        "PoolKeeper cannot be 0 address",
        lambda e: e.w.chain.deploy_tx(
            "KeeperRewards", ZERO, sender=e.a, libraries={"PoolSwapLibrary": e.w.library.address}
        ),
    ),
    # ---------------------------------------------------------------- PoolFactory
    ("deployPool: no PoolKeeper", "PoolKeeper not set", lambda e: _fresh_factory(e)),
    ("deployPool: no AutoClaim", "AutoClaim not set", lambda e: _fresh_factory(e, "setPoolKeeper")),
    (
        "deployPool: no InvariantCheck",
        "InvariantCheck not set",
        lambda e: _fresh_factory(e, "setPoolKeeper", "setAutoClaim"),
    ),
    (
        "deployPool: not the wrapper's deployer",
        "Deployer must be oracle wrapper owner",
        lambda e: e.w.factory.tx("deployPool", e.params(), sender=e.a),
    ),
    (
        "deployPool: leverage 0",
        "Leveraged amount cannot equal 0",
        lambda e: e.deploy_pool(leverageAmount=0),
    ),
    ("deployPool: settlement decimals 19", "Decimal precision too high", _decimals_19),
    (
        "deployPool: fee controller 0",
        "fee controller cannot be null",
        lambda e: e.deploy_pool(feeController=ZERO),
    ),
    (
        "deployPool: minting fee > 1e18",
        "Minting fee exceeds limit",
        lambda e: e.deploy_pool(mintingFee=WAD + 1),
    ),
    (
        "deployPool: burning fee > 1e17",
        "Burning fee exceeds limit",
        lambda e: e.deploy_pool(burningFee=WAD // 10 + 1),
    ),
    (
        "deployPool: changeInterval > 1e18",
        "Change Interval exceeds limit",
        lambda e: e.deploy_pool(changeInterval=WAD + 1),
    ),
    (
        "deployPool: update interval 0",
        "Update interval cannot be 0",
        lambda e: e.deploy_pool(updateInterval=0),
    ),
    (
        "deployPool: first price 0",
        "First price is non-positive",
        lambda e: e.deploy_pool(feed=e.w.feed(0)),
    ),
    (
        "deployPool: per-interval fee 100 %",
        "Fee >= 100%",
        lambda e: (
            e.w.factory.send("setFee", WAD // 10, sender=e.w.gov),
            e.deploy_pool(updateInterval=315_569_520),
        )[1],
    ),
    (
        "factory setPoolKeeper: not governance",
        "msg.sender not governance",
        lambda e: e.w.factory.tx("setPoolKeeper", e.a, sender=e.a),
    ),
    (
        "factory setAutoClaim: not governance",
        "msg.sender not governance",
        lambda e: e.w.factory.tx("setAutoClaim", e.a, sender=e.a),
    ),
    (
        "factory setInvariantCheck: not governance",
        "msg.sender not governance",
        lambda e: e.w.factory.tx("setInvariantCheck", e.a, sender=e.a),
    ),
    (
        "factory setFeeReceiver: not governance",
        "msg.sender not governance",
        lambda e: e.w.factory.tx("setFeeReceiver", e.a, sender=e.a),
    ),
    (
        "factory setFee: not governance",
        "msg.sender not governance",
        lambda e: e.w.factory.tx("setFee", 1, sender=e.a),
    ),
    (
        "factory setDeploymentFee: not governance",
        "msg.sender not governance",
        lambda e: e.w.factory.tx("setDeploymentFee", e.a, 1, e.a, sender=e.a),
    ),
    (
        "factory setSecondaryFeeSplitPercent: not governance",
        "msg.sender not governance",
        lambda e: e.w.factory.tx("setSecondaryFeeSplitPercent", 1, sender=e.a),
    ),
    (
        "factory transferGovernance: not governance",
        "msg.sender not governance",
        lambda e: e.w.factory.tx("transferGovernance", e.a, sender=e.a),
    ),
    (
        "factory setPoolKeeper: zero",
        "cannot be null",
        lambda e: e.w.factory.tx("setPoolKeeper", ZERO, sender=e.w.gov),
    ),
    (
        "factory setAutoClaim: zero",
        "cannot be null",
        lambda e: e.w.factory.tx("setAutoClaim", ZERO, sender=e.w.gov),
    ),
    (
        "factory setInvariantCheck: zero",
        "cannot be null",
        lambda e: e.w.factory.tx("setInvariantCheck", ZERO, sender=e.w.gov),
    ),
    (
        "factory setFeeReceiver: zero",
        "Fee receiver cannot be null",
        lambda e: e.w.factory.tx("setFeeReceiver", ZERO, sender=e.w.gov),
    ),
    (
        "factory setFee: > 10 %",
        "Fee cannot be > 10%",
        lambda e: e.w.factory.tx("setFee", WAD // 10 + 1, sender=e.w.gov),
    ),
    (
        "factory setSecondaryFeeSplitPercent: 101",
        "Secondary fee split cannot exceed 100%",
        lambda e: e.w.factory.tx("setSecondaryFeeSplitPercent", 101, sender=e.w.gov),
    ),
    (
        "factory setDeploymentFee: token 0",
        "Token cannot be null",
        lambda e: e.w.factory.tx("setDeploymentFee", ZERO, 1, e.a, sender=e.w.gov),
    ),
    (
        "factory transferGovernance: same",
        "New governance address cannot be same as old governance address",
        lambda e: e.w.factory.tx("transferGovernance", e.w.gov, sender=e.w.gov),
    ),
    (
        "factory transferGovernance: zero",
        "Governance cannot be null",
        lambda e: e.w.factory.tx("transferGovernance", ZERO, sender=e.w.gov),
    ),
    (
        "factory claimGovernance: none in progress",
        "No governance change active",
        lambda e: e.w.factory.tx("claimGovernance", sender=e.a),
    ),
    (
        "factory constructor: fee receiver 0",
        "Fee receiver cannot be null",
        lambda e: e.w.chain.deploy_tx(
            "PoolFactory",
            ZERO,
            e.w.gov,
            sender=e.a,
            libraries={"PoolSwapLibrary": e.w.library.address},
        ),
    ),
    (
        "factory constructor: governance 0",
        "Governance cannot be null",
        lambda e: e.w.chain.deploy_tx(
            "PoolFactory", e.a, ZERO, sender=e.a, libraries={"PoolSwapLibrary": e.w.library.address}
        ),
    ),
    # ---------------------------------------------------------------- AutoClaim
    (
        "AutoClaim constructor: factory 0",
        "PoolFactory cannot be null",
        lambda e: e.w.chain.deploy_tx("AutoClaim", ZERO, sender=e.a),
    ),
    (
        "AutoClaim.makePaidClaimRequest: not a committer",
        "msg.sender not valid PoolCommitter",
        lambda e: e.w.auto_claim.tx("makePaidClaimRequest", e.a, sender=e.a, value=1),
    ),
    (
        "AutoClaim.paidClaim: not a committer",
        "Invalid pool committer contract",
        lambda e: e.w.auto_claim.tx("paidClaim", e.a, e.m.pool.address, sender=e.a),
    ),
    (
        "AutoClaim.multiPaidClaimMultiplePoolCommitters: 19 bytes",
        "args must only include addresses",
        lambda e: e.w.auto_claim.tx(
            "multiPaidClaimMultiplePoolCommitters", "0x" + "11" * 19, "0x" + "11" * 20, sender=e.a
        ),
    ),
    (
        "AutoClaim: the caller rejects the ETH reward",
        "Address: unable to send value, recipient may have reverted",
        lambda e: _reject_reward(e),
    ),
    # ---------------------------------------------------------------- other contracts
    (
        "InvariantCheck.checkInvariants: not a pool",
        "Pool is invalid",
        lambda e: e.w.invariant_check.tx("checkInvariants", e.a, sender=e.a),
    ),
    (
        "InvariantCheck constructor: factory 0",
        "Factory cannot be null",
        lambda e: e.w.chain.deploy_tx("InvariantCheck", ZERO, sender=e.a),
    ),
    (
        "PoolToken.mint: not the owner",
        "msg.sender not owner",
        lambda e: e.m.long.tx("mint", e.a, 1, sender=e.a),
    ),
    (
        "PoolToken.burn: not the owner",
        "msg.sender not owner",
        lambda e: e.m.long.tx("burn", e.a, 1, sender=e.a),
    ),
    (
        "PoolToken.transferOwnership: not the owner",
        "msg.sender not owner",
        lambda e: e.m.long.tx("transferOwnership", e.a, sender=e.a),
    ),
    (
        "PoolToken.transferOwnership: zero",
        "Owner: setting to 0 address",
        lambda e: e.m.long.tx("transferOwnership", ZERO, sender=_impersonated(e, e.m.pool)),
    ),
    (
        "PoolToken.initialize: again",
        "Initializable: contract is already initialized",
        lambda e: e.m.long.tx("initialize", e.a, "n", "s", 18, sender=e.a),
    ),
    (
        "PoolToken.transfer: more than held",
        "ERC20: transfer amount exceeds balance",
        lambda e: e.m.short.tx("transfer", e.b, 1, sender=e.a),
    ),
    (
        "PoolToken.transfer: to zero",
        "ERC20: transfer to the zero address",
        lambda e: e.m.short.tx("transfer", ZERO, 0, sender=e.a),
    ),
    (
        "PoolToken.approve: zero spender",
        "ERC20: approve to the zero address",
        lambda e: e.m.short.tx("approve", ZERO, 1, sender=e.a),
    ),
    (
        "PoolToken.decreaseAllowance: below zero",
        "ERC20: decreased allowance below zero",
        lambda e: e.m.short.tx("decreaseAllowance", e.b, 1, sender=e.a),
    ),
    (
        "PoolToken.transferFrom: no allowance",
        "ERC20: transfer amount exceeds allowance",
        lambda e: (
            e.m.committer.send("claim", e.a, sender=e.a),
            e.m.long.tx("transferFrom", e.a, e.b, 1, sender=e.b),
        )[1],
    ),
    (
        "ChainlinkOracleWrapper constructor: oracle 0",
        "Oracle cannot be null",
        lambda e: e.w.chain.deploy_tx("ChainlinkOracleWrapper", ZERO, e.a, sender=e.a),
    ),
    (
        "ChainlinkOracleWrapper constructor: deployer 0",
        "Deployer cannot be null",
        lambda e: e.w.chain.deploy_tx("ChainlinkOracleWrapper", e.m.feed.address, ZERO, sender=e.a),
    ),
    (
        "ChainlinkOracleWrapper constructor: 19 decimals",
        "COA: too many decimals",
        lambda e: e.w.chain.deploy_tx(
            "ChainlinkOracleWrapper", _feed_decimals(e, 19).address, e.a, sender=e.a
        ),
    ),
    (
        "SMAOracle constructor: zero address",
        "SMA: Null address forbidden",
        lambda e: _sma(e, ZERO, 3, U, e.a, e.a, e.a),
    ),
    (
        "SMAOracle constructor: 0 periods",
        "SMA: Out of bounds",
        lambda e: _sma(e, e.m.oracle.address, 0, U, e.a, e.a, e.a),
    ),
    (
        "SMAOracle constructor: 25 periods",
        "SMA: Out of bounds",
        lambda e: _sma(e, e.m.oracle.address, 25, U, e.a, e.a, e.a),
    ),
    (
        "SMAOracle constructor: interval 0",
        "SMA: Update interval cannot be 0",
        lambda e: _sma(e, e.m.oracle.address, 3, 0, e.a, e.a, e.a),
    ),
    (
        "SMAOracle.poll: not the PoolKeeper",
        "SMA: Only callable by PoolKeeper",
        lambda e: _sma_contract(e).tx("poll", sender=e.a),
    ),
    (
        "SMAOracle.setPoolKeeper: not governance",
        "SMA: Only callable by governance",
        lambda e: _sma_contract(e).tx("setPoolKeeper", e.a, sender=e.a),
    ),
    (
        "SMAOracle.setGovernance: not governance",
        "SMA: Only callable by governance",
        lambda e: _sma_contract(e).tx("setGovernance", e.a, sender=e.a),
    ),
    (
        "SMAOracle.setPoolKeeper: zero",
        "SMA: Null address forbidden",
        lambda e: _sma_contract(e).tx("setPoolKeeper", ZERO, sender=e.w.gov),
    ),
    (
        "SMAOracle.setGovernance: zero",
        "SMA: Null address forbidden",
        lambda e: _sma_contract(e).tx("setGovernance", ZERO, sender=e.w.gov),
    ),
    (
        "L2Encoder.encodeCommitParams: amount 2^128",
        "SafeCast: value doesn't fit in 128 bits",
        lambda e: e.w.encoder.try_call("encodeCommitParams", 2**128, 2, False, False),
    ),
    (
        "PoolSwapLibrary.isBeforeFrontRunningInterval: F > T0 + U",
        "Panic(0x11)",
        lambda e: e.w.library.try_call("isBeforeFrontRunningInterval", 0, 10, 10, 21),
    ),
    (
        "ABDK toUInt of -1",
        "",
        lambda e: e.w.library.try_call("convertDecimalToUInt", pp_quad.q(-1)),
    ),
    (
        "PoolSwapLibrary.getMint: price -0",
        "price == negative zero",
        lambda e: e.w.library.try_call("getMint", pp_quad.NEGATIVE_ZERO, 1),
    ),
]


def test_the_table_has_no_duplicate_rows() -> None:
    names = [name for name, _, _ in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 100


@pytest.mark.parametrize(("name", "reason", "action"), CASES, ids=[c[0] for c in CASES])
def test_revert_reason(e: Env, name: str, reason: str, action: Callable[[Env], Outcome]) -> None:
    outcome = action(e)
    if isinstance(outcome, TxResult):
        assert not outcome.ok, f"{name}: did not revert ({outcome.names})"
        assert outcome.revert == reason, f"{name}: {outcome.revert!r}, expected {reason!r}"
    else:
        ok, got = outcome
        assert not ok, f"{name}: did not revert (returned {got!r})"
        assert got == reason, f"{name}: {got!r}, expected {reason!r}"


def test_limits_that_are_accepted(e: Env) -> None:
    """The boundary values on the accepted side: initialize takes a burning fee of exactly
    10 % (the setter does not), minting fee and changeInterval of exactly 100 %, split 100,
    annual fee 10 %, and any leverage up to 65 535 (§2.11, §3.3)."""
    assert e.deploy_pool(burningFee=WAD // 10, mintingFee=WAD, changeInterval=WAD).ok
    assert e.deploy_pool(leverageAmount=65_535).ok
    assert e.m.committer.tx("setMintingFee", WAD, sender=e.w.fee_controller).ok
    assert e.m.committer.tx("setBurningFee", WAD // 10 - 1, sender=e.w.fee_controller).ok
    assert e.m.committer.tx("setChangeInterval", WAD, sender=e.w.fee_controller).ok
    assert e.w.factory.tx("setSecondaryFeeSplitPercent", 100, sender=e.w.gov).ok
    assert e.w.factory.tx("setFee", WAD // 10, sender=e.w.gov).ok
    setter = e.m.committer.tx("setFeeController", ZERO, sender=e.w.gov)  # no zero check
    assert setter.ok and setter.one("FeeControllerSet").args == {"_feeController": ZERO}
