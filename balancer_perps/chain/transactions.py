"""Transactions the app asks the user's wallet to sign, and their server-side simulation.

The server never signs: it builds the call, simulates it with ``eth_call`` from the user's
address, and only a call that passes goes to the wallet. A failing one comes back with its
decoded revert reason (``Error(string)``, ``Panic(uint256)`` and its meaning, or a custom
error from the ABIs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils.address import to_checksum_address

from balancer_perps.chain.contracts import v2_abis
from balancer_perps.chain.errors import AbiMismatch, ContractReverted
from balancer_perps.chain.rpc import (
    BlockId,
    RawLog,
    RpcClient,
    hex_bytes,
    parse_log,
    to_block_param,
)
from balancer_perps.domain.commit_encoding import encode_commit_params
from balancer_perps.domain.types import CommitType


@dataclass(frozen=True, slots=True)
class TransactionRequest:
    sender: str
    to: str  # "" for a contract creation (``data`` is then the init code)
    data: bytes
    value: int = 0  # wei

    @property
    def is_creation(self) -> bool:
        return self.to == ""

    def wallet_params(self) -> dict[str, Any]:
        """The ``eth_sendTransaction`` parameters for the wallet (hex strings); a contract
        creation has no ``to``."""
        params = {
            "from": self.sender,
            "to": self.to,
            "data": "0x" + self.data.hex(),
            "value": hex(self.value),
        }
        if self.is_creation:
            del params["to"]
        return params


@dataclass(frozen=True, slots=True)
class Simulation:
    request: TransactionRequest
    return_data: bytes
    revert: ContractReverted | None
    gas_estimate: int | None  # None when not asked for, or when the call reverts

    @property
    def ok(self) -> bool:
        return self.revert is None

    @property
    def reason(self) -> str | None:
        """The decoded revert reason, None when the transaction would succeed."""
        return None if self.revert is None else self.revert.reason


async def simulate(
    rpc: RpcClient,
    request: TransactionRequest,
    *,
    estimate_gas: bool = True,
    block: BlockId = "latest",
) -> Simulation:
    """Run ``request`` as an ``eth_call`` from its sender; a revert is a result, not an error.

    Node failures still raise (``NodeUnavailable``, ``RpcError``).
    """
    if request.is_creation:
        return await _simulate_creation(rpc, request, estimate_gas=estimate_gas, block=block)
    try:
        data = await rpc.call(
            request.to, request.data, block=block, sender=request.sender, value=request.value
        )
    except ContractReverted as revert:
        return Simulation(request, b"", revert, None)
    gas = None
    if estimate_gas:
        try:
            gas = await rpc.estimate_gas(
                request.to, request.data, sender=request.sender, value=request.value, block=block
            )
        except ContractReverted as revert:  # state moved between the two requests
            return Simulation(request, data, revert, None)
    return Simulation(request, data, None, gas)


async def _simulate_creation(
    rpc: RpcClient, request: TransactionRequest, *, estimate_gas: bool, block: BlockId
) -> Simulation:
    """A contract creation: ``eth_call`` / ``eth_estimateGas`` without ``to``; the return
    data is the runtime code the constructor would leave."""
    tx: dict[str, Any] = {"from": request.sender, "data": "0x" + request.data.hex()}
    if request.value:
        tx["value"] = hex(request.value)
    param = to_block_param(block)
    try:
        data = hex_bytes(await rpc.request("eth_call", [tx, param]))
    except ContractReverted as revert:
        return Simulation(request, b"", revert, None)
    gas = None
    if estimate_gas:
        try:
            gas = int(await rpc.request("eth_estimateGas", [tx, param]), 16)
        except ContractReverted as revert:
            return Simulation(request, data, revert, None)
    return Simulation(request, data, None, gas)


@dataclass(frozen=True, slots=True)
class Receipt:
    """The outcome of a mined transaction the user's wallet sent."""

    tx_hash: str
    succeeded: bool
    block_number: int
    logs: tuple[RawLog, ...]
    contract_address: str | None = None  # the new contract of a creation, checksummed


async def fetch_receipt(rpc: RpcClient, tx_hash: str) -> Receipt | None:
    """The receipt of ``tx_hash``, None while it is not mined (or unknown to the node)."""
    raw = await rpc.request("eth_getTransactionReceipt", [tx_hash])
    if not raw:
        return None
    return Receipt(
        tx_hash=tx_hash,
        succeeded=int(raw.get("status", "0x0"), 16) == 1,
        block_number=int(raw["blockNumber"], 16),
        logs=tuple(parse_log(log) for log in raw.get("logs", ())),
        contract_address=(to_checksum_address(raw["contractAddress"])
                          if raw.get("contractAddress") else None),
    )


def approve_request(sender: str, token: str, spender: str, amount: int) -> TransactionRequest:
    """ERC-20 ``approve``; for mints the spender is the LeveragedPool (reference §1.2)."""
    data = v2_abis().token.fn("approve").encode(to_checksum_address(spender), amount)
    return TransactionRequest(to_checksum_address(sender), to_checksum_address(token), data)


def commit_request(
    sender: str,
    committer: str,
    commit_type: CommitType,
    amount: int,
    *,
    from_aggregate_balance: bool = False,
    pay_for_claim: bool = False,
    claim_reward: int = 0,
) -> TransactionRequest:
    """``PoolCommitter.commit(bytes32)``; ``claim_reward`` is the AutoClaim ETH (msg.value)."""
    if amount <= 0:
        raise ValueError("the amount must be positive")
    if pay_for_claim != (claim_reward > 0):
        raise ValueError("an AutoClaim request needs a reward, and only then is ETH sent")
    args = encode_commit_params(amount, commit_type, from_aggregate_balance, pay_for_claim)
    data = v2_abis().committer.fn("commit").encode(args)
    return TransactionRequest(
        to_checksum_address(sender), to_checksum_address(committer), data, claim_reward
    )


def claim_request(sender: str, committer: str) -> TransactionRequest:
    """``PoolCommitter.claim(user)`` for the sender's own escrow."""
    sender = to_checksum_address(sender)
    data = v2_abis().committer.fn("claim").encode(sender)
    return TransactionRequest(sender, to_checksum_address(committer), data)


def committed_interval(receipt: Receipt, committer: str, user: str) -> int | None:
    """The update interval id of the user's commit in ``receipt`` (its ``CreateCommit``
    log from ``committer``), None when the receipt holds no such log."""
    event = v2_abis().committer.event("CreateCommit")
    committer, user = to_checksum_address(committer), to_checksum_address(user)
    for log in receipt.logs:
        if log.address != committer or not log.topics or log.topics[0] != event.topic0:
            continue
        try:
            decoded = event.decode(log.topics, log.data)
        except AbiMismatch:
            continue
        if to_checksum_address(decoded["user"]) == user:
            return int(decoded["appropriateUpdateIntervalId"])
    return None


async def revert_reason(rpc: RpcClient, request: TransactionRequest, block_number: int
                        ) -> str | None:
    """Why a mined transaction reverted, by replaying it on the state before its block
    (exact when it was the block's first transaction); None when the replay passes."""
    simulation = await simulate(rpc, request, estimate_gas=False, block=max(block_number - 1, 0))
    return simulation.reason
