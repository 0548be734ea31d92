"""Shared fixtures: a corpus in every format, a workspace with the real embedder, the real bundled SLM."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ragtune import Settings, Workspace
from ragtune.demo.corpus import build
from tests.servers import postgres_cluster


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    """The demo corpus: Markdown, CSV, XLSX, PDF, DOCX, SQLite and HTML of an invented company."""
    return build(tmp_path_factory.mktemp("corpus") / "corpus")


@pytest.fixture(scope="session")
def embedder():
    from ragtune.index.factory import create_embedder

    return create_embedder("minilm", home=Settings().home)  # as a workspace loads it: through ONNX Runtime


@pytest.fixture(scope="session")
def llm():
    from ragtune.generate.factory import create_llm

    return create_llm("smollm2", Settings())


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL cluster with pgvector for the session (see tests/servers.py)."""
    with postgres_cluster() as url:
        yield url


def make_workspace(store: Path, embedder, llm=None, **settings) -> Workspace:
    """A workspace on `store` that reuses the session's loaded models."""
    ws = Workspace(Settings(store=store, **settings))
    ws.__dict__["embedder"] = embedder
    ws.manifest.check_embedder(embedder.name, embedder.dim)
    if llm is not None:
        ws.__dict__["llm"] = llm
    return ws


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory, corpus, embedder, llm) -> Workspace:
    """The demo corpus ingested once (read-only for tests)."""
    ws = make_workspace(tmp_path_factory.mktemp("demo") / "store", embedder, llm)
    report = ws.ingest([corpus])
    assert report.failed == 0, report.failures
    return ws


@pytest.fixture
def ws(tmp_path, embedder, llm) -> Workspace:
    """A fresh, empty workspace."""
    return make_workspace(tmp_path / "store", embedder, llm)


@pytest.fixture
def corpus_copy(tmp_path, corpus) -> Path:
    """A private copy of the corpus that a test may change."""
    return Path(shutil.copytree(corpus, tmp_path / "corpus"))
