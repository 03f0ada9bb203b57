"""Compile the devnet contracts and export the ABIs the app uses.

    python -m balancer_perps.devnet.build           # compile, write artifacts and abis/
    python -m balancer_perps.devnet.build --check   # exit 1 if the committed artifacts are stale

Every ``.sol`` file under ``balancer_perps/devnet/contracts/`` is compiled in one
standard-JSON run of the pinned solcjs (npm ``solc@0.8.7-fixed``), with the settings
of the real V2 build: optimizer on, 200 runs, EVM london. Imports such as
``@openzeppelin/contracts/...`` resolve from ``node_modules``.

Artifacts (ABI, bytecode, link references) are committed so that running the app
needs no compiler; ``_build.json`` records a fingerprint of the inputs, and
``--check`` (and a test) compares it with the sources on disk.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_DIR = REPO_ROOT / "balancer_perps" / "devnet" / "contracts"
ARTIFACTS_DIR = REPO_ROOT / "balancer_perps" / "devnet" / "artifacts"
ABIS_DIR = REPO_ROOT / "abis"
FINGERPRINT_FILE = ARTIFACTS_DIR / "_build.json"
COMPILE_SCRIPT = Path(__file__).with_name("solc_compile.js")

SOLC_SETTINGS: dict[str, Any] = {
    "optimizer": {"enabled": True, "runs": 200},
    "evmVersion": "london",
    "outputSelection": {
        "*": {
            "*": [
                "abi",
                "evm.bytecode.object",
                "evm.bytecode.linkReferences",
                "evm.deployedBytecode.object",
                "evm.deployedBytecode.linkReferences",
            ]
        }
    },
}

# npm packages whose versions change the compiled output.
PINNED_PACKAGES = (
    "solc",
    "@openzeppelin/contracts",
    "abdk-libraries-solidity",
    "@chainlink/contracts",
)

# Contracts whose ABIs the app, the devnet and the tests load from abis/.
EXPORTED_ABIS = (
    "PoolFactory",
    "LeveragedPool",
    "PoolCommitter",
    "PoolKeeper",
    "KeeperRewards",
    "AutoClaim",
    "InvariantCheck",
    "PoolToken",
    "ChainlinkOracleWrapper",
    "SMAOracle",
    "PoolSwapLibrary",
    "L2Encoder",
    "Resolver",
    "TestToken",
    "TestChainlinkOracle",
    "Multicall3",
    "DevToken",
    "DevFeed",
)


class BuildError(RuntimeError):
    """The contracts did not compile, or the toolchain is missing."""


def source_files() -> list[Path]:
    return sorted(CONTRACTS_DIR.rglob("*.sol"))


def _source_unit_name(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def _package_version(name: str) -> str:
    package_json = REPO_ROOT / "node_modules" / name / "package.json"
    if not package_json.exists():
        raise BuildError(f"npm package {name} is missing: run `npm ci` first")
    return str(json.loads(package_json.read_text())["version"])


def fingerprint() -> dict[str, Any]:
    """What the artifacts depend on: sources, compiler settings, pinned package versions."""
    digest = hashlib.sha256()
    for path in source_files():
        digest.update(_source_unit_name(path).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return {
        "sources_sha256": digest.hexdigest(),
        "settings": {k: v for k, v in SOLC_SETTINGS.items() if k != "outputSelection"},
        "packages": {name: _package_version(name) for name in PINNED_PACKAGES},
    }


def _compile(sources: list[Path]) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        raise BuildError("node is not on PATH")
    standard_input = {
        "language": "Solidity",
        "sources": {_source_unit_name(p): {"content": p.read_text()} for p in sources},
        "settings": SOLC_SETTINGS,
    }
    result = subprocess.run(
        [node, str(COMPILE_SCRIPT), str(REPO_ROOT)],
        input=json.dumps(standard_input),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BuildError(f"solcjs failed: {result.stderr.strip()}")
    output: dict[str, Any] = json.loads(result.stdout)
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise BuildError("\n".join(e.get("formattedMessage", e["message"]) for e in errors))
    return output


def _artifacts_from(output: dict[str, Any]) -> dict[str, dict[str, Any]]:
    artifacts: dict[str, dict[str, Any]] = {}
    for source_name, contracts in output.get("contracts", {}).items():
        if not source_name.startswith("balancer_perps/"):
            continue  # library code from node_modules: nothing of ours to deploy
        for name, compiled in contracts.items():
            bytecode = compiled["evm"]["bytecode"]["object"]
            if not bytecode:
                continue  # interfaces and abstract contracts
            if name in artifacts:
                raise BuildError(f"two contracts named {name}: names must be unique")
            artifacts[name] = {
                "contractName": name,
                "sourceName": source_name,
                "abi": compiled["abi"],
                "bytecode": "0x" + bytecode,
                "deployedBytecode": "0x" + compiled["evm"]["deployedBytecode"]["object"],
                "linkReferences": compiled["evm"]["bytecode"]["linkReferences"],
                "deployedLinkReferences": compiled["evm"]["deployedBytecode"]["linkReferences"],
            }
    return artifacts


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1) + "\n")


def build() -> dict[str, dict[str, Any]]:
    sources = source_files()
    if not sources:
        raise BuildError(f"no .sol files under {CONTRACTS_DIR}")
    output = _compile(sources)
    artifacts = _artifacts_from(output)
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    ABIS_DIR.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS_DIR.glob("*.json"):
        stale.unlink()
    for name, artifact in artifacts.items():
        _write_json(ARTIFACTS_DIR / f"{name}.json", artifact)
    for stale in ABIS_DIR.glob("*.json"):
        stale.unlink()
    for name in EXPORTED_ABIS:
        if name in artifacts:
            _write_json(ABIS_DIR / f"{name}.json", artifacts[name]["abi"])
    _write_json(FINGERPRINT_FILE, fingerprint())
    return artifacts


def stale_reasons() -> list[str]:
    """Why the committed artifacts do not match the sources (empty when up to date)."""
    if not FINGERPRINT_FILE.exists():
        return ["no build fingerprint: run `python -m balancer_perps.devnet.build`"]
    reasons = []
    if json.loads(FINGERPRINT_FILE.read_text()) != fingerprint():
        reasons.append("sources, settings or pinned packages changed since the last build")
    for name in EXPORTED_ABIS:
        artifact = ARTIFACTS_DIR / f"{name}.json"
        exported = ABIS_DIR / f"{name}.json"
        if artifact.exists() != exported.exists():
            reasons.append(f"abis/{name}.json does not match the artifacts")
        elif artifact.exists() and (
            json.loads(artifact.read_text())["abi"] != json.loads(exported.read_text())
        ):
            reasons.append(f"abis/{name}.json differs from its artifact")
    return reasons


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the artifacts")
    args = parser.parse_args(argv)
    try:
        if args.check:
            reasons = stale_reasons()
            for reason in reasons:
                print(f"stale: {reason}", file=sys.stderr)
            return 1 if reasons else 0
        artifacts = build()
    except BuildError as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    for name, artifact in sorted(artifacts.items()):
        runtime = (len(artifact["deployedBytecode"]) - 2) // 2
        initcode = (len(artifact["bytecode"]) - 2) // 2
        print(f"{name:28} runtime {runtime:6} B   initcode {initcode:6} B")
    print(f"wrote {len(artifacts)} artifacts to {ARTIFACTS_DIR.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
