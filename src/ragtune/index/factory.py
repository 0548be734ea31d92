"""Strings → index backends."""

from __future__ import annotations

from pathlib import Path

import httpx

from ragtune.index.base import Embedder, VectorStore


def split_endpoint(spec: str) -> tuple[str, str]:
    """`openai:MODEL@BASE_URL` → (MODEL, BASE_URL)."""
    model, _, url = spec.removeprefix("openai:").partition("@")
    return model, url or "http://127.0.0.1:8000/v1"


def endpoint_client(base_url: str, api_key: str | None, timeout: float) -> httpx.Client:
    """An HTTP client for an OpenAI-compatible server (bearer auth; a placeholder key for local servers)."""
    return httpx.Client(base_url=base_url, timeout=timeout, headers={"Authorization": f"Bearer {api_key or 'none'}"})


def create_embedder(spec: str, device: str | None = None, api_key: str | None = None) -> Embedder:
    """`minilm` (bundled), any sentence-transformers name or path, or `openai:MODEL@BASE_URL`."""
    if spec.startswith("openai:"):
        from ragtune.index.embedders import OpenAIEmbedder

        return OpenAIEmbedder(*split_endpoint(spec), api_key=api_key)
    from ragtune.index.embedders import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(spec, device=device)


def create_store(spec: str, path: Path, dim: int, ann_threshold: int = 50_000) -> VectorStore:
    """`lancedb` (embedded, default). Server backends plug in here."""
    if spec == "lancedb":
        from ragtune.index.lance import LanceStore

        return LanceStore(path, dim, ann_threshold)
    raise ValueError(f"unknown vector store '{spec}' (available: lancedb)")
