"""Keys never leak: not in output, logs, errors, results.json, report.html, the manifest or adapter lineage."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ragtune.cli import main
from ragtune.endpoint import redact
from ragtune.serve.app import create_app
from tests.serve.server import Server

KEY = "sk-leak-canary-5150"


@pytest.fixture(scope="module")
def keyed(demo_ws):
    s = Server(create_app(demo_ws, api_key=KEY))
    yield s
    s.stop()


def files_text(folder) -> str:
    return "".join(p.read_bytes().decode("latin-1") for p in folder.rglob("*") if p.is_file())


def test_an_endpoint_key_stays_out_of_everything_ragtune_writes(keyed, tmp_path, corpus, monkeypatch):
    monkeypatch.setenv("RAGTUNE_ENDPOINT__API_KEY", KEY)
    monkeypatch.setenv("RAGTUNE_API_KEY", KEY)
    store, out = tmp_path / "store", tmp_path / "out"
    qs = tmp_path / "qs.jsonl"
    qs.write_text(json.dumps({"question": "Who manages the Bergen store?", "answers": ["Ingrid Solheim"]}) + "\n")
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(corpus / "faq.html"), "--store", str(store)]).exit_code == 0
    llm = f"openai:ragtune-rag@{keyed.url}/v1"
    result = runner.invoke(
        main, ["eval", str(qs), "--arms", "rag", "--llm", llm, "--store", str(store), "--report", str(out), "-v"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "results.json").exists() and (out / "report.html").exists()
    assert KEY not in result.output and KEY not in files_text(out) and KEY not in files_text(store)
    data = tmp_path / "facts.jsonl"
    data.write_text(json.dumps({"question": "Code of unit A?", "answer": "A-1"}) + "\n")
    assert runner.invoke(main, ["data", "add", str(data), "--store", str(store)]).exit_code == 0
    trained = runner.invoke(main, ["finetune", "--max-steps", "1", "--quiet", "--store", str(store)])
    assert trained.exit_code == 0, trained.output
    assert KEY not in trained.output and KEY not in files_text(store / "adapters")


def test_a_rejected_key_and_a_url_with_credentials_are_not_echoed(keyed, monkeypatch, tmp_path, corpus):
    monkeypatch.setenv("RAGTUNE_ENDPOINT__API_KEY", "sk-wrong-canary-77")
    runner, store = CliRunner(), str(tmp_path / "s")
    assert runner.invoke(main, ["ingest", str(corpus / "faq.html"), "--store", store]).exit_code == 0
    result = runner.invoke(
        main,
        [
            "ask",
            "How long does delivery to Iceland take?",
            "--store",
            store,
            "--llm",
            f"openai:ragtune-rag@{keyed.url}/v1",
        ],
    )
    assert result.exit_code == 3 and "answered 401" in result.output
    assert "sk-wrong-canary-77" not in result.output
    assert redact("openai:m@https://alice:hunter2@llm.example/v1") == "openai:m@https://***@llm.example/v1"
