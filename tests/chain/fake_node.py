"""An in-memory JSON-RPC node for unit tests of the adapter, the indexer and the watcher.

It answers at the provider level (``make_request``/``make_batch_request``), so the code
under test runs exactly as against a real node: contracts are Python handlers behind
their real ABIs, Multicall3 ``aggregate3`` is decoded and dispatched call by call, logs
are filtered like ``eth_getLogs``, and blocks can be mined, reorganised or made
unreachable. Every request is recorded, which is how the tests count them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import AsyncWeb3
from web3.providers.async_base import AsyncBaseProvider

from balancer_perps.chain.abi import AbiEvent, ContractAbi, decode_values, load_abi
from balancer_perps.chain.contracts import v2_custom_errors
from balancer_perps.chain.errors import ERROR_STRING_SELECTOR, PANIC_SELECTOR
from balancer_perps.chain.multicall import MULTICALL3_ADDRESS
from balancer_perps.chain.rpc import RpcClient

Handler = Callable[..., Any]


class Revert(Exception):
    """Raised by a handler: the call reverts with ``data``."""

    def __init__(self, data: bytes = b"") -> None:
        super().__init__(data.hex())
        self.data = data

    @classmethod
    def reason(cls, message: str) -> Revert:
        return cls(ERROR_STRING_SELECTOR + abi_encode(["string"], [message]))

    @classmethod
    def panic(cls, code: int) -> Revert:
        return cls(PANIC_SELECTOR + abi_encode(["uint256"], [code]))


@dataclass
class FakeContract:
    abi: ContractAbi
    handlers: dict[str, Handler]

    def dispatch(self, data: bytes) -> bytes:
        selector = data[:4]
        for name, handler in self.handlers.items():
            function = self.abi.fn(name)
            if function.selector == selector:
                args = decode_values(function.inputs, data[4:]) if function.inputs else ()
                value = handler(*args)
                outputs = list(function.outputs)
                values = value if len(outputs) != 1 else (value,)
                return abi_encode(outputs, list(values))
        raise Revert()  # no such function: a bare revert, as a contract without fallback


@dataclass
class FakeBlock:
    number: int
    timestamp: int
    hash: bytes
    parent_hash: bytes
    logs: list[dict[str, Any]] = field(default_factory=list)


def block_hash(number: int, fork: int) -> bytes:
    return keccak(f"block {number} fork {fork}".encode())


class FakeChain:
    def __init__(self, chain_id: int = 31337, start_timestamp: int = 1_700_000_000) -> None:
        self.chain_id = chain_id
        self.fork = 0
        self.blocks = [FakeBlock(0, start_timestamp, block_hash(0, 0), b"\0" * 32)]
        self.contracts: dict[str, FakeContract] = {}
        self.requests: list[tuple[str, list[Any]]] = []
        self.down = False
        self.eth_balances: dict[str, int] = {}
        self.log_timestamps = True  # include blockTimestamp in logs, as anvil does
        self.max_log_range: int | None = None  # reject larger eth_getLogs ranges
        self.state_from: int = 0  # older blocks have no state (a pruned, non-archive node)
        self.executing = self.blocks[0]  # the block an eth_call runs at

    # ------------------------------------------------------------------ building
    @property
    def head(self) -> FakeBlock:
        return self.blocks[-1]

    def add_contract(self, address: str, abi_name: str, **handlers: Handler) -> str:
        address = to_checksum_address(address)
        self.contracts[address.lower()] = FakeContract(load_abi(abi_name), dict(handlers))
        return address

    def mine(self, *transactions: list[dict[str, Any]], seconds: int = 12) -> FakeBlock:
        """Mine a block holding ``transactions``, each a list of logs (``FakeChain.log``)."""
        parent = self.head
        number = parent.number + 1
        block = FakeBlock(
            number, parent.timestamp + seconds, block_hash(number, self.fork), parent.hash
        )
        for tx_index, logs in enumerate(transactions):
            tx_hash = keccak(f"tx {number} {self.fork} {tx_index}".encode())
            for log in logs:
                block.logs.append(
                    {
                        **log,
                        "blockNumber": number,
                        "blockHash": block.hash,
                        "transactionHash": tx_hash,
                        "transactionIndex": tx_index,
                        "logIndex": len(block.logs),
                    }
                )
        self.blocks.append(block)
        return block

    def reorg(self, fork_point: int) -> None:
        """Drop every block above ``fork_point``; later ``mine`` calls build a new branch."""
        self.fork += 1
        del self.blocks[fork_point + 1 :]

    def log(self, address: str, event: AbiEvent, **args: Any) -> dict[str, Any]:
        """A log of ``event`` emitted by ``address`` with ``args`` (by parameter name)."""
        topics = [event.topic0]
        plain_types, plain_values = [], []
        for param in event.params:
            if param.indexed:
                topics.append(abi_encode([param.type], [args[param.name]]))
            else:
                plain_types.append(param.type)
                plain_values.append(args[param.name])
        return {
            "address": to_checksum_address(address),
            "topics": topics,
            "data": abi_encode(plain_types, plain_values),
        }

    # ------------------------------------------------------------------ JSON-RPC
    def answer(self, method: str, params: list[Any]) -> Any:
        handler = getattr(self, "rpc_" + method, None)
        if handler is None:
            raise _RpcFailure(-32601, f"method {method} not found")
        return handler(*params)

    def rpc_eth_chainId(self) -> str:
        return hex(self.chain_id)

    def rpc_eth_blockNumber(self) -> str:
        return hex(self.head.number)

    def _block_at(self, tag: str) -> FakeBlock | None:
        if tag in ("latest", "pending", "safe", "finalized"):
            return self.head
        number = int(tag, 16)
        return self.blocks[number] if number < len(self.blocks) else None

    def rpc_eth_getBlockByNumber(self, tag: str, _full: bool) -> dict[str, Any] | None:
        block = self._block_at(tag)
        if block is None:
            return None
        return {
            "number": hex(block.number),
            "hash": "0x" + block.hash.hex(),
            "parentHash": "0x" + block.parent_hash.hex(),
            "timestamp": hex(block.timestamp),
        }

    def rpc_eth_getLogs(self, filter_: dict[str, Any]) -> list[dict[str, Any]]:
        start, end = int(filter_["fromBlock"], 16), int(filter_["toBlock"], 16)
        if self.max_log_range is not None and end - start + 1 > self.max_log_range:
            raise _RpcFailure(-32005, "query returned more than 10000 results / range too large")
        addresses = {a.lower() for a in filter_.get("address", [])}
        topics = filter_.get("topics", [])
        found = []
        for block in self.blocks[start : end + 1]:
            for log in block.logs:
                if addresses and log["address"].lower() not in addresses:
                    continue
                if not _topics_match(log["topics"], topics):
                    continue
                encoded = {
                    "address": log["address"].lower(),
                    "topics": ["0x" + t.hex() for t in log["topics"]],
                    "data": "0x" + log["data"].hex(),
                    "blockNumber": hex(log["blockNumber"]),
                    "blockHash": "0x" + log["blockHash"].hex(),
                    "transactionHash": "0x" + log["transactionHash"].hex(),
                    "transactionIndex": hex(log["transactionIndex"]),
                    "logIndex": hex(log["logIndex"]),
                    "removed": False,
                }
                if self.log_timestamps:
                    encoded["blockTimestamp"] = hex(block.timestamp)
                found.append(encoded)
        return found

    def rpc_eth_call(self, tx: dict[str, Any], tag: str) -> str:
        block = self._block_at(tag) or self.head
        if block.number < self.state_from:
            raise _RpcFailure(-32000, f"missing trie node (block {block.number} is pruned)")
        try:
            return "0x" + self.execute(tx["to"], bytes.fromhex(tx["data"][2:]), block).hex()
        except Revert as revert:
            raise _RpcFailure(3, "execution reverted", "0x" + revert.data.hex()) from None

    def rpc_eth_estimateGas(self, tx: dict[str, Any], tag: str = "latest") -> str:
        self.rpc_eth_call(tx, tag)
        return hex(100_000)

    def execute(self, to: str, data: bytes, block: FakeBlock) -> bytes:
        self.executing = block  # handlers with per-block state read it
        if to.lower() == MULTICALL3_ADDRESS.lower():
            return self._multicall(data, block)
        contract = self.contracts.get(to.lower())
        if contract is None:
            return b""  # no code: the call "succeeds" with no data
        return contract.dispatch(data)

    def _multicall(self, data: bytes, block: FakeBlock) -> bytes:
        abi = load_abi("Multicall3")
        if data[:4] == abi.fn("getBlockNumber").selector:
            return abi_encode(["uint256"], [block.number])
        if data[:4] == abi.fn("getCurrentBlockTimestamp").selector:
            return abi_encode(["uint256"], [block.timestamp])
        if data[:4] == abi.fn("getEthBalance").selector:
            (address,) = abi_decode(["address"], data[4:])
            return abi_encode(["uint256"], [self.eth_balances.get(address.lower(), 0)])
        aggregate3 = abi.fn("aggregate3")
        assert data[:4] == aggregate3.selector, "only aggregate3 is used"
        (calls,) = abi_decode(list(aggregate3.inputs), data[4:])
        results = []
        for target, allow_failure, call_data in calls:
            try:
                results.append((True, self.execute(target, call_data, block)))
            except Revert as revert:
                if not allow_failure:
                    raise
                results.append((False, revert.data))
        return abi_encode(list(aggregate3.outputs), [results])


def _topics_match(log_topics: list[bytes], wanted: list[Any]) -> bool:
    for position, want in enumerate(wanted):
        if want is None:
            continue
        if position >= len(log_topics):
            return False
        options = want if isinstance(want, list) else [want]
        if "0x" + log_topics[position].hex() not in options:
            return False
    return True


class _RpcFailure(Exception):
    def __init__(self, code: int, message: str, data: str | None = None) -> None:
        super().__init__(message)
        self.error: dict[str, Any] = {"code": code, "message": message}
        if data is not None:
            self.error["data"] = data


class FakeProvider(AsyncBaseProvider):
    def __init__(self, chain: FakeChain) -> None:
        super().__init__()
        self.chain = chain

    def _one(self, request_id: int, method: str, params: list[Any]) -> dict[str, Any]:
        self.chain.requests.append((method, params))
        try:
            return {"jsonrpc": "2.0", "id": request_id, "result": self.chain.answer(method, params)}
        except _RpcFailure as failure:
            return {"jsonrpc": "2.0", "id": request_id, "error": failure.error}

    async def make_request(self, method: Any, params: Any) -> Any:
        await asyncio.sleep(0)
        if self.chain.down:
            raise aiohttp.ClientConnectionError("Connection refused")
        return self._one(1, str(method), list(params))

    async def make_batch_request(self, requests: Any) -> Any:
        await asyncio.sleep(0)
        if self.chain.down:
            raise aiohttp.ClientConnectionError("Connection refused")
        return [self._one(i, str(m), list(p)) for i, (m, p) in enumerate(requests)]

    async def is_connected(self, show_traceback: bool = False) -> bool:
        return not self.chain.down


def fake_rpc(chain: FakeChain) -> RpcClient:
    return RpcClient(
        AsyncWeb3(FakeProvider(chain)),
        url="http://fake-node:8545",
        custom_errors=v2_custom_errors(),
    )


def count(chain: FakeChain, method: str) -> int:
    return sum(1 for m, _ in chain.requests if m == method)
