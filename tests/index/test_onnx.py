"""The embedder's ONNX Runtime path: PyTorch's vectors, exported once, found again without torch, batched by
length, and stepping aside with a reason when a model cannot be exported."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ragtune.index.onnx import OnnxEmbedder, export_embedder, length_batches

LONG = "The warehouse in Bodø ships orders within two working days of payment. " * 40  # > 256 tokens
TEXTS = ["How long does delivery to Iceland take?", "Returns are accepted within 30 days.", "x", LONG, ""]


@pytest.fixture(scope="module")
def pytorch():
    from ragtune.index.embedders import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder("minilm")


def test_onnx_vectors_equal_pytorch_vectors_in_any_batch_order(embedder, pytorch):
    assert isinstance(embedder, OnnxEmbedder), embedder.runtime_note
    fast = embedder.embed(TEXTS)
    slow = pytorch.embed(TEXTS)
    assert fast.shape == (len(TEXTS), embedder.dim)
    assert np.min(np.sum(fast * slow, axis=1)) > 0.9999
    one_by_one = np.stack([embedder.embed([t])[0] for t in TEXTS])
    assert np.min(np.sum(fast * one_by_one, axis=1)) > 0.9999  # padding to a batch's longest changes nothing


def test_token_counts_are_not_cut_at_the_models_window(embedder, pytorch):
    pytorch.embed([LONG])  # sentence-transformers sets truncation on its tokenizer at each encode
    assert embedder.count_tokens(LONG) == pytorch.count_tokens(LONG) > 256


def test_the_export_is_found_again_by_a_new_process_without_torch(embedder, tmp_path):
    from ragtune.index.factory import create_embedder

    first = create_embedder("minilm", home=tmp_path)
    exported = list((tmp_path / "onnx").glob("*.onnx"))
    assert isinstance(first, OnnxEmbedder) and len(exported) == 1
    mtime = exported[0].stat().st_mtime_ns
    code = (
        "import sys; from pathlib import Path; from ragtune.index.factory import create_embedder; "
        f"e = create_embedder('minilm', home=Path({str(tmp_path)!r})); e.embed(['a question']); "
        "print(type(e).__name__, [m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["OnnxEmbedder", "[]"]
    assert exported[0].stat().st_mtime_ns == mtime


def test_a_damaged_export_is_made_again(embedder, tmp_path):
    from ragtune.index.factory import create_embedder

    create_embedder("minilm", home=tmp_path)
    (model,) = (tmp_path / "onnx").glob("*.onnx")
    model.write_bytes(b"not a model")
    again = create_embedder("minilm", home=tmp_path)
    assert isinstance(again, OnnxEmbedder)
    assert np.sum(again.embed(["a"]) * embedder.embed(["a"])) > 0.9999


def test_models_it_cannot_export_fall_back_with_a_reason(pytorch, tmp_path):
    class Dense:
        pass

    model = [*pytorch.model, Dense()]
    encoder, note = export_embedder(model, "odd", "odd", tmp_path)
    assert encoder is None and "Pooling" in note


@pytest.mark.slow
def test_the_int8_embedder_is_its_own_store_level_model(embedder, tmp_path):
    from ragtune.index.factory import create_embedder

    int8 = create_embedder("minilm+int8", home=tmp_path)
    assert int8.name == "minilm+int8" and int8.quantized == "int8" and "int8" in int8.runtime_note
    assert np.min(np.sum(int8.embed(TEXTS[:4]) * embedder.embed(TEXTS[:4]), axis=1)) > 0.95  # ≥ 0.98 on the probes


@given(st.lists(st.integers(1, 300), max_size=200), st.integers(1, 64), st.integers(1, 10_000))
def test_length_batches_cover_every_text_once_within_the_budget(lengths, texts, tokens):
    batches = length_batches(lengths, texts, tokens)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) <= texts
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= tokens
        assert [lengths[i] for i in b] == sorted((lengths[i] for i in b), reverse=True)
