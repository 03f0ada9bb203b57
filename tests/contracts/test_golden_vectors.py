"""Every vector of ``tests/fixtures/golden-vectors.json`` against the devnet contracts on anvil.

* Public functions (PoolSwapLibrary, KeeperRewards, L2Encoder): ``eth_call`` with the vector's
  own selector and ABI-encoded inputs; the outputs must be equal to the wei and to the bit, and a
  reverted vector must revert with the same revert data.
* The harness-only pieces are internal to the contracts and are checked through the behaviour
  they produce (reference §3.2, §3.3, §3.6, §3.8):
  - ``perIntervalFee``: a pool deployed with that annual fee and update interval has that
    ``getFee()`` (and ``fee()`` is its quad);
  - ``feeSplit``: an upkeep that charges exactly that total management fee splits it into
    exactly those primary and secondary fees, and ``claimSecondaryFees`` pays the secondary
    share to the pool deployer;
  - ``sigmoid``: ``calculateValueTransfer`` at prices whose ratio is exactly the vector's ratio
    leaves the loser with ``U(q(x) * (ONE - m))`` for the vector's m (x = 2**200, so the
    product is exact and only the subtraction truncates);
  - ``keeperTipAt``: ``KeeperRewards.keeperTip`` in a block stamped at the vector's time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from eth_abi import encode as abi_encode

from tests.contracts import pp_quad, pp_ref
from tests.contracts.pp_chain import Bound
from tests.contracts.pp_world import GENESIS, SECONDS_PER_LEAP_YEAR, World, require_artifacts

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "golden-vectors.json"
DATA = json.loads(FIXTURE.read_text())
VECTORS: list[dict[str, Any]] = DATA["vectors"]
PUBLIC_CONTRACTS = ("PoolSwapLibrary", "KeeperRewards", "L2Encoder")
HARNESS = "PoolsV2MathHarness"
PUBLIC = [i for i, v in enumerate(VECTORS) if v["contract"] in PUBLIC_CONTRACTS]
BY_FUNCTION = {
    name: [i for i, v in enumerate(VECTORS) if v["contract"] == HARNESS and v["function"] == name]
    for name in ("sigmoid", "perIntervalFee", "feeSplit", "keeperTipAt")
}


def test_every_vector_is_covered() -> None:
    """No vacuous pass: 246 vectors, each either public or one of the four harness pieces."""
    assert DATA["count"] == len(VECTORS) == 246
    harness = sum(len(indexes) for indexes in BY_FUNCTION.values())
    assert len(PUBLIC) + harness == len(VECTORS)
    assert len(PUBLIC) == 215
    assert {k: len(v) for k, v in BY_FUNCTION.items()} == {
        "sigmoid": 15,
        "perIntervalFee": 6,
        "feeSplit": 6,
        "keeperTipAt": 4,
    }


@pytest.fixture(scope="module")
def world(anvil: Any) -> World:
    require_artifacts()
    return World(anvil(timestamp=GENESIS, accounts=12), annual_fee_wad=0)


@pytest.fixture
def fresh(world: World) -> Iterator[World]:
    """The module's world, rolled back after the test."""
    snapshot = world.chain.snapshot()
    yield world
    world.chain.revert_to(snapshot)


# ------------------------------------------------------------------------ public functions


def _abi_type(param: dict[str, Any]) -> str:
    if param["type"] == "tuple":
        return "(" + ",".join(_abi_type(c) for c in param["components"]) + ")"
    return str(param["type"])


def _value(param: dict[str, Any]) -> Any:
    if param["type"] == "tuple":
        return [_value(c) for c in param["components"]]
    return param["value"]


def _contract(world: World, name: str) -> Bound:
    return {
        "PoolSwapLibrary": world.library,
        "KeeperRewards": world.rewards,
        "L2Encoder": world.encoder,
    }[name]


@pytest.mark.parametrize("index", PUBLIC)
def test_public_vector(world: World, index: int) -> None:
    vector = VECTORS[index]
    signature, selector = vector["signature"], vector["selector"]
    reference_fn = pp_ref.abi(vector["contract"]).fn(vector["function"])
    assert reference_fn.selector.hex() == selector.removeprefix("0x"), signature
    in_types = [_abi_type(p) for p in vector["inputs"]]
    in_values = [
        pp_ref.to_abi_value(t, _value(p)) for t, p in zip(in_types, vector["inputs"], strict=True)
    ]
    calldata = bytes.fromhex(selector.removeprefix("0x")) + abi_encode(in_types, in_values)
    contract = _contract(world, vector["contract"])
    ok, data = world.chain.call(contract.address, calldata)
    if vector["reverted"]:
        assert not ok, f"vector {index} ({signature}, {vector['note']}) should revert"
        expected = bytes.fromhex(vector["revert_data"].removeprefix("0x"))
        assert data == expected, (
            f"vector {index} {signature}: revert {pp_ref.decode_revert(data)!r} "
            f"(0x{data.hex()}), expected {pp_ref.decode_revert(expected)!r}"
        )
        return
    assert ok, f"vector {index} {signature} reverted: {pp_ref.decode_revert(data)!r}"
    out_types = [_abi_type(p) for p in vector["outputs"]]
    got = pp_ref.decode_values(out_types, data)
    want = [_value(p) for p in vector["outputs"]]
    want = [
        pp_ref.from_abi_value(t, pp_ref.to_abi_value(t, w))
        for t, w in zip(out_types, want, strict=True)
    ]
    assert got == want, f"vector {index} {signature} ({vector['note']}): got {got}, want {want}"
    assert len(data) == len(
        abi_encode(
            out_types, [pp_ref.to_abi_value(t, w) for t, w in zip(out_types, want, strict=True)]
        )
    ), f"vector {index} {signature}: return data length {len(data)}"


# ------------------------------------------------------------------------ sigmoid


def _prices_for_ratio(ratio: bytes, note: str) -> tuple[int, int]:
    """(oldPrice, newPrice) in WAD whose quad ratio is exactly ``ratio``: old/new for a rise,
    new/old for a fall (§3.8.3 item 4)."""
    exact = pp_quad.to_fraction(ratio)
    if exact == 1:
        return 3000 * 10**18, 3000 * 10**18
    for limit in (10, 100, 1000, 10_000, 100_000):
        candidate = exact.limit_denominator(limit)
        if pp_quad.from_fraction(candidate) == ratio:
            break
    else:
        raise AssertionError(f"no small price pair gives ratio {ratio.hex()}")
    numerator, denominator = candidate.numerator * 10**18, candidate.denominator * 10**18
    if "price up" in note:
        return numerator, denominator  # r = old / new
    assert "price down" in note, note
    return denominator, numerator  # r = new / old


@pytest.mark.parametrize("index", BY_FUNCTION["sigmoid"])
def test_sigmoid_through_value_transfer(world: World, index: int) -> None:
    vector = VECTORS[index]
    leverage = pp_quad.as_bytes(vector["inputs"][0]["value"])
    ratio = pp_quad.as_bytes(vector["inputs"][1]["value"])
    m = pp_quad.as_bytes(vector["outputs"][0]["value"])
    old, new = _prices_for_ratio(ratio, vector["note"])
    # the quad ratio the library computes from these prices is the vector's input
    shorts_lose = old <= new
    computed = (
        pp_quad.div(pp_quad.q(old), pp_quad.q(new))
        if shorts_lose
        else pp_quad.div(pp_quad.q(new), pp_quad.q(old))
    )
    assert computed == ratio
    loser, winner = 2**200, 10**18
    remaining = pp_quad.to_uint(pp_quad.mul(pp_quad.q(loser), pp_quad.sub(pp_quad.ONE, m)))
    args = (winner, loser) if shorts_lose else (loser, winner)
    long_after, short_after, long_fee, short_fee = world.library.call(
        "calculateValueTransfer", *args, leverage, old, new, pp_quad.ZERO
    )
    loser_after, winner_after = (
        (short_after, long_after) if old <= new else (long_after, short_after)
    )
    assert (long_fee, short_fee) == (0, 0)
    assert loser_after == remaining, (
        f"sigmoid vector {index} ({vector['note']}): loser keeps {loser_after}, "
        f"expected U(q(2^200) * (ONE - m)) = {remaining} for m = {m.hex()}"
    )
    assert winner_after == winner + loser - remaining


# ------------------------------------------------------------------------ perIntervalFee


@pytest.mark.parametrize("index", BY_FUNCTION["perIntervalFee"])
def test_per_interval_fee_through_deploy(fresh: World, index: int) -> None:
    vector = VECTORS[index]
    annual, interval = (p["value"] for p in vector["inputs"])
    expected = vector["outputs"][0]["value"]
    fresh.factory.send("setFee", annual, sender=fresh.gov)
    market = fresh.market(update_interval=interval, front_running_interval=min(300, interval // 2))
    assert market.pool.call("getFee") == expected, f"perIntervalFee vector {index}"
    assert market.pool.call("fee") == pp_quad.hex16(pp_quad.q(expected))
    assert market.pool.call("updateInterval") == interval


# ------------------------------------------------------------------------ feeSplit


@pytest.mark.parametrize("index", BY_FUNCTION["feeSplit"])
def test_fee_split_through_upkeep_and_claim(fresh: World, index: int) -> None:
    vector = VECTORS[index]
    total, percent = (p["value"] for p in vector["inputs"])
    primary, secondary = (p["value"] for p in vector["outputs"])
    # U = one leap year makes the per-interval fee equal to the annual fee; the long side then
    # pays fee * long / 1e18, exactly `total` for these balances (products below 2**113 or
    # exactly representable, so no truncation).
    annual = total if total <= 10**17 else 10**17
    long_balance = total * 10**18 // annual
    assert annual * long_balance == total * 10**18
    fresh.factory.send("setFee", annual, sender=fresh.gov)
    fresh.factory.send("setSecondaryFeeSplitPercent", percent, sender=fresh.gov)
    market = fresh.market(update_interval=SECONDS_PER_LEAP_YEAR, front_running_interval=300)
    assert market.pool.call("getFee") == annual
    user = fresh.users[0]
    market.fund(user, long_balance)
    assert market.commit(user, long_balance, pp_ref.LONG_MINT).ok
    t0 = market.last_price_timestamp()
    first = market.upkeep(at=t0 + SECONDS_PER_LEAP_YEAR)
    assert "UpkeepSuccessful" in first.names, first.logs
    assert market.balances() == (long_balance, 0)
    second = market.upkeep(at=t0 + 2 * SECONDS_PER_LEAP_YEAR + 1)
    rebalance = second.one("PoolRebalance").args
    assert (rebalance["longFeeAmount"], rebalance["shortFeeAmount"]) == (total, 0)
    assert market.pool.call("primaryFees") == primary, f"feeSplit vector {index}"
    assert market.pool.call("secondaryFees") == secondary, f"feeSplit vector {index}"
    paid = market.pool.send("claimSecondaryFees", sender=fresh.bot)
    assert paid.one("SecondaryFeesPaid").args == {
        "secondaryFeeAddress": market.deployer,
        "amount": secondary,
    }
    assert market.token.call("balanceOf", market.deployer) == secondary
    paid = market.pool.send("claimPrimaryFees", sender=fresh.bot)
    assert paid.one("PrimaryFeesPaid").args == {"feeAddress": fresh.fee_receiver, "amount": primary}
    assert market.token.call("balanceOf", fresh.fee_receiver) == primary


# ------------------------------------------------------------------------ keeperTipAt


@pytest.mark.parametrize("index", BY_FUNCTION["keeperTipAt"])
def test_keeper_tip_at_block_time(fresh: World, index: int) -> None:
    vector = VECTORS[index]
    now, saved, interval = (p["value"] for p in vector["inputs"])
    expected = vector["outputs"][0]["value"]
    assert fresh.chain.now() < now
    block = fresh.chain.mine(now)
    assert fresh.rewards.call("keeperTip", saved, interval, block=block) == expected, (
        f"keeperTipAt vector {index}: keeperTip({saved}, {interval}) at {now}"
    )


def test_quad_helpers_agree_with_the_reference_constants() -> None:
    """The test's own quad encoder (used to build the inputs above) is exact."""
    assert pp_quad.q(10**18).hex() == "403abc16d674ec800000000000000000"
    assert pp_quad.q(10**17).hex() == "40376345785d8a000000000000000000"
    assert pp_quad.to_fraction("0x4028099ca7f485000000000000000000") == 2281589172490
    assert pp_quad.from_fraction(Fraction(1, 2)).hex() == "3ffe0000000000000000000000000000"


# ------------------------------------------------------------------------ §3.8.4 traps

TRAPS = {
    "keeper split": (
        "getBalancesAfterFees",
        (3_000_000, 10**12, 2 * 10**12),
        [10**12 - 999_999, 2 * 10**12 - 2_000_001],
    ),
    "mint fee": (
        "mintingOrBurningFee",
        (pp_quad.q(5 * 10**15), 7_555_786_372_591_432_341_913_800),
        37_778_931_862_957_161_709_568,
    ),
}


@pytest.mark.parametrize("name", list(TRAPS))
def test_one_wei_trap(world: World, name: str) -> None:
    """The measured 1-wei traps of reference §3.8.4 that the shared fixtures do not cover."""
    function, args, expected = TRAPS[name]
    assert world.library.call(function, *args) == expected, name


def test_one_wei_trap_burn_proceeds(world: World) -> None:
    """⌊n·price⌋ with the stored (truncated) price: B = 1e12 + 3, S + Pb = n = 7e11 gives
    1 000 000 000 002, one less than the exact 1 000 000 000 003 (§3.8.4)."""
    price = world.library.call("getPrice", 10**12 + 3, 7 * 10**11)
    assert world.library.call("getBurn", price, 7 * 10**11) == 1_000_000_000_002
    # and the full-supply burn of the same side returns B − 1
    assert world.library.call("getBurn", price, 7 * 10**11) == 10**12 + 3 - 1


def test_one_wei_trap_sigmoid_loser(world: World) -> None:
    """L = 3, 2000 → 2020, long 1e18, short 472 504 673 117 390 308, fee 0: the short side keeps
    458 474 006 865 908 686 on chain where an exact tanh gives …687 (§3.8.4)."""
    long_after, short_after, _, _ = world.library.call(
        "calculateValueTransfer",
        10**18,
        472_504_673_117_390_308,
        pp_quad.q(3),
        2000 * 10**18,
        2020 * 10**18,
        pp_quad.ZERO,
    )
    assert short_after == 458_474_006_865_908_686
    assert long_after == 10**18 + 472_504_673_117_390_308 - short_after
