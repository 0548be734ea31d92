"""The embedded default store: LanceDB (vectors, native BM25 full-text index, SQL filters)."""

from __future__ import annotations

from pathlib import Path

import lancedb
import numpy as np
import pyarrow as pa
from lancedb.index import FTS

from ragtune.index.base import Hit

TABLE = "chunks"


def schema(dim: int) -> pa.Schema:
    return pa.schema(
        [
            ("id", pa.string()),
            ("doc_id", pa.string()),
            ("source", pa.string()),
            ("type", pa.string()),
            ("kind", pa.string()),  # chunk | summary | sentence
            ("parent", pa.string()),  # for sentences: the chunk id
            ("ordinal", pa.int32()),
            ("locator", pa.string()),
            ("heading", pa.string()),
            ("text", pa.string()),
            ("search_text", pa.string()),
            ("records", pa.string()),
            ("vector", pa.list_(pa.float32(), dim)),
        ]
    )


class LanceStore:
    """A LanceDB table under `path`; every write is an atomic LanceDB version."""

    def __init__(self, path: Path, dim: int, ann_threshold: int = 50_000):
        self.db = lancedb.connect(str(path))
        self.dim = dim
        self.ann_threshold = ann_threshold
        if TABLE in self.db.list_tables().tables:
            self.table = self.db.open_table(TABLE)
        else:
            self.table = self.db.create_table(TABLE, schema=schema(dim))
        self._fts_stale = not self._has_fts()

    def _has_fts(self) -> bool:
        return any(ix.index_type == "FTS" for ix in self.table.list_indices())

    def replace(self, doc_ids: list[str], rows: list[dict]) -> None:
        if doc_ids:
            self.table.delete(f"doc_id IN ({', '.join(quote(d) for d in doc_ids)})")
        if rows:
            self.table.add(rows)
        self._fts_stale = True

    def refresh(self) -> None:
        n = self.table.count_rows()
        if n and self._fts_stale:
            self.table.create_index("search_text", config=FTS(stem=True), replace=True)
            self._fts_stale = False
        if n >= self.ann_threshold and not any(ix.index_type.startswith("IVF") for ix in self.table.list_indices()):
            self.table.create_index(metric="cosine", index_type="IVF_HNSW_SQ")
        if n:
            self.table.optimize()

    def dense(self, vector: np.ndarray, k: int, where: str | None = None) -> list[Hit]:
        q = self.table.search(vector, query_type="vector").metric("cosine").limit(k)
        if where:
            q = q.where(where, prefilter=True)
        return [Hit(r, 1.0 - r.pop("_distance")) for r in q.to_list()]

    def bm25(self, query: str, k: int, where: str | None = None) -> list[Hit]:
        if self._fts_stale:
            self.refresh()
        if not self.table.count_rows():
            return []
        q = self.table.search(query, query_type="fts", fts_columns="search_text").limit(k)
        if where:
            q = q.where(where, prefilter=True)
        try:
            return [Hit(r, r.pop("_score")) for r in q.to_list()]
        except (ValueError, RuntimeError):  # a query of stop words only, or punctuation
            return []

    def rows(self, where: str) -> list[dict]:
        return self.table.search().where(where).limit(None).to_list()

    def count(self, where: str | None = None) -> int:
        return self.table.count_rows(where)


def quote(value: str) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"
