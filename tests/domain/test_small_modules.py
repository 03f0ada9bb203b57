"""Commit encoding, timing, oracle scaling, keeper rewards, fees and the ABDK table."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from balancer_perps.domain import abdk_table
from balancer_perps.domain.commit_encoding import (
    decode_commit_params,
    encode_address_array,
    encode_commit_params,
)
from balancer_perps.domain.errors import (
    ContractPanic,
    ContractRevert,
    EmptyRevert,
)
from balancer_perps.domain.fees import fee_split, per_interval_fee, update_minting_fee
from balancer_perps.domain.keeper import (
    keeper_gas,
    keeper_reward,
    keeper_tip,
    pay_keeper_from_balances,
)
from balancer_perps.domain.oracle import (
    chainlink_price,
    chainlink_scaler,
    sma_price,
    truncating_division,
    wrapper_from_wad,
)
from balancer_perps.domain.pool_math import (
    appropriate_update_interval_id,
    from_wad,
    is_before_front_running_interval,
)
from balancer_perps.domain.quad import POSITIVE_ZERO, Quad
from balancer_perps.domain.timing import (
    expected_execution_timestamp,
    in_front_running_window,
    intervals_due,
    last_price_timestamp_after_upkeep,
    pools_js_expected_execution_timestamp,
)
from balancer_perps.domain.types import CommitType

USDC = 10**6


# ----------------------------------------------------------------------------- encoding
def test_reference_encoding_examples() -> None:
    assert (
        encode_commit_params(100 * USDC, CommitType.LONG_MINT, False, False).hex()
        == "0000000000000000000000000000000200000000000000000000000005f5e100"
    )
    assert (
        encode_commit_params(400 * USDC, CommitType.LONG_BURN, True, True).hex()
        == "0000000000000000000000000001010300000000000000000000000017d78400"
    )


def test_encoder_limits() -> None:
    with pytest.raises(ContractRevert, match="SafeCast: value doesn't fit in 128 bits"):
        encode_commit_params(1 << 128, 0, False, False)
    with pytest.raises(EmptyRevert):
        encode_commit_params(1, 6, False, False)


def test_decoder_leniency() -> None:
    decoded = decode_commit_params("0x" + "ff" * 13 + "02" + "02" + "03" + "00" * 15 + "2a")
    assert decoded.amount == 42
    assert decoded.commit_type is CommitType.LONG_BURN
    assert decoded.from_aggregate_balance and decoded.pay_for_claim
    bad_type = decode_commit_params((7 << 128 | 5).to_bytes(32, "big"))
    assert bad_type.amount == 5  # decoding succeeds; the first use panics
    with pytest.raises(ContractPanic) as panic:
        _ = bad_type.commit_type
    assert panic.value.code == 0x21


def test_address_array_packing() -> None:
    packed = encode_address_array(["0x" + "11" * 20, bytes(range(20))])
    assert packed == bytes([0x11] * 20) + bytes(range(20))


# ----------------------------------------------------------------------------- timing
T0 = 1_700_000_000


@pytest.mark.parametrize(
    ("offset", "expected_id", "executes_after_hours"),
    [(0, 108, 9), (1800, 108, 9), (3599, 108, 9), (3600, 109, 10)],
)
def test_example_a_eight_hour_front_running(
    offset: int, expected_id: int, executes_after_hours: int
) -> None:
    interval_id = appropriate_update_interval_id(T0 + offset, T0, 28_800, 3600, 100)
    assert interval_id == expected_id
    assert (
        expected_execution_timestamp(interval_id, 100, T0, 3600) == T0 + executes_after_hours * 3600
    )


@pytest.mark.parametrize(("offset", "expected_id"), [(0, 7), (42_899, 7), (42_900, 8), (43_300, 8)])
def test_example_b_spot_market(offset: int, expected_id: int) -> None:
    assert appropriate_update_interval_id(T0 + offset, T0, 300, 43_200, 7) == expected_id


def test_front_running_boundaries() -> None:
    u, f = 3600, 300
    assert appropriate_update_interval_id(T0 + u - f - 1, T0, f, u, 1) == 1
    assert appropriate_update_interval_id(T0 + u - f, T0, f, u, 1) == 2
    assert is_before_front_running_interval(T0 + u - f - 1, T0, u, f)
    assert not is_before_front_running_interval(T0 + u - f, T0, u, f)
    assert in_front_running_window(T0 + u - f, T0, u, f)
    assert in_front_running_window(T0, T0, 1800, 2400)  # F > U: always
    with pytest.raises(ContractPanic):
        is_before_front_running_interval(0, 10, 10, 21)
    with pytest.raises(ContractRevert, match="timestamp in the past"):
        appropriate_update_interval_id(T0 - 1, T0, f, u, 1)


def test_upkeep_schedule_and_backlogs() -> None:
    assert intervals_due(T0 + 3599, T0, 3600) == 0
    assert intervals_due(T0 + 3600, T0, 3600) == 1
    assert intervals_due(T0 + 17 * 3600, T0, 3600) == 15
    assert last_price_timestamp_after_upkeep(T0 + 17 * 3600, T0, 3600) == T0 + 15 * 3600
    assert last_price_timestamp_after_upkeep(T0 + 15 * 3600 + 5, T0, 3600) == T0 + 15 * 3600 + 5


def test_pools_js_execution_estimate() -> None:
    # 8 h front-running / 1 h interval, commit at T0 + 30 min: T0 + 9 h (reference §6)
    assert pools_js_expected_execution_timestamp(28_800, 3600, T0, T0 + 1800) == T0 + 9 * 3600


# ----------------------------------------------------------------------------- oracle
def test_chainlink_scaling() -> None:
    assert chainlink_scaler(8) == 10**10
    assert chainlink_price(18_743_215_000, 8) == 187_432_150_000_000_000_000
    assert chainlink_price(-5, 8) == -5 * 10**10  # negative answers pass through
    assert wrapper_from_wad(-15 * 10**9, 8) == -1  # truncation toward zero
    with pytest.raises(ContractRevert, match="COA: too many decimals"):
        chainlink_scaler(19)


def test_sma_mean() -> None:
    assert sma_price([], 3) == 0
    assert sma_price([10, 20, 30, 40], 3) == 30
    assert sma_price([-1, -2], 24) == -1  # -3/2 truncates toward zero
    assert truncating_division(-7, 2) == -3
    with pytest.raises(ContractRevert, match="SMA: Out of bounds"):
        sma_price([1], 25)


# ----------------------------------------------------------------------------- keeper
def test_keeper_reward_reference_example() -> None:
    eth_in_usdc = 2000 * 10**18
    gas_wad = keeper_gas(2 * 10**9, 600_000, eth_in_usdc)
    assert from_wad(gas_wad, 6) == 2_720_780
    assert keeper_tip(T0 + 3600 + 26, T0, 3600) == 15
    reward = keeper_reward(
        gas_price=2 * 10**9,
        gas_spent=600_000,
        saved_previous_update_timestamp=T0,
        pool_interval=3600,
        settlement_token_price=eth_in_usdc,
        now=T0 + 3600 + 26,
        settlement_decimals=6,
    )
    assert reward == 3_128_897
    payment = pay_keeper_from_balances(reward, 1_030_048_328_163, 970_431_360_507)
    assert payment.paid
    assert 970_431_360_507 - payment.short_balance == 1_517_825
    assert 1_030_048_328_163 - payment.long_balance == 1_611_072


def test_keeper_payment_edge_cases() -> None:
    assert keeper_tip(T0 + 3600 + 10_000, T0, 3600) == 100
    assert keeper_gas(10**9, 1, 0) == 0
    refused = pay_keeper_from_balances(10, 4, 5)
    assert not refused.paid and (refused.long_balance, refused.short_balance) == (4, 5)
    zero = pay_keeper_from_balances(0, 4, 5)
    assert zero.paid and zero.reward == 0
    with pytest.raises(ContractRevert, match="settlement price must be >= 0"):
        keeper_reward(
            gas_price=1,
            gas_spent=1,
            saved_previous_update_timestamp=T0,
            pool_interval=1,
            settlement_token_price=-1,
            now=T0 + 1,
            settlement_decimals=18,
        )


# ----------------------------------------------------------------------------- fees
def test_management_fee_setup_and_split() -> None:
    assert per_interval_fee(2 * 10**16, 3600) == 2_281_589_172_490
    assert per_interval_fee(2 * 10**16, 43_200) == 27_379_070_069_885
    assert fee_split(4_563_178, 10) == (4_106_861, 456_317)
    assert fee_split(4_563_178, 10, has_secondary_fee_address=False) == (4_563_178, 0)


def test_dynamic_minting_fee() -> None:
    fee, step = Quad.from_uint(3 * 10**15), Quad.from_uint(75 * 10**13)
    # an empty pool prices both sides at 1: 1·1 is not > 1, so the fee rises
    assert update_minting_fee(fee, step, 0, 0, 0, 0).to_uint() == 375 * 10**13
    # both sides above 1: the fee falls, floored at 0
    assert update_minting_fee(fee, step, 2, 2, 1, 1).to_uint() == 225 * 10**13
    assert update_minting_fee(Quad.from_uint(10), step, 2, 2, 1, 1) == POSITIVE_ZERO
    # capped at 100 %
    assert update_minting_fee(Quad.from_uint(10**18), step, 0, 0, 0, 0).to_uint() == 10**18


# ----------------------------------------------------------------------------- ABDK table
def _exact_pow2_constants() -> list[int]:
    """floor(2^(2^-k) · 2^128) for k = 1..126, by repeated high-precision square roots."""
    precision = 600
    value = 2 << precision  # 2^1 with `precision` fractional bits
    floors = []
    for _ in range(126):
        value = math.isqrt(value << precision)
        floors.append(value >> (precision - 128))
    return floors


def test_pinned_table_is_abdk_3_0_0() -> None:
    table = abdk_table.pow2_constants()
    exact = _exact_pow2_constants()
    differences = [e - c for e, c in zip(exact, table, strict=True)]
    assert differences.count(0) == 43
    assert differences.count(1) == 83


def test_missing_table_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    abdk_table.pow2_constants.cache_clear()
    monkeypatch.setenv(abdk_table.ABDK_PATH_ENV, str(tmp_path / "missing.sol"))
    try:
        with pytest.raises(abdk_table.AbdkSourceError, match="not found"):
            abdk_table.pow2_constants()
    finally:
        monkeypatch.delenv(abdk_table.ABDK_PATH_ENV)
        abdk_table.pow2_constants.cache_clear()


def test_env_override_and_malformed_source(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = abdk_table.DEFAULT_ABDK_PATH.read_text(encoding="utf-8")
    copy = tmp_path / "ABDKMathQuad.sol"
    copy.write_text(source, encoding="utf-8")
    abdk_table.pow2_constants.cache_clear()
    monkeypatch.setenv(abdk_table.ABDK_PATH_ENV, str(copy))
    try:
        assert len(abdk_table.pow2_constants()) == 126
        with pytest.raises(abdk_table.AbdkSourceError):
            abdk_table.parse_pow2_constants(source.replace("function pow_2", "function nope"))
    finally:
        monkeypatch.delenv(abdk_table.ABDK_PATH_ENV)
        abdk_table.pow2_constants.cache_clear()
