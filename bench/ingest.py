"""Issue-10 §3 benchmark: streaming ingest against the embedder alone, and memory as the corpus grows.

    python bench/ingest.py                                   # ~15 min on 2 cores
    python bench/ingest.py --prose 500 --notes 1000 10000    # quicker

1. Throughput: `--prose` Markdown documents of real English sentences (docstrings of the Python files
   installed here), ingested with parsing processes (`workers` 0: one per core) and in one process
   (`workers` 1). Every batch of texts the ingest embeds is recorded; the same batches are then embedded
   again by the embedder alone. Ingest throughput = texts embedded / ingest time, with the final index
   build (`refresh`) and without it; the target is ≥ 80 % of the embedder's own.
2. Memory: `--notes` corpora of short notes (1k … 50k files), each ingested by a fresh process; the peak
   memory of that process and its (forked) parsing processes together, sampled every 50 ms as proportional
   set size (PSS: pages shared with the parent are counted once). Flat means
   the ingest streams.

Writes bench/results/ingest.json.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import save, table
from scale import docstring_sentences

from ragtune import Settings, Workspace


def prose_corpus(folder: Path, docs: int, seed: int = 0) -> None:
    """Markdown files: a title and two paragraphs of 3–5 real sentences each."""
    rng = random.Random(seed)
    sentences = [s for s in docstring_sentences(20_000) if s.isprintable()]  # (one holds a NUL byte)
    folder.mkdir(parents=True)
    for d in range(docs):
        paragraphs = [" ".join(rng.sample(sentences, rng.randint(3, 5))) for _ in range(2)]
        (folder / f"doc{d:05d}.md").write_text(f"# Document {d}\n\n" + "\n\n".join(paragraphs) + "\n")


def notes_corpus(folder: Path, docs: int) -> None:
    """Short text files, one fact each, in folders of 1,000."""
    for d in range(docs):
        sub = folder / f"part{d // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        fact = f"Item {d} is stored on shelf {d % 97} in aisle {d % 13} of hall {d % 7}."
        (sub / f"note{d:06d}.txt").write_text(fact + "\n")


class Recorder:
    """Wraps an embedder's `embed`, keeping each batch of texts and the time spent in it."""

    def __init__(self, embedder):
        self.embedder, self.inner = embedder, embedder.embed
        self.batches: list[list[str]] = []
        self.seconds = 0.0
        embedder.embed = self

    def __call__(self, texts: list[str]):
        t = time.perf_counter()
        out = self.inner(texts)
        self.seconds += time.perf_counter() - t
        self.batches.append(list(texts))
        return out


def throughput(root: Path, workers: int) -> dict:
    store = root / f"store-w{workers}"
    ws = Workspace(Settings(store=store))
    ws.settings.chunk.workers = workers
    recorder = Recorder(ws.embedder)
    refresh = ws.store.refresh
    timing = {}

    def timed_refresh() -> None:
        t = time.perf_counter()
        refresh()
        timing["refresh_s"] = time.perf_counter() - t

    ws.store.refresh = timed_refresh
    t = time.perf_counter()
    report = ws.ingest([root / "prose"])
    total = time.perf_counter() - t
    texts = sum(len(b) for b in recorder.batches)
    t = time.perf_counter()
    for batch in recorder.batches:  # the embedder alone, on exactly what the ingest embedded
        recorder.inner(batch)
    alone = time.perf_counter() - t
    streaming = total - timing["refresh_s"]
    shutil.rmtree(store, ignore_errors=True)
    return {
        "workers": workers or "per core",
        "files": report.ingested,
        "texts_embedded": texts,
        "ingest_s": round(total, 1),
        "refresh_s": round(timing["refresh_s"], 1),
        "embedder_alone_texts_s": round(texts / alone, 1),
        "ingest_texts_s": round(texts / streaming, 1),
        "ingest_with_index_texts_s": round(texts / total, 1),
        "share_of_embedder": round(alone / streaming, 3),
        "share_with_index": round(alone / total, 3),
    }


def child(folder: Path, store: Path) -> None:
    """One ingest in this process; prints its peak memory (this process and its children, PSS) as JSON, while
    streaming files into the store and while building the indexes at the end (`refresh`)."""
    me = psutil.Process()
    peak = {"streaming": 0, "refresh": 0}
    phase = ["streaming"]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                total = sum(p.memory_full_info().pss for p in [me, *me.children(recursive=True)])
                peak[phase[0]] = max(peak[phase[0]], total)
            except psutil.Error:
                pass
            stop.wait(0.05)

    ws = Workspace(Settings(store=store))
    ws.embedder  # noqa: B018 - the model is loaded before the sampling starts, as it is for any ingest
    refresh = ws.store.refresh

    def marked_refresh() -> None:
        phase[0] = "refresh"
        refresh()

    ws.store.refresh = marked_refresh
    threading.Thread(target=sample, daemon=True).start()
    t = time.perf_counter()
    report = ws.ingest([folder])
    seconds = time.perf_counter() - t
    stop.set()
    print(json.dumps({"files": report.ingested, "failed": report.failed, "ingest_s": seconds, **peak}))


def memory(root: Path, sizes: list[int]) -> list[dict]:
    out = []
    for n in sizes:
        folder, store = root / f"notes{n}", root / f"store-notes{n}"
        notes_corpus(folder, n)
        cmd = [sys.executable, __file__, "--child", str(folder), str(store)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        got = json.loads(done.stdout.strip().splitlines()[-1])
        out.append(
            {
                "files": n,
                "ingested": got["files"],
                "ingest_s": round(got["ingest_s"], 1),
                "files_s": round(n / got["ingest_s"], 1),
                "peak_streaming_mb": round(got["streaming"] / 2**20),
                "peak_index_build_mb": round(got["refresh"] / 2**20),
            }
        )
        print(table(out[-1:], list(out[-1])))
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(store, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prose", type=int, default=1000, help="documents for the throughput test")
    ap.add_argument("--notes", type=int, nargs="+", default=[1000, 10_000, 50_000], help="corpus sizes for memory")
    ap.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    root = Path(tempfile.mkdtemp(prefix="ragtune-bench-ingest-"))
    try:
        prose_corpus(root / "prose", args.prose)
        rates = [throughput(root, w) for w in (0, 1)]
        print(table(rates, list(rates[0])))
        sizes = memory(root, args.notes)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print("wrote", save("ingest", {"prose_documents": args.prose, "throughput": rates, "memory": sizes}))


if __name__ == "__main__":
    main()
