"""A thin JSON-RPC driver for the contract tests: explicit timestamps, explicit gas (so failing
transactions are mined, not refused by estimation), revert reasons of mined transactions,
snapshots, and encoding and decoding with the reference ABI (``pp_ref``), not the artifacts.
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from balancer_perps.devnet.evm import link, load_artifact
from tests.contracts import pp_ref

DEFAULT_GAS = 6_000_000
DEPLOY_GAS = 12_000_000
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


class RpcError(RuntimeError):
    def __init__(self, method: str, error: Any) -> None:
        super().__init__(f"{method}: {error}")
        self.error = error


class Rpc:
    """JSON-RPC over one keep-alive HTTP connection (much faster than a connection per call)."""

    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        self._host, self._port = parsed.hostname or "127.0.0.1", parsed.port or 8545
        self._conn: http.client.HTTPConnection | None = None
        self._id = 0

    def _post(self, payload: Any, *, retry: bool = True) -> Any:
        """POST on the kept-alive connection; reconnect once if it went stale (reads only:
        a transaction is never sent twice)."""
        body = json.dumps(payload)
        for attempt in range(2 if retry else 1):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=120)
            try:
                self._conn.request("POST", "/", body, {"Content-Type": "application/json"})
                return json.loads(self._conn.getresponse().read())
            except (http.client.HTTPException, OSError):
                self._conn.close()
                self._conn = None
                if attempt or not retry:
                    raise
        raise AssertionError("unreachable")

    def call(self, method: str, params: list[Any] | None = None) -> Any:
        self._id += 1
        answer = self._post(
            {"jsonrpc": "2.0", "id": self._id, "method": method, "params": params or []},
            retry=method != "eth_sendTransaction",
        )
        if "error" in answer:
            raise RpcError(method, answer["error"])
        return answer["result"]

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        """Several calls in one request; each answer is {'result': ...} or {'error': ...}."""
        if not calls:
            return []
        first = self._id + 1
        payload = [
            {"jsonrpc": "2.0", "id": first + i, "method": m, "params": p}
            for i, (m, p) in enumerate(calls)
        ]
        self._id += len(calls)
        answers = self._post(payload)
        by_id = {a["id"]: a for a in answers}
        return [by_id[first + i] for i in range(len(calls))]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def hexint(value: int) -> str:
    return hex(value)


def as_bytes(value: str | bytes | None) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    return bytes.fromhex(value.removeprefix("0x"))


def revert_data_of(error: Any) -> bytes:
    """Revert data from a JSON-RPC error object of eth_call / eth_estimateGas."""
    data = error.get("data") if isinstance(error, dict) else None
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        return as_bytes(data)
    return b""


@dataclass
class Log:
    address: str
    contract: str | None
    event: str
    args: dict[str, Any]

    def __repr__(self) -> str:
        return f"{self.contract or self.address}.{self.event}{self.args}"


@dataclass
class TxResult:
    tx_hash: str
    receipt: dict[str, Any]
    status: int
    block: int
    timestamp: int
    gas_used: int
    gas_cost: int
    logs: list[Log]
    revert_data: bytes = b""

    @property
    def ok(self) -> bool:
        return self.status == 1

    @property
    def revert(self) -> str:
        return pp_ref.decode_revert(self.revert_data)

    @property
    def names(self) -> list[str]:
        return [log.event for log in self.logs]

    def by_name(self, name: str) -> list[Log]:
        return [log for log in self.logs if log.event == name]

    def one(self, name: str) -> Log:
        found = self.by_name(name)
        assert len(found) == 1, f"expected one {name}, got {self.names}"
        return found[0]


class CallReverted(AssertionError):
    def __init__(self, reason: str, data: bytes) -> None:
        super().__init__(f"call reverted: {reason!r}")
        self.reason = reason
        self.data = data


class TxReverted(AssertionError):
    def __init__(self, result: TxResult) -> None:
        super().__init__(f"transaction reverted: {result.revert!r}")
        self.result = result
        self.reason = result.revert


@dataclass
class Chain:
    """One anvil node driven over JSON-RPC."""

    url: str
    rpc: Rpc = field(init=False)
    accounts: list[str] = field(init=False)
    kinds: dict[str, str] = field(default_factory=dict)  # address (lower) -> contract name

    def __post_init__(self) -> None:
        self.rpc = Rpc(self.url)
        self.accounts = [a.lower() for a in self.rpc.call("eth_accounts")]

    # ------------------------------------------------------------------ blocks and time
    def block_number(self) -> int:
        return int(self.rpc.call("eth_blockNumber"), 16)

    def block(self, number: int | str = "latest") -> dict[str, Any]:
        tag = hexint(number) if isinstance(number, int) else number
        block: dict[str, Any] = self.rpc.call("eth_getBlockByNumber", [tag, False])
        return block

    def now(self) -> int:
        return int(self.block()["timestamp"], 16)

    def set_next_timestamp(self, timestamp: int) -> None:
        self.rpc.call("evm_setNextBlockTimestamp", [timestamp])

    def mine(self, timestamp: int | None = None) -> int:
        """Mine one empty block (at ``timestamp`` if given); returns its number."""
        if timestamp is not None:
            self.set_next_timestamp(timestamp)
        self.rpc.call("anvil_mine", ["0x1"])
        return self.block_number()

    def snapshot(self) -> str:
        return str(self.rpc.call("evm_snapshot"))

    def revert_to(self, snapshot: str) -> None:
        assert self.rpc.call("evm_revert", [snapshot]) is True, "evm_revert failed"

    def impersonate(self, address: str) -> str:
        """Send as ``address`` (a contract too) from now on; gives it 1 ETH for gas."""
        self.rpc.call("anvil_impersonateAccount", [address])
        self.rpc.call("anvil_setBalance", [address, hexint(10**18)])
        return address.lower()

    def balance(self, address: str, block: int | str = "latest") -> int:
        tag = hexint(block) if isinstance(block, int) else block
        return int(self.rpc.call("eth_getBalance", [address, tag]), 16)

    # ------------------------------------------------------------------ transactions
    def send(
        self,
        sender: str,
        to: str | None,
        data: bytes | str,
        *,
        value: int = 0,
        gas: int = DEFAULT_GAS,
        at: int | None = None,
    ) -> TxResult:
        """Send and mine one transaction (alone in its block, at ``at`` if given).

        The gas limit is explicit, so a failing transaction is mined (status 0) and its
        revert data is read back with debug_traceTransaction.
        """
        if at is not None:
            self.set_next_timestamp(at)
        tx: dict[str, Any] = {
            "from": sender,
            "data": "0x" + as_bytes(data).hex(),
            "value": hexint(value),
            "gas": hexint(gas),
        }
        if to is not None:
            tx["to"] = to
        tx_hash = self.rpc.call("eth_sendTransaction", [tx])
        receipt = self._receipt(tx_hash)
        status = int(receipt["status"], 16)
        block_number = int(receipt["blockNumber"], 16)
        logs = [self.decode(log) for log in receipt["logs"]]
        result = TxResult(
            tx_hash=tx_hash,
            receipt=receipt,
            status=status,
            block=block_number,
            timestamp=int(self.block(block_number)["timestamp"], 16),
            gas_used=int(receipt["gasUsed"], 16),
            gas_cost=int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16),
            logs=logs,
        )
        if status != 1:
            trace = self.rpc.call("debug_traceTransaction", [tx_hash, {"tracer": "callTracer"}])
            result.revert_data = as_bytes(trace.get("output"))
        return result

    def _receipt(self, tx_hash: str) -> dict[str, Any]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            receipt = self.rpc.call("eth_getTransactionReceipt", [tx_hash])
            if receipt is not None:
                return dict(receipt)
            time.sleep(0.005)
        raise TimeoutError(f"no receipt for {tx_hash}")

    def decode(self, log: dict[str, Any]) -> Log:
        address = log["address"].lower()
        contract = self.kinds.get(address)
        topics = [as_bytes(t) for t in log["topics"]]
        name, args = pp_ref.decode_log(topics, as_bytes(log["data"]), contract)
        return Log(address, contract, name, args)

    def call(
        self,
        to: str,
        data: bytes | str,
        *,
        block: int | str = "latest",
        sender: str | None = None,
        value: int = 0,
        time_override: int | None = None,
    ) -> tuple[bool, bytes]:
        """eth_call: (True, return data) or (False, revert data)."""
        tx: dict[str, Any] = {"to": to, "data": "0x" + as_bytes(data).hex()}
        if sender is not None:
            tx["from"] = sender
        if value:
            tx["value"] = hexint(value)
        params: list[Any] = [tx, hexint(block) if isinstance(block, int) else block]
        if time_override is not None:
            params += [{}, {"time": hexint(time_override)}]
        try:
            return True, as_bytes(self.rpc.call("eth_call", params))
        except RpcError as error:
            return False, revert_data_of(error.error)

    # ------------------------------------------------------------------ contracts
    def contract(self, name: str, address: str) -> Bound:
        self.kinds[address.lower()] = name
        return Bound(self, name, address.lower())

    def deploy_tx(
        self,
        name: str,
        *args: Any,
        sender: str,
        libraries: dict[str, str] | None = None,
    ) -> TxResult:
        """A deployment transaction that may fail (constructor checks)."""
        artifact = load_artifact(name)
        code = link(artifact["bytecode"], artifact["linkReferences"], libraries or {})
        ctor = pp_ref.abi(name).constructor if name in pp_ref.reference() else ()
        data = as_bytes(code) + pp_ref.encode_args([p.type for p in ctor], list(args))
        return self.send(sender, None, data, gas=DEPLOY_GAS)

    def deploy(
        self,
        name: str,
        *args: Any,
        sender: str,
        libraries: dict[str, str] | None = None,
        at: int | None = None,
    ) -> Bound:
        """Deploy from the committed artifact, encoding the constructor with the reference."""
        if at is not None:
            self.set_next_timestamp(at)
        result = self.deploy_tx(name, *args, sender=sender, libraries=libraries)
        if not result.ok:
            raise TxReverted(result)
        return self.contract(name, result.receipt["contractAddress"])


@dataclass
class Bound:
    """A contract at an address, spoken to through the reference ABI."""

    chain: Chain
    name: str
    address: str

    def __str__(self) -> str:
        return f"{self.name}@{self.address}"

    def fn(self, function: str) -> pp_ref.Function:
        return pp_ref.abi(self.name).fn(function)

    def calldata(self, function: str, *args: Any) -> bytes:
        return pp_ref.encode_call(self.fn(function), list(args))

    def try_call(
        self,
        function: str,
        *args: Any,
        block: int | str = "latest",
        sender: str | None = None,
        value: int = 0,
        time_override: int | None = None,
    ) -> tuple[bool, Any]:
        """(True, decoded output) or (False, decoded revert reason)."""
        fn = self.fn(function)
        ok, data = self.chain.call(
            self.address,
            pp_ref.encode_call(fn, list(args)),
            block=block,
            sender=sender,
            value=value,
            time_override=time_override,
        )
        if not ok:
            return False, pp_ref.decode_revert(data)
        return True, pp_ref.decode_output(fn, data)

    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        fn = self.fn(function)
        block = kwargs.pop("block", "latest")
        ok, data = self.chain.call(
            self.address, pp_ref.encode_call(fn, list(args)), block=block, **kwargs
        )
        if not ok:
            raise CallReverted(pp_ref.decode_revert(data), data)
        return pp_ref.decode_output(fn, data)

    def tx(
        self,
        function: str,
        *args: Any,
        sender: str,
        value: int = 0,
        at: int | None = None,
        gas: int = DEFAULT_GAS,
    ) -> TxResult:
        """Send and mine; the result may have failed (check ``.ok`` / ``.revert``)."""
        return self.chain.send(
            sender, self.address, self.calldata(function, *args), value=value, gas=gas, at=at
        )

    def send(self, function: str, *args: Any, **kwargs: Any) -> TxResult:
        """Send and mine, raising TxReverted if it failed."""
        result = self.tx(function, *args, **kwargs)
        if not result.ok:
            raise TxReverted(result)
        return result
