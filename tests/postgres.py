"""A throwaway PostgreSQL server for the tests (Debian's postgresql package), like the
anvil nodes: started on a free port in a temporary directory, removed afterwards."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from balancer_perps.devnet.anvil import free_port


def postgres_bin_dir() -> str | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(candidates[-1]) if candidates else None


@contextmanager
def temporary_postgres() -> Iterator[str]:
    """Yield a ``postgresql+psycopg://`` URL of a fresh, empty database."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    # PostgreSQL refuses to run as root: use the package's own system user then.
    run_as: list[str] = []
    if os.geteuid() == 0:
        run_as = ["runuser", "-u", "postgres", "--"]
    data_dir = tempfile.mkdtemp(prefix="bp-postgres-")
    if run_as:
        user = pwd.getpwnam("postgres")
        os.chown(data_dir, user.pw_uid, user.pw_gid)
    port = free_port()
    subprocess.run(
        [*run_as, f"{bin_dir}/initdb", "-D", data_dir, "-U", "test", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        [*run_as, f"{bin_dir}/postgres", "-D", data_dir, "-p", str(port), "-k", data_dir,
         "-h", "127.0.0.1", "-c", "fsync=off"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while subprocess.run(
            [f"{bin_dir}/pg_isready", "-h", "127.0.0.1", "-p", str(port)], capture_output=True
        ).returncode != 0:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the temporary PostgreSQL server did not start")
            time.sleep(0.1)
        yield f"postgresql+psycopg://test@127.0.0.1:{port}/postgres"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
