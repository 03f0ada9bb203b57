"""Start and stop a local anvil node (the npm-packaged anvil 1.7.1).

Used by the devnet command and by the tests, which each start nodes of their own
on free ports.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from balancer_perps.devnet.build import REPO_ROOT

ANVIL_BINARY = REPO_ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
DEFAULT_MNEMONIC = "test test test test test test test test test test test junk"
CHAIN_ID = 31337


class AnvilError(RuntimeError):
    """anvil could not be started or did not answer."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rpc(url: str, method: str, params: list[Any] | None = None, timeout: float = 10.0) -> Any:
    """One JSON-RPC call; raises AnvilError on a transport or JSON-RPC error."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise AnvilError(f"{url} did not answer {method}: {error}") from error
    if "error" in answer:
        raise AnvilError(f"{method} failed: {answer['error']}")
    return answer["result"]


def is_up(url: str) -> bool:
    try:
        rpc(url, "eth_chainId", timeout=1.0)
    except AnvilError:
        return False
    return True


@dataclass
class AnvilNode:
    """A running anvil process."""

    process: subprocess.Popen[bytes]
    port: int
    host: str = "127.0.0.1"

    @property
    def rpc_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, so anvil writes its --state file; SIGKILL only if it hangs."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_anvil(
    *,
    port: int | None = None,
    host: str = "127.0.0.1",
    state_file: Path | None = None,
    timestamp: int | None = None,
    block_time: float | None = None,
    log: IO[bytes] | None = None,
    detach: bool = False,
    extra_args: list[str] | None = None,
    accounts: int = 10,
) -> AnvilNode:
    """Start anvil with chain id 31337 and the known mnemonic and wait until it answers.

    ``timestamp`` sets the genesis timestamp (for replays and seeded history);
    ``state_file`` makes the chain persistent across restarts (anvil --state);
    ``detach`` starts it in its own session so it outlives this process.
    """
    if not ANVIL_BINARY.exists():
        raise AnvilError(f"anvil is missing at {ANVIL_BINARY}: run `npm ci` first")
    port = port or free_port()
    args = [
        str(ANVIL_BINARY),
        "--host",
        host,
        "--port",
        str(port),
        "--chain-id",
        str(CHAIN_ID),
        "--mnemonic",
        DEFAULT_MNEMONIC,
        "--accounts",
        str(accounts),
        "--balance",
        "100000",
    ]
    if state_file is not None:
        args += ["--state", str(state_file)]
    if timestamp is not None:
        args += ["--timestamp", str(timestamp)]
    if block_time is not None:
        args += ["--block-time", str(block_time)]
    args += extra_args or []
    process = subprocess.Popen(
        args,
        stdout=log if log is not None else subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log is not None else subprocess.DEVNULL,
        start_new_session=detach,
        env={**os.environ, "NO_COLOR": "1"},
    )
    node = AnvilNode(process=process, port=port, host=host)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AnvilError(f"anvil exited with code {process.returncode} on port {port}")
        if is_up(node.rpc_url):
            return node
        time.sleep(0.05)
    node.stop()
    raise AnvilError(f"anvil did not answer on port {port} within 30 s")
