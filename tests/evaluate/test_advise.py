"""The decision rules and their combination with measured results."""

from __future__ import annotations

import random

from ragtune.evaluate.advise import Situation, advise, measured
from ragtune.evaluate.metrics import bootstrap_ci


def results(per_question: dict[str, list[float]]) -> dict:
    """A results document from per-question F1s of each arm (the same questions, in order)."""
    arms = {
        a: {"f1": sum(v) / len(v), "f1_ci": bootstrap_ci(v), "citation_precision": None}
        for a, v in per_question.items()
    }
    rows = [{"arm": a, "id": str(i), "f1": f} for a, v in per_question.items() for i, f in enumerate(v)]
    return {"questions": len(next(iter(per_question.values()))), "arms": arms, "rows": rows}


def noisy(mean: float, n: int = 60, seed: int = 0) -> list[float]:
    rng = random.Random(seed)
    return [min(1.0, max(0.0, rng.gauss(mean, 0.3))) for _ in range(n)]


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


def test_a_clear_measured_winner_counts_and_a_tie_does_not():
    clear = results({"rag": noisy(0.7), "ft": noisy(0.2, seed=1)})
    assert measured(clear)[0] == "rag" and "paired F1 difference RAG − fine-tuning: +0." in measured(clear)[1][0]
    same = noisy(0.5)
    tie = results({"rag": same, "ft+rag": same[1:] + same[:1]})
    assert measured(tie)[0] is None and "no arm is clearly better" in measured(tie)[1][0]
    tuned = results({"ft": noisy(0.8), "rag": noisy(0.3, seed=2)})
    assert advise(Situation(data_changes="rarely", training_examples=600), tuned).verdict == "ft"


def test_the_comparison_is_paired_on_the_same_questions():
    """Two arms whose unpaired intervals overlap, but one is better on every single question by 0.05."""
    base = noisy(0.5, n=80)
    better = [min(1.0, f + 0.05) for f in base]
    r = results({"ft+rag": better, "rag": base})
    assert r["arms"]["ft+rag"]["f1_ci"][0] < r["arms"]["rag"]["f1_ci"][1]  # the unpaired intervals overlap ...
    assert measured(r)[0] == "ft+rag"  # ... the paired difference does not include zero


def test_a_single_measured_approach_is_reported_against_the_base_model():
    r = results({"rag": [0.0, 1.0, 0.5, 0.5], "base": [0.0, 0.0, 0.0, 0.0]})
    best, lines = measured(r)
    assert best is None
    assert lines[0].startswith("measured on your 4 questions: RAG: F1 0.50 [")
    assert lines[0].endswith("(base model, closed-book: F1 0.00 [0.00, 0.00]); no other approach was measured")
