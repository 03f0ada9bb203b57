"""Readable numbers for the UI: compact amounts (k/m/b), dust as "< 0.0001", percentages,
leverage, durations and addresses.

Amounts arrive as raw integers with their decimals and become `Decimal` only here, for
display; nothing in this module feeds back into money math. Every function returns a
string and never raises on odd input (negative, zero, huge): a page must not crash on a
number.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

DUST = Decimal("0.0001")
_SUFFIXES = ((Decimal(10) ** 12, "t"), (Decimal(10) ** 9, "b"), (Decimal(10) ** 6, "m"),
             (Decimal(10) ** 3, "k"))
MISSING = "—"

Number = Decimal | Fraction | int


def to_decimal(raw: int, decimals: int) -> Decimal:
    """The exact decimal value of a raw token amount."""
    return Decimal(raw).scaleb(-decimals)


def _as_decimal(value: Number) -> Decimal:
    if isinstance(value, Fraction):
        with localcontext() as context:
            context.prec = 40
            return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value)


def _quantized(value: Decimal, places: int) -> str:
    """`value` rounded half-up to `places` decimals, with thousands separators."""
    with localcontext() as context:
        context.prec = 60
        rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}"
    return text.lstrip("-") if text.strip("-0.,") == "" else text


def _trim(text: str) -> str:
    """Drop trailing zeros of a decimal string ("1.50" -> "1.5", "2.00" -> "2")."""
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def compact(value: Number, *, digits: int = 2) -> str:
    """1234.5 -> "1.23k", 2.5e6 -> "2.5m", 0.00002 -> "< 0.0001", 12.3456 -> "12.35".

    Values under 1 keep four decimals so small token prices stay readable.
    """
    number = _as_decimal(value)
    if not number.is_finite():
        return MISSING
    sign = "-" if number < 0 else ""
    magnitude = abs(number)
    if magnitude == 0:
        return "0"
    if magnitude < DUST:
        return "> -0.0001" if sign else "< 0.0001"
    for index, (threshold, suffix) in enumerate(_SUFFIXES):
        if magnitude >= threshold:
            scaled = _trim(_quantized(magnitude / threshold, digits))
            if scaled.replace(",", "").startswith("1000") and index > 0:
                # 999.996k rounds to "1000k": say "1m" instead.
                scaled, suffix = "1", _SUFFIXES[index - 1][1]
            return f"{sign}{scaled}{suffix}"
    places = digits if magnitude >= 1 else 4
    text = _trim(_quantized(magnitude, places))
    return f"{sign}{'1k' if text == '1,000' else text}"


def amount(raw: int, decimals: int, symbol: str = "", *, digits: int = 2) -> str:
    """A raw token amount, compact, with its symbol: "1.23k BAL"."""
    text = compact(to_decimal(raw, decimals), digits=digits)
    return f"{text} {symbol}" if symbol else text


def price(value: Number, *, significant: int = 6) -> str:
    """A price with enough significant digits to see small moves: 3,201.55 / 1.08234 /
    0.0004512; "< 0.0001" only below one hundred-millionth."""
    number = _as_decimal(value)
    if not number.is_finite():
        return MISSING
    if number == 0:
        return "0"
    magnitude = abs(number)
    if magnitude < Decimal("0.00000001"):
        return "< 0.00000001" if number > 0 else "> -0.00000001"
    integer_digits = magnitude.adjusted() + 1  # digits before the point (<= 0 below 1)
    places = max(2, significant - integer_digits) if integer_digits > 0 else (
        significant - integer_digits - 2
    )
    places = min(places, 10)
    text = _quantized(number, places)
    if "." in text:
        whole, fraction = text.split(".")
        fraction = fraction.rstrip("0")
        fraction = fraction.ljust(2, "0")
        text = f"{whole}.{fraction}" if fraction else whole
    return text


def signed_amount(raw: int, decimals: int, symbol: str = "") -> str:
    """A change of a raw amount: "+1.2k BAL", "-33.32 BAL"; dust either way is "< 0.0001"."""
    text = amount(abs(raw), decimals, symbol)
    if raw == 0 or text.startswith("<"):
        return text
    return f"{'+' if raw > 0 else '-'}{text}"


def wad(raw: int) -> Decimal:
    """A WAD (18-decimal) integer as a Decimal, for prices the oracles report."""
    return to_decimal(raw, 18)


def percent(value: Number, *, digits: int = 2, signed: bool = False) -> str:
    """A ratio as a percentage: 0.1234 -> "12.34%"; `signed` adds "+" to gains."""
    number = _as_decimal(value) * 100
    if not number.is_finite():
        return MISSING
    text = _quantized(number, digits)
    if number != 0 and text == _quantized(Decimal(0), digits):
        return f"< {_smallest(digits)}%" if number > 0 else f"> -{_smallest(digits)}%"
    if signed and number > 0:
        text = f"+{text}"
    return f"{text}%"


def _smallest(digits: int) -> str:
    return str(Decimal(1).scaleb(-digits))


def leverage(value: Number) -> str:
    """Effective leverage: 2.4512 -> "2.45×"."""
    number = _as_decimal(value)
    if not number.is_finite():
        return MISSING
    return f"{_trim(_quantized(number, 2))}×"


def ratio(value: Number) -> str:
    """A ratio such as the skew, two decimals: 1.2549 -> "1.25"."""
    number = _as_decimal(value)
    if not number.is_finite():
        return MISSING
    return _quantized(number, 2)


def duration(seconds: int) -> str:
    """A span of time in plain words: 90 -> "1m 30s", 3600 -> "1h", 93600 -> "1d 2h"."""
    if seconds <= 0:
        return "0s"
    days, rest = divmod(int(seconds), 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    shown = [f"{count}{unit}" for count, unit in parts if count]
    return " ".join(shown[:2])


def short_address(address: str) -> str:
    """0x1234567890abcdef… -> "0x1234…cdef"."""
    if len(address) <= 12:
        return address
    return f"{address[:6]}…{address[-4:]}"


def utc_time(timestamp: int) -> str:
    """A unix timestamp as "2025-01-01 12:00 UTC"."""
    if timestamp <= 0:
        return MISSING
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
