"""`commit(bytes32)` argument packing (§2.9): L2Encoder on the way in, CalldataLogic out.

The decoder is as lenient as the contract's: only the low 128 bits are the amount, each
flag is a whole byte where any non-zero value means true, bits 152-255 are ignored and
an out-of-range commit type only fails (Panic 0x21) when it is first used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from balancer_perps.domain.errors import (
    PANIC_INVALID_ENUM,
    ContractPanic,
    ContractRevert,
    EmptyRevert,
)
from balancer_perps.domain.types import CommitType

_AMOUNT_BITS: Final = 128
_AMOUNT_MASK: Final = (1 << _AMOUNT_BITS) - 1
_TYPE_SHIFT: Final = 128
_FROM_AGGREGATE_SHIFT: Final = 136
_PAY_FOR_CLAIM_SHIFT: Final = 144


@dataclass(frozen=True, slots=True)
class DecodedCommit:
    """The four commit arguments as the PoolCommitter sees them."""

    amount: int
    commit_type_byte: int
    from_aggregate_balance: bool
    pay_for_claim: bool

    @property
    def commit_type(self) -> CommitType:
        """The enum value; a byte above 5 is Panic(0x21) like the contract's first use."""
        if self.commit_type_byte > max(CommitType):
            raise ContractPanic(PANIC_INVALID_ENUM)
        return CommitType(self.commit_type_byte)


def encode_commit_params(
    amount: int, commit_type: int, from_aggregate_balance: bool, pay_for_claim: bool
) -> bytes:
    """L2Encoder.encodeCommitParams: the 32-byte `commit` argument."""
    if commit_type not in tuple(CommitType):
        raise EmptyRevert("commitType is not a valid CommitType (ABI decoding fails)")
    if not 0 <= amount <= (1 << 256) - 1:
        raise ValueError(f"{amount} is not a uint256")
    if amount > _AMOUNT_MASK:
        raise ContractRevert("SafeCast: value doesn't fit in 128 bits")
    packed = (
        amount
        | int(commit_type) << _TYPE_SHIFT
        | int(from_aggregate_balance) << _FROM_AGGREGATE_SHIFT
        | int(pay_for_claim) << _PAY_FOR_CLAIM_SHIFT
    )
    return packed.to_bytes(32, "big")


def decode_commit_params(args: bytes | str) -> DecodedCommit:
    """CalldataLogic.decodeCommitParams (bytes or 0x-hex of exactly 32 bytes)."""
    raw = _bytes32(args)
    packed = int.from_bytes(raw, "big")
    return DecodedCommit(
        amount=packed & _AMOUNT_MASK,
        commit_type_byte=(packed >> _TYPE_SHIFT) & 0xFF,
        from_aggregate_balance=(packed >> _FROM_AGGREGATE_SHIFT) & 0xFF != 0,
        pay_for_claim=(packed >> _PAY_FOR_CLAIM_SHIFT) & 0xFF != 0,
    )


def encode_address_array(addresses: Sequence[str | bytes]) -> bytes:
    """L2Encoder.encodeAddressArray: 20-byte addresses concatenated (packed upkeep calls)."""
    packed = bytearray()
    for address in addresses:
        raw = (
            bytes.fromhex(address[2:] if address.startswith("0x") else address)
            if isinstance(address, str)
            else address
        )
        if len(raw) != 20:
            raise ValueError(f"an address has 20 bytes, got {len(raw)}")
        packed += raw
    return bytes(packed)


def _bytes32(args: bytes | str) -> bytes:
    if isinstance(args, str):
        text = args[2:] if args.startswith(("0x", "0X")) else args
        raw = bytes.fromhex(text)
    else:
        raw = bytes(args)
    if len(raw) != 32:
        raise ValueError(f"commit arguments are 32 bytes, got {len(raw)}")
    return raw
