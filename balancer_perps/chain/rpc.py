"""JSON-RPC transport over an AsyncWeb3 provider, with failures mapped to typed errors.

Requests go through ``provider.make_request`` so that the adapter sees the node's own
answer (web3 8 returns JSON-RPC errors as dicts there instead of raising) and can decode
revert data itself. Transport failures become ``NodeUnavailable``; URLs in messages are
reduced to scheme and host, since provider URLs often carry an API key.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
from eth_utils.address import to_checksum_address
from web3 import AsyncHTTPProvider, AsyncWeb3, WebSocketProvider
from web3.exceptions import Web3Exception
from web3.types import RPCEndpoint

from balancer_perps.chain.errors import (
    ChainError,
    NodeUnavailable,
    RpcError,
    decode_revert,
    revert_data_of,
)

if TYPE_CHECKING:
    from balancer_perps.chain.abi import AbiError

BlockId = int | str  # a block number, or "latest" / "pending" / "safe" / "finalized"

_TRANSPORT_ERRORS = (aiohttp.ClientError, OSError, TimeoutError, Web3Exception)
# Most requests per JSON-RPC batch round trip.
MAX_BATCH_REQUESTS = 100


def redact_url(url: str) -> str:
    """Scheme, host and port only: provider URLs often end in an API key."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"


def to_block_param(block: BlockId) -> str:
    return hex(block) if isinstance(block, int) else block


def hex_bytes(value: str | None) -> bytes:
    return bytes.fromhex(value[2:]) if value else b""


@dataclass(frozen=True, slots=True)
class BlockHeader:
    number: int
    hash: bytes
    parent_hash: bytes
    timestamp: int


@dataclass(frozen=True, slots=True)
class RawLog:
    """One log as eth_getLogs returns it (``block_timestamp`` when the node provides it)."""

    address: str  # checksummed
    topics: tuple[bytes, ...]
    data: bytes
    block_number: int
    block_hash: bytes
    transaction_hash: bytes
    transaction_index: int
    log_index: int
    removed: bool = False
    block_timestamp: int | None = None


class RpcClient:
    """One node, one AsyncWeb3 instance; every request of the adapter goes through here."""

    def __init__(
        self,
        w3: AsyncWeb3[Any],
        *,
        url: str,
        custom_errors: Mapping[bytes, AbiError] | None = None,
    ) -> None:
        self.w3 = w3
        self.url = redact_url(url)
        self.custom_errors: Mapping[bytes, AbiError] = custom_errors or {}

    @classmethod
    def http(
        cls,
        url: str,
        *,
        timeout: float = 10.0,
        custom_errors: Mapping[bytes, AbiError] | None = None,
    ) -> RpcClient:
        """A client over HTTP with no silent retries (a dead node must show up quickly)."""
        provider = AsyncHTTPProvider(
            url,
            request_kwargs={"timeout": aiohttp.ClientTimeout(total=timeout)},
            exception_retry_configuration=None,
        )
        return cls(AsyncWeb3(provider), url=url, custom_errors=custom_errors)

    async def close(self) -> None:
        disconnect = getattr(self.w3.provider, "disconnect", None)
        if disconnect is not None:
            # Providers without a connection to close raise NotImplementedError.
            with contextlib.suppress(NotImplementedError, *_TRANSPORT_ERRORS):
                await disconnect()

    # ------------------------------------------------------------------ requests
    async def request(self, method: str, params: Sequence[Any]) -> Any:
        """One JSON-RPC request; the result, or a typed error."""
        try:
            response = await self.w3.provider.make_request(RPCEndpoint(method), list(params))
        except ChainError:
            raise
        except _TRANSPORT_ERRORS as error:
            raise self._unavailable(error) from error
        return self._result(method, response)

    async def batch(self, requests: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Several requests in one JSON-RPC batch (one HTTP round trip), results in order."""
        if not requests:
            return []
        calls = [(RPCEndpoint(method), list(params)) for method, params in requests]
        responses: list[Any] = []
        # Nodes cap the size of a request body (anvil answers "Invalid request" to a batch
        # of a thousand history reads), so long batches go in several round trips.
        for start in range(0, len(calls), MAX_BATCH_REQUESTS):
            chunk = calls[start : start + MAX_BATCH_REQUESTS]
            try:
                answer = await self.w3.provider.make_batch_request(chunk)
            except ChainError:
                raise
            except _TRANSPORT_ERRORS as error:
                raise self._unavailable(error) from error
            if not isinstance(answer, list):  # the node rejected the batch as a whole
                self._result("batch", answer)
                raise RpcError("batch", None, "the node does not accept batch requests")
            responses.extend(answer)
        return [
            self._result(method, response)
            for (method, _), response in zip(requests, responses, strict=True)
        ]

    def _unavailable(self, error: BaseException) -> NodeUnavailable:
        detail = str(error) or type(error).__name__
        return NodeUnavailable(f"The node at {self.url} does not answer ({detail}).")

    def _result(self, method: str, response: Mapping[str, Any]) -> Any:
        error = response.get("error")
        if error is None:
            return response.get("result")
        if not isinstance(error, Mapping):
            raise RpcError(method, None, str(error))
        if method in ("eth_call", "eth_estimateGas"):
            data = revert_data_of(error)
            if data is not None:
                raise decode_revert(data, self.custom_errors)
        code = error.get("code")
        raise RpcError(method, code if isinstance(code, int) else None, str(error.get("message")))

    # ------------------------------------------------------------------ typed helpers
    async def chain_id(self) -> int:
        return int(await self.request("eth_chainId", []), 16)

    async def block_number(self) -> int:
        return int(await self.request("eth_blockNumber", []), 16)

    async def block(self, block: BlockId = "latest") -> BlockHeader:
        raw = await self.request("eth_getBlockByNumber", [to_block_param(block), False])
        if raw is None:
            raise RpcError("eth_getBlockByNumber", None, f"block {block} does not exist")
        return parse_block(raw)

    async def blocks(self, numbers: Sequence[int]) -> dict[int, BlockHeader]:
        """Headers of several blocks in one batch request; blocks the chain does not have
        (yet, or any more after a reorganisation) are left out."""
        raws = await self.batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
        return {
            number: parse_block(raw)
            for number, raw in zip(numbers, raws, strict=True)
            if raw is not None
        }

    async def call(
        self,
        to: str,
        data: bytes,
        *,
        block: BlockId = "latest",
        sender: str | None = None,
        value: int = 0,
        gas: int | None = None,
    ) -> bytes:
        """``eth_call``; raises ContractReverted with the decoded reason on a revert."""
        tx: dict[str, Any] = {"to": to, "data": "0x" + data.hex()}
        if sender is not None:
            tx["from"] = sender
        if value:
            tx["value"] = hex(value)
        if gas is not None:
            tx["gas"] = hex(gas)
        return hex_bytes(await self.request("eth_call", [tx, to_block_param(block)]))

    async def estimate_gas(
        self, to: str, data: bytes, *, sender: str, value: int = 0, block: BlockId = "latest"
    ) -> int:
        tx: dict[str, Any] = {"from": sender, "to": to, "data": "0x" + data.hex()}
        if value:
            tx["value"] = hex(value)
        return int(await self.request("eth_estimateGas", [tx, to_block_param(block)]), 16)

    async def logs(
        self,
        *,
        from_block: int,
        to_block: int,
        addresses: Sequence[str],
        topics: Sequence[Sequence[bytes] | bytes | None] = (),
    ) -> list[RawLog]:
        filter_: dict[str, Any] = {
            "fromBlock": hex(from_block),
            "toBlock": hex(to_block),
            "address": list(addresses),
        }
        if topics:
            filter_["topics"] = [_topic_param(t) for t in topics]
        raws = await self.request("eth_getLogs", [filter_])
        return [parse_log(raw) for raw in raws or ()]


def _topic_param(topic: Sequence[bytes] | bytes | None) -> Any:
    if topic is None:
        return None
    if isinstance(topic, bytes):
        return "0x" + topic.hex()
    return ["0x" + t.hex() for t in topic]


def parse_block(raw: Mapping[str, Any]) -> BlockHeader:
    return BlockHeader(
        number=int(raw["number"], 16),
        hash=hex_bytes(raw["hash"]),
        parent_hash=hex_bytes(raw["parentHash"]),
        timestamp=int(raw["timestamp"], 16),
    )


def parse_log(raw: Mapping[str, Any]) -> RawLog:
    timestamp = raw.get("blockTimestamp")
    return RawLog(
        address=to_checksum_address(raw["address"]),
        topics=tuple(hex_bytes(t) for t in raw["topics"]),
        data=hex_bytes(raw["data"]),
        block_number=int(raw["blockNumber"], 16),
        block_hash=hex_bytes(raw["blockHash"]),
        transaction_hash=hex_bytes(raw["transactionHash"]),
        transaction_index=int(raw["transactionIndex"], 16),
        log_index=int(raw["logIndex"], 16),
        removed=bool(raw.get("removed", False)),
        block_timestamp=int(timestamp, 16) if isinstance(timestamp, str) else None,
    )


async def new_head_numbers(ws_url: str) -> AsyncIterator[int | None]:
    """Follow ``newHeads`` over a WebSocket: yields None once the subscription is live (a
    block may have been mined before it), then each new block's number (None when a
    message carries none). One connection attempt: the caller polls if this fails."""
    async with AsyncWeb3(WebSocketProvider(ws_url, max_connection_retries=1)) as w3:
        await w3.eth.subscribe("newHeads")
        yield None
        async for message in w3.socket.process_subscriptions():
            result = message.get("result") if isinstance(message, dict) else None
            number = result.get("number") if isinstance(result, dict) else None
            if isinstance(number, str):
                yield int(number, 16)
            elif isinstance(number, int):
                yield number
            else:
                yield None
