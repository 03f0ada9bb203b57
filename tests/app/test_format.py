"""Readable numbers: k/m/b, dust, prices, percentages, durations."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from balancer_perps import format as fmt


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal(0), "0"),
        (Decimal("12.3456"), "12.35"),
        (Decimal("0.5"), "0.5"),
        (Decimal("0.00012"), "0.0001"),
        (Decimal("0.00002"), "< 0.0001"),
        (Decimal("-0.00002"), "> -0.0001"),
        (Decimal("999.99"), "999.99"),
        (Decimal("999.999"), "1k"),
        (Decimal("1234.5"), "1.23k"),
        (Decimal("-1234"), "-1.23k"),
        (Decimal("2500000"), "2.5m"),
        (Decimal("999999.6"), "1m"),
        (Decimal("3.2e9"), "3.2b"),
        (Fraction(1, 3), "0.3333"),
    ],
)
def test_compact(value: Decimal | Fraction, expected: str) -> None:
    assert fmt.compact(value) == expected


def test_amount_uses_token_decimals_and_symbol() -> None:
    assert fmt.amount(1_234_567 * 10**15, 18, "BAL") == "1.23k BAL"
    assert fmt.amount(2_500 * 10**6, 6, "USDC") == "2.5k USDC"
    assert fmt.amount(1, 18, "BAL") == "< 0.0001 BAL"
    assert fmt.amount(0, 18) == "0"


def test_signed_amount() -> None:
    assert fmt.signed_amount(33 * 10**18, 18, "BAL") == "+33 BAL"
    assert fmt.signed_amount(-1_500 * 10**18, 18, "BAL") == "-1.5k BAL"
    assert fmt.signed_amount(-1, 18, "BAL") == "< 0.0001 BAL"
    assert fmt.signed_amount(0, 18, "BAL") == "0 BAL"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3201.5512", "3,201.55"),
        ("1.08234", "1.08234"),
        ("1", "1.00"),
        ("0.5", "0.50"),
        ("0.9524", "0.9524"),
        ("0.00045123", "0.0004512"),
        ("123456789.12", "123,456,789.12"),
        ("0.000000001", "< 0.00000001"),
        ("0", "0"),
    ],
)
def test_price(value: str, expected: str) -> None:
    assert fmt.price(Decimal(value)) == expected


def test_wad_price() -> None:
    assert fmt.price(fmt.wad(3_200 * 10**18)) == "3,200.00"


def test_percent() -> None:
    assert fmt.percent(Fraction(1234, 10_000)) == "12.34%"
    assert fmt.percent(Decimal("0.05"), signed=True) == "+5.00%"
    assert fmt.percent(Decimal("-0.05"), signed=True) == "-5.00%"
    assert fmt.percent(0, signed=True) == "0.00%"
    assert fmt.percent(Decimal("0.000001")) == "< 0.01%"
    assert fmt.percent(Decimal("-0.000001")) == "> -0.01%"
    assert fmt.percent(Fraction(1, 2), digits=0) == "50%"


def test_leverage_ratio_and_duration() -> None:
    assert fmt.leverage(Fraction(49, 20)) == "2.45×"
    assert fmt.leverage(3) == "3×"
    assert fmt.ratio(Fraction(5, 4)) == "1.25"
    assert fmt.ratio(3) == "3.00"
    assert fmt.duration(0) == "0s"
    assert fmt.duration(90) == "1m 30s"
    assert fmt.duration(3_600) == "1h"
    assert fmt.duration(28_800 + 60) == "8h 1m"
    assert fmt.duration(93_600) == "1d 2h"


def test_address_and_time() -> None:
    address = "0x1234567890abcdef1234567890abcdef12345678"
    assert fmt.short_address(address) == "0x1234…5678"
    assert fmt.utc_time(1_735_689_600) == "2025-01-01 00:00 UTC"
    assert fmt.utc_time(0) == fmt.MISSING
