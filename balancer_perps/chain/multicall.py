"""Many contract reads in one ``eth_call``: Multicall3 ``aggregate3``.

Every call is sent with ``allowFailure`` so that one reverting read (a stale oracle, a
token without ``symbol()``) cannot hide the others; each outcome carries either the
decoded values or the decoded revert. The block number and timestamp the batch ran at
come back from the same call.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.exceptions import DecodingError

from balancer_perps.chain.abi import AbiFunction, load_abi
from balancer_perps.chain.errors import AbiMismatch, ContractReverted, decode_revert
from balancer_perps.chain.rpc import BlockId, RpcClient, to_block_param

MULTICALL3_ADDRESS = "0xcA11bde05977b3631167028862bE2a173976CA11"  # same on every chain
_REMEMBERED_BATCHES = 4


@dataclass(frozen=True, slots=True)
class Call:
    """One read: ``function(*args)`` on ``target``."""

    target: str
    function: AbiFunction
    args: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class CallOutcome:
    call: Call
    values: tuple[Any, ...] | None  # None when the call reverted
    revert: ContractReverted | None = None

    @property
    def ok(self) -> bool:
        return self.values is not None

    def value(self) -> Any:
        """The single output (or the tuple of outputs); raises the revert if the call failed."""
        if self.values is None:
            assert self.revert is not None
            raise self.revert
        return self.values[0] if len(self.values) == 1 else self.values

    def value_or(self, default: Any) -> Any:
        return self.value() if self.ok else default


@dataclass(frozen=True, slots=True)
class BatchResult:
    block_number: int
    block_timestamp: int
    outcomes: tuple[CallOutcome, ...]


class Multicall:
    """Runs batches of reads through the Multicall3 contract at ``address``.

    ``max_calls`` bounds one ``eth_call``; a larger batch is split into several calls
    pinned to the block of the first, so the results stay consistent.
    """

    def __init__(self, rpc: RpcClient, address: str = MULTICALL3_ADDRESS, max_calls: int = 4000):
        abi = load_abi("Multicall3")
        self.rpc = rpc
        self.address = address
        self.max_calls = max_calls
        self._aggregate3 = abi.fn("aggregate3")
        self._block_number = abi.fn("getBlockNumber")
        self._timestamp = abi.fn("getCurrentBlockTimestamp")
        self._recent: OrderedDict[tuple[tuple[str, AbiFunction, tuple[Any, ...]], ...], bytes]
        self._recent = OrderedDict()

    async def run(self, calls: Sequence[Call], block: BlockId = "latest") -> BatchResult:
        chunks = [calls[i : i + self.max_calls] for i in range(0, len(calls), self.max_calls)]
        number, timestamp, first = await self._run_chunk(chunks[0] if chunks else (), block)
        outcomes = list(first)
        for chunk in chunks[1:]:
            _, _, more = await self._run_chunk(chunk, number)
            outcomes.extend(more)
        return BatchResult(number, timestamp, tuple(outcomes))

    async def run_at_blocks(
        self, batches: Sequence[tuple[Sequence[Call], BlockId]]
    ) -> list[BatchResult]:
        """One batch of reads per block, all sent in one JSON-RPC batch request.

        For history (balances before and after each upkeep): a node serves old blocks only
        if it keeps their state (an archive node, or a recent enough block).
        """
        requests = [
            (
                "eth_call",
                [{"to": self.address, "data": _hex(self.calldata(calls))}, to_block_param(block)],
            )
            for calls, block in batches
        ]
        answers = await self.rpc.batch(requests)
        results = []
        for (calls, _), answer in zip(batches, answers, strict=True):
            number, timestamp, outcomes = self._decode(calls, bytes.fromhex(answer[2:]))
            results.append(BatchResult(number, timestamp, tuple(outcomes)))
        return results

    def calldata(self, calls: Sequence[Call]) -> bytes:
        """The aggregate3 calldata. Recent batches are remembered: every block sends the
        same market refresh, and encoding a thousand calls costs more than the call."""
        key = tuple((c.target, c.function, c.args) for c in calls)
        data = self._recent.pop(key, None)
        if data is None:
            data = self._encode_new(calls)
        self._recent[key] = data
        while len(self._recent) > _REMEMBERED_BATCHES:
            self._recent.popitem(last=False)
        return data

    def _encode_new(self, calls: Sequence[Call]) -> bytes:
        header = [
            (self.address, False, self._block_number.encode()),
            (self.address, False, self._timestamp.encode()),
        ]
        body = [(c.target, True, c.function.encode(*c.args)) for c in calls]
        return self._aggregate3.encode(header + body)

    async def _run_chunk(
        self, calls: Sequence[Call], block: BlockId
    ) -> tuple[int, int, list[CallOutcome]]:
        raw = await self.rpc.call(self.address, self.calldata(calls), block=block)
        return self._decode(calls, raw)

    def _decode(self, calls: Sequence[Call], raw: bytes) -> tuple[int, int, list[CallOutcome]]:
        try:
            results = decode_aggregate3_results(raw)
            (number,) = self._block_number.decode(results[0][1])
            (timestamp,) = self._timestamp.decode(results[1][1])
        except (DecodingError, IndexError) as error:
            raise AbiMismatch(
                f"Multicall3 at {self.address} returned data that does not decode: is it "
                "deployed on this chain?"
            ) from error
        outcomes = [
            self._outcome(call, success, return_data)
            for call, (success, return_data) in zip(calls, results[2:], strict=True)
        ]
        return int(number), int(timestamp), outcomes

    def _outcome(self, call: Call, success: bool, data: bytes) -> CallOutcome:
        if not success:
            return CallOutcome(call, None, decode_revert(data, self.rpc.custom_errors))
        try:
            return CallOutcome(call, call.function.decode(data))
        except DecodingError:
            # A call to an address without code "succeeds" with no data.
            reason = "no data returned (is there a contract at this address?)"
            return CallOutcome(
                call,
                None,
                ContractReverted(
                    f"{call.function.name} on {call.target}: {reason}", kind="unknown", data=data
                ),
            )


def decode_aggregate3_results(data: bytes) -> list[tuple[bool, bytes]]:
    """The ``(bool success, bytes returnData)[]`` that aggregate3 returns, read directly
    (the same layout eth_abi decodes, several times faster for large batches)."""

    def word(position: int) -> int:
        if position + 32 > len(data):
            raise DecodingError("aggregate3 result is truncated")
        return int.from_bytes(data[position : position + 32], "big")

    array = word(0)
    count = word(array)
    base = array + 32
    results = []
    for index in range(count):
        entry = base + word(base + 32 * index)
        payload = entry + word(entry + 32)
        length = word(payload)
        returned = data[payload + 32 : payload + 32 + length]
        if len(returned) != length:
            raise DecodingError("aggregate3 result is truncated")
        results.append((word(entry) != 0, returned))
    return results


def _hex(data: bytes) -> str:
    return "0x" + data.hex()
