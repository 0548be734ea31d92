"""Real span-reader runs on tiny data: it learns spans and "no answer", and resumes after a crash."""

from __future__ import annotations

import json

import pytest

import ragtune.finetune.span as span_train
from ragtune.finetune.span import SpanExample, SpanParams, train_span
from ragtune.generate.span import MARKER, SpanReader

CONTEXTS = {
    "Alpha": "Project Alpha was started in Bergen in 2019. Its code name is Bluefin and it ships in spring.",
    "Beta": "Project Beta was started in Oslo in 2021. Its code name is Kestrel and it ships in autumn.",
    "Gamma": "Project Gamma was started in Tromsø in 2016. Its code name is Larkspur and it ships in winter.",
}


def _examples() -> list[SpanExample]:
    out = []
    for name, ctx in CONTEXTS.items():
        for q, a in [(f"What is the code name of project {name}?", ctx.split("code name is ")[1].split()[0])]:
            out.append(SpanExample(q, ctx, a))
        city = ctx.split("started in ")[1].split()[0]
        out.append(SpanExample(f"Where was project {name} started?", ctx, city, ctx.index(city)))
        out.append(SpanExample(f"Who is the manager of project {name}?", ctx))  # not in the text
    return out


PARAMS = SpanParams(epochs=30, batch_size=3, learning_rate=3e-3, save_every=1000)


@pytest.fixture(scope="module")
def reader(tmp_path_factory) -> SpanReader:
    folder = tmp_path_factory.mktemp("span") / "reader"
    meta = train_span(_examples(), folder, PARAMS, quiet=True)
    assert meta["unanswerable"] == 3 and meta["steps"] == 90 and json.loads((folder / MARKER).read_text())["steps"]
    return SpanReader(folder)


def test_the_trained_reader_finds_the_answer_span(reader):
    for name, ctx in CONTEXTS.items():
        (best, *_) = reader.read(f"What is the code name of project {name}?", [ctx])
        assert best.text == ctx.split("code name is ")[1].split()[0]
        assert ctx[best.start : best.end] == best.text


def test_unanswerable_questions_score_higher_for_no_answer(reader):
    ctx = CONTEXTS["Beta"]
    (answerable,) = reader.read("Where was project Beta started?", [ctx])
    (unanswerable,) = reader.read("Who is the manager of project Beta?", [ctx])
    assert unanswerable.no_answer > answerable.no_answer


def test_the_best_passage_wins_across_passages(reader):
    spans = reader.read("What is the code name of project Gamma?", [CONTEXTS["Alpha"], CONTEXTS["Gamma"]])
    assert spans[0].context == 1 and spans[0].text == "Larkspur"


def test_an_interrupted_run_resumes_from_its_checkpoint(tmp_path, monkeypatch):
    folder = tmp_path / "reader"
    params = SpanParams(epochs=2, batch_size=3, learning_rate=1e-3, save_every=2)

    def crash(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(span_train, "_publish", crash)
    with pytest.raises(KeyboardInterrupt):
        train_span(_examples(), folder, params, quiet=True)
    assert not folder.exists() and (tmp_path / "reader.training" / "state.pt").exists()
    monkeypatch.undo()
    meta = train_span(_examples(), folder, params, quiet=True)
    assert len(meta["loss"]) == meta["steps"] == 6  # steps 1-4 restored with the checkpoint, 5-6 run again
    assert (folder / MARKER).exists() and not (tmp_path / "reader.training").exists()


def test_no_examples_is_a_clear_error(tmp_path):
    from ragtune.errors import RagtuneError

    with pytest.raises(RagtuneError, match="no training examples"):
        train_span([], tmp_path / "reader")


def test_dataset_rows_become_examples_only_where_the_context_holds_the_answer():
    from ragtune.finetune.span import span_examples

    rows = [
        {"question": "q1", "answer": "Bluefin", "context": "Its code name is Bluefin."},
        {"question": "q2", "answer": "Oslo", "context": "Its code name is Bluefin."},  # not in its context
        {"question": "q3", "answer": "Bluefin"},  # no context
        {"question": "q4", "unanswerable": True, "context": "Its code name is Bluefin."},
    ]
    assert [(e.question, e.answer) for e in span_examples(rows)] == [("q1", "Bluefin"), ("q4", None)]


def test_cutting_the_answer_sentence_makes_a_no_answer_example():
    from ragtune.finetune.span import without_answer

    ctx = "Project Beta was started in Oslo in 2021. Its code name is Kestrel. It ships in autumn."
    cut = without_answer(SpanExample("What is the code name of Beta?", ctx, "Kestrel"))
    assert cut.answer is None and cut.context == "Project Beta was started in Oslo in 2021. It ships in autumn."
    twice = "Its code name is Kestrel. Kestrel ships in autumn."  # the answer would still be there
    assert without_answer(SpanExample("q", twice, "Kestrel", 17)) is None
    assert without_answer(SpanExample("q", "Its code name is Kestrel.", "Kestrel")) is None  # nothing left
    assert without_answer(SpanExample("q", ctx)) is None  # already unanswerable


def test_negatives_add_a_cut_copy_of_a_share_of_the_answerable_examples():
    from ragtune.finetune.span import with_negatives

    examples = _examples()
    assert with_negatives(examples, 0.0) == examples
    everything = with_negatives(examples, 1.0)
    added = everything[len(examples) :]
    assert everything[: len(examples)] == examples and len(added) == 6  # 6 answerable, each context 3 sentences
    assert all(e.answer is None and any(e.context in c for c in CONTEXTS.values()) for e in added)
    assert all("Bluefin" not in e.context for e in added if "code name" in e.question)


def test_finetune_span_trains_a_reader_the_workspace_can_use(tmp_path):
    from click.testing import CliRunner

    from ragtune import Settings, Workspace
    from ragtune.cli import main
    from ragtune.generate.span import SpanReader

    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps(_row(e)) + "\n" for e in _examples()))
    store = str(tmp_path / "store")
    run = CliRunner().invoke(main, ["--store", store, "finetune", "--span", "--data", str(rows), "--epochs", "1"])
    assert run.exit_code == 0, run.output
    folder = tmp_path / "store" / "readers" / "span-v0001"
    assert f"RAGTUNE_ANSWER__ADAPTER={folder}" in run.output and (folder / MARKER).exists()
    assert json.loads((folder / MARKER).read_text())["examples"] == 9  # every row: all contexts hold their answers
    assert isinstance(Workspace(Settings(store=store, answer={"adapter": str(folder)})).reader, SpanReader)


def _row(e: SpanExample) -> dict:
    base = {"question": e.question, "context": e.context}
    return base | ({"answer": e.answer} if e.answer else {"unanswerable": True})
