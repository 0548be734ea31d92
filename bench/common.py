"""Shared bench helpers: a workspace over a SQuAD subset, a `ragtune serve` process, printing and saving."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import squad
from readers import machine

from ragtune import Settings, Workspace
from ragtune.memory import peak_rss_mb  # noqa: F401  (the benches' one measure of it)

RESULTS = Path(__file__).resolve().parent / "results"
# bench/wording.py's organisations; the brewery was written and run once, unchanged code, in the sixteenth session
WORDING_PARTS = {"dev": ["clinic", "municipality", "logistics", "brewery"], "test": ["hotels", "arts"]}
TEST_ORGS = set(WORDING_PARTS["test"])  # nothing fitted or trained may read these


def squad_workspace(name: str, store: Path | None = None) -> tuple[Workspace, list[str], list[dict], dict]:
    """Ingest a SQuAD subset (one text file per paragraph); returns workspace, file names, questions, timings."""
    paragraphs, questions = squad.load(name)
    root = store or Path(tempfile.mkdtemp(prefix=f"ragtune-{name}-"))
    names = squad.write_corpus(paragraphs, root / "corpus")
    ws = Workspace(Settings(store=root / "store"))
    ws.embedder  # noqa: B018 - load before timing the ingest
    t = time.perf_counter()
    report = ws.ingest([root / "corpus"])
    seconds = time.perf_counter() - t
    return ws, names, questions, {"ingest_s": seconds, "chunks": report.chunks, "paragraphs": len(paragraphs)}


def ingest_squad(root: Path, data: dict, settings: Settings) -> tuple[Workspace, Path]:
    """A workspace over a SQuAD dict's paragraphs (one text file each, ingested once); the dict's JSON file."""
    from ragtune.evaluate.questions import paragraphs

    root.mkdir(parents=True, exist_ok=True)
    path = root / "squad.json"
    path.write_text(json.dumps(data))
    ws = Workspace(settings)
    corpus = root / "corpus"
    if not corpus.exists():
        squad.write_corpus(paragraphs(path), corpus)
        ws.ingest([corpus])
    return ws, path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, port: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`ragtune serve` over `store` on loopback, in its own process; returns once /health answers."""
    cmd = [sys.executable, "-m", "ragtune.cli", "serve", "--store", str(store), "--port", str(port)]
    return start_process(cmd, f"http://127.0.0.1:{port}/health", 120, env)


def start_process(cmd: list[str], ready_url: str, timeout_s: float, env: dict[str, str] | None = None):
    """A server process, returned once `ready_url` answers 200 (killed and reported if it never does)."""
    proc = subprocess.Popen(cmd, env=os.environ | (env or {}), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + timeout_s
    while time.time() < deadline and proc.poll() is None:
        try:
            if httpx.get(ready_url, timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{' '.join(cmd[:4])} did not start (exit {proc.poll()}, {ready_url})")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), interpolated."""
    return float(np.percentile(values, q))


def save(name: str, payload: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload | {"machine": machine()}, indent=2))
    return path


def wilson(k: int, n: int) -> list[float]:
    """The 95 % Wilson score interval of k successes in n trials (scipy), rounded to 3 places."""
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return [round(float(ci.low), 3), round(float(ci.high), 3)]


def table(rows: list[dict], columns: list[str]) -> str:
    """A plain-text table."""
    cells = [[f"{r[c]:.3f}" if isinstance(r[c], float) else str(r[c]) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def confusable_attributes(k: int) -> dict[str, list[str]] | None:
    """The record generator's confusable attributes by the bundled embedder (`record_examples.confusable`);
    None for k = 0."""
    if not k:
        return None
    from ragtune.finetune.record_examples import confusable
    from ragtune.index.factory import create_embedder

    return confusable(create_embedder("minilm", home=Settings().home).embed, k)
