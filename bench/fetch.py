"""#28 lead: fetch whole rows in the search channels (as the store does) or fuse their ids first and fetch only
the rows that make the top k. Same store, same queries, the two taking turns on each query, with the ratio.

    python bench/fetch.py --chunks 100000 --keep /tmp/scale-keep   # a kept scale.py build is reused

First, where a hybrid search's time goes: each part alone (one query's embedding, each channel with whole rows
and with ids only), the parts taking turns on each query. Then the two ways of fetching, whole searches taking
turns. Writes bench/results/fetch-<chunks>.json. The retriever itself is unchanged by this script.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import percentile, save, table
from scale import Synthetic, reuse_or_build

from ragtune import Settings, Workspace
from ragtune.index.base import Filter
from ragtune.retrieve import retriever as rt


def ids_first(store):
    """The store with its channels asked for ids (and parents) only: `_passages` then fetches the top rows."""

    class View:
        def __getattr__(self, name):
            return getattr(store, name)

        def bm25(self, query, k, filters=(), columns=None):
            return store.bm25(query, k, filters, ["id"] if columns == rt.ROW_COLUMNS else columns)

        def dense(self, vector, k, filters=(), columns=None):
            return store.dense(vector, k, filters, ["id"] if columns == rt.ROW_COLUMNS else columns)

    return View()


class IdsFirst(rt.Retriever):
    """The retriever with its channels' rows holding ids only: `_passages` fetches the rows of the fused top."""

    def _passages(self, fused, scores, rows, qv, fields, top_k):
        return super()._passages(fused, scores, {k: r for k, r in rows.items() if "doc_id" in r}, qv, fields, top_k)


def parts(ws, queries: list[str], vectors) -> list[dict]:
    """Each part of one hybrid search alone, p50/p95 over the queries, the parts taking turns on each query."""
    store, n = ws.retriever.store, ws.retriever.cfg.candidates
    chunk, sentence = [Filter.eq("kind", "chunk")], [Filter.eq("kind", "sentence")]
    steps = {
        "embed the query": lambda q, v: ws.embedder.embed([q]),
        f"dense chunks, {n} with rows": lambda q, v: store.dense(v, n, chunk, rt.ROW_COLUMNS),
        f"dense chunks, {n} ids": lambda q, v: store.dense(v, n, chunk, ["id"]),
        f"dense sentences, {n * rt.SENTENCE_FETCH} parents": lambda q, v: store.dense(
            v, n * rt.SENTENCE_FETCH, sentence, ["parent"]
        ),
        f"bm25 chunks, {n} with rows": lambda q, v: store.bm25(q, n, chunk, rt.ROW_COLUMNS),
        f"bm25 chunks, {n} ids": lambda q, v: store.bm25(q, n, chunk, ["id"]),
    }
    times: dict[str, list[float]] = {k: [] for k in steps}
    for q, v in zip(queries, vectors, strict=True):
        for name, step in steps.items():
            t = time.perf_counter()
            step(q, v)
            times[name].append(1000 * (time.perf_counter() - t))
    return [{"part": k, "p50_ms": percentile(t, 50), "p95_ms": percentile(t, 95)} for k, t in times.items()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--keep", type=Path, required=True)
    args = ap.parse_args()
    data = Synthetic()
    queries = data.queries(args.queries)
    root = args.keep / f"{args.chunks}"
    ws = Workspace(Settings(store=root / "store"))
    built = reuse_or_build(ws, root, args.chunks, data)
    whole = ws.retriever
    fused = IdsFirst(ids_first(whole.store), whole.embedder, whole.catalog, whole.cfg, whole.guard)
    vectors = whole.embedder.embed(queries)  # the same query vectors for both: the fetch is what differs
    for q, v in zip(queries[:5], vectors, strict=False):
        whole.search(q, top_k=5, vector=v), fused.search(q, top_k=5, vector=v)
    alone = parts(ws, queries, vectors)
    print(table(alone, list(alone[0])))
    times = {"whole rows": [], "ids first": []}
    same = 0
    for q, v in zip(queries, vectors, strict=True):
        t = time.perf_counter()
        a = whole.search(q, top_k=5, vector=v)
        times["whole rows"].append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        b = fused.search(q, top_k=5, vector=v)
        times["ids first"].append(1000 * (time.perf_counter() - t))
        same += [p.id for p in a.passages] == [p.id for p in b.passages]
    base = percentile(times["whole rows"], 50)
    rows = [{"channels fetch": k, "p50_ms": percentile(t, 50), "p95_ms": percentile(t, 95)} for k, t in times.items()]
    for r in rows:
        r["ratio"] = r["p50_ms"] / base
    print(table(rows, list(rows[0])))
    print(f"same top 5 on {same} of {len(queries)} queries")
    payload = {"command": "python bench/fetch.py " + " ".join(sys.argv[1:]), "chunks": args.chunks, "build": built}
    payload |= {"parts alone": alone, "hybrid, query embedded beforehand": rows, "same_top5": same}
    print("wrote", save(f"fetch-{args.chunks}", payload))


if __name__ == "__main__":
    main()
