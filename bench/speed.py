"""Issue-28 benchmark: what a user waits for, each beside its reference measured in the same run.

    python bench/speed.py                     # all sections, ~10 min on 2 cores
    python bench/speed.py --only cold         # cold `ragtune search` / `ask` / `--help` on the demo store
    python bench/speed.py --only ingest       # ingest against plain sentence-transformers on the same texts
    python bench/speed.py --only quality      # SQuAD dev retrieval: ONNX fp32 (and int8) against PyTorch
    python bench/speed.py --only answer       # a warm answer: spans ranked by answer fit against the best span alone
    python bench/speed.py --only check        # a warm answer with the Qwen check (answer.check) against without

1. **cold**: `ragtune --help`, `ragtune search` and `ragtune ask` (the span reader) as new processes on a demo
   store, median wall time and peak RSS of 5 runs each (warm disk cache), and which heavy libraries each
   imported. Reference in the same run: `python -c pass` (the interpreter alone).
2. **ingest**: `--paragraphs` SQuAD training paragraphs (one text file each) are ingested into a new store; the
   texts the ingest embedded (chunks, sentences, summaries) are then embedded by plain sentence-transformers
   (`SentenceTransformer.encode`, PyTorch, which sorts by length, batch 32). Ratio = library time / ingest
   time (≥ 0.90 is the target). The embedder's tokens/s is printed against a FLOP estimate of this CPU.
3. **quality**: hit@1 and MRR@10 of hybrid and dense search on the SQuAD dev file (Super Bowl 50), with the
   store embedded by PyTorch, by the ONNX export, and by its int8 twin (`minilm+int8`), with each embedder's
   paragraphs/s on the same corpus (whole paragraphs: the long end of what an ingest embeds).
4. **answer**: one warm `ask` at a time with the span reader on the same file's questions, its three best spans
   per passage ranked by answer fit (as shipped) against the best span of each alone (`kind_weight` 0), the two
   interleaved question by question in one process; median and p95 ms and their ratio.

Writes bench/results/speed.json (sections run now replace those in the file).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import squad
from common import RESULTS, machine, peak_rss_mb, percentile, table
from ingest import Recorder  # keeps each batch of texts an embedder is asked for

from ragtune import Settings, Workspace

HEAVY = ("torch", "transformers", "sentence_transformers", "peft")
PROBE = """
import runpy, sys, time
t = time.perf_counter()
sys.argv = {argv!r}
try:
    runpy.run_module("ragtune.cli", run_name="__main__")
except SystemExit:
    pass
heavy = [m for m in {heavy!r} if m in sys.modules]
peak = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM:"))  # not inherited
print("@@", time.perf_counter() - t, peak, ",".join(heavy), file=sys.stderr)
"""


def run_cold(argv: list[str]) -> dict:
    """One new process: wall time (process start to exit), peak RSS and heavy imports."""
    code = PROBE.format(argv=["ragtune", *argv], heavy=HEAVY)
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - t
    line = next((x for x in done.stderr.splitlines() if x.startswith("@@")), None)
    if line is None:
        raise RuntimeError(f"ragtune {' '.join(argv)} failed: {done.stderr[-800:]}")
    _, _, rss_kb, heavy = [*line.split(" "), ""][:4]
    return {"wall_s": wall, "rss_mb": int(rss_kb) / 1024, "heavy": heavy}


def cold(store: Path, runs: int) -> list[dict]:
    """Median wall time and RSS of each command over `runs` new processes, after one warm-up run each."""
    commands = {
        "python -c pass (reference)": None,
        "ragtune --help": ["--help"],
        "ragtune search": ["--store", str(store), "search", "How long is the warranty on tents?"],
        "ragtune ask (span reader)": ["--store", str(store), "ask", "How long is the warranty on tents?"],
    }
    rows = []
    for name, argv in commands.items():
        samples = []
        for i in range(runs + 1):
            if argv is None:
                t = time.perf_counter()
                subprocess.run([sys.executable, "-c", "pass"], check=True)
                sample = {"wall_s": time.perf_counter() - t, "rss_mb": 0.0, "heavy": ""}
            else:
                sample = run_cold(argv)
            if i:  # the first run warms the disk cache and writes any export
                samples.append(sample)
        rows.append(
            {
                "command": name,
                "wall_s": round(statistics.median(s["wall_s"] for s in samples), 2),
                "rss_mb": round(statistics.median(s["rss_mb"] for s in samples)),
                "heavy_imports": samples[-1]["heavy"] or "none",
            }
        )
    return rows


def demo_store(root: Path) -> Path:
    """The demo corpus ingested into a new store (what `ragtune demo` builds first)."""
    from ragtune.demo.corpus import build

    corpus = build(root / "corpus")
    Workspace(Settings(store=root / "store")).ingest([corpus])
    return root / "store"


def flops_per_token(layers: int = 6, hidden: int = 384, ffn: int = 1536, tokens: int = 128) -> float:
    """Multiply-adds ×2 of one token through a BERT encoder: projections, feed-forward and attention."""
    return 2 * layers * (4 * hidden * hidden + 2 * hidden * ffn + 2 * tokens * hidden)


def cpu_peak_gflops() -> float:
    """A rough peak for this CPU: cores × GHz × fp32 FLOPs per cycle (2 FMA units × the vector width)."""
    flags = Path("/proc/cpuinfo").read_text()
    width = 16 if " avx512f" in flags else 8 if " avx2" in flags else 4
    mhz = [float(m) for m in re.findall(r"cpu MHz\s*:\s*([\d.]+)", flags)] or [2000.0]
    return (os.cpu_count() or 1) * max(mhz) / 1000 * 2 * 2 * width


def ingest_child(corpus: Path, store: Path, texts_out: Path) -> None:
    """In a new process: ingest `corpus`, keep the texts embedded, print the embedder's own time and tokens."""
    ws = Workspace(Settings(store=store))
    recorder = Recorder(ws.embedder)
    report = ws.ingest([corpus])
    end = time.time()
    texts = [x for b in recorder.batches for x in b]
    texts_out.write_text(json.dumps(texts))
    t = time.perf_counter()
    recorder.inner(texts)
    alone = time.perf_counter() - t
    tokens = sum(len(e.ids) for e in ws.embedder.encoder.encode_batch(texts)) if hasattr(ws.embedder, "encoder") else 0
    about = {"end": end, "files": report.ingested, "embedder_s": alone, "tokens": tokens}
    about["runtime"] = ws.embedder.runtime_note
    print("@@", json.dumps(about))


def library_child(texts_in: Path) -> None:
    """In a new process: plain sentence-transformers (PyTorch) embeds the texts; prints its encode time."""
    texts = json.loads(texts_in.read_text())
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    from ragtune.index.embedders import model_path

    model = SentenceTransformer(model_path("minilm"), device="cpu")
    t = time.perf_counter()
    model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    print("@@", json.dumps({"encode_s": time.perf_counter() - t, "end": time.time()}))


def child(args: list[str]) -> tuple[float, dict]:
    """Run this script's child mode in a new process: its wall time from start to the end of the measured work,
    and its @@ line."""
    start = time.time()
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("@@ ")), None)
    if line is None:
        raise RuntimeError(f"{args[0]} failed: {done.stderr[-1500:]}")
    info = json.loads(line[3:])
    return info["end"] - start, info


def ingest(root: Path, paragraphs: int, runs: int) -> dict:
    """`--paragraphs` real paragraphs: ingest (a new process, new store) against plain sentence-transformers
    (a new process) on exactly the texts the ingest embedded; the median of `runs` each, alternated."""
    texts_all, _ = squad.load("ten-articles")
    squad.write_corpus(texts_all[:paragraphs], root / "corpus")
    texts = root / "texts.json"
    ours, library = [], []
    for _ in range(runs):
        shutil.rmtree(root / "store", ignore_errors=True)
        ours.append(child(["--child-ingest", str(root / "corpus"), str(root / "store"), str(texts)]))
        library.append(child(["--child-library", str(texts)]))
    wall, info = min(ours, key=lambda r: r[0]) if runs < 3 else sorted(ours, key=lambda r: r[0])[runs // 2]
    lib_wall, lib = sorted(library, key=lambda r: r[0])[runs // 2] if runs >= 3 else min(library, key=lambda r: r[0])
    embedded = len(json.loads(texts.read_text()))
    tokens = info["tokens"]
    return {
        "documents": info["files"],
        "texts_embedded": embedded,
        "tokens": tokens,
        "ingest_wall_s": round(wall, 1),
        "library_wall_s": round(lib_wall, 1),
        "ingest_vs_library": round(lib_wall / wall, 3),
        "embedder_s": round(info["embedder_s"], 1),
        "library_encode_s": round(lib["encode_s"], 1),
        "embedder_vs_library": round(lib["encode_s"] / info["embedder_s"], 3),
        "embedder_tokens_s": round(tokens / info["embedder_s"]),
        "embedder_gflops": round(tokens * flops_per_token() / info["embedder_s"] / 1e9, 1),
        "cpu_peak_gflops_estimate": round(cpu_peak_gflops()),
        "runtime": info["runtime"],
    }


def quality(root: Path, embedders: list[str]) -> list[dict]:
    """SQuAD dev retrieval with the store embedded by each embedder (`torch:minilm` is PyTorch, no export)."""
    from ragtune.evaluate.metrics import gold_rank, retrieval_scores

    paragraphs, questions = squad.load("super-bowl-50")
    questions = [q for q in questions if not q["impossible"]]
    names = squad.write_corpus(paragraphs, root / "corpus")
    rows = []
    for spec in embedders:
        settings = Settings(store=root / spec.replace(":", "-").replace("+", "-"), embedder=spec.split(":")[-1])
        ws = Workspace(settings)
        if spec.startswith("torch:"):
            from ragtune.index.factory import create_embedder

            ws.__dict__["embedder"] = create_embedder(settings.embedder, home=None)
        ws.embedder  # noqa: B018 - loaded (and exported, the first time) before the timing
        t = time.perf_counter()
        ws.ingest([root / "corpus"])
        ingest_s = time.perf_counter() - t
        row = {"embedder": spec, "runtime": ws.embedder.runtime_note, "ingest_s": round(ingest_s, 1)}
        for mode in ("hybrid", "dense"):
            ranks = []
            for q in questions:
                found = ws.retriever.search(q["question"], top_k=10, mode=mode)
                ranks.append(gold_rank([Path(p.source).name for p in found.passages], names[q["paragraph"]]))
            scores = retrieval_scores(ranks)
            row |= {f"{mode} hit@1": round(scores["hit@1"], 4), f"{mode} mrr@10": round(scores["mrr@10"], 4)}
        ws.embedder.embed(paragraphs[:8])
        t = time.perf_counter()
        for _ in range(2):
            ws.embedder.embed(paragraphs)
        row["paragraphs_s"] = round(2 * len(paragraphs) / (time.perf_counter() - t), 1)
        rows.append(row)
    return rows


def answer(root: Path, n: int) -> dict:
    """Warm answer latency with spans ranked by answer fit (shipped) and without (the reference), interleaved."""
    paragraphs, questions = squad.load("super-bowl-50")
    squad.write_corpus(paragraphs, root / "corpus")
    ws = Workspace(Settings(store=root / "store"))
    ws.ingest([root / "corpus"])
    answerer = ws.answerer()
    reader, shipped = answerer.llm, answerer.llm.kind_weight
    asked = [q["question"] for q in questions if not q["impossible"]][:n]
    answerer.ask_many(asked[:5])  # loaded and warm before the timing
    times: dict[float, list[float]] = {shipped: [], 0.0: []}
    for i, question in enumerate(asked):
        for weight in (shipped, 0.0) if i % 2 else (0.0, shipped):
            reader.kind_weight = weight
            t = time.perf_counter()
            answerer.ask_many([question])
            times[weight].append(1000 * (time.perf_counter() - t))
    reader.kind_weight = shipped
    row = {"questions": len(asked), "kind_weight": shipped}
    for name, weight in (("ranked", shipped), ("best span", 0.0)):
        row |= {f"{name} p{q} ms": round(percentile(times[weight], q), 1) for q in (50, 95)}
    return row | {"ratio p50": round(row["ranked p50 ms"] / row["best span p50 ms"], 2)}


def check(root: Path, n: int, model: str = "qwen2.5-coder-1.5b") -> dict:
    """Warm answer latency with the check (generate/check.py) in its default precision, in float32, and without,
    interleaved in one process; and the memory the default adds (measured before the float32 copy is loaded): the
    peak, which counts the fp32 weights' file pages that a bfloat16 load reads through, and what stays resident."""
    import psutil

    def resident_mb() -> float:
        return round(psutil.Process().memory_info().rss / 2**20, 1)

    paragraphs, questions = squad.load("super-bowl-50")
    squad.write_corpus(paragraphs, root / "corpus")
    ws = Workspace(Settings(store=root / "store"))
    ws.ingest([root / "corpus"])
    answerer = ws.answerer()
    asked = [q["question"] for q in questions if not q["impossible"]][:n]
    answerer.ask_many(asked[:3])
    without = peak_rss_mb()
    checkers, peaks, resident = {"none": None}, {}, {"none": resident_mb()}
    for name, precision in (("check", "auto"), ("check float32", "float32")):
        settings = Settings(store=root / "store", answer={"check": model, "check_precision": precision})
        checkers[name] = answerer.check = Workspace(settings).checker
        answerer.ask_many(asked[:3])  # loaded and warm before the timing
        peaks[name] = peak_rss_mb()
        resident[name] = resident_mb()
    times: dict[str, list[float]] = {name: [] for name in checkers}
    checked = 0
    for i, question in enumerate(asked):
        order = list(checkers)[i % 3 :] + list(checkers)[: i % 3]
        for name in order:
            answerer.check = checkers[name]
            t = time.perf_counter()
            (ans,) = answerer.ask_many([question])
            times[name].append(1000 * (time.perf_counter() - t))
            checked += name == "check" and "doubt" in ans.coverage
    precision = str(checkers["check"].llm.model.dtype).removeprefix("torch.")
    row = {"questions": len(asked), "model": model, "precision": precision, "checked": checked}
    for name in checkers:
        row |= {f"{name} p{q} ms": round(percentile(times[name], q), 1) for q in (50, 95)}
    row |= {"ratio p50": round(row["check p50 ms"] / row["none p50 ms"], 2)}
    row |= {"float32 / default p50": round(row["check float32 p50 ms"] / row["check p50 ms"], 2)}
    row |= {"peak_mb_without": without, "peak_mb_with": peaks["check"], "peak_mb_with_float32_too": peak_rss_mb()}
    return row | {f"rss_mb_{k.replace(' ', '_')}": v for k, v in resident.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", choices=["cold", "ingest", "quality", "answer", "check"], action="append")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--paragraphs", type=int, default=173)
    ap.add_argument("--store", type=Path, help="a demo store for the cold runs (default: one built here)")
    ap.add_argument("--no-int8", action="store_true")
    ap.add_argument("--child-ingest", nargs=3, type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--child-library", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_ingest:
        return ingest_child(*args.child_ingest)
    if args.child_library:
        return library_child(args.child_library)
    only = set(args.only or ["cold", "ingest", "quality", "answer"])
    path = RESULTS / "speed.json"
    out = json.loads(path.read_text()) if path.exists() else {}
    root = Path(tempfile.mkdtemp(prefix="ragtune-speed-"))
    try:
        if "cold" in only:
            store = args.store or demo_store(root / "demo")
            out["cold"] = cold(store, args.runs)
            print(table(out["cold"], ["command", "wall_s", "rss_mb", "heavy_imports"]))
        if "ingest" in only:
            out["ingest"] = ingest(root / "ingest", args.paragraphs, max(1, args.runs // 2))
            print(table([out["ingest"]], list(out["ingest"])[:8]))
            print(table([out["ingest"]], list(out["ingest"])[8:]))
        if "quality" in only:
            specs = ["torch:minilm", "minilm", *([] if args.no_int8 else ["minilm+int8"])]
            out["quality"] = quality(root / "quality", specs)
            print(table(out["quality"], list(out["quality"][0])))
        if "answer" in only:
            out["answer"] = answer(root / "answer", 120)
            print(table([out["answer"]], list(out["answer"])))
        if "check" in only:  # not by default: it needs the Qwen wheels (scripts/install.sh --qwen2.5-coder-1.5b)
            out["check"] = check(root / "check", 40)
            print(table([out["check"]], list(out["check"])))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    path.write_text(json.dumps(out | {"machine": machine()}, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
