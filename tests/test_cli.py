"""The command line: JSON contracts, batch mode, errors as one line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ragtune.cli import main


@pytest.fixture
def run(demo_ws):
    """Invoke the CLI in-process on the demo store, reusing the loaded models."""
    from ragtune import cli

    def invoke(*args: str, input: str | None = None):
        original = cli._workspace
        cli._workspace = lambda ctx: demo_ws
        try:
            store = ["--store", str(demo_ws.settings.store)]
            return CliRunner().invoke(main, [*store, *args], input=input, catch_exceptions=False)
        finally:
            cli._workspace = original

    return invoke


def test_ask_json_contract(run):
    result = run("ask", "--json", "Who manages the Bergen store?")
    assert result.exit_code == 0
    out = json.loads(result.output)
    assert set(out) == {"question", "answer", "abstained", "citations", "timings", "route", "sql", "reason"}
    assert out["abstained"] is False and out["route"] == "records" and out["sql"].startswith("SELECT")
    assert set(out["citations"][0]) == {"source", "locator", "quote", "score"}
    assert out["citations"][0]["locator"] == "table stores rowid 1"


def test_ask_and_search_batch_print_one_json_line_per_question(run, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"question": "Who manages the Oslo store?"}\n\n{"question": "What is the capital of Peru?"}\n'
    )
    lines = run("ask", "--questions", str(questions)).output.strip().splitlines()
    assert [json.loads(line)["question"] for line in lines] == [
        "Who manages the Oslo store?",
        "What is the capital of Peru?",
    ]
    assert json.loads(lines[1])["abstained"] is True
    found = [json.loads(line) for line in run("search", "--questions", str(questions)).output.strip().splitlines()]
    assert len(found) == 2 and found[0]["passages"][0]["source"] == "corpus/stores.sqlite"


def test_search_text_output_and_filters(run):
    result = run("search", "tent", "--filter", "category=tents", "-k", "2")
    assert result.exit_code == 0
    assert "corpus/products.csv (row" in result.output
    bad = run("search", "tent", "--filter", "nonsense")
    assert bad.exit_code == 2 and "'nonsense' is not key=value" in bad.output


def test_bad_lines_of_a_questions_file_are_named_and_the_others_answered(run, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"question": "Who manages the Oslo store?"}\n{"q": "missing field"}\n{"question": ""}\n'
        '{"question": "   "}\nnot json\n'
    )
    result = run("ask", "--questions", str(questions))
    assert result.exit_code == 1  # some inputs failed; the batch went on
    assert f'error: {questions}:2: expected a JSON object with a "question" field' in result.output
    for n in (3, 4):
        assert f'error: {questions}:{n}: "question" must be a non-empty string' in result.output
    assert f"error: {questions}:5: expected a JSON object" in result.output
    answers = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [a["question"] for a in answers] == ["Who manages the Oslo store?"]
    questions.write_text('{"question": ""}\n')
    none = CliRunner().invoke(main, ["ask", "--questions", str(questions)])
    assert none.exit_code == 3 and f"error: {questions}: no question to ask" in none.output


def test_documents_lists_sources(run):
    assert "corpus/stores.sqlite  [sqlite, 1 chunks]" in run("documents").output


def test_store_built_with_another_embedder_is_refused(tmp_path, demo_ws):
    from ragtune import Settings, Workspace
    from ragtune.errors import RagtuneError

    ws = Workspace(Settings(store=demo_ws.settings.store))
    with pytest.raises(RagtuneError, match="built with embedder 'minilm'"):
        ws.catalog.check_embedder("other-model", 768)


def test_asking_an_empty_store_is_a_clear_error(tmp_path):
    for args in (["ask", "anything?"], ["search", "anything"]):
        result = CliRunner().invoke(main, ["--store", str(tmp_path / "empty"), *args])
        assert result.exit_code == 3
        assert f"error: the store {tmp_path / 'empty'} is empty: run `ragtune ingest PATH...` first" in result.output


@pytest.mark.slow
def test_global_options_may_follow_the_command(tmp_path, corpus):
    from ragtune.cli import hoist_global_options

    assert hoist_global_options(["ingest", "docs", "--store", "kb", "-v", "--llm=x"]) == [
        "--store",
        "kb",
        "-v",
        "--llm=x",
        "ingest",
        "docs",
    ]
    assert hoist_global_options(["ask", "--", "--store"]) == ["ask", "--", "--store"]
    result = CliRunner().invoke(
        main, ["ingest", str(corpus / "handbook.md"), "--store", str(tmp_path / "kb"), "--quiet", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ingested"] == 1 and (tmp_path / "kb" / "manifest.sqlite").exists()


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        (["ask", "--batch-size", "0", "q"], {}, 2, "0 is not in the range"),
        (["search", "x"], {"RAGTUNE_RETRIEVE__TOP_K": "abc"}, 3, "error: setting retrieve.top_k: Input should be"),
        (["search", "x"], {"RAGTUNE_RETRIEVE__MODE": "fuzzy"}, 3, "error: setting retrieve.mode: Input should be"),
        (["ingest", "README.md"], {"RAGTUNE_VECTOR_STORE": "qdrant"}, 3, "error: unknown vector store 'qdrant'"),
        (["eval", "README.md", "--arms", "rag,nope"], {}, 3, "error: unknown arm(s) nope"),
        (["eval", "README.md", "--arms", "ft"], {}, 3, "error: the ft arm needs --adapter NAME"),
        (["advise", "--results", "README.md"], {}, 3, "error: README.md: not a results.json"),
        (["advise", "--comparison", "README.md"], {}, 3, "error: README.md: not a comparison.json"),
        (["compare"], {}, 3, "is empty: give DOCS to compare on"),
        (["compare", "README.md", "--shares", "50,x"], {}, 2, "is not a comma list of percentages"),
        (["compare", "README.md", "--shares", "0,150"], {}, 2, "percentages must be in 1..100"),
        (["compare", "README.md", "--log", "README.md"], {}, 3, "README.md:1: invalid JSON"),
        (
            ["ask", "q", "--llm", "openai:m@http://127.0.0.1:9/v1"],
            {"RAGTUNE_ANSWER__READER": "extract"},
            3,
            "cannot score spans",
        ),
    ],
)
def test_errors_are_one_line_with_distinct_exit_codes(tmp_path, corpus, args, env, code, message, monkeypatch):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(corpus.parent)
    (corpus.parent / "README.md").write_text("# Notes\n\nragtune answers questions.\n")
    if args[0] == "ask":
        CliRunner().invoke(main, ["--store", str(tmp_path / "s"), "ingest", "--quiet", "README.md"])
    result = CliRunner().invoke(main, ["--store", str(tmp_path / "s"), *args])
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output
    if code == 3:
        assert len([line for line in result.output.splitlines() if line.strip()]) == 1


def test_listing_commands_print_json(run):
    docs = json.loads(run("documents", "--json").output)
    assert {d["source"] for d in docs} >= {"corpus/stores.sqlite", "corpus/handbook.md"}
    assert json.loads(run("data", "list", "--json").output) == [] or isinstance(
        json.loads(run("data", "list", "--json").output), list
    )
    assert isinstance(json.loads(run("adapters", "list", "--json").output), list)
    advice = json.loads(CliRunner().invoke(main, ["advise", "--needs-citations", "--json"]).output)
    assert advice["verdict"] == "rag" and advice["reasons"]


@pytest.mark.parametrize("question", ["", "   "])
def test_an_empty_or_blank_question_is_the_same_usage_error(tmp_path, question):
    from click.testing import CliRunner

    from ragtune.cli import EXIT_USAGE, main

    result = CliRunner().invoke(main, ["--store", str(tmp_path / "s"), "ask", question])
    assert result.exit_code == EXIT_USAGE and "give QUESTION or --questions FILE" in result.output


def test_chat_answers_a_follow_up_from_the_earlier_turn(run):
    result = run("chat", "--json", input="Who manages the Bergen store?\nAnd the one in Oslo?\n\n")
    first, second = (json.loads(line) for line in result.output.strip().splitlines())
    assert "Ingrid Solheim" in first["answer"] and first["standalone_question"] == "Who manages the Bergen store?"
    assert second["question"] == "And the one in Oslo?"
    assert second["standalone_question"] == "Who manages the Oslo store?" and "Magnus Berg" in second["answer"]


HEAVY = ("torch", "transformers", "sentence_transformers", "peft")


def test_help_search_documents_and_ask_import_no_torch(embedder, tmp_path):
    """Once the embedder and span reader are exported (the first use of a model home does it), the commands a user
    runs most start without torch, transformers or sentence-transformers (issue 28)."""
    import subprocess
    import sys

    from ragtune import Settings
    from ragtune.models.bundled import bundled_span_reader
    from ragtune.models.span import SpanReader

    SpanReader(bundled_span_reader(), Settings().home)  # its export, as the first `ask` makes it
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "leave.md").write_text("# Leave\n\nEvery employee gets 27 days of paid annual leave.\n")
    store = str(tmp_path / "store")
    for argv in (
        ["--help"],
        ["--store", store, "ingest", str(docs)],
        ["--store", store, "search", "How many days of leave?"],
        ["--store", store, "documents"],
        ["--store", store, "ask", "How many days of leave?"],
    ):
        code = (
            "import sys; from click.testing import CliRunner; from ragtune.cli import main; "
            f"r = CliRunner().invoke(main, {argv!r}); print(r.exit_code, r.output[-300:], file=sys.stderr); "
            f"print([m for m in {HEAVY!r} if m in sys.modules])"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert done.stderr.startswith("0 "), done.stderr
        assert done.stdout.strip() == "[]", f"ragtune {' '.join(argv)} imported {done.stdout.strip()}"
    assert "27 days" in done.stderr


@pytest.mark.parametrize(("flag", "wanted"), [([], True), (["--no-footprint"], False)])
def test_compare_serves_each_arm_alone_unless_told_not_to(run, monkeypatch, flag, wanted):
    import ragtune.compare.run as compare_run

    seen = {}

    def fake(ws, docs, out, log, opts, say):
        seen["footprint"] = opts.footprint
        raise SystemExit(0)  # the options are what is tested, not the run

    monkeypatch.setattr(compare_run, "compare", fake)
    run("compare", *flag)
    assert seen == {"footprint": wanted}
