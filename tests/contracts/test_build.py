"""The compiled V2 contracts fit the EVM size limits and link the deployed PoolSwapLibrary.

* EIP-170: deployed (runtime) code of at most 24 576 bytes; EIP-3860: initcode of at most
  49 152 bytes. The tight one is PoolFactory, whose initcode embeds the LeveragedPool,
  PoolCommitter and PoolToken creation code (the real one is 47 282 bytes).
* PoolSwapLibrary is a deployed library: LeveragedPool, PoolCommitter, KeeperRewards and
  PoolFactory (through the embedded pool and committer) call it and carry link references to
  it; nothing else needs linking, and the library itself links nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "balancer_perps" / "devnet" / "artifacts"
FIXTURES = REPO_ROOT / "tests" / "fixtures"
V2_SOURCES = "balancer_perps/devnet/contracts/v2/"
APPENDIX_A_CONTRACTS = sorted(json.loads((FIXTURES / "appendix_a_abi.json").read_text()))

MAX_RUNTIME = 24_576  # EIP-170
MAX_INITCODE = 49_152  # EIP-3860
LIBRARY = "PoolSwapLibrary"
LIBRARY_USERS = ("LeveragedPool", "PoolCommitter", "KeeperRewards", "PoolFactory")
PLACEHOLDER = re.compile(r"__\$[0-9a-f]{34}\$__")


def artifact(name: str) -> dict[str, Any]:
    path = ARTIFACTS_DIR / f"{name}.json"
    assert path.exists(), f"no artifact for {name}: run python -m balancer_perps.devnet.build"
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def v2_artifacts() -> list[str]:
    names = []
    for path in sorted(ARTIFACTS_DIR.glob("*.json")):
        if path.name.startswith("_"):
            continue
        if json.loads(path.read_text())["sourceName"].startswith(V2_SOURCES):
            names.append(path.stem)
    return names


def size(hex_code: str) -> int:
    return (len(hex_code) - 2) // 2


def library_places(references: dict[str, Any]) -> list[int]:
    return [
        place["start"]
        for libraries in references.values()
        for library, places in libraries.items()
        if library == LIBRARY
        for place in places
    ]


def test_every_appendix_a_contract_is_built() -> None:
    assert set(APPENDIX_A_CONTRACTS) <= set(v2_artifacts())


@pytest.mark.parametrize("name", v2_artifacts())
def test_within_eip170_and_eip3860(name: str) -> None:
    compiled = artifact(name)
    runtime, initcode = size(compiled["deployedBytecode"]), size(compiled["bytecode"])
    print(f"{name}: runtime {runtime} B, initcode {initcode} B")
    assert runtime <= MAX_RUNTIME, f"{name} runtime {runtime} B > {MAX_RUNTIME} (EIP-170)"
    assert initcode <= MAX_INITCODE, f"{name} initcode {initcode} B > {MAX_INITCODE} (EIP-3860)"


def test_pool_factory_initcode(record_property: Any) -> None:
    """Reported in the test properties (pytest --junitxml) and on -s output."""
    initcode = size(artifact("PoolFactory")["bytecode"])
    embedded = sum(
        size(artifact(name)["bytecode"]) for name in ("LeveragedPool", "PoolCommitter", "PoolToken")
    )
    record_property("PoolFactory_initcode_bytes", initcode)
    print(f"PoolFactory initcode {initcode} B (limit {MAX_INITCODE}, real build 47282)")
    assert embedded < initcode <= MAX_INITCODE


@pytest.mark.parametrize("name", v2_artifacts())
def test_pool_swap_library_is_linked_where_used(name: str) -> None:
    compiled = artifact(name)
    for code_key, references_key in (
        ("bytecode", "linkReferences"),
        ("deployedBytecode", "deployedLinkReferences"),
    ):
        references = compiled[references_key]
        assert set(references) <= {V2_SOURCES + "libraries/PoolSwapLibrary.sol"}, references
        places = library_places(references)
        # Every placeholder in the code is a listed reference, and vice versa.
        code = compiled[code_key].removeprefix("0x")
        assert sorted(m.start() // 2 for m in PLACEHOLDER.finditer(code)) == sorted(places)
        if name in LIBRARY_USERS and not (name == "PoolFactory" and code_key == "deployedBytecode"):
            assert places, f"{name} {code_key} does not link {LIBRARY}"
        elif name not in LIBRARY_USERS:
            assert not places, f"{name} {code_key} unexpectedly links {LIBRARY}"


def test_factory_embeds_the_linked_pool_and_committer() -> None:
    factory_places = library_places(artifact("PoolFactory")["linkReferences"])
    embedded_places = sum(
        len(library_places(artifact(name)["linkReferences"]))
        for name in ("LeveragedPool", "PoolCommitter")
    )
    assert len(factory_places) == embedded_places
