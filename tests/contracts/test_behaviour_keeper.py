"""Deployment, upkeeps, oracles and their failure modes on a real anvil (reference §2.4, §2.5,
§2.7, §2.12, §3.1, §3.3, §3.4 "zero-balance side", §3.6, §5.3, §5.4).

Keeper gas price 0 unless a test sets it (reward amounts are gas-dependent, §3.6).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.contracts import pp_quad, pp_ref
from tests.contracts.pp_world import (
    GENESIS,
    WAD,
    Market,
    World,
    assert_events,
    require_artifacts,
    side_fee,
)

U, F = 3600, 300
ZERO = "0x" + "00" * 20
ROUND_ONE = "0x00000000000000000001"  # abi.encodePacked(uint80 1): TestChainlinkOracle's round


@pytest.fixture(scope="module")
def world(anvil: Any) -> World:
    require_artifacts()
    return World(anvil(timestamp=GENESIS, accounts=12))


@pytest.fixture
def w(world: World) -> Iterator[World]:
    snapshot = world.chain.snapshot()
    yield world
    world.chain.revert_to(snapshot)


def _two_sided(world: World, answer: int = 2000 * 10**8, **kwargs: Any) -> Market:
    """A market with 1000 long and 1000 short executed (one upkeep), at ``answer``."""
    m = world.market(answer=answer, **kwargs)
    a, b = world.users[0], world.users[1]
    m.fund(a, 10_000 * WAD)
    m.fund(b, 10_000 * WAD)
    assert m.commit(a, 1000 * WAD, pp_ref.LONG_MINT).ok
    assert m.commit(b, 1000 * WAD, pp_ref.SHORT_MINT).ok
    assert "UpkeepSuccessful" in m.upkeep(at=m.last_price_timestamp() + U).names
    return m


def test_deploy_pool_events_and_wiring(w: World) -> None:
    """§2.4 deployPool: events in order, names, decimals, ownership, registration (§5.3)."""
    token = w.token(decimals=6, name="USD Coin", symbol="USDC")
    feed = w.feed(2000 * 10**8)
    oracle = w.wrapper(feed, w.treasury)
    settlement = w.wrapper(w.feed(10**8), w.gov)
    params = [
        "ETH/USD+USDC",
        F,
        U,
        5,
        token.address,
        oracle.address,
        settlement.address,
        w.fee_controller,
        10**15,
        2 * 10**14,
        3 * 10**15,
    ]
    result = w.factory.send("deployPool", params, sender=w.treasury)
    deploy = result.logs[0]
    assert (deploy.address, deploy.event) == (w.factory.address, "DeployPool")
    pool = w.chain.contract("LeveragedPool", deploy.args["pool"])
    committer = w.chain.contract("PoolCommitter", deploy.args["poolCommitter"])
    long_address, short_address = pool.call("poolTokens")
    assert_events(
        result,
        [
            (
                w.factory,
                "DeployPool",
                {
                    "pool": pool.address,
                    "poolCommitter": committer.address,
                    "ticker": "ETH/USD+USDC",
                },
            ),
            (
                pool,
                "PoolInitialized",
                {
                    "longToken": long_address,
                    "shortToken": short_address,
                    "settlementToken": token.address,
                    "poolName": "5-ETH/USD+USDC",
                },
            ),
            (committer, "PoolChanged", {"newPool": pool.address}),
            (
                w.factory,
                "DeployCommitter",
                {
                    "poolCommitterAddress": committer.address,
                    "settlementToken": token.address,
                    "pool": pool.address,
                    "changeInterval": 2 * 10**14,
                    "feeController": w.fee_controller,
                },
            ),
            (w.keeper, "PoolAdded", {"poolAddress": pool.address, "firstPrice": 2000 * WAD}),
        ],
    )
    long, short = (
        w.chain.contract("PoolToken", long_address),
        w.chain.contract("PoolToken", short_address),
    )
    assert [long.call("name"), long.call("symbol"), short.call("name"), short.call("symbol")] == [
        "5L-ETH/USD+USDC",
        "5L-ETH/USD+USDC",
        "5S-ETH/USD+USDC",
        "5S-ETH/USD+USDC",
    ]
    assert long.call("decimals") == short.call("decimals") == 6
    assert long.call("owner") == short.call("owner") == pool.address
    assert pool.call("lastPriceTimestamp") == result.timestamp
    assert pool.call("getLeverage") == 5
    assert pool.call("leverageAmount") == pp_quad.hex16(pp_quad.q(5))
    assert pool.call("secondaryFeeAddress") == w.treasury
    assert pool.call("governance") == w.gov
    assert pool.call("keeper") == w.keeper.address
    assert committer.call("governance") == w.gov
    assert committer.call("feeController") == w.fee_controller
    assert committer.call("getMintingFee") == 10**15
    assert committer.call("getBurningFee") == 3 * 10**15
    assert committer.call("changeInterval") == pp_quad.hex16(pp_quad.q(2 * 10**14))
    assert committer.call("updateIntervalId") == 1
    assert w.factory.call("isValidPool", pool.address) is True
    assert w.factory.call("isValidPoolCommitter", committer.address) is True
    assert w.factory.call("pools", w.factory.call("numPools") - 1) == pool.address
    assert w.keeper.call("executionPrice", pool.address) == 2000 * WAD
    # the same parameter set again collides on the CREATE2 salt
    again = w.factory.tx("deployPool", params, sender=w.treasury)
    assert again.revert == "ERC1167: create2 failed"


def test_upkeep_success_events_and_zero_reward(w: World) -> None:
    """§2.12 upkeep success, §5.3 step 9: with gas price 0 a 0-value Transfer to the keeper
    comes before KeeperPaymentError(pool, keeper, 0); without balances only the error."""
    empty = w.market()
    result = empty.upkeep(at=empty.last_price_timestamp() + U)
    assert_events(
        result,
        [
            (
                empty.pool,
                "PoolRebalance",
                {
                    "shortBalanceChange": 0,
                    "longBalanceChange": 0,
                    "shortFeeAmount": 0,
                    "longFeeAmount": 0,
                },
            ),
            (
                empty.committer,
                "ExecutedCommitsForInterval",
                {"updateIntervalId": 1, "burningFee": "0x" + "00" * 16},
            ),
            (
                w.keeper,
                "UpkeepSuccessful",
                {
                    "pool": empty.pool.address,
                    "data": ROUND_ONE,
                    "startPrice": 3000 * WAD,
                    "endPrice": 3000 * WAD,
                },
            ),
            (
                w.keeper,
                "KeeperPaymentError",
                {"_pool": empty.pool.address, "keeper": w.keeper_eoa, "expectedReward": 0},
            ),
        ],
    )
    m = _two_sided(w)
    result = m.upkeep(at=m.last_price_timestamp() + U)
    assert result.names == [
        "PoolRebalance",
        "ExecutedCommitsForInterval",
        "UpkeepSuccessful",
        "Transfer",
        "KeeperPaymentError",
    ]
    assert result.logs[3].args == {"from": m.pool.address, "to": w.keeper_eoa, "value": 0}
    assert result.logs[3].address == m.token.address


def test_multi_pool_and_packed_upkeeps(w: World) -> None:
    """performUpkeepMultiplePools skips a pool that is not due; the packed form takes
    L2Encoder.encodeAddressArray; a length that is not a multiple of 20 reverts."""
    first, second = w.market(), w.market()
    t0_first, t0_second = first.last_price_timestamp(), second.last_price_timestamp()
    assert t0_first < t0_second < t0_first + U
    result = w.keeper.send(
        "performUpkeepMultiplePools",
        [first.pool.address, second.pool.address],
        sender=w.keeper_eoa,
        at=t0_first + U,
    )
    assert [log.args["pool"] for log in result.by_name("UpkeepSuccessful")] == [first.pool.address]
    assert second.last_price_timestamp() == t0_second
    packed = w.encoder.call("encodeAddressArray", [first.pool.address, second.pool.address])
    assert packed == "0x" + first.pool.address[2:] + second.pool.address[2:]
    result = w.keeper.send(
        "performUpkeepMultiplePoolsPacked", packed, sender=w.keeper_eoa, at=t0_first + 2 * U + 5
    )
    assert [log.args["pool"] for log in result.by_name("UpkeepSuccessful")] == [
        first.pool.address,
        second.pool.address,
    ]
    bad = w.keeper.tx("performUpkeepMultiplePoolsPacked", packed + "00", sender=w.keeper_eoa)
    assert bad.revert == "Data must only include addresses"
    assert w.keeper.call("checkUpkeepMultiplePools", [first.pool.address]) is False


def test_price_at_or_below_zero_suppresses_two_transfers(w: World) -> None:
    """§5.4: 2000 → 0 → 2100: two PriceChangeError upkeeps, no transfer and no fee, commits
    still execute; the stored executionPrice follows the feed (0, then 2100); from there
    upkeeps transfer value again. A −5 answer is stored as −5e10."""
    m = _two_sided(w)
    balances = m.balances()
    m.set_price(0)
    assert m.commit(w.users[0], 10 * WAD, pp_ref.LONG_MINT).ok
    result = m.upkeep(at=m.last_price_timestamp() + U)
    assert_events(
        result,
        [
            (m.pool, "PriceChangeError", {"startPrice": 2000 * WAD, "endPrice": 0}),
            (m.committer, "ExecutedCommitsForInterval", None),
            (m.long, "Transfer", None),
            (
                w.keeper,
                "UpkeepSuccessful",
                {
                    "pool": m.pool.address,
                    "data": ROUND_ONE,
                    "startPrice": 2000 * WAD,
                    "endPrice": 0,
                },
            ),
            (m.token, "Transfer", None),
            (w.keeper, "KeeperPaymentError", None),
        ],
    )
    assert m.balances() == (balances[0] + 10 * WAD, balances[1])  # the mint, no fee, no move
    assert w.keeper.call("executionPrice", m.pool.address) == 0
    m.set_price(2100 * 10**8)
    result = m.upkeep(at=m.last_price_timestamp() + U)
    assert result.one("PriceChangeError").args == {"startPrice": 0, "endPrice": 2100 * WAD}
    assert "PoolRebalance" not in result.names
    assert m.balances() == (balances[0] + 10 * WAD, balances[1])
    assert w.keeper.call("executionPrice", m.pool.address) == 2100 * WAD
    m.set_price(2200 * 10**8)
    long0, short0 = m.balances()
    expected = w.library.call(
        "calculateValueTransfer",
        long0,
        short0,
        m.pool.call("leverageAmount"),
        2100 * WAD,
        2200 * WAD,
        m.pool.call("fee"),
    )
    result = m.upkeep(at=m.last_price_timestamp() + U)
    assert result.one("PoolRebalance").args["longBalanceChange"] == expected[0] - long0 > 0
    assert m.balances() == (expected[0], expected[1])
    m.set_price(-5)
    result = m.upkeep(at=m.last_price_timestamp() + U)
    assert result.one("PriceChangeError").args == {
        "startPrice": 2200 * WAD,
        "endPrice": -5 * 10**10,
    }
    assert w.keeper.call("executionPrice", m.pool.address) == -5 * 10**10


def test_zero_balance_side_freezes_the_pool_and_the_keeper_is_still_paid(w: World) -> None:
    """§3.4 / §3.1: a 1-wei long side and a −0.5 % move: the transfer zeroes the side, the
    execution reverts "price == 0", PoolKeeper catches it (PoolUpkeepError) and still runs the
    payment; nothing else changes, and every retry does the same. With a gas price the keeper is
    paid from the sides; the pool recovers once the price is back at the execution price."""
    m = w.market(answer=2000 * 10**8)
    a, b = w.users[0], w.users[1]
    m.fund(a, 10 * WAD)
    m.fund(b, 10_000 * WAD)
    assert m.commit(a, 1, pp_ref.LONG_MINT).ok
    assert m.commit(b, 1000 * WAD, pp_ref.SHORT_MINT).ok
    assert "UpkeepSuccessful" in m.upkeep(at=m.last_price_timestamp() + U).names
    assert m.long.call("totalSupply") == 1
    m.set_price(1990 * 10**8)
    saved = m.last_price_timestamp()
    state = (
        m.balances(),
        m.committer.call("updateIntervalId"),
        w.keeper.call("executionPrice", m.pool.address),
    )
    frozen = w.chain.snapshot()
    for delay in (U, U + 1):
        result = m.upkeep(at=saved + delay)
        assert_events(
            result,
            [
                (w.keeper, "PoolUpkeepError", {"pool": m.pool.address, "reason": "price == 0"}),
                (m.token, "Transfer", {"from": m.pool.address, "to": w.keeper_eoa, "value": 0}),
                (
                    w.keeper,
                    "KeeperPaymentError",
                    {"_pool": m.pool.address, "keeper": w.keeper_eoa, "expectedReward": 0},
                ),
            ],
        )
        assert m.last_price_timestamp() == saved
        assert (
            m.balances(),
            m.committer.call("updateIntervalId"),
            w.keeper.call("executionPrice", m.pool.address),
        ) == state
        assert w.keeper.call("isUpkeepRequiredSinglePool", m.pool.address) is True
    m.set_price(2000 * 10**8)  # back at the execution price: m = 0, nothing moves
    result = m.upkeep()
    assert "UpkeepSuccessful" in result.names and "PoolUpkeepError" not in result.names
    # the same freeze with a keeper gas price: the failed upkeep pays a reward from the sides
    w.chain.revert_to(frozen)
    w.keeper.send("setGasPrice", 2 * 10**9, sender=w.gov)
    before = sum(m.balances())
    result = m.upkeep(at=saved + U + 10)
    assert result.names == ["PoolUpkeepError", "Transfer", "KeeperPaid"], result.logs
    reward = result.one("KeeperPaid").args["reward"]
    assert reward > 0
    assert result.one("Transfer").args == {
        "from": m.pool.address,
        "to": w.keeper_eoa,
        "value": reward,
    }
    assert sum(m.balances()) == before - reward
    assert m.token.call("balanceOf", w.keeper_eoa) == reward
    assert m.last_price_timestamp() == saved


def test_keeper_reward_formula_pieces(w: World) -> None:
    """§3.6 with a gas price: tip = min(100, 5 + ⌊5·late/13⌋) percent; keeperGas
    is (gasSpent + 80195)·gasPrice·price/1e18; the reward is split pro rata."""
    assert [
        w.rewards.call(n)
        for n in ("BASE_TIP", "TIP_DELTA_PER_BLOCK", "BLOCK_TIME", "MAX_TIP", "FIXED_GAS_OVERHEAD")
    ] == [5, 5, 13, 100, 80195]
    assert w.rewards.call("FIXED_POINT") == pp_quad.hex16(pp_quad.q(WAD))
    now = w.chain.now()
    for late, tip in (
        (0, 5),
        (12, 9),
        (13, 10),
        (25, 14),
        (26, 15),
        (246, 99),
        (247, 100),
        (10_000, 100),
    ):
        saved = now - U - late
        assert w.rewards.call("keeperTip", saved, U, time_override=now) == tip, late
    assert w.rewards.call("keeperGas", 2 * 10**9, 600_000, 2000 * WAD) == (
        2 * 10**9 * (600_000 + 80195) * 2000
    )
    assert w.rewards.call("keeperGas", 2 * 10**9, 600_000, 0) == 0
    m = _two_sided(w)
    w.keeper.send("setGasPrice", 10**9, sender=w.gov)
    long0, short0 = m.balances()
    result = m.upkeep(at=m.last_price_timestamp() + U + 26)  # 26 s late: tip 15 %
    reward = result.one("KeeperPaid").args["reward"]
    fee = m.pool.call("getFee")
    long1, short1 = long0 - side_fee(fee, long0), short0 - side_fee(fee, short0)
    expected_short, expected_long = w.library.call("getBalancesAfterFees", reward, short1, long1)
    assert m.balances() == (expected_long, expected_short)
    assert reward > 0


def test_settlement_price_below_zero_reverts_every_upkeep(w: World) -> None:
    """§3.6: a negative settlement/ETH price reverts the whole upkeep (and any batch)."""
    m = _two_sided(w)
    settlement_feed = w.chain.contract("TestChainlinkOracle", m.settlement_oracle.call("oracle"))
    settlement_feed.send("setPrice", -1, sender=w.gov)
    result = m.upkeep(at=m.last_price_timestamp() + U)
    assert not result.ok and result.revert == "settlement price must be >= 0"
    settlement_feed.send("setPrice", 0, sender=w.gov)  # 0 is allowed: reward 0
    assert m.upkeep().ok


def test_sma_oracle_market(w: World) -> None:
    """§2.7 / §5.3 step 7: an SMAOracle built with the PoolKeeper as its poller gets its first
    observation from newPool; each upkeep adds at most one observation (even over a backlog);
    getPrice is the mean of the last min(periodCount, numPeriods); UpkeepSuccessful.data is
    empty; only the PoolKeeper may poll."""
    feed = w.feed(3000 * 10**8)
    spot = w.wrapper(feed, w.treasury)
    sma = w.chain.deploy(
        "SMAOracle", spot.address, 3, U, w.treasury, w.keeper.address, w.gov, sender=w.gov
    )
    m = w.market(oracle=sma, feed=feed, name="ETH/USD SMA+BAL")
    assert sma.call("periodCount") == 1
    assert sma.call("getPrice") == 3000 * WAD
    assert sma.call("MAX_PERIODS") == 24
    assert sma.call("decimals") == 18
    assert sma.call("getPriceAndMetadata") == [3000 * WAD, "0x"]
    poll = sma.tx("poll", sender=w.gov)
    assert poll.revert == "SMA: Only callable by PoolKeeper"
    feed.send("setPrice", 3300 * 10**8, sender=w.gov)
    result = m.upkeep(at=m.last_price_timestamp() + U)
    success = result.one("UpkeepSuccessful").args
    assert success == {
        "pool": m.pool.address,
        "data": "0x",
        "startPrice": 3000 * WAD,
        "endPrice": (3000 + 3300) * WAD // 2,
    }
    assert sma.call("periodCount") == 2
    feed.send("setPrice", 2700 * 10**8, sender=w.gov)
    m.upkeep(at=m.last_price_timestamp() + U)
    assert sma.call("getPrice") == (3000 + 3300 + 2700) * WAD // 3
    feed.send("setPrice", 2000 * 10**8, sender=w.gov)
    m.upkeep(at=m.last_price_timestamp() + 3 * U)  # a backlog of 3 intervals: one observation
    assert sma.call("periodCount") == 4
    assert sma.call("getPrice") == (3300 + 2700 + 2000) * WAD // 3
    assert w.keeper.call("executionPrice", m.pool.address) == (3300 + 2700 + 2000) * WAD // 3


def test_chainlink_wrapper_reads(w: World) -> None:
    """§2.7: 8-decimal answers scaled by 1e10; metadata is the packed round id; fromWad
    truncates toward zero; poll is a no-op returning 0; zero and negative answers pass."""
    feed = w.feed(1234 * 10**8 + 56)
    wrapper = w.wrapper(feed, w.treasury)
    assert wrapper.call("scaler") == 10**10
    assert wrapper.call("decimals") == 18
    assert wrapper.call("getPrice") == (1234 * 10**8 + 56) * 10**10
    assert wrapper.call("getPriceAndMetadata") == [(1234 * 10**8 + 56) * 10**10, ROUND_ONE]
    assert wrapper.call("fromWad", -(10**10) - 1) == -1
    assert wrapper.call("poll") == 0
    assert wrapper.call("oracle") == feed.address
    assert wrapper.call("deployer") == w.treasury
    feed.send("setPrice", -7, sender=w.gov)
    assert wrapper.call("getPrice") == -7 * 10**10
    round_data = feed.call("latestRoundData")
    assert round_data[0] == round_data[4] == 1 and round_data[1] == -7 and round_data[2] == 0
    assert round_data[3] == w.chain.now()


def test_settlement_oracle_poll_failure_is_caught_by_keeper_rewards(w: World) -> None:
    """§3.6 step 1: the settlement/ETH oracle's poll() is try/caught by KeeperRewards, which
    emits its own PoolUpkeepError; here an SMAOracle that only the PoolKeeper may poll (and
    with no observation its price is 0, so the reward is 0)."""
    eth = w.wrapper(w.feed(10**8), w.gov)
    sma = w.chain.deploy(
        "SMAOracle", eth.address, 3, U, w.gov, w.keeper.address, w.gov, sender=w.gov
    )
    m = w.market(settlement_oracle=sma)
    m.fund(w.users[0], 100 * WAD)
    assert m.commit(w.users[0], 10 * WAD, pp_ref.LONG_MINT).ok
    assert m.upkeep(at=m.last_price_timestamp() + U).ok
    result = m.upkeep(at=m.last_price_timestamp() + U)
    assert result.names[-4:] == [
        "UpkeepSuccessful",
        "PoolUpkeepError",
        "Transfer",
        "KeeperPaymentError",
    ], result.logs
    error = result.logs[-3]
    assert (error.address, error.args) == (
        w.rewards.address,
        {"pool": m.pool.address, "reason": "SMA: Only callable by PoolKeeper"},
    )


def test_deployment_fee_is_taken_before_deploy_pool(w: World) -> None:
    """§2.4 step 5: with a deployment fee the factory pulls it (OZ 4.2: Transfer, Approval)
    before DeployPool."""
    fee_token = w.token(name="Tracer", symbol="TCR")
    result = w.factory.send(
        "setDeploymentFee", fee_token.address, 5000 * WAD, w.fee_receiver, sender=w.gov
    )
    assert_events(
        result,
        [
            (
                w.factory,
                "DeploymentFeeChanged",
                {"_token": fee_token.address, "fee": 5000 * WAD, "_receiver": w.fee_receiver},
            )
        ],
    )
    fee_token.send("mint", w.treasury, 6000 * WAD, sender=w.gov)
    fee_token.send("approve", w.factory.address, 5000 * WAD, sender=w.treasury)
    feed = w.feed()
    oracle = w.wrapper(feed, w.treasury)
    token = w.token()
    params = [
        "FEE/USD+BAL",
        F,
        U,
        2,
        token.address,
        oracle.address,
        oracle.address,
        w.fee_controller,
        0,
        0,
        0,
    ]
    result = w.factory.send("deployPool", params, sender=w.treasury)
    assert result.names[:3] == ["Transfer", "Approval", "DeployPool"]
    assert result.logs[0].args == {"from": w.treasury, "to": w.fee_receiver, "value": 5000 * WAD}
    assert result.logs[1].args == {"owner": w.treasury, "spender": w.factory.address, "value": 0}
    assert fee_token.call("balanceOf", w.fee_receiver) == 5000 * WAD


def test_resolver_checker(w: World) -> None:
    """§1.1 Resolver: the calldata of performUpkeepSinglePool for the first pool due."""
    resolver = w.chain.deploy("Resolver", w.factory.address, sender=w.gov)
    assert resolver.call("poolKeeper") == w.keeper.address
    assert resolver.call("poolFactory") == w.factory.address
    m = w.market()
    w.chain.mine(m.last_price_timestamp() + U + 100_000)  # every pool of the module is due
    can_exec, payload = resolver.call("checker")
    assert can_exec is True
    first_due = w.factory.call("pools", 0)
    assert payload == "0x" + w.keeper.calldata("performUpkeepSinglePool", first_due).hex()


def test_setter_events(w: World) -> None:
    """§2.12 setters: each emits its event with the arguments as passed."""
    m = w.market()
    a, b = w.users[0], w.users[1]
    rows: list[tuple[Any, tuple[Any, ...], str, list[tuple[Any, str, dict[str, Any]]]]] = [
        (w.factory, ("setFee", 123), w.gov, [(w.factory, "FeeChanged", {"fee": 123})]),
        (
            w.factory,
            ("setSecondaryFeeSplitPercent", 42),
            w.gov,
            [(w.factory, "SecondaryFeeSplitChanged", {"fee": 42})],
        ),
        (
            w.factory,
            ("setFeeReceiver", a),
            w.gov,
            [(w.factory, "FeeReceiverChanged", {"receiver": a})],
        ),
        (
            w.factory,
            ("setPoolKeeper", w.keeper.address),
            w.gov,
            [(w.factory, "PoolKeeperChanged", {"_poolKeeper": w.keeper.address})],
        ),
        (
            w.factory,
            ("setAutoClaim", w.auto_claim.address),
            w.gov,
            [(w.factory, "AutoClaimChanged", {"autoClaim": w.auto_claim.address})],
        ),
        (
            w.factory,
            ("setInvariantCheck", w.invariant_check.address),
            w.gov,
            [(w.factory, "InvariantCheckChanged", {"invariantCheck": w.invariant_check.address})],
        ),
        (w.keeper, ("setGasPrice", 7), w.gov, [(w.keeper, "GasPriceChanged", {"price": 7})]),
        (
            w.keeper,
            ("setKeeperRewards", w.rewards.address),
            w.gov,
            [
                (
                    w.keeper,
                    "KeeperRewardsSet",
                    {"oldKeeperRewards": w.rewards.address, "newKeeperRewards": w.rewards.address},
                )
            ],
        ),
        (
            m.pool,
            ("setKeeper", a),
            w.gov,
            [(m.pool, "KeeperAddressChanged", {"oldAddress": w.keeper.address, "newAddress": a})],
        ),
        (
            m.pool,
            ("updateFeeAddress", b),
            w.gov,
            [(m.pool, "FeeAddressUpdated", {"oldAddress": w.fee_receiver, "newAddress": b})],
        ),
        (
            m.pool,
            ("updateSecondaryFeeAddress", a),
            m.deployer,
            [(m.pool, "SecondaryFeeAddressUpdated", {"oldAddress": m.deployer, "newAddress": a})],
        ),
        (
            m.committer,
            ("setMintingFee", 5 * 10**15 + 1),
            w.fee_controller,
            [(m.committer, "MintingFeeSet", {"_mintingFee": 5 * 10**15 + 1})],
        ),
        (
            m.committer,
            ("setBurningFee", 3),
            w.fee_controller,
            [(m.committer, "BurningFeeSet", {"_burningFee": 3})],
        ),
        (
            m.committer,
            ("setChangeInterval", 4),
            w.fee_controller,
            [(m.committer, "ChangeIntervalSet", {"_changeInterval": 4})],
        ),
        (
            m.committer,
            ("setFeeController", a),
            w.gov,
            [(m.committer, "FeeControllerSet", {"_feeController": a})],
        ),
        (
            m.committer,
            ("setFeeController", b),
            a,  # the controller may hand it on
            [(m.committer, "FeeControllerSet", {"_feeController": b})],
        ),
        (
            w.factory,
            ("transferGovernance", a),
            w.gov,
            [(w.factory, "ProvisionalGovernanceChanged", {"newAddress": a})],
        ),
        (
            w.factory,
            ("claimGovernance",),
            a,
            [(w.factory, "GovernanceAddressChanged", {"oldAddress": w.gov, "newAddress": a})],
        ),
        (
            w.keeper,
            ("transferOwnership", b),
            w.gov,
            [(w.keeper, "OwnershipTransferred", {"previousOwner": w.gov, "newOwner": b})],
        ),
    ]
    for contract, (function, *args), sender, expected in rows:
        assert_events(contract.send(function, *args, sender=sender), expected)
    assert m.committer.call("mintingFee") == pp_quad.hex16(pp_quad.q(5 * 10**15 + 1))
    assert w.factory.call("governance") == a and w.keeper.call("owner") == b
    assert m.pool.call("keeper") == a and m.pool.call("feeAddress") == b
    # PoolToken (OZ 4.2): transferFrom emits Transfer then Approval, even for 2**256 - 1
    m.long.send("approve", b, 2**256 - 1, sender=a)
    result = m.long.send("transferFrom", a, b, 0, sender=b)
    assert result.names == ["Transfer", "Approval"]
    assert result.logs[1].args == {"owner": a, "spender": b, "value": 2**256 - 1}
