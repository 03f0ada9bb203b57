"""Commits, fees, execution, aggregation and claims on a real anvil (reference §2.3, §2.9,
§2.12, §3.2-§3.4, §4.1-§4.2).

One market (3x, U 3600, F 300, mint fee 1 %, burn fee 0.5 %, annual fee 2 %, split 10 %) is
deployed once; the ``settled`` state (both sides minted and claimed, then a second interval of
mints and burns executed, so user A holds wallet tokens and escrowed long, short and settlement)
is snapshotted and every test rolls back to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.contracts import pp_quad, pp_ref
from tests.contracts.pp_world import (
    GENESIS,
    MAX_UINT,
    WAD,
    Market,
    World,
    assert_events,
    fee_of,
    flip,
    get_burn,
    get_mint,
    interval_id,
    require_artifacts,
    secondary_share,
    side_fee,
)

MINT_FEE = 10**16  # 1 %
BURN_FEE = 5 * 10**15  # 0.5 %
ANNUAL_FEE = 2 * 10**16
U, F = 3600, 300
ZERO = "0x" + "00" * 20

# commitType -> index of its field in TotalCommitment / UserCommitment
FIELD = {0: 2, 1: 3, 2: 0, 3: 1, 4: 5, 5: 4}
LONG_BURNS, SHORT_BURNS = {3, 4}, {1, 5}
MINTS = {0, 2}


@dataclass
class Settled:
    world: World
    market: Market
    a: str  # holds wallet long/short and escrowed long, short and settlement
    b: str
    t0: int  # lastPriceTimestamp after the second upkeep
    snapshot: str


@pytest.fixture(scope="module")
def world(anvil: Any) -> World:
    require_artifacts()
    return World(anvil(timestamp=GENESIS, accounts=12), annual_fee_wad=ANNUAL_FEE)


@pytest.fixture(scope="module")
def settled(world: World) -> Settled:
    m = world.market(
        minting_fee=MINT_FEE, burning_fee=BURN_FEE, update_interval=U, front_running_interval=F
    )
    a, b = world.users[0], world.users[1]
    for user in (a, b):
        m.fund(user, 100_000 * WAD)
    t0 = m.last_price_timestamp()
    assert m.commit(a, 2000 * WAD + 17, pp_ref.LONG_MINT).ok
    assert m.commit(a, 2000 * WAD + 29, pp_ref.SHORT_MINT).ok
    assert m.commit(b, 3000 * WAD + 5, pp_ref.SHORT_MINT).ok
    assert "UpkeepSuccessful" in m.upkeep(at=t0 + U).names
    m.committer.send("claim", a, sender=a)
    m.committer.send("claim", b, sender=b)
    t1 = m.last_price_timestamp()
    m.set_price(3030 * 10**8)
    assert m.commit(a, 1000 * WAD + 3, pp_ref.LONG_MINT).ok
    assert m.commit(a, 1000 * WAD + 7, pp_ref.SHORT_MINT).ok
    assert m.commit(a, 100 * WAD + 11, pp_ref.LONG_BURN).ok
    assert m.commit(a, 100 * WAD + 13, pp_ref.SHORT_BURN).ok
    assert "UpkeepSuccessful" in m.upkeep(at=t1 + U).names
    return Settled(world, m, a, b, m.last_price_timestamp(), world.chain.snapshot())


@pytest.fixture
def s(settled: Settled) -> Iterator[Settled]:
    world = settled.world
    world.chain.revert_to(settled.snapshot)
    settled.snapshot = world.chain.snapshot()
    yield settled


def test_mint_from_wallet_events_and_fee(world: World) -> None:
    """§3.4 at commit time: the gross amount moves, the fee goes to the side at once, the net
    is queued; §2.12 event order with the OZ 4.2 Approval after Transfer."""
    snapshot = world.chain.snapshot()
    try:
        m = world.market(minting_fee=MINT_FEE, burning_fee=BURN_FEE)
        user = world.users[2]
        m.fund(user, 10_000 * WAD)
        amount = 1234 * WAD + 567
        fee = fee_of(MINT_FEE, amount)
        result = m.commit(user, amount, pp_ref.LONG_MINT)
        assert result.ok, result.revert
        assert_events(
            result,
            [
                (m.pool, "PoolBalancesChanged", {"long": 0, "short": 0}),
                (m.committer, "AggregateBalanceUpdated", {"user": user}),
                (m.pool, "PoolBalancesChanged", {"long": fee, "short": 0}),
                (m.token, "Transfer", {"from": user, "to": m.pool.address, "value": amount}),
                (
                    m.token,
                    "Approval",
                    {"owner": user, "spender": m.pool.address, "value": MAX_UINT - amount},
                ),
                (
                    m.committer,
                    "CreateCommit",
                    {
                        "user": user,
                        "amount": amount,
                        "commitType": pp_ref.LONG_MINT,
                        "appropriateUpdateIntervalId": 1,
                        "fromAggregateBalance": False,
                        "payForClaim": False,
                        "mintingFee": pp_quad.hex16(pp_quad.q(MINT_FEE)),
                    },
                ),
            ],
        )
        assert m.balances() == (fee, 0)
        assert m.committer.call("pendingMintSettlementAmount") == amount - fee
        assert m.committer.call("totalPoolCommitments", 1) == [amount - fee, 0, 0, 0, 0, 0]
        assert m.committer.call("userCommitments", user, 1) == [amount - fee, 0, 0, 0, 0, 0, 1]
        assert m.committer.call("unAggregatedCommitments", user, 0) == 1
        assert m.token.call("balanceOf", m.pool.address) == amount
        # execution: the first mint of a fresh side is 1:1 (price ONE), the fee stays in the side
        result = m.upkeep(at=m.deployed_at + U)
        assert result.ok
        assert m.committer.call("priceHistory", 1) == [pp_quad.hex16(pp_quad.ONE)] * 2
        assert m.committer.call("getAggregateBalance", user) == [amount - fee, 0, 0]
        assert m.long.call("totalSupply") == amount - fee
        # the management fee came off the side's balance (the mint fee) before execution
        assert m.balances() == (amount - side_fee(m.pool.call("getFee"), fee), 0)
        assert m.committer.call("totalPoolCommitments", 1) == [0] * 6
    finally:
        world.chain.revert_to(snapshot)


def test_settled_state_is_what_the_rules_say(s: Settled) -> None:
    """The fixture's second interval executed: A's escrow holds exactly the credits of §3.8.3
    item 10 at priceHistory(2), and A's burn fees are not yet in the side balances."""
    m = s.market
    long_price, short_price = m.committer.call("priceHistory", 2)
    burn_fee = m.committer.call("burnFeeHistory", 2)
    assert burn_fee == pp_quad.hex16(pp_quad.q(BURN_FEE))
    expected_long = get_mint(long_price, 1000 * WAD + 3 - fee_of(MINT_FEE, 1000 * WAD + 3))
    expected_short = get_mint(short_price, 1000 * WAD + 7 - fee_of(MINT_FEE, 1000 * WAD + 7))
    g_long, g_short = get_burn(long_price, 100 * WAD + 11), get_burn(short_price, 100 * WAD + 13)
    settlement = g_long - fee_of(burn_fee, g_long) + g_short - fee_of(burn_fee, g_short)
    assert m.committer.call("getAggregateBalance", s.a) == [
        expected_long,
        expected_short,
        settlement,
    ]
    assert m.committer.call("updateIntervalId") == 3


def test_burn_fee_reaches_the_side_only_at_aggregation(s: Settled) -> None:
    """§3.4: burn fees are credited lazily, when the burner's escrow is aggregated, by anyone."""
    m = s.market
    long_price, short_price = m.committer.call("priceHistory", 2)
    burn_fee = m.committer.call("burnFeeHistory", 2)
    long_fee = fee_of(burn_fee, get_burn(long_price, 100 * WAD + 11))
    short_fee = fee_of(burn_fee, get_burn(short_price, 100 * WAD + 13))
    long_before, short_before = m.balances()
    result = m.committer.send("updateAggregateBalance", s.a, sender=s.world.bot)
    assert_events(
        result,
        [
            (
                m.pool,
                "PoolBalancesChanged",
                {"long": long_before + long_fee, "short": short_before + short_fee},
            ),
            (m.committer, "AggregateBalanceUpdated", {"user": s.a}),
        ],
    )
    assert m.balances() == (long_before + long_fee, short_before + short_fee)
    # aggregated: the commitment is deleted and a second aggregation credits nothing more
    assert m.committer.call("userCommitments", s.a, 2) == [0] * 7
    result = m.committer.send("updateAggregateBalance", s.a, sender=s.world.bot)
    assert result.one("PoolBalancesChanged").args == {
        "long": long_before + long_fee,
        "short": short_before + short_fee,
    }


CASES = [(t, agg) for t in range(6) for agg in (False, True)]


@pytest.mark.parametrize(
    ("commit_type", "from_aggregate"),
    CASES,
    ids=[f"type{t}-{'escrow' if a else 'wallet'}" for t, a in CASES],
)
def test_every_commit_type(s: Settled, commit_type: int, from_aggregate: bool) -> None:
    """Each commit type from the wallet and from the aggregate balance: events (§2.12), queue
    and pending amounts (§3.4 commit time), then the credit after execution (§3.8.3 item 10)."""
    m, a = s.market, s.a
    amount = 10 * WAD + 1 + commit_type
    # the commit's own aggregation credits A's interval-2 burn fees first
    long_price2, short_price2 = m.committer.call("priceHistory", 2)
    burn_fee2 = m.committer.call("burnFeeHistory", 2)
    long_fee = fee_of(burn_fee2, get_burn(long_price2, 100 * WAD + 11))
    short_fee = fee_of(burn_fee2, get_burn(short_price2, 100 * WAD + 13))
    long0, short0 = m.balances()
    long_agg, short_agg = long0 + long_fee, short0 + short_fee
    escrow = m.committer.call("getAggregateBalance", a)
    wallet = [
        m.long.call("balanceOf", a),
        m.short.call("balanceOf", a),
        m.token.call("balanceOf", a),
    ]
    supply = [m.long.call("totalSupply"), m.short.call("totalSupply")]
    pending = [
        m.committer.call(f)
        for f in (
            "pendingMintSettlementAmount",
            "pendingLongBurnPoolTokens",
            "pendingShortBurnPoolTokens",
        )
    ]
    at = m.last_price_timestamp() + 10
    expected_id = interval_id(at, m.last_price_timestamp(), F, U, 3)
    result = m.commit(a, amount, commit_type, from_aggregate=from_aggregate, at=at)
    assert result.ok, result.revert
    create = {
        "user": a,
        "amount": amount,
        "commitType": commit_type,
        "appropriateUpdateIntervalId": expected_id,
        "fromAggregateBalance": from_aggregate,
        "payForClaim": False,
        "mintingFee": pp_quad.hex16(pp_quad.q(MINT_FEE)),
    }
    head = [
        (m.pool, "PoolBalancesChanged", {"long": long_agg, "short": short_agg}),
        (m.committer, "AggregateBalanceUpdated", {"user": a}),
    ]
    fee = fee_of(MINT_FEE, amount) if commit_type in MINTS else 0
    if commit_type in MINTS:
        side = (
            (long_agg + fee, short_agg)
            if commit_type == pp_ref.LONG_MINT
            else (long_agg, short_agg + fee)
        )
        body: list[Any] = [(m.pool, "PoolBalancesChanged", {"long": side[0], "short": side[1]})]
        if not from_aggregate:
            body += [
                (m.token, "Transfer", {"from": a, "to": m.pool.address, "value": amount}),
                (m.token, "Approval", None),
            ]
    else:
        token = m.long if commit_type in LONG_BURNS else m.short
        source = m.pool.address if from_aggregate else a
        body = [(token, "Transfer", {"from": source, "to": ZERO, "value": amount})]
    assert_events(result, head + body + [(m.committer, "CreateCommit", create)])
    # queue, pending amounts, supplies, wallet and escrow
    queued = [0] * 6
    queued[FIELD[commit_type]] = amount - fee
    assert m.committer.call("totalPoolCommitments", expected_id) == queued
    assert m.committer.call("userCommitments", a, expected_id) == [*queued, expected_id]
    new_pending = list(pending)
    if commit_type in MINTS:
        new_pending[0] += amount - fee
        assert m.balances() == side
    else:
        new_pending[1 if commit_type in LONG_BURNS else 2] += amount
        index = 0 if commit_type in LONG_BURNS else 1
        supply[index] -= amount
    assert [
        m.committer.call(f)
        for f in (
            "pendingMintSettlementAmount",
            "pendingLongBurnPoolTokens",
            "pendingShortBurnPoolTokens",
        )
    ] == new_pending
    assert [m.long.call("totalSupply"), m.short.call("totalSupply")] == supply
    spent = 2 if commit_type in MINTS else (0 if commit_type in LONG_BURNS else 1)
    if from_aggregate:
        escrow[spent] -= amount
    else:
        wallet[spent] -= amount
    assert m.committer.call("getAggregateBalance", a) == escrow
    assert [
        m.long.call("balanceOf", a),
        m.short.call("balanceOf", a),
        m.token.call("balanceOf", a),
    ] == wallet
    # execution: the price is unchanged, so only the management fee moves the sides before the
    # interval's prices B / (S + all pending burns) are taken (§3.8.3 items 2, 6, 9)
    f = m.pool.call("getFee")
    before_long, before_short = m.balances()
    denominators = [supply[0] + new_pending[1], supply[1] + new_pending[2]]
    expected_prices = [
        pp_quad.hex16(pp_quad.div(pp_quad.q(b - side_fee(f, b)), pp_quad.q(n)))
        for b, n in zip((before_long, before_short), denominators, strict=True)
    ]
    result = m.upkeep(at=m.last_price_timestamp() + U)
    assert result.ok and "UpkeepSuccessful" in result.names, result.logs
    assert m.committer.call("updateIntervalId") == expected_id + 1
    long_price, short_price = m.committer.call("priceHistory", expected_id)
    assert [long_price, short_price] == expected_prices
    burn_fee = m.committer.call("burnFeeHistory", expected_id)
    mint_fee = m.committer.call("mintingFee")
    credit = [0, 0, 0]
    if commit_type == pp_ref.LONG_MINT:
        credit[0] = get_mint(long_price, amount - fee)
    elif commit_type == pp_ref.SHORT_MINT:
        credit[1] = get_mint(short_price, amount - fee)
    elif commit_type in (pp_ref.LONG_BURN, pp_ref.SHORT_BURN):
        g = get_burn(long_price if commit_type == pp_ref.LONG_BURN else short_price, amount)
        credit[2] = g - fee_of(burn_fee, g)
    elif commit_type == pp_ref.LONG_BURN_SHORT_MINT:
        value, _, _ = flip(amount, long_price, burn_fee, mint_fee)
        credit[1] = get_mint(short_price, value)
    else:
        value, _, _ = flip(amount, short_price, burn_fee, mint_fee)
        credit[0] = get_mint(long_price, value)
    assert m.committer.call("getAggregateBalance", a) == [
        e + c for e, c in zip(escrow, credit, strict=True)
    ]


def test_management_fee_per_upkeep_and_secondary_split(s: Settled) -> None:
    """§3.2: once per upkeep, before the transfer, f·side/1e18 from each side; 10 % (the
    factory default) to the deployer as secondary fees; claimable by anyone."""
    m, world = s.market, s.world
    f = m.pool.call("getFee")
    assert f == ANNUAL_FEE * U // 31_556_952 == 2_281_589_172_490
    assert m.pool.call("secondaryFeeSplitPercent") == 10
    assert m.pool.call("secondaryFeeAddress") == m.deployer
    assert m.pool.call("feeAddress") == world.fee_receiver
    long0, short0 = m.balances()
    primary0, secondary0 = m.pool.call("primaryFees"), m.pool.call("secondaryFees")
    old_price = world.keeper.call("executionPrice", m.pool.address)
    m.set_price(2950 * 10**8)
    new_price = 2950 * 10**18
    expected = m.world.library.call(
        "calculateValueTransfer",
        long0,
        short0,
        m.pool.call("leverageAmount"),
        old_price,
        new_price,
        m.pool.call("fee"),
    )
    long_fee, short_fee = side_fee(f, long0), side_fee(f, short0)
    assert expected[2:] == [long_fee, short_fee]
    result = m.upkeep(at=m.last_price_timestamp() + U)
    rebalance = result.one("PoolRebalance").args
    assert rebalance == {
        "shortBalanceChange": expected[1] - short0,
        "longBalanceChange": expected[0] - long0,
        "shortFeeAmount": short_fee,
        "longFeeAmount": long_fee,
    }
    total = long_fee + short_fee
    secondary = secondary_share(total, 10)
    assert m.pool.call("secondaryFees") - secondary0 == secondary
    assert m.pool.call("primaryFees") - primary0 == total - secondary
    assert m.balances() == (expected[0], expected[1])
    before = m.token.call("balanceOf", m.deployer)
    paid = m.pool.send("claimSecondaryFees", sender=world.bot)
    assert_events(
        paid,
        [
            (
                m.token,
                "Transfer",
                {"from": m.pool.address, "to": m.deployer, "value": secondary0 + secondary},
            ),
            (
                m.pool,
                "SecondaryFeesPaid",
                {"secondaryFeeAddress": m.deployer, "amount": secondary0 + secondary},
            ),
        ],
    )
    assert m.token.call("balanceOf", m.deployer) - before == secondary0 + secondary
    assert m.pool.call("secondaryFees") == 0
    # claiming again transfers and emits with 0
    again = m.pool.send("claimSecondaryFees", sender=world.bot)
    assert [log.args.get("value", log.args.get("amount")) for log in again.logs] == [0, 0]


def test_claim_moves_escrow_in_order(s: Settled) -> None:
    """§2.12 claim: aggregation, Claim, then settlement, long, short transfers (each only if
    non-zero); an empty claim emits Claim alone after the aggregation pair."""
    m, a, b = s.market, s.a, s.b
    escrow = m.committer.call("getAggregateBalance", a)
    assert all(escrow)
    result = m.committer.send("claim", a, sender=a)
    assert [(log.address, log.event) for log in result.logs] == [
        (m.pool.address, "PoolBalancesChanged"),
        (m.committer.address, "AggregateBalanceUpdated"),
        (m.committer.address, "Claim"),
        (m.token.address, "Transfer"),
        (m.long.address, "Transfer"),
        (m.short.address, "Transfer"),
    ]
    assert [log.args["value"] for log in result.logs[3:]] == [escrow[2], escrow[0], escrow[1]]
    assert m.committer.call("getAggregateBalance", a) == [0, 0, 0]
    assert m.committer.call("userAggregateBalance", a) == [0, 0, 0]
    empty = m.committer.send("claim", b, sender=b)
    assert empty.names == ["PoolBalancesChanged", "AggregateBalanceUpdated", "Claim"]
    other = m.committer.tx("claim", a, sender=b)
    assert not other.ok and other.revert == "msg.sender not committer or AutoClaim"


def test_front_running_window_boundaries(s: Settled) -> None:
    """§4.1: a commit at T0+U−F−1 gets I, one at T0+U−F gets I+1; an upkeep at T0+U−1 is a
    silent no-op and one at T0+U runs."""
    m, a = s.market, s.a
    t0, current = s.t0, m.committer.call("updateIntervalId")
    early = m.commit(a, WAD, pp_ref.LONG_MINT, at=t0 + U - F - 1)
    assert early.one("CreateCommit").args["appropriateUpdateIntervalId"] == current
    assert m.committer.call("getAppropriateUpdateIntervalId", block=early.block) == current
    late = m.commit(a, WAD, pp_ref.SHORT_MINT, at=t0 + U - F)
    assert late.one("CreateCommit").args["appropriateUpdateIntervalId"] == current + 1
    assert m.pool.call("intervalPassed") is False
    noop = m.upkeep(at=t0 + U - 1)
    assert noop.ok and noop.logs == []
    assert m.last_price_timestamp() == t0
    assert (
        m.world.keeper.call("isUpkeepRequiredSinglePool", m.pool.address, time_override=t0 + U)
        is True
    )
    run = m.upkeep(at=t0 + U)
    assert run.one("ExecutedCommitsForInterval").args["updateIntervalId"] == current
    assert m.last_price_timestamp() == t0 + U
    # the early commit executed, the late one is pending for the next interval
    assert m.committer.call("userCommitments", a, current + 1)[2] > 0


def test_commit_landing_with_frontrunning_longer_than_the_interval(world: World) -> None:
    """§4.1 with F > U (rich pool B: U 1800, F 2400): every commit lands at least two ids
    ahead, so interval I executes empty; the formula id = I + ⌊(t + F − T0) / U⌋ holds."""
    snapshot = world.chain.snapshot()
    try:
        m = world.market(update_interval=1800, front_running_interval=2400)
        user = world.users[3]
        m.fund(user, 1000 * WAD)
        t0 = m.last_price_timestamp()
        for offset in (10, 1199, 1200, 1799):
            result = m.commit(user, WAD, pp_ref.LONG_MINT, at=t0 + offset)
            assert result.one("CreateCommit").args["appropriateUpdateIntervalId"] == (
                interval_id(t0 + offset, t0, 2400, 1800, 1)
            ), offset
        result = m.upkeep(at=t0 + 1800)
        assert [
            log.args["updateIntervalId"] for log in result.by_name("ExecutedCommitsForInterval")
        ] == [1]
        assert m.long.call("totalSupply") == 0
    finally:
        world.chain.revert_to(snapshot)


def test_backlog_of_seventeen_intervals_takes_two_upkeeps(world: World) -> None:
    """§3.1: 17 due intervals: the first upkeep executes 15 (one PoolRebalance) and sets
    lastPriceTimestamp = savedTs + 15·U; the next, a second later, executes 2 and charges the
    fee again. With exactly 15 due, lastPriceTimestamp becomes now."""
    snapshot = world.chain.snapshot()
    try:
        m = world.market()
        user = world.users[4]
        m.fund(user, 10_000 * WAD)
        t0 = m.last_price_timestamp()
        assert m.commit(user, 1000 * WAD, pp_ref.LONG_MINT).ok
        assert m.commit(user, 1000 * WAD, pp_ref.SHORT_MINT).ok
        inner = world.chain.snapshot()
        # exactly 15 due
        result = m.upkeep(at=t0 + 15 * U + 5)
        assert len(result.by_name("ExecutedCommitsForInterval")) == 15
        assert m.last_price_timestamp() == t0 + 15 * U + 5
        world.chain.revert_to(inner)
        first = m.upkeep(at=t0 + 17 * U)
        executed = [
            log.args["updateIntervalId"] for log in first.by_name("ExecutedCommitsForInterval")
        ]
        assert executed == list(range(1, 16))
        assert len(first.by_name("PoolRebalance")) == 1
        assert first.names[-1] == "KeeperPaymentError"  # keeper gas price 0
        assert m.last_price_timestamp() == t0 + 15 * U
        assert m.committer.call("updateIntervalId") == 16
        assert world.keeper.call("isUpkeepRequiredSinglePool", m.pool.address) is True
        long_balance, short_balance = m.balances()
        f = m.pool.call("getFee")
        second = m.upkeep(at=t0 + 17 * U + 1)
        executed = [
            log.args["updateIntervalId"] for log in second.by_name("ExecutedCommitsForInterval")
        ]
        assert executed == [16, 17]
        rebalance = second.one("PoolRebalance").args
        assert rebalance["longFeeAmount"] == side_fee(f, long_balance) > 0
        assert rebalance["shortFeeAmount"] == side_fee(f, short_balance) > 0
        assert m.last_price_timestamp() == t0 + 17 * U + 1
        assert m.committer.call("updateIntervalId") == 18
    finally:
        world.chain.revert_to(snapshot)


def test_commit_argument_decoding_is_lenient(s: Settled) -> None:
    """§2.9: amount is the low 128 bits, a flag byte of 0x02 counts as true, bits 152-255 are
    ignored; a commit type above 5 panics with 0x21 after the amount check."""
    m, a = s.market, s.a
    word = 5 * WAD | pp_ref.LONG_MINT << 128 | 0x02 << 136 | ((1 << 104) - 1) << 152
    result = m.committer.tx("commit", "0x" + word.to_bytes(32, "big").hex(), sender=a)
    assert result.ok, result.revert
    args = result.one("CreateCommit").args
    assert (args["amount"], args["commitType"], args["fromAggregateBalance"]) == (
        5 * WAD,
        pp_ref.LONG_MINT,
        True,
    )
    bad_type = m.committer.tx("commit", pp_ref.encode_commit(WAD, 6), sender=a)
    assert not bad_type.ok and bad_type.revert == "Panic(0x21)"
    zero = m.committer.tx("commit", pp_ref.encode_commit(0, 6), sender=a)
    assert zero.revert == "Amount must not be zero"
    # L2Encoder packs the same bytes (§2.9 examples)
    assert m.world.encoder.call(
        "encodeCommitParams", 100 * 10**6, pp_ref.LONG_MINT, False, False
    ) == ("0x0000000000000000000000000000000200000000000000000000000005f5e100")
    assert m.world.encoder.call(
        "encodeCommitParams", 400 * 10**6, pp_ref.LONG_BURN, True, True
    ) == ("0x0000000000000000000000000001010300000000000000000000000017d78400")


def test_is_mint_burn_long_short_are_false_for_flips(s: Settled) -> None:
    c = s.market.committer
    table = [
        (c.call("isMint", t), c.call("isBurn", t), c.call("isLong", t), c.call("isShort", t))
        for t in range(6)
    ]
    assert table == [
        (True, False, False, True),
        (False, True, False, True),
        (True, False, True, False),
        (False, True, True, False),
        (False, False, False, False),
        (False, False, False, False),
    ]


def test_aggregation_processes_fifteen_ids_with_swap_and_pop(world: World) -> None:
    """§4.3: commits in ids 3…19 (made while upkeeps were overdue), all executed by a backlog;
    one aggregation processes 15 of them and leaves the array [19, 18]; the next empties it."""
    snapshot = world.chain.snapshot()
    try:
        m = world.market()
        user = world.users[2]
        m.fund(user, 10_000 * WAD)
        t0 = m.last_price_timestamp()
        for k in range(2, 19):
            result = m.commit(user, WAD + k, pp_ref.LONG_MINT, at=t0 + k * U + 10)
            assert result.one("CreateCommit").args["appropriateUpdateIntervalId"] == k + 1
        assert [m.committer.call("unAggregatedCommitments", user, i) for i in range(17)] == list(
            range(3, 20)
        )
        assert len(m.upkeep(at=t0 + 19 * U + 20).by_name("ExecutedCommitsForInterval")) == 15
        assert len(m.upkeep().by_name("ExecutedCommitsForInterval")) == 4
        assert m.committer.call("updateIntervalId") == 20
        m.committer.send("updateAggregateBalance", user, sender=world.bot)
        remaining = [m.committer.call("unAggregatedCommitments", user, i) for i in range(2)]
        assert remaining == [19, 18]
        ok, reason = m.committer.try_call("unAggregatedCommitments", user, 2)
        assert (ok, reason) == (False, "")
        credit = {
            i: get_mint(m.committer.call("priceHistory", i)[0], WAD + i - 1) for i in range(3, 20)
        }
        assert m.committer.call("userAggregateBalance", user)[0] == sum(
            credit[i] for i in range(3, 18)
        )
        m.committer.send("updateAggregateBalance", user, sender=world.bot)
        assert m.committer.try_call("unAggregatedCommitments", user, 0) == (False, "")
        assert m.committer.call("userAggregateBalance", user)[0] == sum(credit.values())
    finally:
        world.chain.revert_to(snapshot)


def test_dynamic_minting_fee(world: World) -> None:
    """§3.5: after each upkeep that executes intervals the fee moves by changeInterval: up when
    p_long·p_short <= 1 (an empty pool: 1·1), down when the product is > 1 (mint fees credited
    to the sides); capped at 100 %, floored at 0; no event."""
    snapshot = world.chain.snapshot()
    try:
        change = 75 * 10**13  # 0.075 %
        m = world.market(minting_fee=3 * 10**15, change_interval=change)
        inner = world.chain.snapshot()
        result = m.upkeep(at=m.last_price_timestamp() + U)
        assert "MintingFeeSet" not in result.names
        assert m.committer.call("getMintingFee") == 3 * 10**15 + change
        world.chain.revert_to(inner)
        for user, kind in ((world.users[0], pp_ref.LONG_MINT), (world.users[1], pp_ref.SHORT_MINT)):
            m.fund(user, 10_000 * WAD)
            assert m.commit(user, 1000 * WAD, kind).ok
        m.upkeep(at=m.last_price_timestamp() + U)
        assert m.committer.call("getMintingFee") == 3 * 10**15 - change
        assert m.committer.call("mintingFee") == pp_quad.hex16(pp_quad.q(3 * 10**15 - change))
        m.committer.send("setMintingFee", change - 1, sender=world.fee_controller)
        m.upkeep(at=m.last_price_timestamp() + U)
        assert m.committer.call("getMintingFee") == 0  # below changeInterval: floored at 0
        m.committer.send("setMintingFee", WAD, sender=world.fee_controller)
        m.committer.send("setChangeInterval", WAD, sender=world.fee_controller)
        for user in world.users[:2]:
            m.committer.send("claim", user, sender=user)
        for user, kind, token in (
            (world.users[0], pp_ref.LONG_BURN, m.long),
            (world.users[1], pp_ref.SHORT_BURN, m.short),
        ):
            assert m.commit(user, token.call("balanceOf", user), kind).ok
        m.upkeep(at=m.last_price_timestamp() + U)  # empty sides again: 1·1, raised and capped
        assert m.committer.call("getMintingFee") == WAD
    finally:
        world.chain.revert_to(snapshot)
