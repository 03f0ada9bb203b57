"""Fixtures of the index tests. Async tests run on asyncio through anyio's pytest plugin
(``pytest.mark.anyio``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.indexer.scenario import migrate, migrated_database
from tests.postgres import postgres_bin_dir, temporary_postgres


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """BALANCER_PERPS_TEST_POSTGRES_URL (a database the tests may empty), or a throwaway
    server of the Debian package that `scripts/setup.sh --test` installs."""
    configured = os.environ.get("BALANCER_PERPS_TEST_POSTGRES_URL")
    if configured:
        yield configured
        return
    if postgres_bin_dir() is None:
        pytest.skip("PostgreSQL is not installed: run scripts/setup.sh --test")
    with temporary_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every index test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return migrated_database(tmp_path / "index.db")
    return migrate(request.getfixturevalue("postgres_url"), from_scratch=True)
