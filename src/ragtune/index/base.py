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

    `field` is a row column (id, doc_id, source, type, kind, parent, locator, heading); `op` is "=" (equal),
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


@dataclass
class Hit:
    """One stored row returned by a search, with the score of that search."""

    row: dict
    score: float


class VectorStore(Protocol):
    """Rows with a vector and a text; dense and BM25 search; replace-by-document writes."""

    def replace(self, doc_ids: list[str], rows: list[dict]) -> None:
        """Delete every row of these documents, then add the new rows."""

    def dense(self, vector: np.ndarray, k: int, filters: list[Filter] = ()) -> list[Hit]: ...

    def bm25(self, query: str, k: int, filters: list[Filter] = ()) -> list[Hit]: ...

    def rows(self, filters: list[Filter] = ()) -> list[dict]:
        """Every row that meets all filters."""

    def count(self, filters: list[Filter] = ()) -> int: ...

    def refresh(self) -> None:
        """Bring text and vector indexes up to date after writes."""
