"""The whole pipeline on every vector store, switched by the one `vector_store` setting: ingest, search in
every mode, re-ingest a changed file. Real embedder, real servers (a PostgreSQL cluster, Milvus Lite)."""

from __future__ import annotations

import uuid

import pytest

from ragtune.errors import RagtuneError
from ragtune.index.factory import create_store
from tests.conftest import make_workspace

DOCS = {
    "shipping.md": "# Shipping\n\nOrders ship from Leeds. Standard delivery takes 5 to 8 working days.\n",
    "returns.md": "# Returns\n\nUnused items can be returned within 60 days for a full refund.\n",
    "care.md": "# Care\n\nWash the down jacket at 30 degrees and tumble dry it with tennis balls.\n",
}


def store_spec(backend: str, request, tmp_path) -> str:
    if backend == "postgresql":
        return f"{request.getfixturevalue('postgres_url')}?collection=ws_{uuid.uuid4().hex[:12]}"
    return f"milvus://{tmp_path}/milvus.db" if backend == "milvus" else "lancedb"


@pytest.mark.parametrize("backend", ["lancedb", "postgresql", "milvus"])
def test_a_workspace_runs_on_each_store_by_one_setting(backend, request, tmp_path, embedder, llm):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text)
    ws = make_workspace(tmp_path / "store", embedder, llm, vector_store=store_spec(backend, request, tmp_path))
    assert ws.ingest([docs]).ingested == 3
    for mode in ("hybrid", "dense", "bm25"):
        top = ws.search("How long does standard delivery take?", mode=mode).passages[0]
        assert top.source.endswith("shipping.md") and "5 to 8 working days" in top.text, mode
    result = ws.search("refund", filters={"source": "docs/returns.md"})
    assert {p.source for p in result.passages} == {"docs/returns.md"}
    assert result.summaries and result.summaries[0]["doc_id"] == result.passages[0].doc_id

    (docs / "shipping.md").write_text(DOCS["shipping.md"].replace("5 to 8", "2 to 3"))
    report = ws.ingest([docs])
    assert (report.updated, report.unchanged) == (1, 2)  # only the changed file is re-embedded
    texts = [p.text for p in ws.search("How long does standard delivery take?").passages]
    assert "2 to 3 working days" in texts[0] and not any("5 to 8" in t for t in texts)


def test_an_unknown_store_scheme_is_a_clear_error(tmp_path):
    with pytest.raises(RagtuneError, match=r"unknown vector store 'redis' \(use lancedb, postgresql://…, milvus://…"):
        create_store("redis://localhost:6379", tmp_path, 8)


def test_bad_server_store_settings_are_clear_errors(tmp_path):
    with pytest.raises(RagtuneError, match="ef_search='many' in the vector store URL must be a whole number"):
        create_store("postgresql://127.0.0.1:1/db?ef_search=many", tmp_path, 8)
    with pytest.raises(RagtuneError, match="collection 'a-b' must be a plain identifier"):
        create_store("milvus:///tmp/x.db?collection=a-b", tmp_path, 8)


def test_an_unreachable_postgresql_is_a_clear_error(tmp_path):
    with pytest.raises(RagtuneError, match=r"cannot reach PostgreSQL at 127\.0\.0\.1"):
        create_store("postgresql://nobody:secret@127.0.0.1:1/db", tmp_path, 8)


def test_a_store_of_another_dimension_is_refused(request, tmp_path):
    url = f"{request.getfixturevalue('postgres_url')}?collection=dim_{uuid.uuid4().hex[:8]}"
    create_store(url, tmp_path, 8).close()
    with pytest.raises(RagtuneError, match="holds 8-dim vectors"):
        create_store(url, tmp_path, 16)
    create_store(f"milvus://{tmp_path}/m.db", tmp_path, 8).close()
    with pytest.raises(RagtuneError, match="holds 8-dim vectors"):
        create_store(f"milvus://{tmp_path}/m.db", tmp_path, 16)


def test_a_plugin_store_is_found_through_its_entry_point(tmp_path, monkeypatch):
    """A third-party package registers a scheme under `ragtune.vector_stores` (here: a real installed-style
    distribution on sys.path that wraps the embedded store)."""
    (tmp_path / "ragtune_demo_plugin.py").write_text(
        "from ragtune.index.lance import LanceStore\n\n"
        "def open_store(spec, home, dim, ann_threshold):\n"
        "    return LanceStore(home / spec.split('://')[1], dim, ann_threshold)\n"
    )
    dist = tmp_path / "ragtune_demo_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ragtune-demo-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[ragtune.vector_stores]\nlocal = ragtune_demo_plugin:open_store\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    store = create_store("local://mine", tmp_path, 8)
    assert type(store).__name__ == "LanceStore" and (tmp_path / "mine").is_dir()
    with pytest.raises(RagtuneError, match=r"milvus://…, local://…\)"):
        create_store("nosuch://x", tmp_path, 8)
