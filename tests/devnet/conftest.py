"""Devnets for the devnet tests: each module brings up its own, in a temporary directory on
a free port, with a short seeded history, and takes it down at the end."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from web3 import HTTPProvider, Web3

from balancer_perps.devnet import control
from balancer_perps.devnet.anvil import free_port
from balancer_perps.devnet.build import REPO_ROOT
from balancer_perps.devnet.manifest import Manifest

SHORT_HISTORY = 20 * 60  # seconds: enough for every 2-minute pool to rebalance a few times
SEED = 1


@dataclass
class Devnet:
    config: control.DevnetConfig
    report: control.UpReport

    @property
    def manifest(self) -> Manifest:
        return self.report.manifest

    @property
    def w3(self) -> Web3:
        return Web3(HTTPProvider(self.config.rpc_url, request_kwargs={"timeout": 60}))

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            control.DIR_ENV: str(self.config.directory),
            control.PORT_ENV: str(self.config.port),
        }

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run ``python -m balancer_perps.devnet <args>`` against this devnet."""
        return subprocess.run(
            [sys.executable, "-m", "balancer_perps.devnet", *args],
            env=self.env(),
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def new_config(directory: Path) -> control.DevnetConfig:
    return control.DevnetConfig(directory=directory, port=free_port())


@pytest.fixture(scope="module")
def devnet_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Devnet]]:
    """``devnet_factory(**up_options)`` brings up a devnet; all are taken down afterwards."""
    started: list[control.DevnetConfig] = []

    def start(**options: object) -> Devnet:
        config = new_config(tmp_path_factory.mktemp("devnet"))
        started.append(config)
        options = {"history": SHORT_HISTORY, "seed": SEED, **options}
        return Devnet(config, control.up(config, **options))  # type: ignore[arg-type]

    yield start
    for config in started:
        control.down(config)


def wait_for(
    condition: Callable[[], bool], timeout: float, what: str, logs: Sequence[Path] = ()
) -> None:
    """Poll ``condition`` until it holds; on a timeout, fail with the tails of ``logs``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tails = "".join(
                f"\n--- last lines of {log} ---\n{_tail(log)}" for log in logs
            )
            raise AssertionError(f"timed out after {timeout} s waiting for {what}{tails}")
        time.sleep(0.25)


def _tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return "(missing)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
