"""ABDK binary128 ("quad") values for the contract tests: exact decoding and the truncating
arithmetic of the reference's §3.8.1 (every operation truncates toward zero to 113 bits).

Only what the tests need to build inputs and to predict a few outputs; not a full model.
"""

from __future__ import annotations

from fractions import Fraction

_BIAS = 16383
_FRACTION_BITS = 112
_FRACTION_MASK = (1 << _FRACTION_BITS) - 1

ONE = bytes.fromhex("3fff0000000000000000000000000000")
ZERO = bytes(16)
NEGATIVE_ZERO = bytes.fromhex("80000000000000000000000000000000")


def as_bytes(value: bytes | str) -> bytes:
    if isinstance(value, bytes):
        return value
    return bytes.fromhex(value.removeprefix("0x"))


def to_fraction(value: bytes | str) -> Fraction:
    """The exact value of a finite quad (normal or subnormal)."""
    x = int.from_bytes(as_bytes(value), "big")
    sign, exponent, fraction = x >> 127, (x >> _FRACTION_BITS) & 0x7FFF, x & _FRACTION_MASK
    if exponent == 0x7FFF:
        raise ValueError("infinity or NaN has no exact value")
    if exponent == 0:
        result = Fraction(fraction, 1 << (_BIAS - 1 + _FRACTION_BITS))
    else:
        significand = (1 << _FRACTION_BITS) | fraction
        shift = exponent - _BIAS - _FRACTION_BITS
        result = (
            Fraction(significand * (1 << shift))
            if shift >= 0
            else Fraction(significand, 1 << -shift)
        )
    return -result if sign else result


def from_fraction(value: Fraction | int) -> bytes:
    """The quad of ``value`` truncated toward zero to 113 significant bits (ABDK's rule).

    Zero gives +0; normal numbers only (the tests never need subnormals).
    """
    value = Fraction(value)
    if value == 0:
        return ZERO
    sign = 1 if value < 0 else 0
    magnitude = abs(value)
    # exponent e with 2**e <= magnitude < 2**(e+1)
    e = magnitude.numerator.bit_length() - magnitude.denominator.bit_length()
    if Fraction(2) ** e > magnitude:
        e -= 1
    elif Fraction(2) ** (e + 1) <= magnitude:
        e += 1
    scaled = magnitude * Fraction(2) ** (_FRACTION_BITS - e)
    significand = scaled.numerator // scaled.denominator  # truncation toward zero
    biased = e + _BIAS
    if not 0 < biased < 0x7FFF:
        raise ValueError("out of the normal quad range")
    bits = (sign << 127) | (biased << _FRACTION_BITS) | (significand & _FRACTION_MASK)
    return bits.to_bytes(16, "big")


def truncate(value: Fraction | int) -> Fraction:
    """``value`` truncated to 113 significant bits, as an exact rational."""
    return to_fraction(from_fraction(value))


def q(x: int) -> bytes:
    """ABDK fromUInt/fromInt: exact below 2**113, truncated above."""
    return from_fraction(x)


def add(a: bytes | str, b: bytes | str) -> bytes:
    return from_fraction(to_fraction(a) + to_fraction(b))


def sub(a: bytes | str, b: bytes | str) -> bytes:
    return from_fraction(to_fraction(a) - to_fraction(b))


def mul(a: bytes | str, b: bytes | str) -> bytes:
    return from_fraction(to_fraction(a) * to_fraction(b))


def div(a: bytes | str, b: bytes | str) -> bytes:
    return from_fraction(to_fraction(a) / to_fraction(b))


def to_uint(a: bytes | str) -> int:
    """ABDK toUInt for values in [0, 2**256): the floor."""
    value = to_fraction(a)
    if value < 0:
        raise ValueError("negative")
    return value.numerator // value.denominator


def hex16(value: bytes) -> str:
    return "0x" + value.hex()
