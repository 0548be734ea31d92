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


def comparison(
    phrasing_gain: float = 0.0, changed_docs: int = 0, curve: tuple[float, ...] = (0.3, 0.5, 0.7), n: int = 40
) -> dict:
    """A `ragtune compare` document: RAG and fine-tuning + RAG know as much, fine-tuning alone little; the log's
    phrasing, the documents' history and the learning curve are set by the arguments."""
    from ragtune.evaluate.phrasing import bootstrap_ci as ci

    def known(right: float, seed: int) -> dict:
        each = [float(x > 1 - right) for x in noisy(0.5, n, seed)]
        return {"n": n, "right": sum(each) / n, "each": each}

    knowledge = {
        a: {"wording": known(r, s), "unseen-fact": known(u, s + 1), "near-miss": known(m, s + 2)}
        for a, r, u, m, s in (("rag", 0.9, 0.9, 0.8, 0), ("ft+rag", 0.9, 0.9, 0.8, 0), ("ft", 0.3, 0.0, 0.0, 5))
    }
    rag_chrf = [min(1.0, max(0.0, x)) for x in noisy(0.3, 20, 7)]
    ft_chrf = [min(1.0, x + phrasing_gain) for x in rag_chrf]
    phr = {
        a: {"n": 20, "chrf": sum(v) / 20, "chrf_ci": ci(v), "term_recall": 0.5, "chrf_each": v}
        for a, v in (("rag", rag_chrf), ("ft+rag", ft_chrf))
    }
    return {
        "corpus": {
            "documents": 5,
            "history": {
                "documents": 5,
                "changed": changed_docs,
                "versions": 5 + changed_docs,
                "median_days_between": 7.0 if changed_docs else None,
            },
        },
        "knowledge": knowledge,
        "phrasing": phr,
        "written": {"ft+rag": {"kept": 15, "fell back": 4, "abstained": 1}},
        "learning_curve": [
            {"share": s, "examples": e, "ft knowledge": k, "ft+rag chrF": phr["ft+rag"]["chrf"] * k}
            for s, e, k in zip((0.25, 0.5, 1.0), (10, 20, 40), curve, strict=True)
        ],
        "change": {
            "k": 10,
            "reingest_s": 4.2,
            "train_s": 192.0,
            "arms": {"rag": {"new": 10, "stale": 0}, "ft": {"new": 0, "stale": 7}, "ft+rag": {"new": 9, "stale": 1}},
        },
        "cost": {
            "latency_p50_s": {"rag": 0.2, "ft": 0.3, "ft+rag": 0.8},
            "peak_rss_mb": 2000,
            "train_s": 192.0,
            "adapter_mb": 1.9,
        },
        "results": {
            "arms": {
                "rag": {"citation_precision": 0.95, "groundedness": 1.0},
                "ft+rag": {"citation_precision": 0.95, "groundedness": 1.0},
                "ft": {},
            }
        },
        "asserted": {},
    }


def test_the_verdict_quotes_the_measured_numbers():
    from ragtune.evaluate.advise import from_comparison

    a = from_comparison(comparison(changed_docs=3))
    text = a.text()
    assert "after 10 of your facts changed, fine-tuning answered 7 with the old value" in text
    assert "RAG answered 10 with the new one" in text and "4 s of re-ingest" in text and "3.2 min" in text
    assert "3 of your 5 documents changed between ingests, every 7 days on median" in text
    assert "chrF" in text and "cites the right document for 95%" in text


def test_the_cost_names_each_arms_memory_served_alone_else_the_runs_peak():
    from ragtune.evaluate.advise import from_comparison

    doc = comparison()
    assert "peak memory 2000 MB (every arm at once)" in from_comparison(doc).text()
    alone = {"rag": {"peak_rss_mb": 610.4, "cold_s": 3.1}, "ft": {"peak_rss_mb": 1480.0, "cold_s": 9.0}}
    doc["cost"]["serving"] = alone
    text = from_comparison(doc).text()
    assert "memory to serve it alone RAG 610 MB, fine-tuning 1480 MB" in text and "every arm at once" not in text


def test_changing_documents_mean_rag_and_house_phrasing_means_both():
    from ragtune.evaluate.advise import from_comparison

    assert from_comparison(comparison(changed_docs=3)).verdict == "rag"
    style = from_comparison(comparison(phrasing_gain=0.3))
    assert style.verdict == "ft+rag" and any("fine-tuning teaches your phrasing" in r for r in style.reasons)
    # changing facts with a house style: both, as long as fine-tuning + RAG answers as fresh as RAG
    doc = comparison(phrasing_gain=0.3, changed_docs=3)
    doc["change"]["arms"]["ft+rag"] = {"new": 10, "stale": 0}
    assert from_comparison(doc).verdict == "ft+rag"
    doc["change"]["arms"]["ft+rag"] = {"new": 4, "stale": 6}
    assert from_comparison(doc).verdict == "rag"


def test_the_amount_of_data_counts_for_rag_when_fine_tuning_makes_no_measurable_difference():
    from ragtune.evaluate.advise import from_comparison

    flat = from_comparison(comparison(curve=(0.1, 0.12, 0.12)))
    assert flat.verdict == "rag"
    assert any("with 40 examples fine-tuning makes no measurable difference" in r for r in flat.reasons)
    assert any("more data of this kind will not change it" in r for r in flat.reasons)
    rising = from_comparison(comparison(phrasing_gain=0.3, curve=(0.1, 0.3, 0.6)))
    assert any("fine-tuning makes a difference; the last doubling added +" in r for r in rising.reasons)
    assert rising.scores["rag"] == 1.0  # transparency only: the data criterion gives RAG nothing here


def test_asserted_flags_are_reported_as_asserted():
    from ragtune.evaluate.advise import from_comparison

    doc = comparison() | {"asserted": {"data_changes": "weekly"}}
    assert any(r.startswith("changing data (asserted, not measured)") for r in from_comparison(doc).reasons)


def test_restricted_documents_are_stated_and_count_for_retrieval():
    from ragtune.evaluate.advise import access_summary, from_comparison

    docs = [{"groups": "hr"}, {"groups": "exec,finance"}, {"groups": ""}, {"groups": "hr"}]
    access = access_summary(docs)
    assert access == {"documents": 4, "restricted": 3, "groups": ["exec", "finance", "hr"]}
    stated = "3 of your 4 documents are restricted (groups exec, finance, hr); an adapter trained on them must be"
    with_access = from_comparison(comparison() | {"access": access})
    assert any(stated in r for r in with_access.reasons)
    assert with_access.scores["rag"] == from_comparison(comparison()).scores["rag"] + 1
    rules = advise(Situation(data_changes="rarely", training_examples=5000, access=access))
    assert any(r.startswith("R6: access (measured): 3 of your 4") for r in rules.reasons)
    assert not any("restricted" in r for r in advise(Situation(access=access_summary([{"groups": ""}]))).reasons)
