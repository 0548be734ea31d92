"""Strings → index backends."""

from __future__ import annotations

import sys
import threading
from contextlib import suppress
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path

from ragtune.config import EndpointConfig
from ragtune.endpoint import split_endpoint
from ragtune.errors import ModelError, RagtuneError
from ragtune.index.base import Embedder, VectorStore


def create_embedder(
    spec: str, device: str | None = None, endpoint: EndpointConfig | None = None, home: Path | None = None
) -> Embedder:
    """`minilm` (bundled), any sentence-transformers name or path, or `openai:MODEL@BASE_URL`; `NAME+int8` is its
    int8-quantized ONNX export (a store keeps the embedder it was built with, so never mixes the two).

    With `home`, a sentence-transformers model on the CPU runs through its ONNX export kept there: made and
    checked against PyTorch on first use, then loaded without torch."""
    if spec.startswith("openai:"):
        from ragtune.index.embedders import OpenAIEmbedder

        return OpenAIEmbedder(*split_endpoint(spec), endpoint)
    from ragtune.index.embedders import SentenceTransformerEmbedder, model_path
    from ragtune.index.onnx import export_embedder, find_export

    base, quantized = (spec[: -len(INT8)], "int8") if spec.endswith(INT8) else (spec, "")
    if quantized and home is None:
        raise RagtuneError(f"embedder {spec!r}: the int8 model is an ONNX export and needs a model home")
    if home is not None and on_cpu(device):
        found = find_export(spec, model_path(base), home, quantized)
        if found is not None:
            return found
    model = SentenceTransformerEmbedder(base, device=device)
    if home is None or not model.on_cpu:
        return model
    exported, why = export_embedder(model.model, spec, model.source, home, quantized)
    if exported is not None:
        return exported
    if quantized:
        raise ModelError(f"embedder {spec!r}: {why}")
    model.runtime_note = f"PyTorch: {why}"
    return model


INT8 = "+int8"


def on_cpu(device: str | None) -> bool:
    """Whether the embedder runs on the CPU: asked for, or no NVIDIA device on this machine (checked without
    importing torch; where there is one, sentence-transformers picks it)."""
    return device == "cpu" or (device is None and not Path("/dev/nvidiactl").exists())


PLUGIN_GROUP = "ragtune.vector_stores"  # entry point name: a scheme; value: a callable(spec, home, dim, ann_threshold)


def _server(module: str, extra: str):
    """A server backend's module; its client library is an optional extra."""
    try:
        return import_module(f"ragtune.index.{module}")
    except ImportError as e:
        raise RagtuneError(f"this vector store needs {e.name}: pip install 'ragtune[{extra}]'") from e


BACKENDS = {"lancedb": "lance", "postgresql": "pgvector", "postgres": "pgvector", "milvus": "milvus"}


def preload(spec: str) -> None:
    """Import the store backend's module on a thread of its own, so that its libraries load while the caller
    loads the embedder (whose runtime leaves the interpreter free); `create_store` then finds it imported."""
    scheme = _scheme(spec)
    if scheme in BACKENDS and f"ragtune.index.{BACKENDS[scheme]}" not in sys.modules:
        threading.Thread(target=_import_quietly, args=(f"ragtune.index.{BACKENDS[scheme]}",), daemon=True).start()


def _scheme(spec: str) -> str:
    return spec.split("://", 1)[0].lower() if "://" in spec else spec.lower()


def _import_quietly(module: str) -> None:
    with suppress(ImportError):  # create_store says what is missing
        import_module(module)


def create_store(spec: str, home: Path, dim: int, ann_threshold: int = 10_000) -> VectorStore:
    """`lancedb` (embedded in `home`, the default), `postgresql://…` (pgvector), `milvus://HOST:PORT` or
    `milvus:///file.db` (Milvus Lite), or a scheme a plugin registers under the `ragtune.vector_stores` entry
    point group."""
    scheme = _scheme(spec)
    if scheme == "lancedb":
        from ragtune.index.lance import LanceStore

        return LanceStore(home / "lancedb", dim, ann_threshold)
    if scheme in ("postgresql", "postgres"):
        return _server("pgvector", "postgres").PgVectorStore(spec, dim, ann_threshold)
    if scheme in ("milvus", "milvus+https"):
        return _server("milvus", "milvus").MilvusStore(spec, home, dim)
    plugins = {ep.name: ep for ep in entry_points(group=PLUGIN_GROUP)}
    if scheme in plugins:
        return plugins[scheme].load()(spec, home, dim, ann_threshold)
    known = ", ".join(["lancedb", "postgresql://…", "milvus://…", *(f"{p}://…" for p in sorted(plugins))])
    raise RagtuneError(f"unknown vector store {scheme!r} (use {known})")
