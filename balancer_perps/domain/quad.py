"""ABDKMathQuad 3.0.0 binary128 numbers, emulated bit for bit with Python integers.

A `Quad` is sign + integer significand + binary exponent (value = ±significand·2^exponent).
Every operation computes the exact result and truncates it toward zero to 113 significant
bits, which is what ABDK does (it never rounds to nearest; reference §3.8.1). `exp`,
`pow_2` and `log_2` replay ABDK's own fixed-point routines (§3.8.2) because a correctly
rounded exponential differs from the contracts in the last bit.

Infinities and NaN never arise inside the protocol (every denominator is guarded first),
so they are rejected instead of being modelled: decoding them raises `ValueError`,
producing them raises `ZeroDivisionError` or `QuadOverflowError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from balancer_perps.domain.abdk_table import pow2_constants
from balancer_perps.domain.errors import EmptyRevert

SIGNIFICAND_BITS: Final = 113
FRACTION_BITS: Final = 112
EXPONENT_BIAS: Final = 16383
MAX_BIASED_EXPONENT: Final = 0x7FFE  # 0x7FFF is infinity / NaN
# value = significand * 2**exponent; a normal number with biased exponent E has
# exponent = E - 16495, subnormals sit on the grid 2**-16494.
_EXPONENT_OFFSET: Final = EXPONENT_BIAS + FRACTION_BITS  # 16495
_SUBNORMAL_EXPONENT: Final = 1 - _EXPONENT_OFFSET  # -16494
_IMPLICIT_BIT: Final = 1 << FRACTION_BITS
_FRACTION_MASK: Final = _IMPLICIT_BIT - 1
_SIGN_BIT: Final = 1 << 127
_UINT256_LIMIT: Final = 1 << 256
_INT256_LIMIT: Final = 1 << 255
# Beyond this exponent gap the smaller addend only acts as a "sticky" nudge; replacing it
# by any smaller value of the same sign leaves the truncated sum unchanged.
_STICKY_GAP: Final = 2 * SIGNIFICAND_BITS + 8


class QuadOverflowError(ArithmeticError):
    """The result would be ±infinity in ABDK; the protocol never gets there."""


@dataclass(frozen=True, slots=True)
class Quad:
    """An ABDK binary128 value. Build it with the `from_*` constructors, not directly."""

    negative: bool
    significand: int  # 0 for ±0, < 2^112 for subnormals, in [2^112, 2^113) otherwise
    exponent: int

    # ----------------------------------------------------------------- constructors
    @staticmethod
    def from_bytes16(raw: bytes | str | int) -> Quad:
        """Decode the 16-byte big-endian encoding (bytes, 0x-hex string or uint128)."""
        bits = _as_uint128(raw)
        negative = bits >= _SIGN_BIT
        biased = (bits >> FRACTION_BITS) & 0x7FFF
        fraction = bits & _FRACTION_MASK
        if biased == 0x7FFF:
            raise ValueError(f"0x{bits:032x} is an infinity or NaN, which the model rejects")
        if biased == 0:
            if fraction == 0:
                return Quad(negative, 0, 0)
            return Quad(negative, fraction, _SUBNORMAL_EXPONENT)
        return Quad(negative, fraction | _IMPLICIT_BIT, biased - _EXPONENT_OFFSET)

    @staticmethod
    def from_uint(value: int) -> Quad:
        """ABDK `fromUInt`: exact below 2^113, low bits dropped above."""
        if not 0 <= value < _UINT256_LIMIT:
            raise ValueError(f"{value} is not a uint256")
        return _truncated(False, value, 0)

    @staticmethod
    def from_int(value: int) -> Quad:
        """ABDK `fromInt`: like `from_uint` on |value|, keeping the sign (0 gives +0)."""
        if not -_INT256_LIMIT <= value < _INT256_LIMIT:
            raise ValueError(f"{value} is not an int256")
        return _truncated(value < 0, abs(value), 0)

    # ----------------------------------------------------------------- encodings
    def to_uint128(self) -> int:
        """The encoding as an unsigned 128-bit integer."""
        sign = _SIGN_BIT if self.negative else 0
        if self.significand == 0:
            return sign
        if self.significand < _IMPLICIT_BIT:  # subnormal
            return sign | self.significand
        biased = self.exponent + _EXPONENT_OFFSET
        return sign | (biased << FRACTION_BITS) | (self.significand & _FRACTION_MASK)

    def to_bytes16(self) -> bytes:
        return self.to_uint128().to_bytes(16, "big")

    def hex(self) -> str:
        """0x-prefixed 32-digit lower-case hex, as eth_call returns it."""
        return f"0x{self.to_uint128():032x}"

    def to_uint(self) -> int:
        """ABDK `toUInt`: floor for 0 <= x < 2^256, 0 for -1 < x < 0, else an empty revert."""
        if self.significand == 0:
            return 0
        if self.significand < _IMPLICIT_BIT or self.exponent < -FRACTION_BITS:
            return 0  # |x| < 1, including negatives above -1
        if self.negative:
            raise EmptyRevert("toUInt of a value <= -1")
        if self.exponent + FRACTION_BITS >= 256:
            raise EmptyRevert("toUInt of a value >= 2^256")
        if self.exponent >= 0:
            return self.significand << self.exponent
        return self.significand >> -self.exponent

    def as_fraction(self) -> Fraction:
        """The exact value (for tests and display; the math never goes through it)."""
        if self.exponent >= 0:
            magnitude = Fraction(self.significand << self.exponent)
        else:
            magnitude = Fraction(self.significand, 1 << -self.exponent)
        return -magnitude if self.negative else magnitude

    # ----------------------------------------------------------------- predicates
    @property
    def is_zero(self) -> bool:
        """True for both +0 and -0."""
        return self.significand == 0

    @property
    def is_positive_zero(self) -> bool:
        return self.significand == 0 and not self.negative

    @property
    def is_negative_zero(self) -> bool:
        return self.significand == 0 and self.negative

    # ----------------------------------------------------------------- arithmetic
    def neg(self) -> Quad:
        """ABDK `neg`: flips the sign bit (so neg(+0) is -0)."""
        return Quad(not self.negative, self.significand, self.exponent)

    def add(self, other: Quad) -> Quad:
        """ABDK `add`: the exact sum truncated toward zero; an exact cancellation gives +0.

        One ABDK quirk is kept on purpose: when the operands have opposite signs, the
        larger one is a power of two and the biased exponents differ by exactly 113, ABDK
        returns one unit in the last place above the truncated value (it rounds the
        small operand's contribution down to a single unit). Checked against ABDK 3.0.0.
        """
        if self.significand == 0:
            return POSITIVE_ZERO if other.significand == 0 else other
        if other.significand == 0:
            return self
        big, small = (self, other) if self.exponent >= other.exponent else (other, self)
        if big.negative != small.negative and _hits_power_of_two_quirk(big, small):
            return _truncated(big.negative, (big.significand << 1) - 1, big.exponent - 1)
        small_significand, small_exponent = small.significand, small.exponent
        if big.exponent - small_exponent > _STICKY_GAP:
            small_significand, small_exponent = 1, big.exponent - _STICKY_GAP
        exponent = small_exponent
        big_aligned = big.significand << (big.exponent - exponent)
        signed_sum = (-big_aligned if big.negative else big_aligned) + (
            -small_significand if small.negative else small_significand
        )
        if signed_sum == 0:
            return POSITIVE_ZERO
        return _truncated(signed_sum < 0, abs(signed_sum), exponent)

    def sub(self, other: Quad) -> Quad:
        """ABDK `sub` (x - y), defined as add(x, neg(y))."""
        return self.add(other.neg())

    def mul(self, other: Quad) -> Quad:
        """ABDK `mul`, truncated; the sign is the XOR of the signs, also for a zero result."""
        return _truncated(
            self.negative != other.negative,
            self.significand * other.significand,
            self.exponent + other.exponent,
        )

    def div(self, other: Quad) -> Quad:
        """ABDK `div`, truncated. Division by ±0 (ABDK: ±inf or NaN) raises ZeroDivisionError."""
        if other.significand == 0:
            raise ZeroDivisionError("quad division by zero (ABDK would return infinity or NaN)")
        negative = self.negative != other.negative
        if self.significand == 0:
            return Quad(negative, 0, 0)
        # Enough extra bits that the integer quotient keeps >= 114 significant bits; the
        # floor of the quotient then truncates to exactly the same 113 bits as the exact value.
        extra = (
            SIGNIFICAND_BITS
            + 2
            + max(0, other.significand.bit_length() - self.significand.bit_length())
        )
        quotient = (self.significand << extra) // other.significand
        return _truncated(negative, quotient, self.exponent - other.exponent - extra)

    def cmp(self, other: Quad) -> int:
        """ABDK `cmp`: -1, 0 or 1, decided on the encodings (so cmp(+0, -0) is 1)."""
        if self == other:
            return 0
        if self.negative != other.negative:
            return -1 if self.negative else 1
        magnitude_order = _compare_magnitudes(self, other)
        return -magnitude_order if self.negative else magnitude_order

    def __repr__(self) -> str:
        try:
            approximate = repr(float(self.as_fraction()))  # display only
        except OverflowError:
            approximate = "beyond float range"
        return f"Quad({self.hex()} ~ {approximate})"


def _as_uint128(raw: bytes | str | int) -> int:
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str):
        text = raw[2:] if raw.startswith(("0x", "0X")) else raw
        if len(text) != 32:
            raise ValueError(f"bytes16 hex must have 32 digits, got {raw!r}")
        value = int(text, 16)
    else:
        if len(raw) != 16:
            raise ValueError(f"bytes16 must be 16 bytes, got {len(raw)}")
        value = int.from_bytes(raw, "big")
    if not 0 <= value < (1 << 128):
        raise ValueError(f"{value} does not fit in 128 bits")
    return value


def _biased_exponent(x: Quad) -> int:
    return 0 if x.significand < _IMPLICIT_BIT else x.exponent + _EXPONENT_OFFSET


def _hits_power_of_two_quirk(big: Quad, small: Quad) -> bool:
    """ABDK `add` with opposite signs and an exponent gap of exactly 113 (see Quad.add).

    ABDK aligns the smaller operand one bit finer than the larger and replaces it by a
    single unit once the gap exceeds 112, instead of rounding it up. Only when the larger
    operand is a power of two does that unit survive normalisation, and only when the
    smaller significand is not itself a power of two does the result differ.
    """
    return (
        big.significand == _IMPLICIT_BIT
        and small.significand >= _IMPLICIT_BIT
        and small.significand != _IMPLICIT_BIT
        and _biased_exponent(big) - _biased_exponent(small) == SIGNIFICAND_BITS
    )


def _compare_magnitudes(x: Quad, y: Quad) -> int:
    # Normalised representation: compare top-bit positions first, then align.
    x_top = x.exponent + x.significand.bit_length()
    y_top = y.exponent + y.significand.bit_length()
    if x.significand == 0 or y.significand == 0:
        return (x.significand > 0) - (y.significand > 0)
    if x_top != y_top:
        return 1 if x_top > y_top else -1
    shift = x.exponent - y.exponent
    xs, ys = (
        (x.significand << shift, y.significand)
        if shift >= 0
        else (
            x.significand,
            y.significand << -shift,
        )
    )
    return (xs > ys) - (xs < ys)


def _truncated(negative: bool, magnitude: int, exponent: int) -> Quad:
    """The exact value ±magnitude·2^exponent truncated toward zero to 113 bits."""
    if magnitude == 0:
        return Quad(negative, 0, 0)
    length = magnitude.bit_length()
    if length > SIGNIFICAND_BITS:
        shift = length - SIGNIFICAND_BITS
        magnitude >>= shift
        exponent += shift
    elif length < SIGNIFICAND_BITS:
        shift = SIGNIFICAND_BITS - length
        magnitude <<= shift
        exponent -= shift
    if exponent < _SUBNORMAL_EXPONENT:
        magnitude >>= _SUBNORMAL_EXPONENT - exponent
        if magnitude == 0:
            return Quad(negative, 0, 0)
        return Quad(negative, magnitude, _SUBNORMAL_EXPONENT)
    if exponent + _EXPONENT_OFFSET > MAX_BIASED_EXPONENT:
        raise QuadOverflowError("quad overflow (ABDK would return infinity)")
    return Quad(negative, magnitude, exponent)


# --------------------------------------------------------------------- constants
POSITIVE_ZERO: Final = Quad(False, 0, 0)
NEGATIVE_ZERO: Final = Quad(True, 0, 0)
ONE: Final = Quad.from_bytes16(0x3FFF0000000000000000000000000000)
TWO: Final = ONE.add(ONE)
WAD: Final = Quad.from_uint(10**18)  # 0x403abc16d674ec800000000000000000
LOG2_E: Final = Quad.from_bytes16(0x3FFF71547652B82FE1777D0FFDA0D23A)


# --------------------------------------------------------------------- transcendental
def pow_2(x: Quad) -> Quad:
    """ABDK `pow_2` (2^x) replayed step by step with the pinned C_k table (§3.8.2)."""
    bits = x.to_uint128()
    negative = bits > _SIGN_BIT  # -0 counts as non-negative, like ABDK
    biased = (bits >> FRACTION_BITS) & 0x7FFF
    significand = bits & _FRACTION_MASK
    if biased > 16397:  # |x| >= 2^15
        if negative:
            return POSITIVE_ZERO
        raise QuadOverflowError("pow_2 overflow (ABDK would return infinity)")
    if biased < 16255:  # |x| < 2^-128
        return ONE
    if biased == 0:
        biased = 1
    else:
        significand |= _IMPLICIT_BIT
    # Fixed point with 128 fractional bits; a right shift drops bits, as in ABDK.
    if biased > 16367:
        significand <<= biased - 16367
    elif biased < 16367:
        significand >>= 16367 - biased
    if negative and significand > 0x406E << 128:
        return POSITIVE_ZERO
    if not negative and significand > (1 << 142) - 1:
        raise QuadOverflowError("pow_2 overflow (ABDK would return infinity)")
    result_exponent = significand >> 128
    fraction = significand & ((1 << 128) - 1)
    if negative and fraction != 0:
        fraction = ((1 << 128) - 1) - fraction
        result_exponent += 1
    result = 1 << 127
    for k, constant in enumerate(pow2_constants(), start=1):
        if fraction >> (128 - k) & 1:
            result = result * constant >> 128
    if not negative:
        return Quad.from_bytes16(
            ((result_exponent + EXPONENT_BIAS) << FRACTION_BITS) | (result >> 15 & _FRACTION_MASK)
        )
    if result_exponent <= EXPONENT_BIAS - 1:
        return Quad.from_bytes16(
            ((EXPONENT_BIAS - result_exponent) << FRACTION_BITS) | (result >> 15 & _FRACTION_MASK)
        )
    return Quad.from_bytes16(result >> (result_exponent - 16367))


def exp(x: Quad) -> Quad:
    """ABDK `exp`: pow_2(x ⊗ log2(e))."""
    return pow_2(x.mul(LOG2_E))


def log_2(x: Quad) -> Quad:
    """ABDK `log_2`, bit by bit (used only by the legacy power-leverage functions)."""
    bits = x.to_uint128()
    if bits > _SIGN_BIT:
        raise ValueError("log_2 of a negative number (ABDK returns NaN)")
    if x == ONE:
        return POSITIVE_ZERO
    biased = (bits >> FRACTION_BITS) & 0x7FFF
    significand = bits & _FRACTION_MASK
    if biased == 0:
        biased = 1
    else:
        significand |= _IMPLICIT_BIT
    if significand == 0:
        raise QuadOverflowError("log_2 of zero (ABDK returns -infinity)")
    result_exponent = 16495
    if biased >= EXPONENT_BIAS:
        result_negative = False
        result = biased - EXPONENT_BIAS
        significand <<= 15
    else:
        result_negative = True
        if significand >= _IMPLICIT_BIT:
            result = EXPONENT_BIAS - 1 - biased
            significand <<= 15
        else:
            msb = significand.bit_length() - 1
            result = 16493 - msb
            significand <<= 127 - msb
    if significand == 1 << 127:  # x is a power of two: the logarithm is an integer
        if result_negative:
            result += 1
        shift = FRACTION_BITS - (result.bit_length() - 1)
        result <<= shift
        result_exponent -= shift
    else:
        flip = 1 if result_negative else 0
        while result < _IMPLICIT_BIT:
            result <<= 1
            result_exponent -= 1
            significand *= significand
            top = significand >> 255
            result += top ^ flip
            significand >>= 127 + top
    return Quad.from_bytes16(
        (_SIGN_BIT if result_negative else 0)
        | (result_exponent << FRACTION_BITS)
        | (result & _FRACTION_MASK)
    )
