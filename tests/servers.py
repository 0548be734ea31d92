"""Real servers for the tests: a throwaway PostgreSQL cluster (with pgvector) and a Ray head on 127.0.0.1.

`RAGTUNE_TEST_POSTGRES=postgresql://…` uses a running server instead. Where PostgreSQL or pgvector is not
installed the PostgreSQL tests skip, unless `RAGTUNE_REQUIRE_POSTGRES=1` (set by `.ci/run`) makes them fail.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _bindir() -> Path | None:
    """The newest PostgreSQL server whose share directory has the pgvector extension."""
    for initdb in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        version = Path(initdb).parts[-3]
        if Path(f"/usr/share/postgresql/{version}/extension/vector.control").exists():
            return Path(initdb).parent
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str]:
    """initdb + pg_ctl start on a free port; yields the URL; stops and deletes the cluster afterwards."""
    if url := os.environ.get("RAGTUNE_TEST_POSTGRES"):
        yield url
        return
    bindir = _bindir()
    if bindir is None:
        reason = "PostgreSQL with pgvector is not installed (see .ci/run)"
        if os.environ.get("RAGTUNE_REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="ragtune-pg-"))
    data, port = root / "data", _free_port()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")

    def run(tool: str, *args: str, check: bool = True) -> None:
        subprocess.run(_as_server_user([str(bindir / tool), *args]), check=check, capture_output=True)

    try:
        run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync")
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
        run("pg_ctl", "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start")
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        run("pg_ctl", "-D", str(data), "-m", "immediate", "stop", check=False)  # after a failure: stop anyway
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def ray_head() -> Iterator[tuple[str, dict[str, str]]]:
    """`ray start --head` on free ports with 2 CPUs and token authentication (a token of its own, whatever the Ray
    version's default); yields its address and the environment a client needs; `ray stop` afterwards."""
    ray = str(Path(sys.executable).parent / "ray")
    port, client = _free_port(), _free_port()
    args = ["--head", f"--port={port}", f"--ray-client-server-port={client}", "--num-cpus=2"]
    args += ["--include-dashboard=false", "--disable-usage-stats"]
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    subprocess.run([ray, "start", *args], check=True, capture_output=True, timeout=300, env=os.environ | auth)
    try:
        yield f"127.0.0.1:{port}", auth
    finally:
        subprocess.run([ray, "stop", "--force"], capture_output=True, timeout=300)
