"""Does a store hold together? The checks `bench/crash.py` and the tests run after a writer was killed."""

from __future__ import annotations

from collections import Counter
from typing import Protocol

from ragtune.catalog import Catalog
from ragtune.index.base import Filter, VectorStore
from ragtune.tables.store import TableStore


class Stores(Protocol):
    """What the checks read: the catalogue, the vector store and the table store (a `Workspace` has them)."""

    catalog: Catalog
    store: VectorStore
    tables: TableStore


def problems(ws: Stores) -> list[str]:
    """Every way the store disagrees with its manifest (empty: consistent). Journaled documents count as a problem:
    call this after `Workspace` opened the store, which undoes a dead writer's batch."""
    out = []
    docs = {d["doc_id"]: d for d in ws.catalog.documents()}
    if pending := ws.catalog.pending():
        out.append(f"{len(pending)} documents still journaled as in flight")
    rows = ws.store.rows([])
    ids = Counter(r["id"] for r in rows)
    if dup := [i for i, n in ids.items() if n > 1]:
        out.append(f"{len(dup)} duplicated rows, e.g. {dup[0]}")
    kinds: dict[str, Counter] = {}
    for r in rows:
        kinds.setdefault(r["doc_id"], Counter())[r["kind"]] += 1
    if stray := set(kinds) - set(docs):
        out.append(f"{len(stray)} documents in the vector store unknown to the manifest")
    for doc_id, d in docs.items():
        k = kinds.get(doc_id, Counter())
        if k["summary"] != 1 or k["chunk"] != d["chunks"]:
            stored = f"{k['chunk']} chunks and {k['summary']} summaries stored"
            out.append(f"{d['source']}: {stored}, the manifest says {d['chunks']} chunks")
    chunk_ids = {r["id"] for r in rows if r["kind"] == "chunk"}
    if orphans := [r["id"] for r in rows if r["kind"] == "sentence" and r["parent"] not in chunk_ids]:
        out.append(f"{len(orphans)} sentences without their chunk, e.g. {orphans[0]}")
    schemas = {(s["doc_id"], s["name"]) for s in ws.catalog.schemas()}
    if {(t.doc_id, t.name) for t in ws.tables.catalog()} != schemas:
        out.append("the SQL tables differ from the manifest's table schemas")
    return out


def unsearchable(ws: Stores, probes: dict[str, str]) -> list[str]:
    """Sources whose probe text (source → a phrase only it contains) does not find them first by keyword search."""
    missing = []
    for source, phrase in probes.items():
        hits = ws.store.bm25(phrase, 1, [Filter.eq("kind", "chunk")])
        if not hits or hits[0].row["source"] != source:
            missing.append(source)
    return missing
