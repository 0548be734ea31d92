"""Support checks and span snapping on fixed strings (hand-computed expectations)."""

from __future__ import annotations

from ragtune.generate.reader import answer_type, candidates
from ragtune.generate.support import best_span, new_information, overlap
from ragtune.text import token_f1


def test_new_information_drops_what_the_question_already_says():
    q = "When were the finalists announced?"
    assert new_information("The finalists were announced on October 16, 2012.", q) == "october 16 2012"


def test_best_span_finds_the_evidence_wording():
    ev = "The league announced on October 16, 2012, that the two finalists were Sun Life Stadium and Levi's Stadium."
    span = best_span("october 16 2012", ev)
    assert span.text == "October 16, 2012"
    assert span.f1 == 1.0
    assert best_span("Paris", ev).f1 == 0.0


def test_overlap_and_token_f1():
    assert overlap("the Moselle river", "Its largest tributary, the Moselle, joins at Koblenz.") == 0.5
    assert token_f1(["denver", "broncos"], ["the", "denver", "broncos"]) == 0.8


def test_answer_types():
    assert answer_type("How many tackles did he make?")("11 tackles")
    assert not answer_type("How many tackles did he make?")("Von Miller")
    assert answer_type("Who won the game?")("Denver Broncos")
    assert answer_type("What is the capital?") is None


def test_candidates_are_evidence_spans_of_the_right_type():
    q = "How many days of annual leave do employees get?"
    ev = [
        ("Every employee gets 27 days of paid annual leave per calendar year.", 0.9),
        ("Up to 5 unused days may be carried over to the next year.", 0.4),
    ]
    cands = candidates(q, ev)
    texts = [c.text for c in cands]
    assert "27" in texts and "5" in texts
    assert all(any(ch.isdigit() for ch in t) for t in texts)
    assert all(c.text in ev[c.evidence][0] for c in cands)
    assert cands[0].text.startswith("27")


def test_candidates_do_not_cut_names():
    ev = [("The Denver Broncos defeated the Carolina Panthers at Super Bowl 50.", 0.8)]
    texts = [c.text for c in candidates("Who defeated the Panthers?", ev)]
    assert "Denver Broncos" in texts
    assert "Denver" not in texts and "Broncos" not in texts
