"""The decision rules and their combination with measured results."""

from __future__ import annotations

from ragtune.evaluate.advise import Situation, advise, measured


def results(f1s: dict[str, tuple[float, float, float]]) -> dict:
    return {"questions": 200, "arms": {a: {"f1": f, "f1_ci": (lo, hi), "citation_precision": None}
                                       for a, (f, lo, hi) in f1s.items()}}  # fmt: skip


def test_fast_changing_data_and_citations_mean_rag():
    a = advise(Situation(data_changes="daily", needs_citations=True, training_examples=100))
    assert a.verdict == "rag"
    assert any(r.startswith("R1") for r in a.reasons) and any(r.startswith("R2") for r in a.reasons)


def test_stable_knowledge_terminology_and_much_data_mean_fine_tuning():
    a = advise(Situation(data_changes="rarely", training_examples=5000, terminology=True))
    assert a.verdict == "ft"


def test_stable_format_over_changing_facts_means_both():
    a = advise(Situation(data_changes="weekly", stable_format=True, training_examples=3000, terminology=True))
    assert a.verdict == "ft+rag"


def test_a_clear_measured_winner_counts_and_overlap_does_not():
    clear = results({"rag": (0.61, 0.57, 0.65), "ft": (0.22, 0.19, 0.25)})
    assert measured(clear)[0] == "rag"
    assert "RAG: F1 0.61 [0.57, 0.65]; fine-tuning: F1 0.22 [0.19, 0.25]" in measured(clear)[1][0]
    close = results({"rag": (0.52, 0.45, 0.59), "ft+rag": (0.50, 0.43, 0.57)})
    assert measured(close)[0] is None and "no arm is clearly better" in measured(close)[1][0]
    tuned = results({"ft": (0.80, 0.76, 0.84), "rag": (0.40, 0.35, 0.45)})
    assert advise(Situation(data_changes="rarely", training_examples=600), tuned).verdict == "ft"


def test_a_single_measured_approach_is_reported_against_the_base_model():
    r = results({"rag": (0.35, 0.28, 0.41), "base": (0.01, 0.01, 0.02)})
    best, lines = measured(r)
    assert best is None
    assert lines == ["measured on your 200 questions: RAG: F1 0.35 [0.28, 0.41] (base model, closed-book: F1 0.01 "
                     "[0.01, 0.02]); no other approach was measured"]  # fmt: skip
