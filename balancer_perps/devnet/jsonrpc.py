"""A lean JSON-RPC client for the devnet processes (seeding, keeper, feed, status).

The seeding loop sends a few thousand transactions; building them with pre-encoded
calldata over one keep-alive session is several times faster than going through a
``web3.Web3`` contract object for each one. Reads can be sent as one JSON-RPC batch.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import cache
from typing import Any

import requests
from eth_abi.abi import decode, encode
from eth_utils.crypto import keccak

from balancer_perps.devnet.anvil import AnvilError


class RpcError(AnvilError):
    """The node answered with a JSON-RPC error (``message`` holds its text)."""

    def __init__(self, method: str, error: dict[str, Any]) -> None:
        self.message = str(error.get("message", error))
        self.data = error.get("data")
        super().__init__(f"{method}: {self.message}")


class NodeUnreachable(AnvilError):
    """No answer from the node (stopped, restarting, or the wrong port)."""


class JsonRpc:
    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url
        self.timeout = timeout
        self._session = requests.Session()
        self._id = 0

    def _post(self, payload: Any) -> Any:
        try:
            response = self._session.post(self.url, json=payload, timeout=self.timeout)
            return response.json()
        except (requests.RequestException, ValueError) as error:
            raise NodeUnreachable(f"{self.url}: {error}") from error

    def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        self._id += 1
        answer = self._post(
            {"jsonrpc": "2.0", "id": self._id, "method": method, "params": list(params)}
        )
        if "error" in answer:
            raise RpcError(method, answer["error"])
        return answer["result"]

    def batch(self, requests_: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Several requests in one round trip; answers in request order. Only for reads:
        anvil may serve the requests of a batch concurrently."""
        if not requests_:
            return []
        payload = [
            {"jsonrpc": "2.0", "id": i, "method": method, "params": list(params)}
            for i, (method, params) in enumerate(requests_)
        ]
        answers = {a["id"]: a for a in self._post(payload)}
        results = []
        for i, (method, _) in enumerate(requests_):
            answer = answers[i]
            if "error" in answer:
                raise RpcError(method, answer["error"])
            results.append(answer["result"])
        return results

    # --- conveniences -------------------------------------------------------------

    def eth_call(self, to: str, data: str, block: str = "latest") -> bytes:
        return bytes.fromhex(self.call("eth_call", [{"to": to, "data": data}, block])[2:])

    def read(
        self, calls: Sequence[tuple[str, str, Sequence[str]]], block: str = "latest"
    ) -> list[tuple[Any, ...]]:
        """Batch of ``(to, calldata, output types)`` eth_calls, decoded."""
        raw = self.batch([("eth_call", [{"to": to, "data": data}, block]) for to, data, _ in calls])
        return [
            decode(list(types), bytes.fromhex(r[2:]))
            for r, (_, _, types) in zip(raw, calls, strict=True)
        ]

    def send(
        self, sender: str, to: str, data: str, *, value: int = 0, gas: int | None = None
    ) -> str:
        """eth_sendTransaction from an unlocked account; returns the hash."""
        tx: dict[str, Any] = {"from": sender, "to": to, "data": data}
        if value:
            tx["value"] = hex(value)
        if gas is not None:
            tx["gas"] = hex(gas)
        return str(self.call("eth_sendTransaction", [tx]))

    def wait(self, tx_hash: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            receipt = self.call("eth_getTransactionReceipt", [tx_hash])
            if receipt is not None:
                return dict(receipt)
            if time.monotonic() > deadline:
                raise NodeUnreachable(f"no receipt for {tx_hash} after {timeout} s")
            time.sleep(0.02)

    def block(self, tag: str = "latest") -> dict[str, Any]:
        return dict(self.call("eth_getBlockByNumber", [tag, False]))

    def close(self) -> None:
        self._session.close()


def _split_types(signature: str) -> list[str]:
    """``f(uint256,(address,bytes)[])`` -> ``["uint256", "(address,bytes)[]"]``."""
    inner = signature[signature.index("(") + 1 : signature.rindex(")")]
    types, depth, start = [], 0, 0
    for i, char in enumerate(inner):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            types.append(inner[start:i])
            start = i + 1
    if inner:
        types.append(inner[start:])
    return types


@cache
def _selector_and_types(signature: str) -> tuple[bytes, list[str]]:
    return keccak(text=signature)[:4], _split_types(signature)


def calldata(signature: str, *args: Any) -> str:
    """ABI-encode a call by its canonical signature, e.g. ``calldata("mint(address,uint256)",
    who, 10**18)``."""
    selector, types = _selector_and_types(signature)
    return "0x" + (selector + encode(types, list(args))).hex()
