"""Contract ABIs: one cached loader over ``abis/``, and a small codec built on eth_abi.

The adapter never builds web3 contract objects: it encodes calls and decodes results and
logs itself, so that every read of every market can go into one Multicall3 batch.

Until the devnet build exports a contract's ABI, the loader falls back to the entries of
the protocol reference (``reference_abi.py``) that the adapter uses; a test checks that the
exported ABIs contain every one of those entries unchanged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import DecodingError
from eth_abi.grammar import ABIType, BasicType, TupleType, parse
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from balancer_perps.chain.errors import AbiMismatch

ABIS_DIR = Path(__file__).resolve().parents[2] / "abis"

logger = logging.getLogger(__name__)


def canonical_type(entry: Mapping[str, Any]) -> str:
    """The ABI type as it appears in signatures: tuples spelled out, array suffixes kept."""
    kind = str(entry["type"])
    if not kind.startswith("tuple"):
        return kind
    inner = ",".join(canonical_type(component) for component in entry["components"])
    return f"({inner}){kind[len('tuple') :]}"


def decode_values(types: Sequence[str], data: bytes) -> tuple[Any, ...]:
    """eth_abi decoding with every address checksummed (eth_abi returns lower case).

    Outputs made only of one-word types (integers, bool, address, bytesN), which is most
    of a market refresh, are read word by word: eth_abi is slow for thousands of them.
    """
    if all(_is_word(t) for t in types):
        if len(data) < 32 * len(types):
            raise DecodingError(f"{len(data)} bytes cannot hold {len(types)} words")
        return tuple(_word(t, data[32 * i : 32 * i + 32]) for i, t in enumerate(types))
    values = abi_decode(list(types), data)
    return tuple(_checksummed(parse(t), v) for t, v in zip(types, values, strict=True))


def _is_word(kind: str) -> bool:
    return kind in ("bool", "address") or (
        kind.startswith(("uint", "int", "bytes")) and kind[-1].isdigit() and "[" not in kind
    )


def _word(kind: str, word: bytes) -> Any:
    if kind.startswith("uint"):
        return int.from_bytes(word, "big")
    if kind.startswith("int"):
        return int.from_bytes(word, "big", signed=True)
    if kind == "bool":
        return word != bytes(32)
    if kind == "address":
        return to_checksum_address(word[12:])
    return word[: int(kind[len("bytes") :])]  # bytesN is left-aligned


def _checksummed(kind: ABIType, value: Any) -> Any:
    if kind.is_array:
        return tuple(_checksummed(kind.item_type, item) for item in value)
    if isinstance(kind, TupleType):
        return tuple(_checksummed(c, v) for c, v in zip(kind.components, value, strict=True))
    if isinstance(kind, BasicType) and kind.base == "address":
        return to_checksum_address(value)
    return value


def _types(entries: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(canonical_type(entry) for entry in entries)


@dataclass(frozen=True, slots=True)
class AbiFunction:
    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    output_names: tuple[str, ...]
    state_mutability: str

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(self.inputs)})"

    @property
    def selector(self) -> bytes:
        return keccak(text=self.signature)[:4]

    def encode(self, *args: Any) -> bytes:
        return self.selector + abi_encode(list(self.inputs), list(args))

    def decode(self, data: bytes) -> tuple[Any, ...]:
        """The outputs as a tuple (one element per output; structs are nested tuples)."""
        if not self.outputs:
            return ()
        return decode_values(self.outputs, data)


@dataclass(frozen=True, slots=True)
class AbiEventParam:
    name: str
    type: str
    indexed: bool


@dataclass(frozen=True, slots=True)
class AbiEvent:
    name: str
    params: tuple[AbiEventParam, ...]

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(p.type for p in self.params)})"

    @property
    def topic0(self) -> bytes:
        return keccak(text=self.signature)

    def decode(self, topics: Sequence[bytes], data: bytes) -> dict[str, Any]:
        """Arguments by name; indexed ones from the topics, the others from the data."""
        indexed = [p for p in self.params if p.indexed]
        if len(topics) != len(indexed) + 1 or topics[0] != self.topic0:
            raise AbiMismatch(f"log does not match event {self.signature}")
        values: dict[str, Any] = {}
        for param, topic in zip(indexed, topics[1:], strict=True):
            (values[param.name],) = decode_values([param.type], topic)
        plain = [p for p in self.params if not p.indexed]
        decoded = decode_values([p.type for p in plain], data) if plain else ()
        for param, value in zip(plain, decoded, strict=True):
            values[param.name] = value
        return values


@dataclass(frozen=True, slots=True)
class AbiError:
    name: str
    inputs: tuple[str, ...]

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(self.inputs)})"

    @property
    def selector(self) -> bytes:
        return keccak(text=self.signature)[:4]


class ContractAbi:
    """The functions, events and custom errors of one contract."""

    def __init__(self, name: str, entries: Sequence[Mapping[str, Any]], source: str) -> None:
        self.name = name
        self.source = source
        self.functions: dict[str, AbiFunction] = {}
        self.events: dict[str, AbiEvent] = {}
        self.errors: dict[bytes, AbiError] = {}
        for entry in entries:
            kind = entry.get("type", "function")
            if kind == "function":
                function = AbiFunction(
                    name=str(entry["name"]),
                    inputs=_types(entry.get("inputs", ())),
                    outputs=_types(entry.get("outputs", ())),
                    output_names=tuple(str(o.get("name", "")) for o in entry.get("outputs", ())),
                    state_mutability=str(entry.get("stateMutability", "nonpayable")),
                )
                # The V2 ABIs have no overloads; keep the first if a token ever has one.
                self.functions.setdefault(function.name, function)
            elif kind == "event":
                event = AbiEvent(
                    name=str(entry["name"]),
                    params=tuple(
                        AbiEventParam(str(p.get("name", "")), canonical_type(p), bool(p["indexed"]))
                        for p in entry.get("inputs", ())
                    ),
                )
                self.events.setdefault(event.name, event)
            elif kind == "error":
                error = AbiError(str(entry["name"]), _types(entry.get("inputs", ())))
                self.errors[error.selector] = error

    def fn(self, name: str) -> AbiFunction:
        try:
            return self.functions[name]
        except KeyError:
            raise AbiMismatch(
                f"the {self.name} ABI ({self.source}) has no function {name}: "
                "rebuild the contracts with `python -m balancer_perps.devnet.build`"
            ) from None

    def event(self, name: str) -> AbiEvent:
        try:
            return self.events[name]
        except KeyError:
            raise AbiMismatch(
                f"the {self.name} ABI ({self.source}) has no event {name}: "
                "rebuild the contracts with `python -m balancer_perps.devnet.build`"
            ) from None


@cache
def load_abi(name: str) -> ContractAbi:
    """The ABI of ``name`` from ``abis/<name>.json``, or the reference entries until it exists."""
    path = ABIS_DIR / f"{name}.json"
    if path.exists():
        data = json.loads(path.read_text())
        entries = data["abi"] if isinstance(data, dict) else data
        return ContractAbi(name, entries, source=f"abis/{name}.json")
    from balancer_perps.chain.reference_abi import reference_entries

    entries = reference_entries(name)
    if entries is None:
        raise AbiMismatch(
            f"abis/{name}.json is missing: run `python -m balancer_perps.devnet.build`"
        )
    logger.info("abis/%s.json not built yet: using the protocol reference ABI", name)
    return ContractAbi(name, entries, source="protocol reference")


def custom_errors(names: Sequence[str]) -> dict[bytes, AbiError]:
    """Custom errors declared by any of the named contracts, by selector."""
    found: dict[bytes, AbiError] = {}
    for name in names:
        found.update(load_abi(name).errors)
    return found
