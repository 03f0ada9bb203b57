"""Configuration of the contract tests (real anvil nodes, the devnet artifacts).

``PP_ARTIFACTS_DIR`` points the tests at a scratch build instead of the committed artifacts
(useful while the contracts are being written; CI leaves it unset).
"""

from __future__ import annotations

import os
from pathlib import Path

from balancer_perps.devnet import evm

if os.environ.get("PP_ARTIFACTS_DIR"):
    evm.ARTIFACTS_DIR = Path(os.environ["PP_ARTIFACTS_DIR"])  # type: ignore[misc]
    evm.load_artifact.cache_clear()
