"""Issue-10 benchmark: build time, search latency, ANN recall and memory of a vector store at 10k–1M chunks.

    python bench/scale.py                          # 10k and 100k chunks, the embedded LanceDB store
    python bench/scale.py --chunks 1000000 --recall-vectors 0 --out scale-lancedb-1m   # 1M chunks (4.1M rows)
    python bench/scale.py --store postgresql://postgres@127.0.0.1:5433/postgres   # a running PostgreSQL + pgvector
    python bench/scale.py --store milvus://                                       # Milvus Lite (a file per build)

Each chunk comes with 3 sentence rows and every 10 chunks with a document summary, as `ragtune ingest`
writes them, so 100k chunks are 410k rows. Speed is measured on synthetic text (Zipf-distributed words)
with clustered vectors; the query is embedded by the real MiniLM each time (its cost is in the numbers).
ANN recall@10 against exact search is measured on real embeddings: MiniLM vectors of prose sentences found
on this machine (Python docstrings), queried with SQuAD training questions; see `real_vectors`.
Writes bench/results/scale-<backend>.json.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import peak_rss_mb, percentile, save, table

from ragtune import Settings, Workspace
from ragtune.index.base import Filter
from ragtune.index.factory import create_store
from ragtune.retrieve.retriever import MODES

DIM = 384
CHUNKS_PER_DOC = 10
SENTENCES_PER_CHUNK = 3
WORDS_PER_SENTENCE = 25
SYLLABLES = "ka lo mi ne ru sa ti vo ba de fi gu ha je ko lu ma no pe qui ra se to ul ve xa yo ze".split()


def vocabulary(n: int, rng: np.random.Generator) -> np.ndarray:
    words = {"".join(rng.choice(SYLLABLES, size=rng.integers(2, 5))) for _ in range(n * 2)}
    return np.array(sorted(words)[:n])


class Synthetic:
    """Documents of Zipf-distributed words with clustered unit vectors, in the rows `ragtune ingest` writes."""

    def __init__(self, seed: int = 0, clusters: int = 2000):
        self.rng = np.random.default_rng(seed)
        self.words = vocabulary(30_000, self.rng)
        self.centres = self._unit(self.rng.standard_normal((clusters, DIM)))

    @staticmethod
    def _unit(v: np.ndarray) -> np.ndarray:
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)

    def _vectors(self, n: int) -> np.ndarray:
        centre = self.centres[self.rng.integers(0, len(self.centres), n)]
        return self._unit(centre + 0.08 * self.rng.standard_normal((n, DIM)).astype(np.float32))

    def _sentence(self) -> str:
        ranks = np.minimum(self.rng.zipf(1.2, WORDS_PER_SENTENCE), len(self.words)) - 1
        return " ".join(self.words[ranks]).capitalize() + "."

    def documents(self, first: int, count: int) -> list[dict]:
        """Rows of documents `first` … `first + count - 1`."""
        rows = []
        for d in range(first, first + count):
            doc_id = f"doc{d:07d}"
            base = {"doc_id": doc_id, "source": f"corpus/{doc_id}.txt", "type": "text", "heading": "", "records": "[]"}
            summary = self._sentence()
            rows.append(
                base
                | {"id": f"{doc_id}:summary", "kind": "summary", "parent": "", "ordinal": -1, "locator": "summary"}
                | {"text": summary, "search_text": summary}
            )
            for c in range(CHUNKS_PER_DOC):
                sentences = [self._sentence() for _ in range(SENTENCES_PER_CHUNK)]
                chunk_id, text = f"{doc_id}:{c}", " ".join(sentences)
                rows.append(
                    base
                    | {"id": chunk_id, "kind": "chunk", "parent": "", "ordinal": c, "locator": f"lines {c}"}
                    | {"text": text, "search_text": text}
                )
                rows += [
                    base
                    | {"id": f"{chunk_id}:{j}", "kind": "sentence", "parent": chunk_id, "ordinal": j}
                    | {"locator": f"lines {c}", "text": s, "search_text": ""}
                    for j, s in enumerate(sentences)
                ]
        for row, vec in zip(rows, self._vectors(len(rows)), strict=True):
            row["vector"] = vec
        return rows

    def queries(self, n: int) -> list[str]:
        """Questions made of a chunk's rarer words, so that keyword search has something to find."""
        out = []
        for _ in range(n):
            words = self._sentence().rstrip(".").split()
            out.append("what is " + " ".join(sorted(set(words), key=len)[-4:]).lower())
        return out


def write(ws: Workspace, rows: list[dict]) -> None:
    """Rows into the store and their documents into the manifest, as an ingest batch does."""
    ws.store.replace([], rows)
    docs = [
        r | {"path": r["source"], "hash": "", "title": "", "summary": r["text"], "chunks": CHUNKS_PER_DOC}
        for r in rows
        if r["kind"] == "summary"
    ]
    ws.catalog.record(docs, {})


def build(ws: Workspace, chunks: int, data: Synthetic, batch_docs: int = 500) -> dict:
    """Write `chunks` chunks (with their sentences and summaries) in ingest-sized batches, then index."""
    docs = chunks // CHUNKS_PER_DOC
    write_s = 0.0
    for first in range(0, docs, batch_docs):
        rows = data.documents(first, min(batch_docs, docs - first))
        t = time.perf_counter()
        write(ws, rows)
        write_s += time.perf_counter() - t
    t = time.perf_counter()
    ws.store.refresh()
    index_s = time.perf_counter() - t
    more = max(1, docs // 100)  # 1 % more documents: must not cost a full rebuild
    rows = data.documents(docs, more)
    t = time.perf_counter()
    write(ws, rows)
    ws.store.refresh()
    incremental_s = time.perf_counter() - t
    return {"rows": ws.store.count(), "write_s": write_s, "index_s": index_s, "add_1pct_s": incremental_s}


def reuse_or_build(ws: Workspace, root: Path, chunks: int, data: Synthetic) -> dict:
    """`build`, or a kept build's figures (`--keep` writes them beside the store) to measure search again."""
    done = root / "build.json"
    if done.exists():
        return json.loads(done.read_text()) | {"reused_build": str(root)}
    built = build(ws, chunks, data)
    done.write_text(json.dumps(built))
    return built


def latency(ws: Workspace, queries: list[str]) -> list[dict]:
    retriever = ws.retriever
    for q in queries[:5]:
        retriever.search(q)  # warm caches and the model
    out = []
    for mode in MODES:
        times = []
        for q in queries:
            t = time.perf_counter()
            retriever.search(q, top_k=5, mode=mode)
            times.append(1000 * (time.perf_counter() - t))
        out.append({"mode": mode, "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95)})
    return out


def docstring_sentences(limit: int) -> list[str]:
    """Distinct prose sentences from the docstrings of the Python files installed here (real English text)."""
    seen: dict[str, None] = {}
    roots = [Path(np.__file__).parents[1], Path(ast.__file__).parent]
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            try:
                tree = ast.parse(path.read_text(errors="ignore"))
            except (SyntaxError, ValueError, RecursionError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 60:
                    for s in re.split(r"(?<=[.!?])\s+", " ".join(node.value.split())):
                        if 40 <= len(s) <= 300 and s.count(" ") >= 6 and not re.search(r"[>{}=\\]|\(\)", s):
                            seen[s] = None
                            if len(seen) >= limit:
                                return list(seen)
    return list(seen)


def real_vectors(n: int, cache: Path) -> tuple[np.ndarray, np.ndarray]:
    """MiniLM vectors of `n` real sentences and of SQuAD training questions (cached: embedding takes minutes)."""
    if cache.exists():
        z = np.load(cache)
        if len(z["corpus"]) >= n:
            return z["corpus"][:n], z["queries"]
    from ragtune.index.factory import create_embedder

    emb = create_embedder("minilm")
    texts = docstring_sentences(n)
    squad = Path(__file__).resolve().parents[2] / "shared" / "data" / "squad2-train-10-articles.json"
    questions = [
        q["question"] for a in json.loads(squad.read_text())["data"] for p in a["paragraphs"] for q in p["qas"]
    ]
    corpus = np.concatenate([emb.embed(texts[i : i + 4096]) for i in range(0, len(texts), 4096)])
    queries = emb.embed(questions[::10][:300])
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, corpus=corpus, queries=queries)
    return corpus, queries


def collection(spec: str, name: str) -> str:
    """A server store's spec with its own collection (tables) for one run; the embedded store is a folder."""
    if "://" not in spec:
        return spec
    return f"{spec}{'&' if '?' in spec else '?'}collection={name}_{os.getpid()}"


def recall(spec: str, root: Path, corpus: np.ndarray, queries: np.ndarray) -> dict:
    """ANN recall@10 against exact (brute-force) cosine search, on real embeddings, through the store's `dense`."""
    store = create_store(collection(spec, "recall"), root, DIM, ann_threshold=1)
    rows = [
        {"id": f"r{i}", "doc_id": f"d{i // 10}", "source": "", "type": "text", "kind": "chunk", "parent": ""}
        | {"ordinal": 0, "locator": "", "heading": "", "text": "", "search_text": "", "records": "[]", "vector": v}
        for i, v in enumerate(corpus)
    ]
    for i in range(0, len(rows), 50_000):
        store.replace([], rows[i : i + 50_000])
    store.refresh()
    exact = np.argsort(-(queries @ corpus.T), axis=1)[:, :10]
    found, times = [], []
    for q, truth in zip(queries, exact, strict=True):
        t = time.perf_counter()
        hits = store.dense(q, 10, [Filter.eq("kind", "chunk")])
        times.append(1000 * (time.perf_counter() - t))
        found.append(len({int(h.row["id"][1:]) for h in hits} & set(truth.tolist())) / 10)
    return {"vectors": len(corpus), "recall@10": float(np.mean(found)), "dense_p50_ms": float(np.median(times))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default="lancedb", help="vector store spec (lancedb, postgresql://…, milvus://…)")
    ap.add_argument("--chunks", type=int, nargs="*", default=[10_000, 100_000], help="none: recall only")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--recall-vectors", type=int, default=100_000, help="real embeddings for recall (0: skip)")
    ap.add_argument("--keep", type=Path, help="build under this folder and keep it; a kept build is reused")
    ap.add_argument("--out", help="results name (default scale-<backend>)")
    args = ap.parse_args()
    data = Synthetic()
    queries = data.queries(args.queries)
    results = []
    for n in args.chunks:
        root = args.keep / f"{n}" if args.keep else Path(tempfile.mkdtemp(prefix=f"ragtune-scale-{n}-"))
        ws = Workspace(Settings(store=root / "store", vector_store=collection(args.store, f"scale{n}")))
        built = reuse_or_build(ws, root, n, data)
        modes = latency(ws, queries)
        results.append({"chunks": n, **built, "search": modes, "peak_rss_mb": peak_rss_mb()})
        print(
            table([{"chunks": n, **built, **{f"{m['mode']}_p50": m["p50_ms"] for m in modes}}], list(results[-1])[:5])
        )
        print(table(modes, ["mode", "p50_ms", "p95_ms"]))
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    payload = {"store": args.store, "queries": len(queries), "scales": results}
    if args.recall_vectors:
        corpus, qv = real_vectors(args.recall_vectors, Path(tempfile.gettempdir()) / "ragtune-scale-real.npz")
        root = Path(tempfile.mkdtemp(prefix="ragtune-recall-"))
        payload["recall"] = recall(args.store, root, corpus, qv)
        shutil.rmtree(root, ignore_errors=True)
        print(table([payload["recall"]], list(payload["recall"])))
    scheme = args.store.split(":")[0]
    backend = {"postgres": "postgresql"}.get(scheme, scheme)
    print("wrote", save(args.out or f"scale-{backend}", payload))


if __name__ == "__main__":
    main()
