"""`ragtune demo` end to end, as a user runs it."""

from __future__ import annotations

import subprocess
import sys


def test_demo_runs_the_whole_mission(tmp_path):
    cmd = [sys.executable, "-m", "ragtune.cli", "demo", "--dir", str(tmp_path / "demo"), "--steps", "6"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "ingested 7, unchanged 0, updated 0, removed 0, failed 0" in out
    assert "Ingrid Solheim [1]" in out and "corpus/stores.sqlite" in out
    assert "I could not find this in the indexed documents." in out
    assert "adapter demo: 6 steps" in out
    for arm in ("base", "rag", "ft", "ft+rag"):
        assert f"\n{arm} " in out
    assert "\n→ " in out and (tmp_path / "demo" / "report" / "report.html").exists()
