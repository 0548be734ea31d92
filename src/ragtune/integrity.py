"""Does a store hold together? The checks `bench/crash.py` and the tests run after a writer was killed."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ragtune.index.base import Filter

if TYPE_CHECKING:
    from ragtune.workspace import Workspace


def problems(ws: Workspace) -> list[str]:
    """Every way the store disagrees with its manifest (empty: consistent). Journaled documents count as a problem:
    call this after `Workspace` opened the store, which undoes a dead writer's batch."""
    out = []
    docs = {d["doc_id"]: d for d in ws.manifest.documents()}
    if pending := ws.manifest.pending():
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
    schemas = {(s["doc_id"], s["name"]) for s in ws.manifest.schemas()}
    if {(t.doc_id, t.name) for t in ws.tables.catalog()} != schemas:
        out.append("the SQL tables differ from the manifest's table schemas")
    return out


def unsearchable(ws: Workspace, probes: dict[str, str]) -> list[str]:
    """Sources whose probe text (source → a phrase only it contains) does not find them first by keyword search."""
    missing = []
    for source, phrase in probes.items():
        hits = ws.store.bm25(phrase, 1, [Filter.eq("kind", "chunk")])
        if not hits or hits[0].row["source"] != source:
            missing.append(source)
    return missing
