"""The embedded default store: LanceDB (vectors, native BM25 full-text index, SQL filters)."""

from __future__ import annotations

import json
from pathlib import Path

import lancedb
import numpy as np
import pyarrow as pa
from lancedb.index import FTS

from ragtune.index.base import Filter, Hit

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
        self._fts_ready = self._has_fts()
        self._fts_stale = not self._fts_ready

    def _has_fts(self) -> bool:
        return any(ix.index_type == "FTS" for ix in self.table.list_indices())

    def replace(self, doc_ids: list[str], rows: list[dict]) -> None:
        if doc_ids:
            self.table.delete(where([Filter.isin("doc_id", doc_ids)]))
        if rows:
            self.table.add(rows)
        self._fts_stale = True

    def refresh(self) -> None:
        n = self.table.count_rows()
        if n and self._fts_stale:
            self.table.create_index("search_text", config=FTS(stem=True), replace=True)
            self._fts_stale, self._fts_ready = False, True
        if n >= self.ann_threshold and not any(ix.index_type.startswith("IVF") for ix in self.table.list_indices()):
            self.table.create_index(metric="cosine", index_type="IVF_HNSW_SQ")
        if n:
            self.table.optimize()

    def dense(self, vector: np.ndarray, k: int, filters: list[Filter] = ()) -> list[Hit]:
        q = self.table.search(vector, query_type="vector").metric("cosine").limit(k)
        if filters:
            q = q.where(where(filters), prefilter=True)
        return [Hit(r, 1.0 - r.pop("_distance")) for r in q.to_list()]

    def bm25(self, query: str, k: int, filters: list[Filter] = ()) -> list[Hit]:
        if not self._fts_ready:  # rows written after the index are searched too; only a missing index matters
            self.refresh()
        if not self.table.count_rows():
            return []
        q = self.table.search(query, query_type="fts", fts_columns="search_text").limit(k)
        if filters:
            q = q.where(where(filters), prefilter=True)
        try:
            return [Hit(r, r.pop("_score")) for r in q.to_list()]
        except (ValueError, RuntimeError):  # a query of stop words only, or punctuation
            return []

    def rows(self, filters: list[Filter] = ()) -> list[dict]:
        q = self.table.search()
        if filters:
            q = q.where(where(filters))
        return q.limit(None).to_list()

    def count(self, filters: list[Filter] = ()) -> int:
        return self.table.count_rows(where(filters) if filters else None)


COLUMNS = {"id", "doc_id", "source", "type", "kind", "parent", "locator", "heading"}


def where(filters: list[Filter]) -> str:
    """Filters → a LanceDB SQL predicate (values quoted; only known columns)."""
    parts = []
    for f in filters:
        if f.op == "has" and f.field == "records":
            needle = json.dumps(str(f.value))[1:-1].replace("'", "''").replace("%", "\\%").replace("_", "\\_")
            parts.append(f"records LIKE '%\"{needle}\": %'")
        elif f.field not in COLUMNS:
            raise ValueError(f"cannot filter on {f.field!r}")
        elif f.op == "=":
            parts.append(f"{f.field} = {quote(f.value)}")
        elif f.op == "in":
            parts.append(f"{f.field} IN ({', '.join(map(quote, f.value))})" if f.value else "FALSE")
        else:
            raise ValueError(f"unknown filter operation {f.op!r}")
    return " AND ".join(parts)


def quote(value: str) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"
