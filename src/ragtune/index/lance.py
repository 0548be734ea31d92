"""The embedded default store: LanceDB, one table per row kind, native BM25, ANN and scalar indexes.

Chunks, sentences and summaries live in separate tables, so that a search of one kind needs no filter on
the kind and each vector index covers exactly the rows it serves. Scalar indexes on the looked-up columns
keep lookups and filtered searches from scanning. `refresh` adds new rows to existing indexes (LanceDB
`optimize`), so a small ingest never rebuilds them.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import sys
import threading
import warnings
from pathlib import Path

from ragtune.index.base import KEYWORD_KINDS, KINDS, ROW, Columns, Filter, Hit, check_filter, split_kinds


def defer_package(name: str) -> None:
    """Register package `name` without running its `__init__` until something reads an attribute of it; its
    submodules import as usual. LanceDB imports its REST namespace client only to reach the client's data models
    (`….models`), and the client's `__init__` builds ~370 pydantic validators for a REST API that an embedded
    store never calls: 1.1 s of every cold `ragtune search`."""
    if name in sys.modules or (spec := importlib.util.find_spec(name)) is None or not spec.submodule_search_locations:
        return
    module = importlib.util.module_from_spec(spec)

    def load(attr: str):
        del module.__getattr__
        spec.loader.exec_module(module)  # the package's own __init__, on first use of anything it defines
        return getattr(module, attr)

    module.__getattr__ = load
    sys.modules[name] = module


defer_package("lance_namespace_urllib3_client")

import lancedb  # noqa: E402
import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
from lancedb.index import FTS, Bitmap, BTree, IvfHnswSq  # noqa: E402

os.environ.setdefault("LANCE_INCLUDE_VECTOR_CENTROIDS", "false")  # the coming default: no warning per index build

# Ingest forks parsing processes that never touch the store: LanceDB's warning about its runtime and forks is
# for processes that do.
warnings.filterwarnings("ignore", "lancedb fork support", RuntimeWarning)

LOOKUPS = ("id", "doc_id", "parent", "source")  # columns with a scalar index
METADATA_CACHE_MB = 32
FILE_FORMAT = {"new_table_data_storage_version": "2.1"}  # Lance's file format for new tables: its 2.2 (the default)
# took 3-4x longer to read a few whole rows out of 1M (every search fetches its hits' rows; bench/formats.py)
ROWS_PER_GRAPH = 4_000_000  # a graph's memory bounds it (LanceDB: "1 works well for most tables")
EF_FLOOR, EF_PER_HIT = 400, 4  # HNSW search breadth max(400, 4k): recall@k ≥ 0.95 on real embeddings at
# k = 10, 40 and 160, 0.94 at k = 80 (the sentence channel's; measured on 100k MiniLM vectors as bench/scale.py
# builds them); scores stay the index's 8-bit approximations: exact re-ranking (refine) cost 3 ms a search for
# no recall that a wider search does not give


def partitions(rows: int) -> int:
    """IVF partitions of a vector index: one HNSW graph per `ROWS_PER_GRAPH` rows. LanceDB's default, sqrt(rows)
    partitions of which a search probes 20, was slower at the same recall: dense p50 at k = 40 5.9 → 5.1 ms on
    100k real MiniLM vectors, 6.8 → 4.2 ms on 1M clustered ones, equal build time (bench/partitions.py)."""
    return max(1, -(-rows // ROWS_PER_GRAPH))


def session() -> lancedb.Session:
    """LanceDB's caches, with the metadata cache bounded: by default (1 GB) it keeps every version's manifest and
    fragment list that a long ingest writes, so memory grew with the corpus (bench/ingest.py)."""
    return lancedb.Session(metadata_cache_size_bytes=METADATA_CACHE_MB << 20)


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
            ("access", pa.string()),
            ("vector", pa.list_(pa.float32(), dim)),
        ]
    )


class LanceStore:
    """LanceDB tables under `path`, driven through LanceDB's async API on one event-loop thread, so that the
    searches a query fans out (from any thread) run concurrently. Every write to a table is an atomic version."""

    def __init__(self, path: Path, dim: int, ann_threshold: int = 10_000):
        self.dim = dim
        self.ann_threshold = ann_threshold
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="ragtune-lance", daemon=True).start()
        self.db = self._run(lancedb.connect_async(str(path), session=session()))
        names = set(self._run(self._names()))
        self.tables = {kind: self._run(self._table(name, name in names)) for kind, name in KINDS.items()}
        self._add_access()
        self._migrate_single_table()
        self._indexes: dict[str, set[str]] = {}  # kind → index types known to exist (they are never dropped)

    def _run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    async def _names(self) -> list[str]:
        """The store's table names (LanceDB 0.41 returns an awaitable listing rather than a coroutine)."""
        return (await self.db.list_tables()).tables

    async def _table(self, name: str, exists: bool):
        if exists:
            return await self.db.open_table(name)
        return await self.db.create_table(name, schema=schema(self.dim), exist_ok=True, storage_options=FILE_FORMAT)

    def _migrate_single_table(self) -> None:
        """Stores written before 0.3 kept every kind in `chunks`: move sentences and summaries out (idempotent)."""
        chunks = self.tables["chunk"]
        if not self._run(chunks.count_rows("kind != 'chunk'")):
            return
        for kind in ("sentence", "summary"):
            rows = self._run(chunks.query().where(where([Filter.eq("kind", kind)])).to_arrow())
            self.tables[kind] = self._run(
                self.db.create_table(
                    KINDS[kind], rows, schema=schema(self.dim), mode="overwrite", storage_options=FILE_FORMAT
                )
            )
        self._run(chunks.delete("kind != 'chunk'"))

    def _add_access(self) -> None:
        """Stores written before access groups have no `access` column: every row is public (idempotent)."""
        for table in self.tables.values():
            if "access" not in self._run(table.schema()).names:
                self._run(table.add_columns({"access": "''"}))

    def _has(self, kind: str, index_type: str) -> bool:
        """Whether the kind's table has an index of this type (another process may have built it since)."""
        known = self._indexes.setdefault(kind, set())
        if index_type not in known:
            types = {ix.index_type for ix in self._run(self.tables[kind].list_indices())}
            known |= {"IVF" if t.startswith("Ivf") else t for t in types}  # IVF: any vector index
        return index_type in known

    def replace(self, doc_ids: list[str], rows: list[dict]) -> None:
        for kind, table in self.tables.items():
            if doc_ids:
                self._run(table.delete(where([Filter.isin("doc_id", doc_ids)])))
            if mine := [r for r in rows if r["kind"] == kind]:
                self._run(table.add(mine))

    def relabel(self, doc_ids: list[str], access: str) -> None:
        for table in self.tables.values():
            self._run(table.update(updates={"access": access}, where=where([Filter.isin("doc_id", doc_ids)])))

    def refresh(self) -> None:
        for kind, table in self.tables.items():
            n = self._run(table.count_rows())
            if not n:
                continue
            indexed = {c for ix in self._run(table.list_indices()) for c in ix.columns}
            for column in LOOKUPS:
                if column not in indexed:
                    self._run(table.create_index(column, config=BTree()))
            if "access" not in indexed:  # few distinct labels: a bitmap per label
                self._run(table.create_index("access", config=Bitmap()))
            if kind in KEYWORD_KINDS and "search_text" not in indexed:
                self._run(table.create_index("search_text", config=FTS(stem=True)))
            if n >= self.ann_threshold and "vector" not in indexed:
                config = IvfHnswSq(distance_type="cosine", num_partitions=partitions(n))
                self._run(table.create_index("vector", config=config))
            self._run(table.optimize())  # new rows into the existing indexes, small files merged

    def _split(self, filters: list[Filter]) -> tuple[list[str], str | None]:
        """Filters → the kinds (tables) they allow and a predicate on the remaining ones."""
        kinds, rest = split_kinds(filters)
        return kinds, where(rest) if rest else None

    def dense(self, vector: np.ndarray, k: int, filters: list[Filter] = (), columns: Columns = None) -> list[Hit]:
        kinds, predicate = self._split(filters)
        hits = []
        for kind in kinds:
            q = (
                self.tables[kind]
                .vector_search(vector)
                .distance_type("cosine")
                .limit(k)
                .select([*(columns or ROW), "_distance"])
            )
            if self._has(kind, "IVF"):
                q = q.ef(max(EF_FLOOR, EF_PER_HIT * k))
            if predicate:
                q = q.where(predicate)
            hits += [Hit(r, 1.0 - r.pop("_distance")) for r in to_rows(self._run(q.to_arrow()))]
        return sorted(hits, key=lambda h: -h.score)[:k]

    def bm25(self, query: str, k: int, filters: list[Filter] = (), columns: Columns = None) -> list[Hit]:
        kinds, predicate = self._split(filters)
        hits = []
        for kind in (k_ for k_ in kinds if k_ in KEYWORD_KINDS):
            if not self._has(kind, "FTS"):  # rows written after the index are searched too: only a missing one matters
                self.refresh()
                if not self._has(kind, "FTS"):  # an empty table gets no index
                    continue
            q = self.tables[kind].query().nearest_to_text(query, columns=["search_text"]).limit(k)
            q = q.select([*(columns or ROW), "_score"])
            if predicate:
                q = q.where(predicate)
            try:
                hits += [Hit(r, r.pop("_score")) for r in to_rows(self._run(q.to_arrow()))]
            except (ValueError, RuntimeError):  # a query of stop words only, or punctuation
                continue
        return sorted(hits, key=lambda h: -h.score)[:k]

    def rows(self, filters: list[Filter] = (), columns: Columns = None) -> list[dict]:
        kinds, predicate = self._split(filters)
        out = []
        for kind in kinds:
            q = self.tables[kind].query().select(list(columns or ROW))
            if predicate:
                q = q.where(predicate)
            out += to_rows(self._run(q.to_arrow()))
        return out

    def count(self, filters: list[Filter] = ()) -> int:
        kinds, predicate = self._split(filters)
        return sum(self._run(self.tables[kind].count_rows(predicate)) for kind in kinds)


def to_rows(table: pa.Table) -> list[dict]:
    """Arrow → row dicts; the vectors become float32 arrays in one copy, not lists of Python floats."""
    columns = {}
    for name in table.column_names:
        col = table.column(name).combine_chunks()
        if name == "vector":
            flat = np.asarray(col.flatten(), dtype=np.float32)
            columns[name] = list(flat.reshape(len(col), -1)) if len(col) else []
        else:
            columns[name] = col.to_pylist()
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def where(filters: list[Filter]) -> str:
    """Filters → a LanceDB SQL predicate (values quoted; only known columns)."""
    parts = []
    for f in filters:
        check_filter(f)
        if f.op == "has":
            needle = json.dumps(str(f.value))[1:-1].replace("'", "''").replace("%", "\\%").replace("_", "\\_")
            parts.append(f"records LIKE '%\"{needle}\": %'")
        elif f.op == "=":
            parts.append(f"{f.field} = {quote(f.value)}")
        else:
            parts.append(f"{f.field} IN ({', '.join(map(quote, f.value))})" if f.value else "FALSE")
    return " AND ".join(parts)


def quote(value: str) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"
