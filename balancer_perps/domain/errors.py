"""Typed failures that mirror how the V2 contracts revert.

A model call that would revert on chain raises one of these instead, so callers can
tell a contract failure (which the UI must explain) from a bug in the caller.
"""

from __future__ import annotations

PANIC_ASSERT = 0x01
PANIC_ARITHMETIC = 0x11
PANIC_DIVISION_BY_ZERO = 0x12
PANIC_INVALID_ENUM = 0x21


class ContractError(Exception):
    """Base class: the equivalent contract call reverts."""


class ContractRevert(ContractError):
    """`Error(string)` revert; `reason` is the exact revert string."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ContractPanic(ContractError):
    """`Panic(uint256)` revert, e.g. 0x11 for checked-arithmetic overflow."""

    def __init__(self, code: int) -> None:
        super().__init__(f"Panic(0x{code:02x})")
        self.code = code


class EmptyRevert(ContractError):
    """Revert without data, e.g. ABDK `toUInt` of a negative number or a bare `require`."""

    def __init__(self, why: str = "") -> None:
        super().__init__(why or "revert without data")
        self.why = why


UINT256_MAX = (1 << 256) - 1
INT256_MIN = -(1 << 255)
INT256_MAX = (1 << 255) - 1


def checked_uint(value: int) -> int:
    """Solidity 0.8 checked `uint256` result: Panic(0x11) outside [0, 2^256)."""
    if value < 0 or value > UINT256_MAX:
        raise ContractPanic(PANIC_ARITHMETIC)
    return value


def checked_int(value: int) -> int:
    """Solidity 0.8 checked `int256` result: Panic(0x11) outside the int256 range."""
    if value < INT256_MIN or value > INT256_MAX:
        raise ContractPanic(PANIC_ARITHMETIC)
    return value
