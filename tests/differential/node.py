"""The chain half of the differential test: raw JSON-RPC to one anvil node.

One keep-alive HTTP connection; reads go out as a single JSON-RPC batch per step. Calldata
is encoded from signature strings and logs are decoded with the committed artifacts' ABIs,
so no web3 contract object sits on the hot path.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from eth_abi import decode, encode
from eth_utils import keccak

from balancer_perps.devnet.evm import load_artifact
from tests.contracts.pp_chain import Rpc

TX_GAS = 12_000_000  # explicit, so a failing transaction is mined instead of refused
ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)

# Every contract whose events a differential step can produce.
EVENT_SOURCES = (
    "LeveragedPool",
    "PoolCommitter",
    "PoolKeeper",
    "KeeperRewards",
    "AutoClaim",
    "InvariantCheck",
    "PoolToken",
    "TestToken",
)


class NodeError(RuntimeError):
    pass


# ----------------------------------------------------------------------------- ABI
def split_signature(signature: str) -> tuple[str, list[str]]:
    """ "f(address,uint256)" -> ("f", ["address", "uint256"])."""
    name, _, rest = signature.partition("(")
    inner = rest.removesuffix(")")
    return name, [t for t in inner.split(",") if t]


@cache
def selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def calldata(signature: str, args: tuple[Any, ...]) -> str:
    _, types = split_signature(signature)
    return "0x" + (selector(signature) + encode(types, list(args))).hex()


@cache
def _function_outputs() -> dict[str, list[str]]:
    """Function name -> output types, over every artifact a read can target."""
    outputs: dict[str, list[str]] = {}
    for name in ("LeveragedPool", "PoolCommitter", "PoolKeeper", "AutoClaim", "PoolToken"):
        for item in load_artifact(name)["abi"]:
            if item["type"] == "function":
                types = [_abi_type(o) for o in item["outputs"]]
                outputs.setdefault(item["name"], types)
    return outputs


def _abi_type(item: dict[str, Any]) -> str:
    if item["type"].startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in item["components"])
        return f"({inner}){item['type'].removeprefix('tuple')}"
    return str(item["type"])


def decode_output(function: str, data: str) -> Any:
    """A read's return value: one value, or a list for several outputs / a struct."""
    types = _function_outputs()[function]
    values = decode(types, bytes.fromhex(data.removeprefix("0x")))
    values = [_plain(v) for v in values]
    if len(values) == 1:
        return values[0]
    return values


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return value.lower()
    return value


@dataclass(frozen=True)
class EventAbi:
    name: str
    inputs: tuple[tuple[str, str, bool], ...]  # (name, type, indexed)


@cache
def _event_index() -> dict[bytes, EventAbi]:
    index: dict[bytes, EventAbi] = {}
    for contract in EVENT_SOURCES:
        for item in load_artifact(contract)["abi"]:
            if item["type"] != "event":
                continue
            types = ",".join(_abi_type(i) for i in item["inputs"])
            topic = keccak(text=f"{item['name']}({types})")
            index.setdefault(
                topic,
                EventAbi(
                    item["name"],
                    tuple((i["name"], _abi_type(i), bool(i["indexed"])) for i in item["inputs"]),
                ),
            )
    return index


def decode_log(log: dict[str, Any], role_of: dict[str, str]) -> dict[str, Any]:
    """A receipt log as the model emits it: {emitter, event, args}, addresses as roles."""
    topics = [bytes.fromhex(t.removeprefix("0x")) for t in log["topics"]]
    emitter = role_of.get(log["address"].lower(), log["address"].lower())
    abi = _event_index().get(topics[0]) if topics else None
    if abi is None:
        return {"emitter": emitter, "event": "?", "args": {"raw": log}}
    indexed = [t for _, t, is_indexed in abi.inputs if is_indexed]
    plain = [t for _, t, is_indexed in abi.inputs if not is_indexed]
    indexed_values = iter(
        decode([t], topic)[0] for t, topic in zip(indexed, topics[1:], strict=True)
    )
    plain_values = iter(decode(plain, bytes.fromhex(log["data"].removeprefix("0x"))))
    args: dict[str, Any] = {}
    for name, type_, is_indexed in abi.inputs:
        value = _plain(next(indexed_values) if is_indexed else next(plain_values))
        if type_ == "address":
            value = role_of.get(value, value)
        args[name] = value
    return {"emitter": emitter, "event": abi.name, "args": args}


def decode_revert(data: bytes) -> str:
    """The same text the model's errors carry: the reason, "Panic(0x11)", or "" (no data)."""
    if data[:4] == ERROR_SELECTOR:
        return str(decode(["string"], data[4:])[0])
    if data[:4] == PANIC_SELECTOR:
        return f"Panic(0x{decode(['uint256'], data[4:])[0]:02x})"
    if not data:
        return ""
    return "0x" + data.hex()


# ----------------------------------------------------------------------------- transactions
@dataclass
class Receipt:
    ok: bool
    revert: str | None
    logs: list[dict[str, Any]]
    gas_cost: int  # wei paid by the sender
    timestamp: int


@dataclass
class Node:
    """Sends one transaction per block at a chosen timestamp and reads in batches."""

    url: str
    rpc: Rpc = field(init=False)

    def __post_init__(self) -> None:
        self.rpc = Rpc(self.url)

    def snapshot(self) -> str:
        return str(self.rpc.call("evm_snapshot"))

    def revert_to(self, snapshot: str) -> None:
        if self.rpc.call("evm_revert", [snapshot]) is not True:
            raise NodeError(f"evm_revert({snapshot}) failed")

    def latest_timestamp(self) -> int:
        block = self.rpc.call("eth_getBlockByNumber", ["latest", False])
        return int(block["timestamp"], 16)

    def transact(
        self,
        sender: str,
        to: str,
        data: str,
        *,
        value: int,
        timestamp: int,
        role_of: dict[str, str],
    ) -> Receipt:
        self.rpc.call("evm_setNextBlockTimestamp", [timestamp])
        tx = {"from": sender, "to": to, "data": data, "value": hex(value), "gas": hex(TX_GAS)}
        tx_hash = self.rpc.call("eth_sendTransaction", [tx])
        receipt = self._receipt(tx_hash)
        ok = int(receipt["status"], 16) == 1
        revert = None
        if not ok:
            trace = self.rpc.call("debug_traceTransaction", [tx_hash, {"tracer": "callTracer"}])
            revert = decode_revert(bytes.fromhex(str(trace.get("output") or "0x")[2:]))
        gas_cost = int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)
        logs = [decode_log(log, role_of) for log in receipt["logs"]]
        return Receipt(ok, revert, logs, gas_cost, timestamp)

    def _receipt(self, tx_hash: str) -> dict[str, Any]:
        """Automine mines at once, but the receipt can lag the hash by a moment."""
        deadline = time.monotonic() + 30
        while True:
            receipt = self.rpc.call("eth_getTransactionReceipt", [tx_hash])
            if receipt is not None:
                return dict(receipt)
            if time.monotonic() > deadline:
                raise NodeError(f"{tx_hash} was not mined (is automine on?)")
            time.sleep(0.002)
