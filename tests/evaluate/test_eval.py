"""A small eval of every arm on real models, the report, and the CLI commands."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ragtune.evaluate import report
from ragtune.evaluate.questions import Question, load
from ragtune.finetune.train import TrainParams
from ragtune.generate.arms import ARMS, parse

GOLD = "Every employee gets 27 days of paid annual leave per calendar year."


@pytest.fixture(scope="module")
def results(demo_ws):
    """Every arm on four questions (one unanswerable), with a freshly trained adapter."""
    demo_ws.datasets.add(demo_ws.generate_data(None, paraphrases=1), source="corpus", kind="generated")
    demo_ws.finetune(name="eval", params=TrainParams(max_steps=4, batch_size=2, save_steps=100))
    questions = [
        Question("1", "How many days of paid annual leave do employees get?", ["27"], GOLD, "handbook.md"),
        Question(
            "2", "Who manages the Bergen store?", ["Ingrid Solheim"], "Ingrid Solheim manages Bergen.", "stores.sqlite"
        ),
        Question("3", "What is the boiling point of mercury?", [], None, None, impossible=True),
        Question(
            "4",
            "What is the wholesale price of the Summit 45 backpack?",
            ["118"],
            "Summit 45: 118 EUR.",
            "price-list.xlsx",
        ),
    ]
    rag_arms = ["base", "rag", "ft", "ft+rag"]
    out = demo_ws.evaluate(questions, parse(rag_arms, adapter="eval"))
    oracle = demo_ws.evaluate([q for q in questions if q.context], parse(["oracle"]))
    return out, oracle


def test_every_arm_runs_on_the_same_questions(results):
    out, oracle = results
    assert list(out["arms"]) == ["base", "rag", "ft", "ft+rag"] and list(oracle["arms"]) == ["oracle"]
    assert set(ARMS) == set(out["arms"]) | set(oracle["arms"])
    assert len(out["rows"]) == 16
    for m in out["arms"].values():
        assert m["n"] == 4 and 0 <= m["f1_ci"][0] <= m["f1"] <= m["f1_ci"][1] <= 1
        assert m["latency_p50_s"] > 0 and "peak_rss_mb" not in m  # one process holds every arm: no arm's own
    assert out["peak_rss_mb"] > 0
    assert out["arms"]["ft"]["train_s"] > 0 and "train_s" not in out["arms"]["rag"]
    assert out["retrieval"]["n"] == 3 and out["retrieval"]["hit@1"] == 1.0


def test_rag_beats_closed_book_and_abstains_on_the_unanswerable(results):
    out, oracle = results
    assert out["arms"]["rag"]["f1"] > out["arms"]["base"]["f1"]
    assert out["arms"]["rag"]["citation_precision"] == 1.0 and out["arms"]["rag"]["groundedness"] == 1.0
    assert out["arms"]["rag"]["abstention"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert out["arms"]["rag"]["no_ans_acc"] == 1.0 and 0 <= out["arms"]["rag"]["has_ans_f1"] <= 1
    assert oracle["arms"]["oracle"]["f1"] >= 2 / 3


def test_report_is_self_contained_html_with_plots(results, tmp_path):
    out, _ = results
    page = report.write(out, tmp_path, "→ RAG\n  - R2: citations are required").read_text()
    assert page.count("<img") == 4 and page.count("data:image/png;base64,") == 4
    assert "http" not in page.replace("http-equiv", "")
    assert "→ RAG" in page and "<td><b>ft+rag</b></td>" in page
    assert "Abstention on the 1 unanswerable questions" in page
    assert "rag: precision 1.000, recall 1.000, F1 1.000" in page


def test_the_report_plots_the_threshold_curve_and_skips_abstention_without_unanswerables(results, tmp_path):
    out, _ = results
    curve = [{"threshold": t, "precision": p, "recall": r} for t, p, r in ((0.0, 0.5, 1.0), (1.0, 1.0, 0.5))]
    page = report.write(out | {"abstention_curve": {"ft+rag": curve}}, tmp_path).read_text()
    assert 'alt="abstention precision and recall"' in page and page.count("<img") == 5
    page = report.write(out | {"unanswerable": 0}, tmp_path).read_text()
    assert "Abstention on" not in page and page.count("<img") == 4


def test_question_files_squad_and_jsonl(tmp_path):
    squad = {
        "data": [
            {
                "title": "T",
                "paragraphs": [
                    {
                        "context": "C one.",
                        "qas": [
                            {"id": "a", "question": "Q?", "answers": [{"text": "one", "answer_start": 2}]},
                            {"id": "b", "question": "Z?", "answers": [], "is_impossible": True},
                        ],
                    }
                ],
            }
        ]
    }
    (tmp_path / "s.json").write_text(json.dumps(squad))
    qs = load(tmp_path / "s.json")
    assert [(q.id, q.answers, q.source, q.impossible) for q in qs] == [
        ("a", ["one"], "p0000.txt", False),
        ("b", [], "p0000.txt", True),
    ]
    (tmp_path / "q.jsonl").write_text('{"question": "Q?", "answers": ["x"], "source": "a.md"}\n{"question": 3}\n')
    with pytest.raises(Exception, match=r"q.jsonl:2: expected"):
        load(tmp_path / "q.jsonl")


def test_cli_eval_and_advise(tmp_path, demo_ws):
    from ragtune import cli

    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"question": "Who manages the Oslo store?", "answers": ["Magnus Berg"], "source": "stores.sqlite"})
        + "\n"
    )
    original = cli._workspace
    cli._workspace = lambda ctx: demo_ws
    try:
        result = CliRunner().invoke(
            cli.main,
            ["eval", str(questions), "--arms", "base,rag", "--report", str(tmp_path / "r")],
            catch_exceptions=False,
        )
    finally:
        cli._workspace = original
    assert result.exit_code == 0 and "rag" in result.output
    saved = json.loads((tmp_path / "r" / "results.json").read_text())
    assert saved["arms"]["rag"]["f1"] == 1.0
    advice = CliRunner().invoke(
        cli.main,
        ["advise", "--results", str(tmp_path / "r" / "results.json"), "--data-changes", "daily", "--needs-citations"],
    )
    assert advice.exit_code == 0 and advice.output.startswith("→ RAG")
    assert "measured on your 1 questions" in advice.output


def test_an_optional_judge_adds_a_column(demo_ws):
    from ragtune.evaluate.run import judge, score_row
    from ragtune.generate.answer import Answer

    qs = [Question("1", "Who manages the Bergen store?", ["Ingrid Solheim"]), Question("2", "Who?", ["x"])]
    rows = [
        score_row("rag", qs[0], Answer("Ingrid Solheim", False), 0.1),
        score_row("rag", qs[1], Answer("I could not find this.", True), 0.1),
    ]
    judge(demo_ws.llm, qs, rows)
    assert rows[0].judged in (0.0, 1.0) and rows[1].judged == 0.0
