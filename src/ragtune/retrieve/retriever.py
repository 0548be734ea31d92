"""Hybrid retrieval: BM25 and dense lists fused by weighted reciprocal rank, plus document summaries."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ragtune.index.base import Filter

if TYPE_CHECKING:
    from ragtune.workspace import Workspace

COLUMNS = {"source", "type", "doc_id", "locator", "heading"}
MODES = ("dense", "bm25", "hybrid")


@dataclass
class Passage:
    """A retrieved chunk: where it is from, how it scored, and its text."""

    id: str
    doc_id: str
    source: str
    locator: str
    text: str
    score: float
    relevance: float  # cosine of question and chunk: an absolute scale, used to abstain
    heading: str = ""
    type: str = ""
    records: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SearchResult:
    query: str
    passages: list[Passage]
    summaries: list[dict]

    def to_dict(self) -> dict:
        return {"query": self.query, "passages": [p.to_dict() for p in self.passages], "summaries": self.summaries}


def store_filters(filters: dict | None) -> tuple[list[Filter], dict]:
    """`key=value` filters → store prefilters; record fields also need the exact post-check `record_match`."""
    parts, fields = [], {}
    for key, value in (filters or {}).items():
        if key in COLUMNS:
            parts.append(Filter.eq(key, str(value)))
        else:
            fields[key] = str(value)
            parts.append(Filter("records", "has", key))
    return parts, fields


def record_match(records: list[dict], fields: dict) -> bool:
    return any(all(str(r.get(k, "")).strip().lower() == v.strip().lower() for k, v in fields.items()) for r in records)


def rrf(lists: dict[str, list], weights: dict[str, float], k: int) -> list[tuple[str, float]]:
    """Weighted reciprocal-rank fusion of ranked id lists → [(id, score)] best first."""
    scores: dict[str, float] = {}
    for name, ids in lists.items():
        w = weights.get(name, 1.0)
        for rank, id_ in enumerate(ids):
            scores[id_] = scores.get(id_, 0.0) + w / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: -kv[1])


class Retriever:
    """Searches a workspace's store."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.cfg = ws.settings.retrieve

    def search(
        self,
        query: str,
        top_k: int | None = None,
        filters: dict | None = None,
        mode: str | None = None,
        vector: np.ndarray | None = None,
    ) -> SearchResult:
        with self.ws.guard.read():  # never a write batch half done
            return self._search(query, top_k, filters, mode, vector)

    def _search(self, query, top_k, filters, mode, vector) -> SearchResult:
        mode = mode or self.cfg.mode
        if mode not in MODES:
            raise ValueError(f"unknown search mode '{mode}' (use one of {', '.join(MODES)})")
        top_k = top_k or self.cfg.top_k
        where, fields = store_filters(filters)
        n = max(self.cfg.candidates, top_k * 4) * (4 if fields else 1)
        qv = self.ws.embedder.embed([query])[0] if vector is None else vector
        rows: dict[str, dict] = {}
        lists: dict[str, list[str]] = {}
        if mode in ("dense", "hybrid"):
            hits = self.ws.store.dense(qv, n, [Filter.eq("kind", "chunk"), *where])
            lists["dense"] = [h.row["id"] for h in hits]
            rows.update((h.row["id"], h.row) for h in hits)
        if mode == "hybrid":
            hits = self.ws.store.dense(qv, n * 4, [Filter.eq("kind", "sentence"), *where])
            lists["sentence"] = list(dict.fromkeys(h.row["parent"] for h in hits))[:n]
            missing = [i for i in lists["sentence"] if i not in rows]
            if missing:
                rows.update((r["id"], r) for r in self.ws.store.rows([Filter.isin("id", missing)]))
        if mode in ("bm25", "hybrid"):
            hits = self.ws.store.bm25(query, n, [Filter.eq("kind", "chunk"), *where])
            lists["bm25"] = [h.row["id"] for h in hits]
            rows.update((h.row["id"], h.row) for h in hits)
        passages = []
        in_flight = self.ws.manifest.pending()  # a write batch under way (another process) or left by a crash
        for id_, score in rrf(lists, self.cfg.weights, self.cfg.rrf_k):
            row = rows[id_]
            if row["doc_id"] in in_flight:
                continue
            records = json.loads(row["records"] or "[]")
            if fields and not record_match(records, fields):
                continue
            rel = float(np.dot(qv, np.asarray(row["vector"], dtype=np.float32)))
            passages.append(
                Passage(
                    id_,
                    row["doc_id"],
                    row["source"],
                    row["locator"],
                    row["text"],
                    score,
                    rel,
                    row["heading"],
                    row["type"],
                    records,
                )
            )
            if len(passages) == top_k:
                break
        return SearchResult(query, passages, self._summaries(passages))

    def _summaries(self, passages: list[Passage]) -> list[dict]:
        ids = list(dict.fromkeys(p.doc_id for p in passages))
        if not ids:
            return []
        rows = self.ws.store.rows([Filter.eq("kind", "summary"), Filter.isin("doc_id", ids)])
        by_id = {r["doc_id"]: r for r in rows}
        return [{"doc_id": i, "source": by_id[i]["source"], "summary": by_id[i]["text"]} for i in ids if i in by_id]
