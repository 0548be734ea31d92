"""The VectorStore contract, run against every backend in `BACKENDS` with the same tests.

Vectors are small clustered unit vectors; no model is loaded. A server backend joins by adding a factory
that returns a fresh, empty store (and skipping itself where its server is not running).
"""

from __future__ import annotations

import json
import threading
import uuid

import numpy as np
import pyarrow as pa
import pytest

from ragtune.index.base import ROW, Filter
from ragtune.index.factory import create_store
from ragtune.index.lance import LanceStore, schema, where
from ragtune.index.pgvector import split_url

DIM = 16


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)


def make_rows(doc: str, n: int, rng: np.random.Generator, words: str = "alpha beta", source: str = "") -> list[dict]:
    """A document's summary, `n` chunks and one sentence per chunk, shaped as `ragtune ingest` writes them."""
    base = {"doc_id": doc, "source": source or f"corpus/{doc}.md", "type": "md", "heading": "", "records": "[]"}
    base["access"] = ""
    rows = [base | {"id": f"{doc}:summary", "kind": "summary", "parent": "", "ordinal": -1, "locator": "summary"}]
    rows[0] |= {"text": f"summary of {doc}", "search_text": f"summary of {doc}"}
    for i in range(n):
        text = f"{words} chunk {i} of {doc}"
        records = json.dumps([{"sku": f"{doc}-{i}", "name": "it's"}]) if i == 0 else "[]"
        chunk = base | {"id": f"{doc}:{i}", "kind": "chunk", "parent": "", "ordinal": i, "locator": f"line {i}"}
        rows.append(chunk | {"text": text, "search_text": text, "records": records})
        rows.append(chunk | {"id": f"{doc}:{i}:0", "kind": "sentence", "parent": f"{doc}:{i}", "search_text": ""})
        rows[-1]["text"] = text
    for row in rows:
        row["vector"] = unit(rng.standard_normal(DIM))
    return rows


def lancedb_spec(request, tmp_path) -> str:
    return "lancedb"  # in tmp_path


def postgresql_spec(request, tmp_path) -> str:
    """A fresh set of tables (a new collection name) in the session's cluster."""
    return f"{request.getfixturevalue('postgres_url')}?collection=t_{uuid.uuid4().hex[:12]}"


def milvus_spec(request, tmp_path) -> str:
    """A Milvus Lite file of the test's own."""
    return f"milvus://{tmp_path}/milvus.db"


BACKENDS = {"lancedb": lancedb_spec, "postgresql": postgresql_spec, "milvus": milvus_spec}


@pytest.fixture(params=list(BACKENDS))
def spec(request, tmp_path) -> str:
    return BACKENDS[request.param](request, tmp_path)


@pytest.fixture
def store(spec, tmp_path):
    store = create_store(spec, tmp_path, DIM)
    yield store
    if hasattr(store, "close"):
        store.close()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


def test_replace_adds_replaces_and_deletes_by_document(store, rng):
    store.replace([], make_rows("a", 3, rng) + make_rows("b", 2, rng))
    store.refresh()
    assert store.count() == (1 + 3 * 2) + (1 + 2 * 2)  # a summary, chunks and their sentences
    assert store.count([Filter.eq("kind", "chunk")]) == 5
    store.replace(["a"], make_rows("a", 1, rng))  # re-ingest: the old rows go
    assert sorted(r["id"] for r in store.rows([Filter.eq("kind", "chunk")])) == ["a:0", "b:0", "b:1"]
    store.replace(["b"], [])
    assert {r["doc_id"] for r in store.rows()} == {"a"}


def test_rows_carry_every_column_and_the_vector_only_when_asked(store, rng):
    rows = make_rows("a", 2, rng)
    store.replace([], rows)
    got = store.rows([Filter.eq("id", "a:1")])
    assert len(got) == 1 and set(got[0]) == set(ROW)
    assert {k: got[0][k] for k in ROW} == {k: rows[3][k] for k in ROW}
    with_vector = store.rows([Filter.eq("id", "a:1")], columns=["id", "vector"])[0]
    assert np.allclose(with_vector["vector"], rows[3]["vector"], atol=1e-6)


def test_dense_search_ranks_by_exact_cosine(store, rng):
    rows = make_rows("a", 20, rng)
    store.replace([], rows)
    store.refresh()
    target = rows[5]
    hits = store.dense(target["vector"], 3, [Filter.eq("kind", "chunk")])
    assert hits[0].row["id"] == target["id"] and hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert "vector" not in hits[0].row and hits[0].row["text"] == target["text"]
    chunk_vectors = {r["id"]: r["vector"] for r in rows if r["kind"] == "chunk"}
    exact = sorted(chunk_vectors, key=lambda i: -float(chunk_vectors[i] @ target["vector"]))[:3]
    assert [h.row["id"] for h in hits] == exact


def test_keyword_search_finds_words_and_skips_stop_words(store, rng):
    store.replace([], make_rows("a", 3, rng, "backpack") + make_rows("b", 3, rng, "sleeping bag"))
    store.refresh()
    hits = store.bm25("sleeping bags", 10, [Filter.eq("kind", "chunk")])
    assert {h.row["doc_id"] for h in hits} == {"b"} and len(hits) == 3
    assert store.bm25("the of and", 5, [Filter.eq("kind", "chunk")]) == []
    assert store.bm25("?!", 5, [Filter.eq("kind", "chunk")]) == []
    odd = store.bm25('it\'s a "backpack" C:\\x | & !( or', 10, [Filter.eq("kind", "chunk")])  # no syntax to break
    assert {h.row["doc_id"] for h in odd} == {"a"} and len(odd) == 3


def test_filters_on_columns_lists_and_record_fields(store, rng):
    store.replace([], make_rows("a", 3, rng, source="corpus/it's.md") + make_rows("b", 3, rng))
    store.refresh()
    q = unit(rng.standard_normal(DIM))
    by_source = store.dense(q, 10, [Filter.eq("kind", "chunk"), Filter.eq("source", "corpus/it's.md")])
    assert {h.row["doc_id"] for h in by_source} == {"a"} and len(by_source) == 3
    by_ids = store.rows([Filter.isin("id", ["a:1", "b:2", "nope"])], columns=["id"])
    assert sorted(r["id"] for r in by_ids) == ["a:1", "b:2"]
    assert store.rows([Filter.isin("id", [])]) == []
    has_sku = store.bm25("chunk", 10, [Filter.eq("kind", "chunk"), Filter("records", "has", "sku")])
    assert sorted(h.row["id"] for h in has_sku) == ["a:0", "b:0"]
    with pytest.raises(ValueError, match="cannot filter on 'vector'"):
        store.rows([Filter.eq("vector", "x")])


def test_rows_written_after_the_indexes_are_searched(store, rng):
    store.replace([], make_rows("a", 5, rng, "tent"))
    store.refresh()
    late = make_rows("b", 2, rng, "stove")
    store.replace([], late)  # no refresh yet
    assert {h.row["doc_id"] for h in store.bm25("stove", 5, [Filter.eq("kind", "chunk")])} == {"b"}
    assert store.dense(late[1]["vector"], 1, [Filter.eq("kind", "chunk")])[0].row["id"] == "b:0"


def test_readers_during_a_write_see_whole_versions(store, rng):
    store.replace([], make_rows("a", 10, rng))
    store.refresh()
    seen, stop = [], threading.Event()

    def read():
        while not stop.is_set():
            seen.append(store.count([Filter.eq("kind", "chunk")]))

    reader = threading.Thread(target=read)
    reader.start()
    for _ in range(5):
        store.replace(["a"], make_rows("a", 10, rng))
    stop.set()
    reader.join()
    assert seen and set(seen) <= {0, 10}  # a table's delete and add are each atomic versions


def test_a_new_process_opens_the_store_and_searches_it(spec, tmp_path):
    """As `ragtune ingest` then `ragtune search`: one process writes and exits, a new one opens and searches."""
    import subprocess
    import sys

    def run(code: str) -> str:
        prelude = (
            "from pathlib import Path; import numpy as np; from ragtune.index.factory import create_store; "
            "from tests.index.test_store import make_rows, DIM; "
            f"rows = make_rows('d1', 3, np.random.default_rng(7), words='zebra quartz'); "
            f"s = create_store({spec!r}, Path({str(tmp_path)!r}), DIM); "
        )
        done = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-1500:]
        return done.stdout

    run("s.replace([], rows); s.refresh()")
    found = run(
        "print(s.count(), s.dense(rows[1]['vector'], 1)[0].row['id'], s.bm25('zebra quartz', 1)[0].row['doc_id'])"
    )
    assert found.split() == ["7", "d1:0", "d1"]


def test_the_lancedb_filter_translation_quotes_values():
    sql = where([Filter.eq("source", "it's.md"), Filter("records", "has", "a_b"), Filter.isin("doc_id", ["a", "b'c"])])
    assert sql == "source = 'it''s.md' AND records LIKE '%\"a\\_b\": %' AND doc_id IN ('a', 'b''c')"


def test_lancedb_builds_an_ann_index_with_high_recall_and_adds_to_it_incrementally(tmp_path):
    rng = np.random.default_rng(3)
    store = create_store("lancedb", tmp_path, DIM, ann_threshold=2_000)
    centres = unit(rng.standard_normal((40, DIM)))
    rows = []
    for d in range(60):
        doc = make_rows(f"d{d}", 40, rng)
        for row in doc:
            row["vector"] = unit(centres[rng.integers(40)] + 0.3 * rng.standard_normal(DIM))
        rows += doc
    store.replace([], rows)
    store.refresh()
    indexes = {ix.name: ix.index_uuid for ix in store._run(store.tables["chunk"].list_indices())}
    assert "vector_idx" in indexes
    vectors = np.stack([r["vector"] for r in rows if r["kind"] == "chunk"])
    ids = [r["id"] for r in rows if r["kind"] == "chunk"]
    queries = unit(rng.standard_normal((30, DIM)))
    found = []
    for q in queries:
        exact = {ids[i] for i in np.argsort(-(vectors @ q))[:10]}
        found.append(len(exact & {h.row["id"] for h in store.dense(q, 10, [Filter.eq("kind", "chunk")])}) / 10)
    assert np.mean(found) >= 0.95
    store.replace([], make_rows("late", 5, rng, "lantern"))
    store.refresh()
    after = {ix.name: ix for ix in store._run(store.tables["chunk"].list_indices())}
    assert after["vector_idx"].index_uuid == indexes["vector_idx"]  # added to, not rebuilt
    assert after["vector_idx"].num_unindexed_rows == 0
    assert store.bm25("lantern", 5, [Filter.eq("kind", "chunk")])[0].row["doc_id"] == "late"


def test_a_postgresql_table_from_before_access_groups_gets_the_column(request, tmp_path, rng):
    import psycopg

    url = f"{request.getfixturevalue('postgres_url')}?collection=old_{uuid.uuid4().hex[:8]}"
    store = create_store(url, tmp_path, DIM)
    store.replace([], make_rows("a", 2, rng))
    with psycopg.connect(split_url(url)[0], autocommit=True) as conn:
        for table in store.tables.values():
            conn.execute(f"ALTER TABLE {table} DROP COLUMN access")
    store.close()
    again = create_store(url, tmp_path, DIM)
    assert {r["access"] for r in again.rows()} == {""} and again.count([Filter.isin("access", [""])]) == 5
    again.relabel(["a"], "hr")
    assert again.count([Filter.isin("access", [""])]) == 0 and again.count([Filter.eq("access", "hr")]) == 5
    again.close()


def test_a_milvus_collection_from_before_access_groups_is_copied_to_the_new_schema(tmp_path, rng, monkeypatch):
    import ragtune.index.milvus as milvus

    url = f"milvus://{tmp_path}/old.db"
    with monkeypatch.context() as old_schema:
        old_schema.setattr(milvus, "ROW", tuple(c for c in ROW if c != "access"))
        store = create_store(url, tmp_path, DIM)
        store.replace([], make_rows("a", 2, rng) + make_rows("b", 1, rng))
        store.refresh()
        assert "access" not in {f["name"] for f in store.client.describe_collection("ragtune_chunks")["fields"]}
        store.close()
    again = create_store(url, tmp_path, DIM)
    assert again.count() == 8 and {r["access"] for r in again.rows()} == {""}
    assert not any(n.endswith(milvus.MIGRATING) for n in again.client.list_collections())
    again.relabel(["a"], "hr")
    assert again.count([Filter.eq("access", "hr")]) == 5 and again.count([Filter.isin("access", [""])]) == 3
    again.close()


def test_lancedb_stores_of_one_table_are_split_by_kind_on_open(tmp_path, rng):
    import lancedb

    rows = make_rows("a", 3, rng) + make_rows("b", 2, rng)
    old = lancedb.connect(str(tmp_path / "lancedb"))
    before_access = pa.schema([f for f in schema(DIM) if f.name != "access"])  # and before access groups
    old_rows = [{k: v for k, v in r.items() if k != "access"} | {"vector": r["vector"].tolist()} for r in rows]
    old.create_table("chunks", old_rows, schema=before_access)
    store = LanceStore(tmp_path / "lancedb", DIM)
    assert {r["access"] for r in store.rows()} == {""}  # every row public, as it was
    assert {k: store.count([Filter.eq("kind", k)]) for k in ("chunk", "sentence", "summary")} == {
        "chunk": 5,
        "sentence": 5,
        "summary": 2,
    }
    again = LanceStore(tmp_path / "lancedb", DIM)  # idempotent
    assert again.count() == len(rows)


def test_a_lancedb_vector_index_is_one_hnsw_graph_per_four_million_rows():
    from ragtune.index.lance import partitions

    assert [partitions(n) for n in (10_000, 1_000_000, 4_000_000, 4_000_001, 9_000_000)] == [1, 1, 1, 2, 3]
