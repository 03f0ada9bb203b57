"""Typed chain failures, each with a message a user can read.

``ChainError.message`` is meant for the UI as it is; the subclasses carry the details
(the revert reason, the panic code, the expected chain id) for code that needs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from eth_abi.abi import decode as abi_decode
from eth_abi.exceptions import DecodingError

if TYPE_CHECKING:
    from balancer_perps.chain.abi import AbiError

ERROR_STRING_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)

# Solidity's panic codes and what they mean.
PANIC_MEANINGS: dict[int, str] = {
    0x00: "a generic compiler panic",
    0x01: "a failed assertion",
    0x11: "an arithmetic overflow or underflow",
    0x12: "a division or modulo by zero",
    0x21: "an invalid enum value (for example an unknown commit type)",
    0x22: "a corrupted storage byte array",
    0x31: "pop() on an empty array",
    0x32: "an array index out of bounds",
    0x41: "an out-of-memory allocation",
    0x51: "a call to an uninitialised function",
}

RevertKind = Literal["error", "panic", "custom", "empty", "unknown"]


class ChainError(Exception):
    """Base class: the chain could not answer, or answered with a failure."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NodeUnavailable(ChainError):
    """The node did not answer (down, unreachable, timed out)."""


class WrongNetwork(ChainError):
    """The node serves a different chain than the configured network."""

    def __init__(self, network: str, expected_chain_id: int, actual_chain_id: int) -> None:
        super().__init__(
            f"The node at the configured RPC URL serves chain {actual_chain_id}, "
            f"but the {network} network is chain {expected_chain_id}."
        )
        self.expected_chain_id = expected_chain_id
        self.actual_chain_id = actual_chain_id


class RpcError(ChainError):
    """The node answered a request with a JSON-RPC error that is not a revert."""

    def __init__(self, method: str, code: int | None, node_message: str) -> None:
        super().__init__(f"The node refused {method}: {node_message}")
        self.method = method
        self.code = code
        self.node_message = node_message


class AbiMismatch(ChainError):
    """An ABI is missing an entry, or data does not decode with it."""


class ContractReverted(ChainError):
    """A call or transaction reverts; ``reason`` is the decoded revert reason.

    ``kind`` says how it reverted: ``error`` (``Error(string)``, ``reason`` is the string),
    ``panic`` (``Panic(uint256)``, ``panic_code`` set), ``custom`` (a custom error from the
    ABIs, ``error_name``/``error_args`` set), ``empty`` (no data) or ``unknown`` (data no
    known ABI decodes).
    """

    def __init__(
        self,
        reason: str,
        *,
        kind: RevertKind,
        data: bytes = b"",
        panic_code: int | None = None,
        error_name: str | None = None,
        error_args: tuple[Any, ...] = (),
    ) -> None:
        super().__init__(f"The transaction would fail: {reason}")
        self.reason = reason
        self.kind = kind
        self.data = data
        self.panic_code = panic_code
        self.error_name = error_name
        self.error_args = error_args


def decode_revert(data: bytes, custom_errors: Mapping[bytes, AbiError]) -> ContractReverted:
    """Decode revert data: ``Error(string)``, ``Panic(uint256)``, a known custom error."""
    if not data:
        return ContractReverted("reverted without a reason", kind="empty")
    selector, payload = data[:4], data[4:]
    try:
        if selector == ERROR_STRING_SELECTOR:
            (message,) = abi_decode(["string"], payload)
            return ContractReverted(str(message), kind="error", data=data)
        if selector == PANIC_SELECTOR:
            (code,) = abi_decode(["uint256"], payload)
            meaning = PANIC_MEANINGS.get(int(code), "an unknown panic code")
            return ContractReverted(
                f"Panic(0x{int(code):02x}): {meaning}",
                kind="panic",
                data=data,
                panic_code=int(code),
            )
        if selector in custom_errors:
            error = custom_errors[selector]
            args = tuple(abi_decode(list(error.inputs), payload)) if error.inputs else ()
            return ContractReverted(
                f"{error.name}({', '.join(map(str, args))})",
                kind="custom",
                data=data,
                error_name=error.name,
                error_args=args,
            )
    except DecodingError:
        pass
    return ContractReverted(f"unknown revert data 0x{data.hex()}", kind="unknown", data=data)


def revert_data_of(error: Mapping[str, Any]) -> bytes | None:
    """The revert data inside a JSON-RPC error object, or None if it is not a revert.

    Nodes put it in ``error.data`` as a hex string (geth, anvil), sometimes nested as
    ``error.data.data``; a revert without data comes as code 3 or "execution reverted".
    """
    data = error.get("data")
    if isinstance(data, Mapping):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        try:
            return bytes.fromhex(data[2:])
        except ValueError:
            return None
    message = str(error.get("message", "")).lower()
    if error.get("code") == 3 or "revert" in message:
        return b""
    return None
