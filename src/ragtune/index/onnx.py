"""A sentence-transformers model run by ONNX Runtime on the CPU: the same vectors, 2–4× faster for one query.

sentence-transformers' own ONNX backend exports through `optimum`, which needs transformers < 5; this
exports the transformer with its pooling and normalisation by `torch.onnx`, once per model, into ragtune's
home, and keeps it only if it reproduces the PyTorch vectors (cosine ≥ 0.9999 on probe texts).
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import numpy as np

PROBES = ["A short query?", "A longer sentence about delivery times, refunds and the warranty of a product."]
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class OnnxEncoder:
    """Tokenise with the model's tokenizer, run the exported graph; returns unit vectors."""

    def __init__(self, path: Path, tokenizer, max_length: int):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = min(4, os.cpu_count() or 1)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")  # idle threads sleep: spinning
        # after each query took the cores from the vector searches that follow it (they ran 2× slower)
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.names = {i.name for i in self.session.get_inputs()}
        self.tokenizer = tokenizer
        self.max_length = max_length

    def encode(self, texts: list[str], batch: int = 64) -> np.ndarray:
        out = []
        for i in range(0, len(texts), batch):
            enc = self.tokenizer(
                texts[i : i + batch], padding=True, truncation=True, max_length=self.max_length, return_tensors="np"
            )
            feed = {k: np.asarray(v, dtype=np.int64) for k, v in enc.items() if k in self.names}
            if "token_type_ids" in self.names and "token_type_ids" not in feed:
                feed["token_type_ids"] = np.zeros_like(feed["input_ids"])
            out.append(self.session.run(None, feed)[0])
        return np.concatenate(out).astype(np.float32)


def onnx_encoder(model, source: str, home: Path) -> tuple[OnnxEncoder | None, str]:
    """The model's ONNX twin (exported on first use), or None and the reason it cannot have one."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return None, "onnxruntime is not installed"
    pooling = _pooling(model)
    if pooling is None:
        return None, "only Transformer + mean/CLS Pooling (+ Normalize) models are exported"
    path = home / "onnx" / f"{_digest(model, source)}.onnx"
    try:
        if not path.exists():
            _export(model, pooling, path)
        encoder = OnnxEncoder(path, model.tokenizer, model.max_seq_length)
    except Exception as exc:  # an architecture the exporter cannot trace: PyTorch still works
        return None, f"ONNX export failed ({type(exc).__name__}: {exc})"
    reference = model.encode(PROBES, normalize_embeddings=True, convert_to_numpy=True)
    if float(np.min(np.sum(encoder.encode(PROBES) * reference, axis=1))) < 0.9999:
        path.unlink(missing_ok=True)
        return None, "the exported model's vectors differ from PyTorch's"
    return encoder, ""


def _pooling(model) -> str | None:
    names = [type(m).__name__ for m in model]
    if names[:2] != ["Transformer", "Pooling"] or not set(names[2:]) <= {"Normalize"}:
        return None
    mode = model[1].get_config_dict().get("pooling_mode")
    return mode if mode in ("mean", "cls") else None


def _digest(model, source: str) -> str:
    """Names the export after the model's weights, so a changed model is exported again."""
    h = hashlib.sha256(source.encode())
    for name, tensor in sorted(model[0].auto_model.state_dict().items())[:4]:
        h.update(name.encode() + tensor.flatten()[:64].numpy().tobytes())
    return h.hexdigest()[:16]


def _export(model, pooling: str, path: Path) -> None:
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
    path.parent.mkdir(parents=True, exist_ok=True)
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
    tmp.replace(path)  # atomic: a killed export leaves no half file under the final name
