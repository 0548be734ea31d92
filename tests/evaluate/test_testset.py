"""The test set made from the documents: facts, wordings, and a split that leaks nothing into training."""

from __future__ import annotations

import json

import pytest

from ragtune.errors import RagtuneError
from ragtune.evaluate import testset

ROWS = [
    {"name": "Trailblazer 2 tent", "weight_kg": "2.1", "warranty_years": "5"},
    {"name": "Fjellheim 4 tent", "weight_kg": "4.8", "warranty_years": "5"},
    {"name": "Summit 45 backpack", "weight_kg": "1.4", "warranty_years": "3"},
]
CHUNKS = [{"source": "corpus/products.csv", "records": json.dumps(ROWS), "text": ""}]
PROSE = [
    {
        "source": "corpus/handbook.md",
        "records": "[]",
        "text": "The standard working week is 37.5 hours.\nEvery employee gets 27 days of paid annual leave per year.\n"
        "It is nice.\nA hull pressure test costs 4,200 EUR.",
    }
]


def facts():
    return testset.record_facts(CHUNKS) + testset.prose_facts(PROSE)


def test_record_and_prose_facts_have_answers_sources_and_several_wordings():
    found = {f.answer: f for f in facts()}
    assert {"2.1", "5", "37.5 hours", "27 days", "4,200 EUR"} <= set(found)
    assert found["2.1"].source == "products.csv" and found["2.1"].entity == "Trailblazer 2 tent"
    assert "What is the standard working week?" in found["37.5 hours"].wordings
    assert found["27 days"].wordings[0] == "Every employee gets how many days of paid annual leave per year?"
    assert "How much does a hull pressure test cost?" in found["4,200 EUR"].wordings
    assert all(len(f.wordings) >= 3 for f in facts())
    assert not any("nice" in f.context for f in facts())  # a pronoun subject makes no question


def test_split_trains_on_other_wordings_than_it_tests_and_holds_facts_out():
    items = testset.build(facts(), unseen=0.3, near_miss=0.2)
    train = [i for i in items if i.split == "train"]
    test = [i for i in items if i.split == "test"]
    assert {i.question for i in train}.isdisjoint(i.question for i in test)
    trained_facts = {i.fact for i in train}
    unseen = [i for i in test if i.kind == "unseen-fact"]
    assert unseen and not trained_facts & {i.fact for i in unseen}
    assert all(i.fact in trained_facts for i in test if i.kind == "wording")
    misses = [i for i in test if i.kind == "near-miss"]
    assert misses and all(not i.answers for i in misses)
    real = {f.entity for f in facts() if f.entity}
    assert not any(i.question.startswith(tuple(f"{e}:" for e in real)) and "no such" in i.meta["why"] for i in misses)


def test_the_log_is_split_into_training_and_a_held_out_phrasing_part():
    log = [{"question": f"Q{n}?", "answer": f"Our answer is {n}."} for n in range(10)]
    items = testset.build(facts(), log, log_test=0.3)
    logged = [i for i in items if i.kind == "log"]
    assert sum(i.split == "test" for i in logged) == 3 and sum(i.split == "train" for i in logged) == 7


def test_the_set_round_trips_through_an_editable_file_and_a_bad_line_is_named(tmp_path):
    items = testset.build(facts())
    path = testset.write(items, tmp_path / "questions.jsonl")
    assert testset.read(path) == items
    path.write_text(path.read_text() + '{"id": "x", "question": "q"}\n')
    with pytest.raises(RagtuneError, match=r"questions.jsonl:\d+: not a test-set item"):
        testset.read(path)


def test_a_log_needs_question_and_answer(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text('{"question": "How long?", "answer": "Two days."}\n{"question": "x"}\n')
    with pytest.raises(RagtuneError, match=r'log.jsonl:2: "question" needs an "answer"'):
        testset.read_log(path)
