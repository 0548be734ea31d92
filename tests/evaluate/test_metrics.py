"""Metrics against hand-computed values on fixed outputs (no models)."""

from __future__ import annotations

import pytest

from ragtune.evaluate.metrics import abstention, bootstrap_ci, exact_match, f1, paired_bootstrap, threshold_curve
from ragtune.evaluate.questions import Question, question_type
from ragtune.evaluate.run import Row, breakdown, score_row, summarize
from ragtune.generate.answer import ABSTAIN, Answer, Citation
from ragtune.text import normalize


def test_squad_normalisation_em_and_f1():
    assert normalize("The  Denver Broncos!") == "denver broncos"
    assert exact_match("the Denver Broncos", ["Denver Broncos", "Broncos"]) == 1.0
    # pred "denver broncos team" vs gold "denver broncos": P=2/3, R=1 → F1=0.8
    assert f1("Denver Broncos team", ["Denver Broncos"]) == pytest.approx(0.8)
    assert f1("Carolina", ["Denver Broncos"]) == 0.0
    assert f1("", ["x"]) == 0.0


def test_abstention_precision_recall():
    # abstained on 3, 2 of them unanswerable; 4 unanswerable in all → P=2/3, R=2/4
    out = abstention([True, True, True, False, False, False], [True, True, False, True, True, False])
    assert out == {"precision": pytest.approx(2 / 3), "recall": 0.5, "f1": pytest.approx(4 / 7)}
    assert abstention([False], [False]) == {"precision": None, "recall": None, "f1": None}


def test_bootstrap_interval_brackets_the_mean_and_narrows_with_n():
    small = bootstrap_ci([0.0, 1.0] * 25)
    large = bootstrap_ci([0.0, 1.0] * 500)
    assert small[0] < 0.5 < small[1] and large[0] < 0.5 < large[1]
    assert (large[1] - large[0]) < (small[1] - small[0])
    assert bootstrap_ci([1.0] * 10) == (1.0, 1.0)


def _answer(text: str, source: str | None = None, quote: str = "") -> Answer:
    cites = [Citation(source, "page 1", quote, 0.9)] if source else []
    return Answer(f"{text} [1]" if source else text, False, cites)


def test_score_row_grounding_citations_and_unanswerable():
    q = Question("1", "Who won?", ["Denver Broncos"], "ctx", "p0001.txt")
    row = score_row("rag", q, _answer("Denver Broncos", "corpus/p0001.txt", "The Denver Broncos won."), 0.5)
    assert (row.em, row.f1, row.grounded, row.cited_gold) == (1.0, 1.0, True, True)
    wrong = score_row("rag", q, _answer("Panthers", "corpus/p0002.txt", "The Denver Broncos won."), 0.5)
    assert (wrong.f1, wrong.grounded, wrong.cited_gold) == (0.0, False, False)
    closed = score_row("base", q, _answer("Broncos"), 0.1)
    assert closed.grounded is None and closed.cited_gold is None and closed.f1 == pytest.approx(2 / 3)
    impossible = Question("2", "Who?", [], None, None, impossible=True)
    assert score_row("rag", impossible, Answer(ABSTAIN, True), 0.1).em == 1.0
    assert score_row("rag", impossible, _answer("someone"), 0.1).em == 0.0


def test_summary_and_breakdown_on_fixed_rows():
    rows = [
        Row("rag", str(i), "who", "x", False, False, em, f, True, cg, lat)
        for i, (em, f, cg, lat) in enumerate(
            [(1, 1, True, 1.0), (0, 0.5, False, 2.0), (0, 0, True, 3.0), (1, 1, True, 4.0)]
        )
    ]
    s = summarize(rows)
    assert s["em"] == 0.5 and s["f1"] == pytest.approx(0.625)
    assert s["citation_precision"] == 0.75 and s["groundedness"] == 1.0
    assert s["latency_p50_s"] == 2.5 and s["latency_p95_s"] == pytest.approx(3.85)
    assert breakdown(rows, lambda r: r.type) == {"rag": {"who": pytest.approx(0.625)}}


def test_question_types():
    assert question_type("How many tackles did he make?") == "how many/much"
    assert question_type("Who won Super Bowl 50?") == "who"
    assert question_type("In what year did it open?") == "what"
    assert question_type("The game was played where?") == "where"


def test_paired_bootstrap_of_per_question_differences():
    diff, lo, hi = paired_bootstrap([1.0, 1.0, 0.5, 1.0], [0.0, 1.0, 0.5, 0.0])
    assert diff == 0.5 and 0.0 <= lo <= diff <= hi <= 1.0
    assert paired_bootstrap([0.3] * 20, [0.3] * 20) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="same questions"):
        paired_bootstrap([1.0], [1.0, 0.0])


def test_abstention_f1_and_the_threshold_curve():
    assert abstention([True, True, False, False], [True, False, True, False])["f1"] == 0.5
    scores, declined = [2.0, -1.0, 0.5, None], [False, False, False, True]
    impossible, has_f1 = [True, False, True, True], [0.0, 0.8, 0.0, 0.0]
    curve = threshold_curve(scores, declined, impossible, has_f1)
    assert [p["threshold"] for p in curve] == [-1.0, 0.5, 2.0, float("inf")]
    low, mid, never = curve[0], curve[1], curve[-1]
    assert (low["precision"], low["recall"], low["has_ans_f1"]) == (1.0, 1.0, 0.8)  # abstains above -1
    assert (mid["recall"], never["recall"]) == (2 / 3, 1 / 3)  # the declined question always abstains
    assert never["overall_f1"] == (0.8 + 1.0) / 4


def test_contains_finds_the_gold_answer_in_a_sentence_and_numbers_by_value():
    from ragtune.evaluate.metrics import contains

    assert contains("Every employee gets 27 days a year.", ["27 days"]) == 1.0
    assert contains("3.3 EUR", ["3.30"]) == 1.0 and contains("16 EUR", ["16.00 EUR"]) == 1.0
    assert contains("3.35 EUR", ["3.3"]) == 0.0 and contains("", ["27 days"]) == 0.0
    assert contains("The Bergen store", ["the Bergen store"]) == 1.0
