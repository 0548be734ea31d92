"""Span reader training examples: rows to examples, and the no-answer copies made from answerable ones."""

from __future__ import annotations

import random

import pytest

from ragtune.finetune.span_examples import (
    SpanExample,
    paraphrased,
    span_examples,
    swapped,
    terms,
    with_negatives,
    without_answer,
)

CTX = (
    "Project Beta was started in Oslo in 2021 by Ingrid Solheim. Its code name is Kestrel. "
    "The team ships the first release in autumn."
)


def test_dataset_rows_become_examples_only_where_the_context_holds_the_answer():
    rows = [
        {"question": "q1", "answer": "Bluefin", "context": "Its code name is Bluefin."},
        {"question": "q2", "answer": "Oslo", "context": "Its code name is Bluefin."},  # not in its context
        {"question": "q3", "answer": "Bluefin"},  # no context
        {"question": "q4", "unanswerable": True, "context": "Its code name is Bluefin."},
    ]
    assert [(e.question, e.answer) for e in span_examples(rows)] == [("q1", "Bluefin"), ("q4", None)]


def test_terms_are_names_years_numbers_and_nouns_after_a_determiner():
    found = [(kind, CTX[a:b]) for kind, a, b in terms(CTX)]
    assert ("name", "Ingrid Solheim") in found and ("year", "2021") in found and ("noun", "team") in found
    assert ("name", "Oslo") in found and ("name", "Kestrel") in found
    assert not any(text in ("Project Beta", "Its", "The") for _, text in found)  # they only start a sentence
    assert ("number", "10,000") in [(k, "In 10,000 days"[a:b]) for k, a, b in terms("In 10,000 days")]


def test_a_swap_replaces_one_question_term_by_another_of_its_kind_from_the_context():
    ex = SpanExample("Who started Project Beta in Oslo?", CTX, "Ingrid Solheim")
    seen = {swapped(ex, random.Random(seed)).question for seed in range(40)}
    assert "Who started Project Beta in Kestrel?" in seen  # an entity swap, as SQuAD 2.0's writers did
    assert all(q != ex.question and "Ingrid" not in q for q in seen)  # never the answer itself
    assert all(swapped(ex, random.Random(seed)).answer is None for seed in range(5))


def test_a_year_the_context_has_no_other_of_becomes_a_near_year():
    ex = SpanExample("What was started in 2021?", CTX, "Project Beta")
    questions = {swapped(ex, random.Random(seed)).question for seed in range(30)}
    years = {q.split()[-1].rstrip("?") for q in questions if q.startswith("What was started in ")}
    assert years and years <= {"2018", "2019", "2020", "2022", "2023", "2024"}


@pytest.mark.parametrize(
    ("question", "changed"),
    [
        ("What did Ingrid Solheim name the project?", "What did Ingrid Solheim not name the project?"),
        ("When does the team ship the release?", None),  # "the team": where "not" goes is not plain
        ("When is the last release?", "When is the first release?"),
    ],
)
def test_negation_and_antonyms_change_the_question_where_the_place_is_plain(question, changed):
    ex = SpanExample(question, "Nothing here to swap with.", "x")
    got = {q for seed in range(20) if (q := getattr(swapped(ex, random.Random(seed)), "question", None))}
    assert got == ({changed} if changed else set())


def test_cutting_the_answer_sentence_makes_a_no_answer_example():
    ctx = "Project Beta was started in Oslo in 2021. Its code name is Kestrel. It ships in autumn."
    cut = without_answer(SpanExample("What is the code name of Beta?", ctx, "Kestrel"))
    assert cut.answer is None and cut.context == "Project Beta was started in Oslo in 2021. It ships in autumn."
    twice = "Its code name is Kestrel. Kestrel ships in autumn."  # the answer would still be there
    assert without_answer(SpanExample("q", twice, "Kestrel", 17)) is None
    assert without_answer(SpanExample("q", "Its code name is Kestrel.", "Kestrel")) is None  # nothing left
    assert without_answer(SpanExample("q", ctx)) is None  # already unanswerable


def test_negatives_add_a_no_answer_copy_of_a_share_of_the_answerable_examples():
    examples = [
        SpanExample("What is the code name of Project Beta?", CTX, "Kestrel"),
        SpanExample("Where was Project Beta started?", CTX, "Oslo"),
        SpanExample("Who leads the sales team?", CTX),  # already unanswerable: no copy
    ]
    assert with_negatives(examples, 0.0) == examples
    for kind in ("swap", "cut"):
        added = with_negatives(examples, 1.0, kind)[len(examples) :]
        assert len(added) == 2 and all(e.answer is None for e in added)
    swaps = with_negatives(examples, 1.0, "swap")[len(examples) :]
    assert all(e.context == CTX and e.question not in {x.question for x in examples} for e in swaps)
    with pytest.raises(ValueError, match="unknown kind"):
        with_negatives(examples, 1.0, "shuffle")


def test_a_paraphrase_says_a_context_word_by_a_synonym_the_context_lacks_and_keeps_the_answer():
    ex = SpanExample("When is the waste collected?", "The waste is collected on Tuesday.", "Tuesday", 28)
    synonyms = {"collected": ["collected", "gathered"], "waste": ["refuse"]}.get
    copy = paraphrased(ex, random.Random(0), lambda w: synonyms(w) or [])
    assert copy is not None and (copy.answer, copy.start, copy.context) == ("Tuesday", 28, ex.context)
    assert copy.question in ("When is the waste gathered?", "When is the refuse collected?")


def test_no_paraphrase_without_a_synonym_or_for_an_unanswerable_example():
    ex = SpanExample("When is the waste collected?", "The waste is collected on Tuesday.", "Tuesday", 28)
    assert paraphrased(ex, random.Random(0), lambda w: []) is None
    assert paraphrased(SpanExample("Who?", "Text."), random.Random(0), lambda w: ["x"]) is None
