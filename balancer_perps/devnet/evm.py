"""Deploy and drive the devnet contracts from their committed artifacts (synchronous web3).

The app's own chain access lives in ``balancer_perps.chain``; this module serves the
devnet command, the keeper and feed processes and the contract tests, which act as
dev accounts that anvil unlocks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any, cast

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.types import TxParams, TxReceipt

from balancer_perps.devnet.build import ARTIFACTS_DIR


class TransactionFailed(RuntimeError):
    """A devnet transaction reverted; ``reason`` holds the decoded revert reason."""

    def __init__(self, reason: str, receipt: TxReceipt | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.receipt = receipt


@cache
def load_artifact(name: str) -> dict[str, Any]:
    path = ARTIFACTS_DIR / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(
            f"no artifact for {name}: run `python -m balancer_perps.devnet.build`"
        )
    artifact: dict[str, Any] = json.loads(path.read_text())
    return artifact


def link(bytecode: str, link_references: dict[str, Any], libraries: Mapping[str, str]) -> str:
    """Replace library placeholders (solc link references) with deployed addresses."""
    # Unlinked bytecode holds "__$<hash>$__" placeholders, which are not hex: splice the
    # address into the hex text (two characters per byte).
    code = bytecode.removeprefix("0x")
    for references in link_references.values():
        for library, places in references.items():
            if library not in libraries:
                raise ValueError(f"bytecode needs library {library}: pass its address")
            address = libraries[library].removeprefix("0x").lower()
            for place in places:
                start, end = 2 * place["start"], 2 * (place["start"] + place["length"])
                code = code[:start] + address + code[end:]
    return "0x" + code


def contract_at(w3: Web3, name: str, address: str) -> Contract:
    return w3.eth.contract(
        address=Web3.to_checksum_address(address), abi=load_artifact(name)["abi"]
    )


def deploy(
    w3: Web3,
    name: str,
    *args: Any,
    sender: str,
    libraries: Mapping[str, str] | None = None,
    value: int = 0,
) -> Contract:
    """Deploy ``name`` from ``sender`` (an unlocked account) and return the bound contract."""
    artifact = load_artifact(name)
    bytecode = link(artifact["bytecode"], artifact["linkReferences"], libraries or {})
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=bytecode)
    receipt = send(factory.constructor(*args), sender=sender, value=value)
    address = receipt["contractAddress"]
    if address is None:
        raise TransactionFailed(f"deploying {name} returned no address", receipt)
    return contract_at(w3, name, address)


def send(
    call: ContractFunction | Any, *, sender: str, value: int = 0, gas: int | None = None
) -> TxReceipt:
    """Send a contract call or constructor from an unlocked account and wait for it.

    Raises TransactionFailed with the revert reason if the call reverts (web3 estimates
    gas first, which surfaces the reason) or if the mined transaction failed.
    """
    w3: Web3 = call.w3
    tx: dict[str, Any] = {"from": Web3.to_checksum_address(sender), "value": value}
    if gas is not None:
        tx["gas"] = gas
    try:
        tx_hash = call.transact(cast(TxParams, tx))
    except Exception as error:  # web3 raises several types for a revert during estimation
        raise TransactionFailed(revert_reason(error)) from error
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    if receipt["status"] != 1:
        raise TransactionFailed("transaction reverted", receipt)
    return receipt


def revert_reason(error: BaseException) -> str:
    message = getattr(error, "message", None) or str(error)
    return str(message).removeprefix("execution reverted: ")


def checksum(address: str) -> ChecksumAddress:
    return Web3.to_checksum_address(address)
