"""The embedder's ONNX Runtime path gives PyTorch's vectors, is exported once, and steps aside when it cannot."""

from __future__ import annotations

import numpy as np

from ragtune.index.onnx import _pooling, onnx_encoder

TEXTS = ["How long does delivery to Iceland take?", "Returns are accepted within 30 days.", "x"]


def test_onnx_vectors_equal_pytorch_vectors(embedder):
    assert embedder.onnx is not None, embedder.runtime_note
    fast = embedder.embed(TEXTS)
    slow = embedder.model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    assert fast.shape == (3, embedder.dim)
    assert np.min(np.sum(fast * slow, axis=1)) > 0.9999


def test_the_export_is_kept_and_reused(embedder, tmp_path):
    encoder, note = onnx_encoder(embedder.model, "minilm", tmp_path)
    assert encoder is not None and note == ""
    exported = list((tmp_path / "onnx").glob("*.onnx"))
    assert len(exported) == 1
    mtime = exported[0].stat().st_mtime_ns
    again, _ = onnx_encoder(embedder.model, "minilm", tmp_path)
    assert again is not None and exported[0].stat().st_mtime_ns == mtime


def test_models_it_cannot_export_fall_back_with_a_reason(embedder, tmp_path):
    class Dense:
        pass

    assert _pooling([*embedder.model, Dense()]) is None
    encoder, note = onnx_encoder([*embedder.model, Dense()], "odd", tmp_path)
    assert encoder is None and "Pooling" in note
