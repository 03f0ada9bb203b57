"""The 1-wei traps of reference §3.8.4, measured on the real contracts (not in the fixtures)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from balancer_perps.domain.pool_math import (
    calculate_value_transfer,
    get_balances_after_fees,
    get_burn,
    get_price,
    get_withdraw_amount_on_burn,
    minting_or_burning_fee,
)
from balancer_perps.domain.quad import POSITIVE_ZERO, Quad


def test_keeper_split_multiplies_by_a_truncated_ratio() -> None:
    short_after, long_after = get_balances_after_fees(3_000_000, 10**12, 2 * 10**12)
    assert 10**12 - short_after == 999_999  # exact formula: 1 000 000
    assert 2 * 10**12 - long_after == 2_000_001


def test_burn_proceeds_fall_one_below_the_exact_floor() -> None:
    balance, denominator, burned = 10**12 + 3, 7 * 10**11, 7 * 10**11
    price = get_price(balance, denominator)
    assert get_burn(price, burned) == 1_000_000_000_002  # exact: 1 000 000 000 003
    # the pool itself debits the exact integer amount at execution
    assert get_withdraw_amount_on_burn(denominator, burned, balance, 0) == 1_000_000_000_003


@pytest.mark.parametrize(
    ("balance", "supply"),
    [
        (1_266_157_849_651, 1_000_000_000),
        (733_837_587_170, 1_000_000_000),
        (2_000_000_000_001, 3_000_000_000),
        (987_654_321_987, 123_456_789_012),
        (5_000_000_777, 4_999_999_999),
    ],
)
def test_full_supply_burn_returns_balance_minus_one(balance: int, supply: int) -> None:
    ratio = Fraction(balance, supply)
    assert ratio.denominator & (ratio.denominator - 1) != 0  # not exactly representable
    price = get_price(balance, supply)
    assert get_burn(price, supply) == balance - 1


def test_mint_fee_product_is_truncated_below_a_multiple_of_a_wad() -> None:
    amount = 200 * (2**75 + 1)
    assert amount == 7_555_786_372_591_432_341_913_800
    fee = minting_or_burning_fee(Quad.from_uint(5 * 10**15), amount)
    assert fee == 2**75 == 37_778_931_862_957_161_709_568  # exact: ...569


def test_sigmoid_loser_differs_from_exact_tanh() -> None:
    long_after, short_after, long_fee, short_fee = calculate_value_transfer(
        10**18,
        472_504_673_117_390_308,
        Quad.from_uint(3),
        2000 * 10**18,
        2020 * 10**18,
        POSITIVE_ZERO,
    )
    assert short_after == 458_474_006_865_908_686  # an exact tanh gives ...687
    assert long_after + short_after == 10**18 + 472_504_673_117_390_308  # dust to the winner
    assert long_fee == short_fee == 0
