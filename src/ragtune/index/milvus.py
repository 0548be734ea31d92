"""Milvus: a distributed vector database (`RAGTUNE_VECTOR_STORE=milvus://HOST:19530`), or Milvus Lite in one file
(`milvus:///path/to/store.db`) through the same client.

One collection per row kind, like the embedded store. Dense search is cosine over an AUTOINDEX (Milvus picks the
index: HNSW on a cluster, an exact scan in Milvus Lite); keyword search is Milvus's own BM25 over `search_text`
(an English analyzer: lowercase, stemming, stop words). The structured records' field names are an array
column, for the `has` filter. Values in filters become escaped string literals.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
from pymilvus import DataType, Function, FunctionType, MilvusClient, MilvusException

from ragtune.errors import RagtuneError
from ragtune.index.base import KEYWORD_KINDS, KINDS, ROW, Columns, Filter, Hit, check_filter, split_kinds

MAX_TEXT = 65_535  # bytes in a Milvus VARCHAR
MAX_FIELDS = 1_024  # record field names per row
STOP_WORDS = (  # Lucene's English set, spelt out: Milvus Lite's "_english_" list misses words such as "of"
    "a an and are as at be but by for if in into is it no not of on or such that the their then there these "
    "they this to was will with"
).split()
ANALYZER = {
    "tokenizer": "standard",
    "filter": ["lowercase", {"type": "stop", "stop_words": STOP_WORDS}, {"type": "stemmer", "language": "english"}],
}
BATCH = 2_000  # rows per insert call
WINDOW = 16_384  # the most rows one Milvus query returns
EVERY_ROW = 'id != ""'
MIGRATING = "_migrating"  # suffix of a collection being copied to a newer schema


def split_url(url: str, home: Path) -> tuple[str, str, str]:
    """`milvus://HOST:PORT?collection=NAME&token=T` → (client URI, token, NAME). `milvus+https://…` uses TLS;
    `milvus:///abs/file.db` (or `milvus://` alone: `milvus.db` in the workspace) is Milvus Lite."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    name = query.get("collection", "ragtune")
    if not name.isidentifier():
        raise RagtuneError(f"vector store collection {name!r} must be a plain identifier (letters, digits, _)")
    if parts.netloc:
        uri = f"{'https' if parts.scheme == 'milvus+https' else 'http'}://{parts.netloc}"
    else:
        uri = parts.path or str(home / "milvus.db")
    return uri, query.get("token", ""), name


def literal(value: object) -> str:
    """A Milvus expression string literal (double quotes, backslash escapes)."""
    return json.dumps(str(value), ensure_ascii=False)


def where(filters: list[Filter]) -> str | None:
    """Filters → a Milvus boolean expression; None when no row can match."""
    parts = []
    for f in filters:
        check_filter(f)
        if f.op == "has":
            parts.append(f"array_contains(record_fields, {literal(f.value)})")
        elif f.op == "=":
            parts.append(f"{f.field} == {literal(f.value)}")
        elif not f.value:
            return None
        else:
            parts.append(f"{f.field} in [{', '.join(map(literal, f.value))}]")
    return " and ".join(parts) or EVERY_ROW


def record_fields(records: str) -> list[str]:
    """The field names of a row's structured records (a JSON list of objects)."""
    fields = {key for rec in json.loads(records or "[]") if isinstance(rec, dict) for key in rec}
    return sorted(fields)[:MAX_FIELDS]


class MilvusStore:
    """Collections `<name>_chunks`, `_sentences`, `_summaries` on a Milvus server or in a Milvus Lite file."""

    def __init__(self, url: str, home: Path, dim: int):
        uri, token, name = split_url(url, home)
        self.dim = dim
        self.uri = uri
        try:
            if "://" not in uri:
                Path(uri).parent.mkdir(parents=True, exist_ok=True)
            self.client = MilvusClient(uri, token=token)
        except MilvusException as e:
            raise RagtuneError(f"cannot reach Milvus at {uri}: {e.message}") from e
        self.names = {kind: f"{name}_{table}" for kind, table in KINDS.items()}
        for kind, collection in self.names.items():
            self._create(kind, collection)

    def _create(self, kind: str, collection: str) -> None:
        if not self.client.has_collection(collection) and self.client.has_collection(f"{collection}{MIGRATING}"):
            self.client.rename_collection(f"{collection}{MIGRATING}", collection)  # a migration finished but for this
        if self.client.has_collection(collection):
            field = next(f for f in self.client.describe_collection(collection)["fields"] if f["name"] == "vector")
            if field["params"]["dim"] != self.dim:
                dim = field["params"]["dim"]
                raise RagtuneError(f"collection {collection} in {self.uri} holds {dim}-dim vectors, not {self.dim}")
            if not any(f["name"] == "access" for f in self.client.describe_collection(collection)["fields"]):
                self._add_access(kind, collection)
                return
            if "NotLoad" in str(self.client.get_load_state(collection).get("state")):  # another process wrote it;
                self.client.load_collection(collection)  # a collection is searchable only once loaded
            return
        schema = self.client.create_schema(auto_id=False)
        schema.add_field("id", DataType.VARCHAR, max_length=MAX_TEXT, is_primary=True)
        for column in ROW[1:]:
            if column == "ordinal":
                schema.add_field(column, DataType.INT32)
            elif column == "search_text" and kind in KEYWORD_KINDS:
                schema.add_field(
                    column, DataType.VARCHAR, max_length=MAX_TEXT, enable_analyzer=True, analyzer_params=ANALYZER
                )
            else:
                schema.add_field(column, DataType.VARCHAR, max_length=MAX_TEXT)
        schema.add_field(
            "record_fields", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=MAX_FIELDS, max_length=512
        )
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dim)
        index = self.client.prepare_index_params()
        index.add_index("vector", index_type="AUTOINDEX", metric_type="COSINE")
        for column in ("doc_id", "parent", "access"):
            if column in ROW:  # (a test makes collections of an older schema)
                index.add_index(column, index_type="INVERTED")
        if kind in KEYWORD_KINDS:
            schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
            schema.add_function(
                Function(
                    name="bm25",
                    function_type=FunctionType.BM25,
                    input_field_names=["search_text"],
                    output_field_names=["sparse"],
                )
            )
            index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        self.client.create_collection(collection, schema=schema, consistency_level="Strong")
        self.client.create_index(collection, index, sync=False)  # a synchronous one polls for seconds
        self.client.load_collection(collection)

    def _add_access(self, kind: str, collection: str) -> None:
        """A collection written before access groups gets the `access` column by a copy (Milvus adds no column to
        a collection): its rows, all public, go into a new collection, which then takes the old one's name. A crash
        midway leaves the old collection, or the finished copy under its temporary name (taken on the next open)."""
        self.client.load_collection(collection)
        fields = [c for c in ROW if c != "access"] + ["vector"]
        old = self.client.query_iterator(collection, batch_size=BATCH, filter=EVERY_ROW, output_fields=fields)
        copy = f"{collection}{MIGRATING}"
        if self.client.has_collection(copy):  # a copy a crash left unfinished
            self.client.drop_collection(copy)
        self._create(kind, copy)
        while batch := old.next():
            self._insert(copy, [self._entity(dict(e, access="")) for e in batch])
        old.close()
        self.client.flush(copy)
        self.client.drop_collection(collection)
        self.client.rename_collection(copy, collection)
        self.client.load_collection(collection)

    def close(self) -> None:
        self.client.close()

    def replace(self, doc_ids: list[str], rows: list[dict]) -> None:
        for kind, collection in self.names.items():
            if doc_ids:
                self.client.delete(collection, filter=where([Filter.isin("doc_id", doc_ids)]))
            self._insert(collection, [self._entity(r) for r in rows if r["kind"] == kind])

    def _insert(self, collection: str, entities: list[dict]) -> None:
        for start in range(0, len(entities), BATCH):
            self.client.insert(collection, entities[start : start + BATCH])

    def relabel(self, doc_ids: list[str], access: str) -> None:
        """Milvus updates no field in place: the rows are read with their vectors and written again."""
        rows = self.rows([Filter.isin("doc_id", doc_ids)], columns=[*ROW, "vector"])
        self.replace(doc_ids, [r | {"access": access} for r in rows])

    def _entity(self, row: dict) -> dict:
        entity = {c: row[c] if c == "ordinal" else str(row[c] or "") for c in ROW}
        for column, value in entity.items():
            if isinstance(value, str) and len(value.encode()) > MAX_TEXT:
                raise RagtuneError(f"{row['source']}: {row['id']} has a {column} over Milvus's {MAX_TEXT}-byte limit")
        entity["record_fields"] = record_fields(row["records"])
        entity["vector"] = np.asarray(row["vector"], dtype=np.float32)
        return entity

    def refresh(self) -> None:
        """Seal what was written, so that the server indexes it (Milvus builds and merges indexes itself)."""
        for collection in self.names.values():
            self.client.flush(collection)

    @staticmethod
    def _row(entity: dict, columns: Columns) -> dict:
        row = {c: entity[c] for c in columns or ROW}
        if "vector" in row:
            row["vector"] = np.asarray(row["vector"], dtype=np.float32)
        return row

    def _search(self, kind: str, data: list, field: str, k: int, rest: list[Filter], columns: Columns) -> list[Hit]:
        expr = where(rest)
        if expr is None:
            return []
        result = self.client.search(
            self.names[kind], data, anns_field=field, limit=k, filter=expr, output_fields=list(columns or ROW)
        )
        return [Hit(self._row(r["entity"], columns), float(r["distance"])) for r in result[0]]

    def dense(self, vector: np.ndarray, k: int, filters: list[Filter] = (), columns: Columns = None) -> list[Hit]:
        kinds, rest = split_kinds(filters)
        q = np.asarray(vector, dtype=np.float32)
        hits = [h for kind in kinds for h in self._search(kind, [q], "vector", k, rest, columns)]
        return sorted(hits, key=lambda h: -h.score)[:k]

    def bm25(self, query: str, k: int, filters: list[Filter] = (), columns: Columns = None) -> list[Hit]:
        kinds, rest = split_kinds(filters)
        hits = [
            h
            for kind in kinds
            if kind in KEYWORD_KINDS
            for h in self._search(kind, [query], "sparse", k, rest, columns)
        ]
        for h in hits:  # Milvus Lite reports the BM25 score negated; the order is the engine's either way
            h.score = abs(h.score)
        return sorted(hits, key=lambda h: -h.score)[:k]

    def rows(self, filters: list[Filter] = (), columns: Columns = None) -> list[dict]:
        kinds, rest = split_kinds(filters)
        expr = where(rest)
        if expr is None:
            return []
        out = []
        for kind in kinds:
            it = self.client.query_iterator(
                self.names[kind], batch_size=BATCH, filter=expr, output_fields=list(columns or ROW)
            )
            while batch := it.next():
                out += [self._row(e, columns) for e in batch]
            it.close()
        return out

    def count(self, filters: list[Filter] = ()) -> int:
        kinds, rest = split_kinds(filters)
        expr = where(rest)
        if expr is None:
            return 0
        return sum(
            self.client.query(self.names[k], filter=expr, output_fields=["count(*)"])[0]["count(*)"] for k in kinds
        )
