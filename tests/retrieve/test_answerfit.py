"""The answer-fit model: an ensemble's mean probability, saved and loaded with its floor; the shipped one reads
what a question asks for."""

from __future__ import annotations

import numpy as np
import pytest

from ragtune.retrieve.answerfit import AnswerFit, shipped


def tiny(d: int = 2) -> AnswerFit:
    """Two networks of one hidden unit that reads the product q·v (inputs: q, v, q*v)."""
    w1 = np.zeros((2, 3 * d, 1), dtype=np.float32)
    w1[:, 2 * d :, 0] = 1.0
    return AnswerFit(w1, np.zeros((2, 1)), np.array([[4.0], [8.0]]), np.array([-2.0, -4.0]), floor=0.2)


def test_the_probability_is_the_ensembles_mean_and_rises_with_agreement():
    model = tiny()
    q = np.array([[1.0, 0.0], [1.0, 0.0]])
    v = np.array([[1.0, 0.0], [0.0, 1.0]])
    p = model.probability(q, v)
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    assert p == pytest.approx([(sig(2.0) + sig(4.0)) / 2, (sig(-2.0) + sig(-4.0)) / 2], rel=1e-5)
    assert p[0] > model.floor > p[1]


def test_a_saved_model_loads_with_its_floor(tmp_path):
    path = tmp_path / "fit.npz"
    tiny().save(path)
    loaded = AnswerFit.load(path)
    assert loaded.floor == pytest.approx(0.2) and loaded.w1.shape == (2, 6, 1)
    assert AnswerFit.load(tmp_path / "none.npz") is None


def test_the_shipped_model_tells_a_field_of_the_asked_kind_from_another(embedder):
    model = shipped()
    asked = [
        ("How much does the Orvik desk lamp cost?", "price eur: 49", "supplier: Kestrel Ltd"),
        ("What is Ines Moreau's email address?", "email: ines@axelco.example", "site: Harbour Street"),
        ("When was the Tessa pump installed?", "installed: 2021-04-12", "weight kg: 38"),
    ]
    for question, right, wrong in asked:
        q, r, w = embedder.embed([question, right, wrong])
        fits, misfits = model.probability(np.stack([q, q]), np.stack([r, w]))
        assert fits > 0.5 and misfits < fits, (question, fits, misfits)
        assert fits > model.floor


def test_it_serves_only_the_embedder_it_was_trained_on():
    from tests.fakes import FakeEmbedder

    model = tiny(d=FakeEmbedder.dim)
    model.embedder = "fake-embedder"
    assert model.serves(FakeEmbedder())
    model.embedder = "minilm"
    assert not model.serves(FakeEmbedder())  # another model's vectors: no check, not a wrong one
    assert not tiny(d=8).serves(FakeEmbedder())
