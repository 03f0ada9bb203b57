"""Background processes of the devnet (anvil, keeper, feed): pid files, start, stop.

Each process runs detached in its own session, logs to ``<name>.log`` and records its pid
in ``<name>.pid`` in the devnet directory. A pid only counts as ours while the process's
command line still contains the expected marker, so a recycled pid is never signalled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from types import FrameType


class StopFlag:
    """Turns SIGTERM/SIGINT into a flag, so a service loop ends between two passes."""

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.requested and time.monotonic() < deadline:
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))


# Processes this Python process started. Asked directly whether they still run: a stopped
# child lingers as a zombie (alive to os.kill) until its exit status is collected, and a
# child that has not exec'd yet still shows this process's command line.
_children: dict[int, subprocess.Popen[bytes]] = {}


def adopt(process: subprocess.Popen[bytes]) -> None:
    _children[process.pid] = process


def _cmdline(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode(errors="replace")


def is_running(pid: int, marker: str) -> bool:
    """True while ``pid`` is alive (not a zombie) and its command line contains ``marker``."""
    child = _children.get(pid)
    if child is not None:  # started here (maybe not yet exec'd, so no marker to see yet)
        if child.poll() is None:
            return True
        del _children[pid]
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc: trust the signal check
    if state == "Z":
        return False
    cmdline = _cmdline(pid)
    return cmdline is None or marker in cmdline


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def running_pid(pid_file: Path, marker: str) -> int | None:
    """The pid recorded in ``pid_file`` if that process is still running, else None."""
    pid = read_pid(pid_file)
    if pid is not None and is_running(pid, marker):
        return pid
    return None


def stop(pid_file: Path, marker: str, timeout: float = 15.0) -> bool:
    """SIGTERM the recorded process and wait for it to exit (SIGKILL after ``timeout``).
    Returns True if a running process was stopped."""
    pid = running_pid(pid_file, marker)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while is_running(pid, marker):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
        time.sleep(0.05)
    pid_file.unlink(missing_ok=True)
    return True


def spawn(
    args: list[str], *, log_file: Path, pid_file: Path, cwd: Path, env: dict[str, str] | None = None
) -> int:
    """Start ``args`` detached (own session, stdin closed, output appended to ``log_file``)."""
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
    pid_file.write_text(f"{process.pid}\n")
    adopt(process)
    return process.pid
