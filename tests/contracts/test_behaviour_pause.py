"""InvariantCheck and the partial pause of reference §5.5, on a real anvil.

The invariant is broken the way the reference describes (§3.4 "Flips and a changed minting fee
break the accounting"): a flip executes at a 0.5 % minting fee, the fee controller raises it to
2 %, and aggregating the flipper credits the sides more than the pool holds. With the factory's
annual fee at 0 there is no protocol-fee slack, so ``checkInvariants`` pauses the pool and the
committer. Each row of the §5.5 table then starts from that paused state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.contracts import pp_ref
from tests.contracts.pp_chain import TxResult
from tests.contracts.pp_world import GENESIS, WAD, Market, World, assert_events, require_artifacts

U = 3600


@dataclass
class Paused:
    world: World
    m: Market
    other: Market  # a healthy pool, due at the same time
    a: str  # the flipper, holding escrowed short tokens
    b: str  # holds a claimable AutoClaim request
    snapshot: str


@pytest.fixture(scope="module")
def paused(anvil: Any) -> Paused:
    require_artifacts()
    world = World(anvil(timestamp=GENESIS, accounts=12), annual_fee_wad=0)
    m = world.market(minting_fee=5 * 10**15)
    other = world.market()
    a, b, c = world.users[:3]
    for user in (a, b, c):
        m.fund(user, 100_000 * WAD)
    other.fund(c, 1000 * WAD)
    assert m.commit(a, 10_000 * WAD, pp_ref.LONG_MINT).ok
    assert m.commit(c, 10_000 * WAD, pp_ref.SHORT_MINT).ok
    assert m.upkeep(at=m.last_price_timestamp() + U).ok
    flip = m.commit(a, 3000 * WAD, pp_ref.LONG_BURN_SHORT_MINT, from_aggregate=True)
    assert flip.ok, flip.revert
    assert m.commit(b, 10 * WAD, pp_ref.LONG_MINT, pay_for_claim=True, value=10**15).ok
    assert m.upkeep(at=m.last_price_timestamp() + U).ok
    holds = world.invariant_check.send("checkInvariants", m.pool.address, sender=c)
    assert_events(holds, [(world.invariant_check, "InvariantsHold", {})])
    m.committer.send("setMintingFee", 2 * 10**16, sender=world.fee_controller)
    m.committer.send("updateAggregateBalance", a, sender=c)
    result = world.invariant_check.send("checkInvariants", m.pool.address, sender=c)
    assert_events(
        result,
        [
            (m.pool, "Paused", {}),
            (m.committer, "Paused", {}),
            (world.invariant_check, "InvariantsFail", {"message": "Balance invariant fails"}),
        ],
    )
    assert m.pool.call("paused") is True and m.committer.call("paused") is True
    # both pools due at once for the upkeep rows
    due = max(m.last_price_timestamp(), other.last_price_timestamp()) + U
    world.chain.mine(due)
    return Paused(world, m, other, a, b, world.chain.snapshot())


@pytest.fixture
def p(paused: Paused) -> Iterator[Paused]:
    paused.world.chain.revert_to(paused.snapshot)
    paused.snapshot = paused.world.chain.snapshot()
    yield paused


def test_the_broken_invariant_is_the_fee_difference(p: Paused) -> None:
    """Σ sides + pending mints exceed the pool's settlement balance (§3.4 / InvariantCheck)."""
    m = p.m
    held = m.token.call("balanceOf", m.pool.address)
    owed = sum(m.balances()) + m.committer.call("pendingMintSettlementAmount")
    assert owed > held


FAILING: dict[str, Callable[[Paused], TxResult]] = {
    "commit": lambda p: p.m.commit(p.a, WAD, pp_ref.SHORT_BURN, from_aggregate=True),
    "commit mint": lambda p: p.m.commit(p.b, WAD, pp_ref.LONG_MINT),
    "claim": lambda p: p.m.committer.tx("claim", p.a, sender=p.a),
    "updateAggregateBalance": lambda p: p.m.committer.tx("updateAggregateBalance", p.a, sender=p.b),
    "upkeep": lambda p: p.m.upkeep(),
    "upkeep batch": lambda p: p.world.keeper.tx(
        "performUpkeepMultiplePools",
        [p.other.pool.address, p.m.pool.address],
        sender=p.world.keeper_eoa,
    ),
    "updateFeeAddress": lambda p: p.m.pool.tx("updateFeeAddress", p.b, sender=p.world.gov),
    "paidClaim of a claimable request": lambda p: p.world.auto_claim.tx(
        "paidClaim", p.b, p.m.committer.address, sender=p.world.bot
    ),
}


@pytest.mark.parametrize("action", list(FAILING))
def test_paused_actions_revert(p: Paused, action: str) -> None:
    result = FAILING[action](p)
    assert not result.ok and result.revert == "Pool is paused", (action, result.revert)


SUCCEEDING: dict[str, Callable[[Paused], TxResult]] = {
    "claimPrimaryFees": lambda p: p.m.pool.tx("claimPrimaryFees", sender=p.b),
    "claimSecondaryFees": lambda p: p.m.pool.tx("claimSecondaryFees", sender=p.b),
    "setKeeper": lambda p: p.m.pool.tx("setKeeper", p.world.keeper.address, sender=p.world.gov),
    "updateSecondaryFeeAddress": lambda p: p.m.pool.tx(
        "updateSecondaryFeeAddress", p.b, sender=p.m.deployer
    ),
    "transferGovernance": lambda p: p.m.pool.tx("transferGovernance", p.b, sender=p.world.gov),
    "setMintingFee": lambda p: p.m.committer.tx(
        "setMintingFee", 10**15, sender=p.world.fee_controller
    ),
    "setBurningFee": lambda p: p.m.committer.tx(
        "setBurningFee", 10**15, sender=p.world.fee_controller
    ),
    "setChangeInterval": lambda p: p.m.committer.tx(
        "setChangeInterval", 10**15, sender=p.world.fee_controller
    ),
    "setFeeController": lambda p: p.m.committer.tx("setFeeController", p.b, sender=p.world.gov),
    "withdrawClaimRequest": lambda p: p.world.auto_claim.tx(
        "withdrawClaimRequest", p.m.committer.address, sender=p.b
    ),
}


@pytest.mark.parametrize("action", list(SUCCEEDING))
def test_paused_actions_that_still_work(p: Paused, action: str) -> None:
    result = SUCCEEDING[action](p)
    assert result.ok, (action, result.revert)


def test_paused_views_and_upkeep_checks(p: Paused) -> None:
    m, w = p.m, p.world
    assert w.keeper.call("isUpkeepRequiredSinglePool", m.pool.address) is True
    assert w.keeper.call("checkUpkeepMultiplePools", [m.pool.address]) is True
    assert m.committer.call("getAggregateBalance", p.a)[1] > 0
    assert all(m.balances())
    assert m.committer.call("priceHistory", 2)[0] != "0x" + "00" * 16


def test_governance_transfer_completes_while_paused(p: Paused) -> None:
    m = p.m
    first = m.pool.send("transferGovernance", p.b, sender=p.world.gov)
    assert_events(first, [(m.pool, "ProvisionalGovernanceChanged", {"newAddress": p.b})])
    second = m.pool.send("claimGovernance", sender=p.b)
    assert_events(
        second,
        [(m.pool, "GovernanceAddressChanged", {"oldAddress": p.world.gov, "newAddress": p.b})],
    )
    assert m.pool.call("governance") == p.b


def test_withdraw_settlement_only_while_paused(p: Paused) -> None:
    m, gov = p.m, p.world.gov
    held = m.token.call("balanceOf", m.pool.address)
    result = m.pool.send("withdrawSettlement", sender=gov)
    assert_events(
        result,
        [
            (m.token, "Transfer", {"from": m.pool.address, "to": gov, "value": held}),
            (m.pool, "SettlementWithdrawn", {"to": gov, "quantity": held}),
        ],
    )
    assert m.token.call("balanceOf", m.pool.address) == 0
    live = p.other.pool.tx("withdrawSettlement", sender=gov)
    assert live.revert == "Pool is live"


def test_unpausing_one_flag_at_a_time(p: Paused) -> None:
    """After pool.unpause alone: commits, aggregation and upkeeps work, claim still reverts
    (the committer's flag); after committer.unpause alone: claim fails at the pool."""
    m, w = p.m, p.world
    snapshot = w.chain.snapshot()
    assert_events(m.pool.send("unpause", sender=w.gov), [(m.pool, "Unpaused", {})])
    assert m.commit(p.a, WAD, pp_ref.SHORT_BURN, from_aggregate=True).ok
    assert m.committer.tx("updateAggregateBalance", p.a, sender=p.b).ok
    assert m.committer.tx("claim", p.a, sender=p.a).revert == "Pool is paused"
    assert "UpkeepSuccessful" in m.upkeep().names
    w.chain.revert_to(snapshot)
    assert_events(m.committer.send("unpause", sender=w.gov), [(m.committer, "Unpaused", {})])
    assert m.committer.tx("claim", p.a, sender=p.a).revert == "Pool is paused"
    assert m.pool.call("paused") is True and m.committer.call("paused") is False


def test_check_invariants_on_a_paused_pool_pauses_again(p: Paused) -> None:
    m, w = p.m, p.world
    result = w.invariant_check.send("checkInvariants", m.pool.address, sender=p.b)
    assert result.names == ["Paused", "Paused", "InvariantsFail"]
    assert [log.address for log in result.logs] == [
        m.pool.address,
        m.committer.address,
        w.invariant_check.address,
    ]
