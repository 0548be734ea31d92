"""Issue-30 benchmark: what the access filter costs a search. 100k chunks (410k rows, as `ragtune ingest` writes
them) in documents spread over 10 groups; search p50 per mode for the admin (no filter) and for callers holding
1 and 5 of the groups (the filter inside every store query), taking turns on each query, with the ratio to the
admin's.
It also checks what the filter must give: a full top-k of only visible rows, and the filtered dense search's
recall@10 against an exact search over the same visible rows.

    python bench/access.py                                    # embedded LanceDB, 100k chunks
    python bench/access.py --store postgresql://postgres@127.0.0.1:5433/postgres --chunks 100000
    python bench/access.py --keep /tmp/access-100k            # keep the build; a kept build is reused

Writes bench/results/access-<backend>.json.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import percentile, save, table
from scale import CHUNKS_PER_DOC, Synthetic, collection, reuse_or_build

from ragtune import Settings, Workspace
from ragtune.access import ADMIN, Principal
from ragtune.retrieve.retriever import MODES

GROUPS = [f"g{i}" for i in range(10)]


class Grouped(Synthetic):
    """The scale benchmark's documents, each given one of 10 groups in turn."""

    def documents(self, first: int, count: int) -> list[dict]:
        rows = super().documents(first, count)
        for row in rows:
            row["access"] = GROUPS[int(row["doc_id"][3:]) % len(GROUPS)]
        return rows


def write_grouped(ws: Workspace, rows: list[dict]) -> None:
    """As scale.write, with each document's group in the manifest."""
    ws.store.replace([], rows)
    docs = [
        r
        | {"path": r["source"], "hash": "", "title": "", "summary": r["text"], "chunks": CHUNKS_PER_DOC}
        | {"groups": r["access"]}
        for r in rows
        if r["kind"] == "summary"
    ]
    ws.catalog.record(docs, {})


def timings(ws: Workspace, queries: list[str], callers: list[Principal], k: int = 5) -> list[dict]:
    """Search p50/p95 per caller and mode, and whether every result was full and visible. The callers take turns
    on each query, so the machine's noise falls on all of them alike."""
    scoped = {who.name: (ws.labels(who), ws.retriever.scoped(ws.labels(who))) for who in callers}
    for _, retriever in scoped.values():
        for q in queries[:5]:
            retriever.search(q)
    out = []
    for mode in MODES:
        times = {name: [] for name in scoped}
        full = dict.fromkeys(scoped, 0)
        visible = dict.fromkeys(scoped, 0)
        for q in queries:
            for name, (labels, retriever) in scoped.items():
                t = time.perf_counter()
                got = retriever.search(q, top_k=k, mode=mode).passages
                times[name].append(1000 * (time.perf_counter() - t))
                full[name] += len(got) == k
                visible[name] += all(labels is None or ws_label(p.doc_id) in labels for p in got)
        out += [
            {
                "caller": name,
                "mode": mode,
                "p50_ms": percentile(times[name], 50),
                "p95_ms": percentile(times[name], 95),
                "full_topk": full[name] / len(queries),
                "only_visible": visible[name] / len(queries),
            }
            for name in scoped
        ]
    return out


def recall(ws: Workspace, queries: list[str], who: Principal, k: int = 10) -> float:
    """Recall@k of the filtered dense chunk search against an exact search (numpy) over the same visible rows."""
    import numpy as np

    from ragtune.index.base import Filter, access_filter

    wanted = [Filter.eq("kind", "chunk"), *access_filter(ws.labels(who))]
    rows = ws.store.rows(wanted, columns=["id", "vector"])
    ids, matrix = np.array([r["id"] for r in rows]), np.stack([r["vector"] for r in rows])
    found = 0
    for vector in ws.embedder.embed(queries):
        exact = set(ids[np.argsort(-(matrix @ vector))[:k]])
        found += len(exact & {h.row["id"] for h in ws.store.dense(vector, k, wanted, ["id"])})
    return found / (k * len(queries))


def ws_label(doc_id: str) -> str:
    return GROUPS[int(doc_id[3:]) % len(GROUPS)]


def main() -> None:
    import scale

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default="lancedb")
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    scale.write = write_grouped  # the build writes each document's group into the manifest too
    data = Grouped()
    queries = data.queries(args.queries)
    root = args.keep or Path(tempfile.mkdtemp(prefix="ragtune-access-"))
    ws = Workspace(Settings(store=root / "store", vector_store=collection(args.store, f"access{args.chunks}")))
    built = reuse_or_build(ws, root, args.chunks, data)
    callers = [ADMIN, Principal("one-group", frozenset(GROUPS[:1])), Principal("five-groups", frozenset(GROUPS[:5]))]
    rows = timings(ws, queries, callers)
    recalls = {who.name: recall(ws, queries[:50], who) for who in callers}
    for r in rows:
        r["dense_recall@10"] = recalls[r["caller"]]
    admin = {r["mode"]: r["p50_ms"] for r in rows if r["caller"] == "admin"}
    for r in rows:
        r["p50_vs_admin"] = r["p50_ms"] / admin[r["mode"]]
    print(
        table(
            rows, ["caller", "mode", "p50_ms", "p95_ms", "p50_vs_admin", "full_topk", "only_visible", "dense_recall@10"]
        )
    )
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    scheme = args.store.split(":")[0]
    backend = {"postgres": "postgresql"}.get(scheme, scheme)
    payload = {"store": args.store, "chunks": args.chunks, "groups": len(GROUPS), "build": built, "search": rows}
    print("wrote", save(f"access-{backend}", payload))


if __name__ == "__main__":
    main()
