"""Hybrid retrieval: BM25 and dense lists fused by weighted reciprocal rank, plus document summaries."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ragtune.index.base import Filter

if TYPE_CHECKING:
    from ragtune.workspace import Workspace

COLUMNS = {"source", "type", "doc_id", "locator", "heading"}
MODES = ("dense", "bm25", "hybrid")
PASSAGE_COLUMNS = ("id", "doc_id", "source", "locator", "text", "heading", "type", "records")
ROW_COLUMNS = [*PASSAGE_COLUMNS, "vector"]
SENTENCE_FETCH = 2  # sentence hits fetched per candidate chunk wanted (several sentences share a chunk); 4 found
# the same hit@1/hit@5/MRR on the SQuAD training subsets
POOL = ThreadPoolExecutor(max_workers=3, thread_name_prefix="ragtune-search")  # the three channels of one query


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


def passage(row: dict, score: float, relevance: float, records: list[dict]) -> Passage:
    return Passage(
        row["id"],
        row["doc_id"],
        row["source"],
        row["locator"],
        row["text"],
        score,
        relevance,
        row["heading"],
        row["type"],
        records,
    )


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
        """The channels run at once: keyword search while the query is embedded, then both vector searches.
        The chunk channels bring whole rows, so that only sentence-channel chunks are looked up afterwards."""
        mode = mode or self.cfg.mode
        if mode not in MODES:
            raise ValueError(f"unknown search mode '{mode}' (use one of {', '.join(MODES)})")
        top_k = top_k or self.cfg.top_k
        where, fields = store_filters(filters)
        n = max(self.cfg.candidates, top_k * 4) * (4 if fields else 1)
        store, chunks = self.ws.store, [Filter.eq("kind", "chunk"), *where]
        keyword = POOL.submit(store.bm25, query, n, chunks, ROW_COLUMNS) if mode != "dense" else None
        qv = self.ws.embedder.embed([query])[0] if vector is None else vector
        dense = POOL.submit(store.dense, qv, n, chunks, ROW_COLUMNS) if mode != "bm25" else None
        sentences = [Filter.eq("kind", "sentence"), *where]
        sentence = POOL.submit(store.dense, qv, n * SENTENCE_FETCH, sentences, ["parent"]) if mode == "hybrid" else None
        lists: dict[str, list[str]] = {}
        rows: dict[str, dict] = {}
        for name, future in (("dense", dense), ("bm25", keyword)):
            if future:
                hits = future.result()
                lists[name] = [h.row["id"] for h in hits]
                rows.update((h.row["id"], h.row) for h in hits)
        if sentence:
            lists["sentence"] = list(dict.fromkeys(h.row["parent"] for h in sentence.result()))[:n]
        scores = dict(rrf(lists, self.cfg.weights, self.cfg.rrf_k))  # best first
        passages = self._passages(list(scores), scores, rows, qv, fields, top_k)
        return SearchResult(query, passages, self._summaries(passages))

    def _passages(
        self, fused: list[str], scores: dict, rows: dict[str, dict], qv: np.ndarray, fields: dict, top_k: int
    ) -> list[Passage]:
        """The first `top_k` fused ids that pass the checks; rows the channels did not bring are looked up in
        windows (at most one round trip unless checks drop many)."""
        passages: list[Passage] = []
        in_flight = self.ws.manifest.pending()  # a write batch under way (another process) or left by a crash
        window = top_k * 4 if fields else top_k + 2
        for start in range(0, len(fused), window):
            ids = fused[start : start + window]
            if missing := [i for i in ids if i not in rows]:
                lookup = [Filter.eq("kind", "chunk"), Filter.isin("id", missing)]
                rows.update((r["id"], r) for r in self.ws.store.rows(lookup, columns=ROW_COLUMNS))
            for id_ in ids:
                row = rows.get(id_)
                if row is None or row["doc_id"] in in_flight:  # gone, or its batch not yet whole
                    continue
                records = json.loads(row["records"] or "[]")
                if fields and not record_match(records, fields):
                    continue
                relevance = float(np.dot(qv, np.asarray(row["vector"], dtype=np.float32)))
                passages.append(passage(row, scores[id_], relevance, records))
                if len(passages) == top_k:
                    return passages
        return passages

    def _summaries(self, passages: list[Passage]) -> list[dict]:
        ids = list(dict.fromkeys(p.doc_id for p in passages))
        if not ids:
            return []
        by_id = self.ws.manifest.summaries(ids)  # the manifest keeps them: no store round trip
        return [{"doc_id": i, **by_id[i]} for i in ids if i in by_id]
