"""AutoClaim on a real anvil (reference §2.6, §2.12, §4.2): paid commits, paidClaim by another
account, its no-op cases, a second paid commit while pending, the nested claim, the self-claim
refund, withdrawClaimRequest and the multi-claim forms. ETH amounts are compared excluding gas.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.contracts import pp_ref
from tests.contracts.pp_chain import TxResult
from tests.contracts.pp_world import GENESIS, WAD, Market, World, assert_events, require_artifacts

U = 3600
REWARD = 10**16


@dataclass
class Env:
    world: World
    market: Market
    snapshot: str

    @property
    def ac(self) -> Any:
        return self.world.auto_claim


@pytest.fixture(scope="module")
def env(anvil: Any) -> Env:
    require_artifacts()
    world = World(anvil(timestamp=GENESIS, accounts=12))
    m = world.market()
    for user in world.users:
        m.fund(user, 10_000 * WAD)
    return Env(world, m, world.chain.snapshot())


@pytest.fixture
def e(env: Env) -> Iterator[Env]:
    env.world.chain.revert_to(env.snapshot)
    env.snapshot = env.world.chain.snapshot()
    yield env


def eth_change(e: Env, result: TxResult, sender: str, who: str) -> int:
    """ETH moved to ``who`` by the call itself (gas added back for the sender)."""
    chain = e.world.chain
    delta = chain.balance(who, result.block) - chain.balance(who, result.block - 1)
    return delta + (result.gas_cost if who == sender else 0)


def paid_commit(e: Env, user: str, value: int, amount: int = 100 * WAD) -> TxResult:
    result = e.market.commit(user, amount, pp_ref.LONG_MINT, pay_for_claim=True, value=value)
    assert result.ok, result.revert
    return result


def test_paid_commit_then_paid_claim_by_another_account(e: Env) -> None:
    m, w, ac = e.market, e.world, e.ac
    user, bot = w.users[0], w.bot
    result = paid_commit(e, user, REWARD)
    assert result.names == [
        "PoolBalancesChanged",
        "AggregateBalanceUpdated",
        "PoolBalancesChanged",
        "Transfer",
        "Approval",
        "PaidClaimRequestUpdate",
        "CreateCommit",
    ]
    assert result.one("PaidClaimRequestUpdate").args == {
        "user": user,
        "poolCommitter": m.committer.address,
        "updateIntervalId": 1,
        "newReward": REWARD,
    }
    assert result.one("CreateCommit").args["payForClaim"] is True
    assert eth_change(e, result, user, user) == -REWARD
    assert eth_change(e, result, user, ac.address) == REWARD
    assert ac.call("claimRequests", user, m.committer.address) == [1, REWARD]
    assert ac.call("checkUserClaim", user, m.committer.address) is False
    # not yet claimable: a no-op (no revert, no event, no ETH)
    noop = ac.send("paidClaim", user, m.committer.address, sender=bot)
    assert noop.logs == [] and eth_change(e, noop, bot, bot) == 0
    # a second paid commit while pending adds ETH and keeps the original id
    more = paid_commit(e, user, 2 * 10**15)
    assert more.one("PaidClaimRequestUpdate").args == {
        "user": user,
        "poolCommitter": m.committer.address,
        "updateIntervalId": 1,
        "newReward": REWARD + 2 * 10**15,
    }
    assert ac.call("checkClaim", [1, 5], 1) is False
    assert ac.call("checkClaim", [1, 5], 2) is True
    assert m.upkeep(at=m.last_price_timestamp() + U).ok
    assert ac.call("checkUserClaim", user, m.committer.address) is True
    escrow = m.committer.call("getAggregateBalance", user)
    claim = ac.send("paidClaim", user, m.committer.address, sender=bot)
    assert_events(
        claim,
        [
            (m.pool, "PoolBalancesChanged", None),
            (m.committer, "AggregateBalanceUpdated", {"user": user}),
            (m.committer, "Claim", {"user": user}),
            (m.long, "Transfer", {"from": m.pool.address, "to": user, "value": escrow[0]}),
            (
                ac,
                "PaidRequestExecution",
                {"user": user, "poolCommitter": m.committer.address, "reward": REWARD + 2 * 10**15},
            ),
        ],
    )
    assert eth_change(e, claim, bot, bot) == REWARD + 2 * 10**15
    assert e.world.chain.balance(ac.address) == 0
    assert ac.call("claimRequests", user, m.committer.address) == [0, 0]
    assert m.long.call("balanceOf", user) == escrow[0]
    # claimed already / never requested: no-ops
    for who in (user, w.users[1]):
        again = ac.send("paidClaim", who, m.committer.address, sender=bot)
        assert again.logs == [] and eth_change(e, again, bot, bot) == 0


def test_paid_commit_while_the_old_request_is_claimable_runs_a_nested_claim(e: Env) -> None:
    """The old ETH goes to the user, then PaidRequestExecution and a new request (§2.12)."""
    m, ac = e.market, e.ac
    user = e.world.users[1]
    paid_commit(e, user, REWARD)
    assert m.upkeep(at=m.last_price_timestamp() + U).ok
    tokens = m.committer.call("getAggregateBalance", user)[0]
    result = paid_commit(e, user, 3 * 10**15, amount=50 * WAD)
    assert_events(
        result,
        [
            (m.pool, "PoolBalancesChanged", None),
            (m.committer, "AggregateBalanceUpdated", {"user": user}),
            (m.pool, "PoolBalancesChanged", None),
            (m.token, "Transfer", None),
            (m.token, "Approval", None),
            (m.pool, "PoolBalancesChanged", None),
            (m.committer, "AggregateBalanceUpdated", {"user": user}),
            (m.committer, "Claim", {"user": user}),
            (m.long, "Transfer", {"from": m.pool.address, "to": user, "value": tokens}),
            (
                ac,
                "PaidRequestExecution",
                {"user": user, "poolCommitter": m.committer.address, "reward": REWARD},
            ),
            (
                ac,
                "PaidClaimRequestUpdate",
                {
                    "user": user,
                    "poolCommitter": m.committer.address,
                    "updateIntervalId": 2,
                    "newReward": 3 * 10**15,
                },
            ),
            (m.committer, "CreateCommit", None),
        ],
    )
    assert eth_change(e, result, user, user) == REWARD - 3 * 10**15
    assert ac.call("claimRequests", user, m.committer.address) == [2, 3 * 10**15]


def test_self_claim_refunds_a_claimable_request_and_keeps_a_pending_one(e: Env) -> None:
    m, ac = e.market, e.ac
    user = e.world.users[2]
    paid_commit(e, user, REWARD)
    # pending: a self-claim leaves the request alone
    early = m.committer.send("claim", user, sender=user)
    assert early.names == ["PoolBalancesChanged", "AggregateBalanceUpdated", "Claim"]
    assert ac.call("claimRequests", user, m.committer.address) == [1, REWARD]
    assert m.upkeep(at=m.last_price_timestamp() + U).ok
    claim = m.committer.send("claim", user, sender=user)
    assert claim.names == ["PoolBalancesChanged", "AggregateBalanceUpdated", "Claim", "Transfer"]
    assert eth_change(e, claim, user, user) == REWARD
    assert ac.call("claimRequests", user, m.committer.address) == [0, 0]


def test_withdraw_claim_request(e: Env) -> None:
    m, ac = e.market, e.ac
    user = e.world.users[3]
    silent = ac.send("withdrawClaimRequest", m.committer.address, sender=user)
    assert silent.logs == [] and eth_change(e, silent, user, user) == 0
    paid_commit(e, user, REWARD)
    result = ac.send("withdrawClaimRequest", m.committer.address, sender=user)
    assert_events(
        result, [(ac, "RequestWithdrawn", {"user": user, "poolCommitter": m.committer.address})]
    )
    assert eth_change(e, result, user, user) == REWARD
    assert ac.call("claimRequests", user, m.committer.address) == [0, 0]
    # the commitment itself stays queued
    assert m.committer.call("userCommitments", user, 1)[0] == 100 * WAD


def test_multi_paid_claims_pay_once_at_the_end(e: Env) -> None:
    m, ac, w = e.market, e.ac, e.world
    a, b, c = w.users[0], w.users[1], w.users[2]
    paid_commit(e, a, REWARD)
    paid_commit(e, b, 2 * REWARD)
    assert m.upkeep(at=m.last_price_timestamp() + U).ok
    users = w.encoder.call("encodeAddressArray", [a, b, c])
    result = ac.send("multiPaidClaimSinglePoolCommitter", users, m.committer.address, sender=w.bot)
    assert [log.event for log in result.logs if log.address == ac.address] == [
        "PaidRequestExecution",
        "PaidRequestExecution",
    ]
    assert result.names.count("Claim") == 2
    assert eth_change(e, result, w.bot, w.bot) == 3 * REWARD
    bad = ac.tx(
        "multiPaidClaimSinglePoolCommitter", users + "00", m.committer.address, sender=w.bot
    )
    assert bad.revert == "args must only include addresses"
    committers = w.encoder.call("encodeAddressArray", [m.committer.address])
    unequal = ac.tx("multiPaidClaimMultiplePoolCommitters", users, committers, sender=w.bot)
    assert unequal.revert == "args must be same length"
    one = w.encoder.call("encodeAddressArray", [a])
    assert ac.send("multiPaidClaimMultiplePoolCommitters", one, committers, sender=w.bot).logs == []


def test_autoclaim_rejects_plain_ether_and_strangers(e: Env) -> None:
    ac, w, m = e.ac, e.world, e.market
    plain = w.chain.send(w.bot, ac.address, b"", value=1)
    assert not plain.ok and plain.revert_data == b""
    fallback = w.chain.send(w.bot, ac.address, bytes.fromhex("deadbeef"), value=1)
    assert not fallback.ok and fallback.revert_data == b""
    assert ac.tx("makePaidClaimRequest", w.bot, sender=w.bot, value=1).revert == (
        "msg.sender not valid PoolCommitter"
    )
    assert ac.tx("withdrawUserClaimRequest", w.bot, sender=w.bot).revert == (
        "msg.sender not valid PoolCommitter"
    )
    for fn, args in (
        ("paidClaim", (w.bot, m.pool.address)),
        ("withdrawClaimRequest", (m.pool.address,)),
        ("multiPaidClaimSinglePoolCommitter", ("0x" + w.bot[2:], m.pool.address)),
    ):
        assert ac.tx(fn, *args, sender=w.bot).revert == "Invalid pool committer contract", fn
    no_value = m.commit(w.users[4], WAD, pp_ref.LONG_MINT, pay_for_claim=True)
    assert no_value.revert == "Must pay for claim"
    stray_value = m.commit(w.users[4], WAD, pp_ref.LONG_MINT, value=1)
    assert stray_value.revert == "msg.value must be zero"
