"""Shared fixtures: local anvil nodes and a Web3 connected to one.

``anvil`` is a factory (one call per node: ``anvil(timestamp=..., accounts=...)``); every node it
started is stopped at the end of the test module, so a module starts its chains once and reuses
them (with evm_snapshot/evm_revert) instead of one chain per test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from web3 import HTTPProvider, Web3

from balancer_perps.devnet.anvil import AnvilNode, start_anvil


@pytest.fixture(scope="module")
def anvil() -> Iterator[Callable[..., AnvilNode]]:
    nodes: list[AnvilNode] = []

    def start(**kwargs: Any) -> AnvilNode:
        node = start_anvil(**kwargs)
        nodes.append(node)
        return node

    yield start
    for node in nodes:
        node.stop()


@pytest.fixture(scope="module")
def w3(anvil: Callable[..., AnvilNode]) -> Web3:
    """A Web3 on a fresh anvil of this module (chain id 31337, the known mnemonic)."""
    node = anvil()
    return Web3(HTTPProvider(node.rpc_url, request_kwargs={"timeout": 120}))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last: Playwright's sync API keeps an event loop running in the
    main thread for the rest of the session, which asyncio tests cannot share."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
