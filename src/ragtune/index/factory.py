"""Strings → index backends."""

from __future__ import annotations

from pathlib import Path

from ragtune.config import EndpointConfig
from ragtune.endpoint import split_endpoint
from ragtune.errors import RagtuneError
from ragtune.index.base import Embedder, VectorStore


def create_embedder(
    spec: str, device: str | None = None, endpoint: EndpointConfig | None = None, home: Path | None = None
) -> Embedder:
    """`minilm` (bundled), any sentence-transformers name or path, or `openai:MODEL@BASE_URL`.

    With `home`, a sentence-transformers model on the CPU runs through its ONNX export kept there."""
    if spec.startswith("openai:"):
        from ragtune.index.embedders import OpenAIEmbedder

        return OpenAIEmbedder(*split_endpoint(spec), endpoint)
    from ragtune.index.embedders import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(spec, device=device, home=home)


def create_store(spec: str, path: Path, dim: int, ann_threshold: int = 10_000) -> VectorStore:
    """`lancedb` (embedded, default). Server backends plug in here."""
    if spec == "lancedb":
        from ragtune.index.lance import LanceStore

        return LanceStore(path, dim, ann_threshold)
    raise RagtuneError(f"unknown vector store {spec!r} (available: lancedb)")
