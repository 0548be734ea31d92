"""Training data: every shape, every validation error, versions, generation from the corpus, RAFT."""

from __future__ import annotations

import json

import pytest

from ragtune.finetune.data import DataError, read_jsonl
from ragtune.finetune.synth import dedupe, raft, record_questions, useful
from ragtune.index.base import Filter


def write(tmp_path, lines: list) -> object:
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


def test_three_shapes_are_accepted(tmp_path):
    rows = read_jsonl(
        write(
            tmp_path,
            [
                {"question": "Q1?", "answer": "A1"},
                {"instruction": "Translate", "input": "hei", "output": "hello"},
                {"messages": [{"role": "user", "content": "Q3?"}, {"role": "assistant", "content": "A3"}]},
            ],
        )
    )
    assert rows == [
        {"question": "Q1?", "answer": "A1"},
        {"question": "Translate\nhei", "answer": "hello"},
        {"question": "Q3?", "answer": "A3"},
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "data.jsonl:2: invalid JSON"),
        ('["a", "b"]', "data.jsonl:2: expected a JSON object, got list"),
        ({"question": "Q?"}, 'data.jsonl:2: "question" needs an "answer"'),
        ({"question": "  ", "answer": "A"}, 'data.jsonl:2: "question" must be a non-empty string'),
        ({"instruction": "do"}, 'data.jsonl:2: "instruction" needs an "output"'),
        ({"messages": [{"role": "user", "content": "hi"}]}, 'data.jsonl:2: "messages" needs a user and an assistant'),
        ({"messages": "hi"}, 'data.jsonl:2: "messages" must be a list'),
        ({"prompt": "x", "text": "y"}, "data.jsonl:2: unknown shape (fields ['prompt', 'text'])"),
    ],
)
def test_a_bad_line_is_an_error_with_its_line_number(tmp_path, line, message):
    with pytest.raises(DataError) as err:
        read_jsonl(write(tmp_path, [{"question": "ok?", "answer": "ok"}, line]))
    assert message in str(err.value)


def test_empty_and_missing_files(tmp_path):
    with pytest.raises(DataError, match="no training examples"):
        read_jsonl(write(tmp_path, [""]))
    with pytest.raises(DataError, match="no such file"):
        read_jsonl(tmp_path / "nope.jsonl")


def test_versions_are_immutable_hashed_and_hold_out_a_split(ws):
    datasets = ws.datasets
    rows = [{"question": f"Q{i}?", "answer": f"A{i}"} for i in range(20)]
    v1 = datasets.add(rows, source="a.jsonl")
    assert (v1["version"], v1["rows"], v1["heldout"]) == ("v0001", 18, 2)
    assert datasets.add(list(rows), source="again.jsonl")["version"] == "v0001"  # same content, same version
    v2 = datasets.add([*rows, {"question": "Q20?", "answer": "A20"}], source="b.jsonl")
    assert v2["version"] == "v0002"
    assert len(datasets.rows("v0001")) + len(datasets.rows("v0001", "heldout")) == 20
    assert datasets.resolve(None) == "v0002"
    with pytest.raises(DataError, match="no dataset version 'v0009'"):
        datasets.resolve("v0009")


def test_record_questions_have_paraphrases_and_answers_from_the_record(demo_ws):
    chunk = next(c for c in demo_ws.store.rows([Filter.eq("kind", "chunk")]) if c["source"] == "corpus/stores.sqlite")
    rows = record_questions(chunk, paraphrases=3)
    bergen = [r for r in rows if "Bergen" in r["question"]]
    assert {r["answer"] for r in bergen if "manager" in r["question"]} == {"Ingrid Solheim"}
    assert len([r for r in bergen if "manager" in r["question"]]) == 3
    assert all(r["source"] == "corpus/stores.sqlite" and r["context"] == chunk["text"] for r in rows)


def test_quality_filter_and_dedupe():
    text = "Every employee gets 27 days of paid annual leave per calendar year."
    assert useful("How many days of paid leave do employees get?", "27 days", text)
    assert not useful("How many days?", "27 days", text)  # too short
    assert not useful("How much leave is there in total?", "30 days", text)  # answer not in the text
    assert not useful("Do employees get 27 days of leave?", "27 days", text)  # gives the answer away
    assert len(dedupe([{"question": "What is X?"}, {"question": "what is x"}])) == 1


def test_generation_from_the_corpus_with_the_slm(demo_ws):
    rows = demo_ws.generate_data(demo_ws.llm, paraphrases=2, max_prose=6)
    assert any(r["source"] == "corpus/price-list.xlsx" for r in rows)
    for r in rows:
        assert r["answer"].lower() in r["context"].lower() or r["answer"] in json.dumps(r["context"])


def test_raft_examples_of_table_records_cite_the_row_or_abstain(demo_ws):
    chunk = next(c for c in demo_ws.store.rows([Filter.eq("kind", "chunk")]) if c["source"] == "corpus/stores.sqlite")
    rows = record_questions(chunk, paraphrases=1)[:5]
    with_oracle = raft(demo_ws.retriever, rows, p_oracle=1.0)
    assert len(with_oracle) == 5
    assert all(r["target"].startswith(f"{r['answer']} [") for r in with_oracle)
    assert all(r["target"] == "not found" for r in raft(demo_ws.retriever, rows, p_oracle=0.0))


def test_an_unanswerable_question_needs_no_answer(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(
        '{"question": "Who won?", "unanswerable": true, "context": "No one knows."}\n'
        '{"question": "Who won?", "context": "x"}\n'
    )
    with pytest.raises(DataError, match=r'd.jsonl:2: "question" needs an "answer" \(or "unanswerable": true\)'):
        read_jsonl(path)
    path.write_text('{"question": "Who won?", "unanswerable": true, "context": "No one knows."}\n')
    assert read_jsonl(path) == [
        {"question": "Who won?", "answer": "", "context": "No one knows.", "unanswerable": True}
    ]
