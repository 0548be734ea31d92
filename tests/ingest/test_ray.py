"""`ragtune ingest --ray`: a real local Ray head, real worker processes, a real PostgreSQL store."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from ragtune import Settings, Workspace
from ragtune.cli import EXIT_INPUTS
from tests.conftest import make_workspace
from tests.fakes import FakeEmbedder
from tests.ingest.test_pool import corpus, stored
from tests.servers import ray_head

pytestmark = pytest.mark.slow  # a real Ray cluster


@pytest.fixture(scope="module")
def ray_cluster():
    with ray_head() as (address, auth):
        yield address, auth


def ingest(args: list[str], env: dict) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "ragtune.cli", *args]
    return subprocess.run(cmd, env=dict(os.environ, **env), capture_output=True, text=True, timeout=600)


def test_ray_workers_parse_and_embed_into_a_server_store(tmp_path, postgres_url, ray_cluster):
    ray_address, auth = ray_cluster
    folder = corpus(tmp_path / "docs", 20)
    url = f"{postgres_url}?collection=ray_{uuid.uuid4().hex[:10]}"
    store = tmp_path / "store"
    env = auth | {"RAGTUNE_VECTOR_STORE": url}
    done = ingest(["--store", str(store), "ingest", "--ray", ray_address, str(folder)], env)
    assert done.returncode == EXIT_INPUTS, done.stderr[-3000:]  # one bad file
    assert "error: docs/broken.csv: " in done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("ingested 20, unchanged 0, updated 0, removed 0, failed 1")
    ws = Workspace(Settings(store=store, vector_store=url))
    top = ws.search("At which gate does parcel 4 wait?", top_k=1).passages[0]
    assert top.source == "docs/note004.md"
    local = make_workspace(tmp_path / "local", FakeEmbedder())
    local.ingest([folder])
    assert stored(ws) == stored(local)  # the rows a local ingest writes, down to locators and records
    again = ingest(["--store", str(store), "ingest", "--ray", ray_address, str(folder)], env)
    assert "ingested 0, unchanged 20" in again.stdout


def test_a_cluster_that_refuses_the_token_is_one_clear_error(tmp_path, ray_cluster):
    ray_address, auth = ray_cluster
    env = auth | {"RAY_AUTH_TOKEN": "not-the-token"}
    done = ingest(["--store", str(tmp_path / "s"), "ingest", "--ray", ray_address, str(tmp_path)], env)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert f"cannot reach the Ray cluster at '{ray_address}': it refused this process's authentication token" in (
        done.stderr
    )
    assert done.stderr.count("Failed to get cluster ID") <= 1  # one probe, not Ray's twenty retries


def test_an_unreachable_cluster_is_one_clear_error(tmp_path):
    done = ingest(["--store", str(tmp_path / "s"), "ingest", "--ray", "127.0.0.1:9", str(tmp_path)], {})
    assert done.returncode != 0
    assert "cannot reach the Ray cluster at '127.0.0.1:9'" in done.stderr, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
