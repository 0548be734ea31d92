"""`ragtune demo` end to end, as a user runs it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ragtune.demo.corpus import EVAL, SUPPORT_LOG
from ragtune.demo.run import write_support_log
from ragtune.finetune.data import read_jsonl

pytestmark = pytest.mark.slow  # the whole demo with the real models


def test_demo_runs_the_whole_mission(tmp_path):
    cmd = [sys.executable, "-m", "ragtune.cli", "demo", "--dir", str(tmp_path / "demo"), "--steps", "6"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "ingested 7, unchanged 0, updated 0, removed 0, failed 0" in out
    assert "Ingrid Solheim [1]" in out and "corpus/stores.sqlite" in out
    assert "I could not find this in the indexed documents." in out
    follow_up = out.split("Q: And the one in Oslo?")[1].split("Q: ")[0]
    assert "(answered as: Who manages the Oslo store?)" in follow_up and "Magnus Berg [1]" in follow_up
    near_miss = out.split("Q: Within how many days does Alderbrook pay invoices from Polartex?")[1].split("\n\n")[0]
    near_miss = near_miss.strip()
    assert near_miss.startswith("I could not find this") and "Polartex" in near_miss  # the reason names it
    assert "training adapter 2/2" in out  # the learning curve: two shares of the training data
    for arm in ("base", "rag", "ft", "ft+rag"):
        assert f"\n{arm} " in out
    verdict = out.split("4. Recommendation, each reason measured here")[1]
    assert "\n→ " in verdict
    for criterion in ("knowledge:", "changing data", "terminology and phrasing", "amount of data:", "transparency"):
        assert f"  - {criterion}" in verdict  # a measured reason for each criterion of the guide
    assert "after 5 of your facts changed" in verdict
    assert (tmp_path / "demo" / "compare" / "report.html").exists()
    assert (tmp_path / "demo" / "compare" / "questions.jsonl").exists()


def test_support_log_trains_on_other_wordings_of_the_tested_facts(tmp_path):
    rows = read_jsonl(write_support_log(tmp_path / "log.jsonl"))
    assert len(rows) == len(SUPPORT_LOG)
    trained = {r["question"].lower() for r in rows}
    answers = {r["answer"] for r in rows}
    for question, gold, _ in EVAL:
        assert question.lower() not in trained  # the ft arm is tested on new wordings only
        assert not gold or gold[-1] in answers  # ... of facts the log teaches
