"""Real span-reader runs on tiny data: it learns spans and "no answer", and resumes after a crash."""

from __future__ import annotations

import json

import pytest

import ragtune.finetune.span as span_train
from ragtune.finetune.span import SpanParams, train_span
from ragtune.finetune.span_examples import SpanExample
from ragtune.models.span import MARKER, SpanReader

pytestmark = pytest.mark.slow  # trains the real MiniLM span reader

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


PARAMS = SpanParams(epochs=30, batch_size=3, learning_rate=3e-3, save_every=1000, negatives=0.0)


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


def test_a_passage_offers_its_best_few_spans_with_one_null_score(reader):
    ctx = CONTEXTS["Beta"]
    (best,) = reader.read("What is the code name of project Beta?", [ctx])
    few = reader.read("What is the code name of project Beta?", [ctx], per_passage=3)
    assert few[0] == best and len(few) == 3 and len({(s.start, s.end) for s in few}) == 3
    assert [s.score for s in few] == sorted((s.score for s in few), reverse=True)
    assert {s.null for s in few} == {best.null} and all(ctx[s.start : s.end] == s.text for s in few)


def test_an_interrupted_run_resumes_from_its_checkpoint(tmp_path, monkeypatch):
    folder = tmp_path / "reader"
    params = SpanParams(epochs=2, batch_size=3, learning_rate=1e-3, save_every=2, negatives=0.0)

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


def test_finetune_span_trains_a_reader_the_workspace_can_use(tmp_path):
    from click.testing import CliRunner

    from ragtune import Settings, Workspace
    from ragtune.cli import main
    from ragtune.models.span import SpanReader

    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps(_row(e)) + "\n" for e in _examples()))
    store = str(tmp_path / "store")
    run = CliRunner().invoke(main, ["--store", store, "finetune", "--span", "--data", str(rows), "--epochs", "1"])
    assert run.exit_code == 0, run.output
    folder = tmp_path / "store" / "readers" / "span-v0001"
    assert f"RAGTUNE_ANSWER__ADAPTER={folder}" in run.output and (folder / MARKER).exists()
    meta = json.loads((folder / MARKER).read_text())
    assert meta["made_negatives"] > 0  # by default some answerable rows also train as swapped-question copies
    assert meta["examples"] == 9 + meta["made_negatives"]  # every row: all contexts hold their answers
    run = CliRunner().invoke(
        main,
        [
            "--store",
            store,
            "finetune",
            "--span",
            "--data",
            str(rows),
            "--epochs",
            "1",
            "--negatives",
            "0",
            "--name",
            "plain",
        ],
    )
    assert run.exit_code == 0, run.output
    assert json.loads((tmp_path / "store" / "readers" / "plain" / MARKER).read_text())["examples"] == 9
    assert isinstance(Workspace(Settings(store=store, answer={"adapter": str(folder)})).reader, SpanReader)


def _row(e: SpanExample) -> dict:
    base = {"question": e.question, "context": e.context}
    return base | ({"answer": e.answer} if e.answer else {"unanswerable": True})
