"""ONNX Runtime on the CPU: a sentence-transformers model's export that loads and runs without torch.

sentence-transformers' own ONNX backend exports through `optimum`, which needs transformers < 5; this exports
the transformer with its pooling and normalisation by `torch.onnx`, once per model, into ragtune's home, with
the tokenizer beside it and a manifest (`KEY.json`). The export is kept only if it reproduces the PyTorch
vectors (cosine ≥ 0.9999 on probe texts). Later processes find it by the model folder's file list and load it
with `onnxruntime` and `tokenizers` alone: a search never imports torch.

Texts are embedded longest first in batches padded to their own longest text, so a batch of 20-token sentences
is not padded to a 256-token chunk (sentence-transformers sorts by length the same way).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

PROBES = [
    "A short query?",
    "A longer sentence about delivery times, refunds and the warranty of a product.",
    "Long text. " + "The warehouse in Bodø ships orders within two working days of payment. " * 40,  # > 256 tokens
]
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
FORMAT = 2  # bumped when the export or its manifest changes: older exports are made again
BATCH_TEXTS, BATCH_TOKENS = 32, 4096  # a batch: at most this many texts and padded tokens (bench/speed.py)
SLICE = 2048  # texts tokenised and sorted by length together
MIN_COSINE = {"": 0.9999, "int8": 0.98}  # an export's vectors against PyTorch's, on the probes


def session(path: Path, threads: int | None = None):
    """An ONNX Runtime CPU session with one thread per core that sleep when idle: spinning threads took the
    cores from the vector searches that follow a query (they ran 2× slower)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or os.cpu_count() or 1
    opts.inter_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def length_batches(lengths: list[int], texts: int = BATCH_TEXTS, tokens: int = BATCH_TOKENS) -> list[list[int]]:
    """Indices, longest first, grouped so that each batch padded to its longest holds ≤ `tokens` tokens."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    for i in order:
        if batches and len(batches[-1]) < texts and (len(batches[-1]) + 1) * lengths[batches[-1][0]] <= tokens:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


def pad(encodings: list, names: set[str]) -> dict[str, np.ndarray]:
    """Token ids, mask and type ids of `encodings`, right-padded to the longest."""
    width = max(len(e.ids) for e in encodings)
    feed = {k: np.zeros((len(encodings), width), dtype=np.int64) for k in INPUTS if k in names}
    for row, e in enumerate(encodings):
        n = len(e.ids)
        feed["input_ids"][row, :n] = e.ids
        feed["attention_mask"][row, :n] = 1
        if "token_type_ids" in feed:
            feed["token_type_ids"][row, :n] = e.type_ids
    return feed


class OnnxEmbedder:
    """An exported sentence-transformers model: `tokenizers` + `onnxruntime`, unit vectors out."""

    def __init__(self, name: str, folder: Path, meta: dict):
        self.name, self.dim, self.quantized = name, meta["dim"], meta.get("quantized", "")
        self.session = session(folder / meta["model"])
        self.names = {i.name for i in self.session.get_inputs()}
        self.encoder = Tokenizer.from_file(str(folder / meta["tokenizer"]))
        self.encoder.no_padding()
        self.encoder.enable_truncation(meta["max_length"])
        self.tokenizer = Tokenizer.from_file(str(folder / meta["tokenizer"]))  # counts whole texts
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self._lock = threading.Lock()  # one encode at a time: a tokenizer is not safe across threads
        self.runtime_note = f"ONNX Runtime{' int8' if self.quantized else ''} ({Path(meta['model']).stem})"

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        with self._lock:
            for at in range(0, len(texts), SLICE):  # tokenised a slice at a time: memory stays bounded
                encodings = self.encoder.encode_batch(list(texts[at : at + SLICE]))
                for batch in length_batches([len(e.ids) for e in encodings]):
                    rows = [at + i for i in batch]
                    out[rows] = self.session.run(None, pad([encodings[i] for i in batch], self.names))[0]
        return out

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)


def files_key(salt: str, *folders: Path) -> str:
    """An export's name: `salt` and the folders' files (name, size, time), so a changed model is exported again."""
    h = hashlib.sha256(f"{FORMAT}:{salt}".encode())
    for folder in folders:
        for f in sorted(p for p in folder.rglob("*") if p.is_file()):
            st = f.stat()
            h.update(f"{f.relative_to(folder)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def key(source: str, quantized: str = "") -> str:
    """An embedder export's name: its model folder's files; a hub id (not a folder) by its name."""
    folder = Path(source)
    return files_key(f"{quantized}:{source}", *([folder] if folder.is_dir() else []))


def find_export(name: str, source: str, home: Path, quantized: str = "") -> OnnxEmbedder | None:
    """The model's verified export in `home`, loaded without torch; None when there is none yet."""
    manifest = home / "onnx" / f"{key(source, quantized)}.json"
    if not manifest.exists():
        return None
    try:
        return OnnxEmbedder(name, manifest.parent, json.loads(manifest.read_text()))
    except Exception:  # a damaged export is made again
        return None


def export_embedder(model, name: str, source: str, home: Path, quantized: str = "") -> tuple[OnnxEmbedder | None, str]:
    """Export a loaded SentenceTransformer (and quantize it to int8 when asked), check its vectors against
    PyTorch's, and load it; or None and the reason it cannot have one."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return None, "onnxruntime is not installed"
    pooling = _pooling(model)
    if pooling is None:
        return None, "only Transformer + mean/CLS Pooling (+ Normalize) models are exported"
    stem = key(source, quantized)
    folder = home / "onnx"
    manifest = folder / f"{stem}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _export(model, pooling, folder / f"{stem}.onnx", quantized)
        tokenizer = model.tokenizer.backend_tokenizer
        tokenizer.save(str(folder / f"{stem}.tokenizer.json"))
        meta = {
            "source": source,
            "model": f"{stem}.onnx",
            "tokenizer": f"{stem}.tokenizer.json",
            "dim": model.get_embedding_dimension(),
            "max_length": model.max_seq_length,
            "pooling": pooling,
            "quantized": quantized,
        }
        embedder = OnnxEmbedder(name, folder, meta)
    except Exception as exc:  # an architecture the exporter cannot trace: PyTorch still works
        return None, f"ONNX export failed ({type(exc).__name__}: {exc})"
    reference = model.encode(PROBES, normalize_embeddings=True, convert_to_numpy=True)
    cosine = float(np.min(np.sum(embedder.embed(PROBES) * reference, axis=1)))
    if cosine < MIN_COSINE[quantized]:
        return None, f"the exported model's vectors differ from PyTorch's (cosine {cosine:.4f})"
    _write(manifest, {**meta, "cosine": round(cosine, 6)})  # only a checked export is ever found (find_export)
    return embedder, ""


def _write(path: Path, meta: dict) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(meta, indent=1))
    tmp.replace(path)  # atomic: a killed export leaves no manifest, so the next process exports again


def _pooling(model) -> str | None:
    names = [type(m).__name__ for m in model]
    if names[:2] != ["Transformer", "Pooling"] or not set(names[2:]) <= {"Normalize"}:
        return None
    mode = model[1].get_config_dict().get("pooling_mode")
    return mode if mode in ("mean", "cls") else None


def _export(model, pooling: str, path: Path, quantized: str = "") -> None:
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self, transformer):
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            h = self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            if pooling == "cls":
                v = h[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(h.dtype)
                v = (h * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(v, dim=-1)

    enc = model.tokenizer(PROBES[:1], return_tensors="pt")
    args = tuple(enc.get(k, torch.zeros_like(enc["input_ids"])) for k in INPUTS)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Python control flow
        torch.onnx.export(
            Pooled(model[0].auto_model.eval()),
            args,
            str(tmp),
            input_names=list(INPUTS),
            output_names=["embedding"],
            dynamic_axes={k: {0: "batch", 1: "tokens"} for k in INPUTS},
            opset_version=17,
            dynamo=False,
        )
    if quantized == "int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        fp32, tmp = tmp, path.with_suffix(f".{os.getpid()}.int8.tmp")
        # per output channel, weights of matrix products only: per-tensor scales (the default) or quantized
        # embeddings cost the vectors up to 0.08 of cosine against PyTorch's; these ≤ 0.01 (on the probes)
        quantize_dynamic(
            str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"]
        )
        fp32.unlink()
    tmp.replace(path)
