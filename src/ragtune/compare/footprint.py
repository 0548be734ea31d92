"""What one arm costs to serve on its own: a fresh process loads it and answers one question.

A comparison answers with every arm in one process, whose peak memory holds all their models at once; it says
nothing about any arm alone. Here each arm runs in a child process of its own (`python -m
ragtune.compare.footprint`, the settings and the arm on stdin), which reports its peak resident memory; the parent
times it from start to answer: the cold start a user of that arm waits through.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import asdict

from ragtune.config import Settings
from ragtune.errors import RagtuneError
from ragtune.generate.arms import Arm
from ragtune.memory import peak_rss_mb


def measure(settings: Settings, arm: Arm, question: str, timeout: float = 600.0) -> dict:
    """`{"peak_rss_mb", "cold_s"}` of a fresh process serving `arm` over `settings`' store for one question."""
    job = {"settings": settings.model_dump(mode="json"), "arm": asdict(arm), "question": question}
    job["settings"]["api_key"] = settings.api_key.get_secret_value() if settings.api_key else None
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ragtune.compare.footprint"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    cold = time.perf_counter() - t
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RagtuneError(f"serving the {arm.name} arm alone failed: {last}")
    child = json.loads(done.stdout.strip().splitlines()[-1])
    return {"peak_rss_mb": child["peak_rss_mb"], "cold_s": round(cold, 2)}


def measure_all(settings: Settings, arms: list[Arm], question: str) -> dict[str, dict]:
    """`measure` for each arm, one after the other: a process that answers holds the store's table file (DuckDB
    lets one process write it), so the caller closes its own connection first."""
    return {a.name: measure(settings, a, question) for a in arms}


def serve_one(job: dict) -> dict:
    """The child's work: load the arm, answer the question, report this process's peak memory."""
    from ragtune.workspace import Workspace

    ws = Workspace(Settings(**job["settings"]))
    ans = ws.answerer(Arm(**job["arm"])).ask(job["question"])
    return {"peak_rss_mb": peak_rss_mb(), "abstained": ans.abstained}


if __name__ == "__main__":
    from ragtune.console import quiet_libraries

    quiet_libraries()
    print(json.dumps(serve_one(json.loads(sys.stdin.read()))))
