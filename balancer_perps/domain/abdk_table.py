"""The `pow_2` constant table of ABDKMathQuad 3.0.0, read from the pinned npm package.

ABDK's `pow_2` multiplies by 126 hand-written 129-bit constants C_k ~ 2^(2^-k) * 2^128.
83 of them are one below the correctly rounded value and no formula regenerates them,
so a bit-exact `exp` needs the very table the contracts were compiled with. It is
parsed at run time from the package (never copied into this repository).
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

ABDK_PATH_ENV = "BALANCER_PERPS_ABDK_PATH"
PINNED_ABDK_VERSION = "3.0.0"
POW2_TABLE_SIZE = 126

_REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ABDK_PATH = _REPO_ROOT / "node_modules" / "abdk-libraries-solidity" / "ABDKMathQuad.sol"

_POW2_STEP = re.compile(
    r"if\s*\(\s*xSignifier\s*&\s*(0x[0-9A-Fa-f]+)\s*>\s*0\s*\)\s*"
    r"resultSignifier\s*=\s*resultSignifier\s*\*\s*(0x[0-9A-Fa-f]+)\s*>>\s*128\s*;"
)


class AbdkSourceError(RuntimeError):
    """The pinned ABDKMathQuad.sol is missing or not the expected version."""


def abdk_source_path() -> Path:
    """Where ABDKMathQuad.sol is read from (env override, else the repo's node_modules)."""
    override = os.environ.get(ABDK_PATH_ENV)
    return Path(override) if override else DEFAULT_ABDK_PATH


def _check_package_version(sol_path: Path) -> None:
    manifest = sol_path.parent / "package.json"
    if not manifest.is_file():
        return  # a bare file given through the env var; the table check below still applies
    version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    if version != PINNED_ABDK_VERSION:
        raise AbdkSourceError(
            f"{manifest} is abdk-libraries-solidity {version}; "
            f"the V2 contracts were built with {PINNED_ABDK_VERSION}"
        )


def parse_pow2_constants(source: str) -> tuple[int, ...]:
    """Extract C_1..C_126 (in bit order 2^-1 .. 2^-126) from the Solidity text."""
    start = source.find("function pow_2")
    end = source.find("function exp", start)
    if start < 0 or end < 0:
        raise AbdkSourceError("no pow_2 function found in ABDKMathQuad.sol")
    steps = _POW2_STEP.findall(source[start:end])
    if len(steps) != POW2_TABLE_SIZE:
        raise AbdkSourceError(f"expected {POW2_TABLE_SIZE} pow_2 steps, found {len(steps)}")
    constants = []
    for k, (mask, constant) in enumerate(steps, start=1):
        if int(mask, 16) != 1 << (128 - k):
            raise AbdkSourceError(f"pow_2 step {k} tests mask {mask}, expected bit {128 - k}")
        value = int(constant, 16)
        if not (1 << 128) < value < (1 << 129):
            raise AbdkSourceError(f"pow_2 constant {k} out of range: {constant}")
        constants.append(value)
    return tuple(constants)


@lru_cache(maxsize=1)
def pow2_constants() -> tuple[int, ...]:
    """C_k for k = 1..126 (index k-1), loaded once per process."""
    path = abdk_source_path()
    if not path.is_file():
        raise AbdkSourceError(
            f"ABDKMathQuad.sol not found at {path}. Install the pinned npm package "
            f"(abdk-libraries-solidity@{PINNED_ABDK_VERSION}, `npm ci` at the repository root) "
            f"or point {ABDK_PATH_ENV} at the file."
        )
    _check_package_version(path)
    return parse_pow2_constants(path.read_text(encoding="utf-8"))
