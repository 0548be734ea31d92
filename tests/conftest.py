"""Shared fixtures: a corpus in every format; workspaces with fake models (the default) or the real ones.

A test that uses a real model (`embedder`, `llm`, `real_ws`, `demo_ws`, or a fixture built on them) is marked
`slow` here, so that `pytest -m "not slow"` runs only what the fakes serve."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ragtune import Settings, Workspace
from ragtune.demo.corpus import build
from tests.fakes import FakeEmbedder, FakeLLM
from tests.servers import postgres_cluster

REAL = {"embedder", "llm", "real_ws", "demo_ws"}  # fixtures that load a real model


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if REAL & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


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
    from ragtune.models.factory import create_llm

    return create_llm("smollm2", Settings())


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL cluster with pgvector for the session (see tests/servers.py)."""
    with postgres_cluster() as url:
        yield url


@pytest.fixture(scope="session")
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def fake_llm() -> FakeLLM:
    return FakeLLM()


def make_workspace(store: Path, embedder, llm=None, reader=None, **settings) -> Workspace:
    """A workspace on `store` that reuses already loaded (or fake) models; `reader` replaces the trained reader."""
    ws = Workspace(Settings(store=store, **settings))
    ws.__dict__["embedder"] = embedder
    ws.catalog.check_embedder(embedder.name, embedder.dim)
    if llm is not None:
        ws.__dict__["llm"] = llm
    if reader is not None:
        ws.__dict__["reader"] = reader
    if isinstance(embedder, FakeEmbedder):  # fast tests: fields by their names' words (the reader is a real model)
        ws.__dict__["field_reader"] = None
    return ws


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory, corpus, embedder, llm) -> Workspace:
    """The demo corpus ingested once (read-only for tests)."""
    ws = make_workspace(tmp_path_factory.mktemp("demo") / "store", embedder, llm)
    report = ws.ingest([corpus])
    assert report.failed == 0, report.failures
    return ws


@pytest.fixture
def ws(tmp_path, fake_embedder, fake_llm) -> Workspace:
    """A fresh, empty workspace with fake models: a hashed bag-of-words embedder, a scripted LLM that also reads."""
    return make_workspace(tmp_path / "store", fake_embedder, fake_llm, reader=fake_llm)


@pytest.fixture
def real_ws(tmp_path, embedder, llm) -> Workspace:
    """A fresh, empty workspace with the real bundled models."""
    return make_workspace(tmp_path / "store", embedder, llm)


@pytest.fixture
def corpus_copy(tmp_path, corpus) -> Path:
    """A private copy of the corpus that a test may change."""
    return Path(shutil.copytree(corpus, tmp_path / "corpus"))
