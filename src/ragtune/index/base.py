"""Interfaces of the two swappable index parts: the embedder and the vector store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from tokenizers import Tokenizer


class Embedder(Protocol):
    """Turns texts into unit-length vectors."""

    name: str
    dim: int
    tokenizer: Tokenizer  # sizes chunks (semchunk) to what the embedder sees

    def embed(self, texts: list[str]) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


@dataclass(frozen=True)
class Filter:
    """A condition on stored rows, translated by each backend into its own query language.

    `field` is a row column (id, doc_id, source, type, kind, parent, locator, heading, access); `op` is "=" (equal),
    "in" (one of a list) or "has" (`field` "records": a structured record has a field named `value`).
    """

    field: str
    op: str
    value: object

    @staticmethod
    def eq(field: str, value: object) -> Filter:
        return Filter(field, "=", value)

    @staticmethod
    def isin(field: str, values) -> Filter:
        return Filter(field, "in", tuple(values))


def access_filter(labels: list[str] | None) -> list[Filter]:
    """The store filter keeping rows of documents with one of these access labels (None: no filter)."""
    return [] if labels is None else [Filter.isin("access", labels)]


ROW = (
    "id",
    "doc_id",
    "source",
    "type",
    "kind",
    "parent",
    "ordinal",
    "locator",
    "heading",
    "text",
    "search_text",
    "records",
    "access",  # the document's access label: its groups, comma-joined ("" public); see ragtune.access
)
Columns = list[str] | tuple[str, ...] | None
FILTERABLE = {"id", "doc_id", "source", "type", "kind", "parent", "locator", "heading", "access"}
KINDS = {"chunk": "chunks", "sentence": "sentences", "summary": "summaries"}  # row kind → its table (collection)
KEYWORD_KINDS = ("chunk", "summary")  # sentences are searched by vector only


def split_kinds(filters: list[Filter]) -> tuple[list[str], list[Filter]]:
    """Filters → the row kinds they allow (each backend keeps one table per kind) and the other filters."""
    kinds, rest = list(KINDS), []
    for f in filters:
        if f.field == "kind":
            allowed = {f.value} if f.op == "=" else set(f.value)
            kinds = [k for k in kinds if k in allowed]
        else:
            rest.append(f)
    return kinds, rest


def check_filter(f: Filter) -> None:
    """Raise ValueError for a filter no backend can translate."""
    if f.op == "has" and f.field == "records":
        return
    if f.field not in FILTERABLE:
        raise ValueError(f"cannot filter on {f.field!r}")
    if f.op not in ("=", "in"):
        raise ValueError(f"unknown filter operation {f.op!r}")


@dataclass
class Hit:
    """One stored row returned by a search, with the score of that search."""

    row: dict
    score: float


class VectorStore(Protocol):
    """Rows with a vector and a text; dense and BM25 search; replace-by-document writes.

    A row has the columns of `ROW` and a unit `vector`. Searches and lookups return every column but the
    vector, or only `columns` (which may name "vector"). A dense hit's score is the cosine similarity, exact
    on a scan and the index's approximation above the ANN threshold (LanceDB's 8-bit vectors): callers rank by
    it, and compute what they must know exactly from the vector. A BM25 hit's score is the engine's.
    """

    def replace(self, doc_ids: list[str], rows: list[dict]) -> None:
        """Delete every row of these documents, then add the new rows."""

    def relabel(self, doc_ids: list[str], access: str) -> None:
        """Set the `access` label of every row of these documents (their groups changed; vectors stay)."""

    def dense(self, vector: np.ndarray, k: int, filters: list[Filter] = (), columns: Columns = None) -> list[Hit]: ...

    def bm25(self, query: str, k: int, filters: list[Filter] = (), columns: Columns = None) -> list[Hit]: ...

    def rows(self, filters: list[Filter] = (), columns: Columns = None) -> list[dict]:
        """Every row that meets all filters."""

    def count(self, filters: list[Filter] = ()) -> int: ...

    def refresh(self) -> None:
        """Bring text and vector indexes up to date after writes."""
