"""The server's part of a trade: every transaction is simulated before the wallet sees it,
a revert comes back as its decoded reason and nothing is handed over; receipts are read
back from the node."""

from __future__ import annotations

import asyncio
from typing import Any

from eth_abi import encode

from balancer_perps.chain.errors import ERROR_STRING_SELECTOR, NodeUnavailable, decode_revert
from balancer_perps.chain.transactions import (
    Simulation,
    TransactionRequest,
    approve_request,
    commit_request,
    fetch_receipt,
)
from balancer_perps.domain.types import CommitType
from balancer_perps.pages.trade import prepare_for_wallet

TRADER = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"
TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
POOL = "0xbB88AeDd69b01ae4c168b4DeBf3F6D22A858bcFe"
COMMITTER = "0x5BFFd99c10CEaDb6a31FABc32c6b487D74d1538C"


class FakeChain:
    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome
        self.simulated: list[TransactionRequest] = []

    async def simulate(self, request: TransactionRequest) -> Simulation:
        self.simulated.append(request)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        revert, gas = self.outcome
        return Simulation(request, b"", revert, None if revert else gas)


def _revert(reason: str) -> Any:
    return decode_revert(ERROR_STRING_SELECTOR + encode(["string"], [reason]), {})


def test_a_passing_call_goes_to_the_wallet_with_gas_to_spare() -> None:
    request = commit_request(TRADER, COMMITTER, CommitType.LONG_MINT, 125 * 10**17)
    chain = FakeChain((None, 200_000))
    handoff = asyncio.run(prepare_for_wallet(chain, request, "commit-3", 31337))
    assert chain.simulated == [request]
    assert handoff.problem == ""
    assert handoff.params == {
        "from": TRADER,
        "to": COMMITTER,
        "data": "0x" + request.data.hex(),
        "value": "0x0",
        "id": "commit-3",
        "gas": "250000",
        "chainId": "31337",
    }


def test_a_simulated_revert_sends_nothing_and_says_why() -> None:
    request = commit_request(TRADER, COMMITTER, CommitType.LONG_MINT, 10**30)
    chain = FakeChain((_revert("ERC20: transfer amount exceeds allowance"), None))
    handoff = asyncio.run(prepare_for_wallet(chain, request, "commit-1", 31337))
    assert handoff.params == {}
    assert handoff.problem == ("The transaction would fail: ERC20: transfer amount exceeds "
                               "allowance. Nothing was sent.")


def test_an_unreachable_node_sends_nothing() -> None:
    request = approve_request(TRADER, TOKEN, POOL, 5)
    chain = FakeChain(NodeUnavailable("The network node is unreachable"))
    handoff = asyncio.run(prepare_for_wallet(chain, request, "approve-1", 31337))
    assert handoff.params == {}
    assert handoff.problem.startswith("The transaction could not be checked:")


def test_the_approval_names_the_pool_as_spender() -> None:
    request = approve_request(TRADER, TOKEN, POOL, 5)
    assert request.to == TOKEN
    assert request.data[:4].hex() == "095ea7b3"  # approve(address,uint256)
    assert request.data[16:36].hex() == POOL[2:].lower()
    assert int.from_bytes(request.data[36:68], "big") == 5


class FakeRpc:
    def __init__(self, receipt: Any) -> None:
        self.receipt = receipt
        self.asked: list[tuple[str, list[Any]]] = []

    async def request(self, method: str, params: list[Any]) -> Any:
        self.asked.append((method, params))
        return self.receipt


def test_receipts() -> None:
    tx_hash = "0x" + "ab" * 32
    pending = FakeRpc(None)
    assert asyncio.run(fetch_receipt(pending, tx_hash)) is None  # type: ignore[arg-type]
    assert pending.asked == [("eth_getTransactionReceipt", [tx_hash])]
    mined = FakeRpc({"status": "0x1", "blockNumber": "0x2a", "logs": [{
        "address": COMMITTER.lower(), "topics": ["0x" + "11" * 32], "data": "0x",
        "blockNumber": "0x2a", "blockHash": "0x" + "22" * 32, "transactionHash": tx_hash,
        "transactionIndex": "0x0", "logIndex": "0x3",
    }]})
    receipt = asyncio.run(fetch_receipt(mined, tx_hash))  # type: ignore[arg-type]
    assert receipt is not None
    assert (receipt.succeeded, receipt.block_number) == (True, 42)
    assert receipt.logs[0].address == COMMITTER
    reverted = FakeRpc({"status": "0x0", "blockNumber": "0x2b", "logs": []})
    failed = asyncio.run(fetch_receipt(reverted, tx_hash))  # type: ignore[arg-type]
    assert failed is not None and not failed.succeeded
