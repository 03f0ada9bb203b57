"""Loading the shared protocol fixtures copied into tests/fixtures/."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES_DIR = Path(__file__).resolve().parents[1] / "fixtures"


@cache
def load_fixture(name: str) -> Any:
    """Parse a JSON fixture once per test session (integers stay exact Python ints)."""
    with (FIXTURES_DIR / name).open(encoding="utf-8") as handle:
        return json.load(handle)
