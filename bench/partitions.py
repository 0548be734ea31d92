"""#28 lead: how many IVF partitions LanceDB's IVF_HNSW_SQ index should have. ragtune builds it with LanceDB's
default, sqrt(rows) partitions, and searches 20 of them (LanceDB's default nprobes) with HNSW breadth 400; LanceDB's
docs recommend few partitions for HNSW ("1 works well for most tables"). This builds one vector table per setting
and measures build time, dense search p50 and recall@k against exact search, on the same vectors in one run.

    python bench/partitions.py --rows 100000 --vectors real      # MiniLM vectors of real sentences (as scale.py)
    python bench/partitions.py --rows 1000000 --vectors synthetic  # scale.py's clustered vectors

Writes bench/results/partitions-<vectors>-<rows>.json. The store itself is unchanged by this script.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import lancedb
import numpy as np
import pyarrow as pa
from common import percentile, save, table
from lancedb.index import IvfHnswSq
from scale import DIM, Synthetic, real_vectors

from ragtune.index.lance import EF_FLOOR, EF_PER_HIT


def vectors(kind: str, rows: int) -> tuple[np.ndarray, np.ndarray]:
    if kind == "real":
        corpus, queries = real_vectors(rows, Path(tempfile.gettempdir()) / "ragtune-scale-real.npz")
        return corpus.astype(np.float32), queries[:200].astype(np.float32)
    data = Synthetic()
    return data._vectors(rows), data._vectors(200)


def measure(corpus: np.ndarray, queries: np.ndarray, partitions: int | None, ks=(10, 40)) -> dict:
    """Build a table with this many partitions (None: LanceDB's default) in a folder removed afterwards (a 1M
    table takes gigabytes), and search it."""
    with tempfile.TemporaryDirectory(prefix="ragtune-partitions-") as root:
        return _measure(lancedb.connect(root), corpus, queries, partitions, ks)


def _measure(db, corpus: np.ndarray, queries: np.ndarray, partitions: int | None, ks) -> dict:
    ids = pa.array(np.arange(len(corpus), dtype=np.int64))
    vecs = pa.FixedSizeListArray.from_arrays(pa.array(corpus.ravel()), DIM)
    tbl = db.create_table("chunks", pa.table({"id": ids, "vector": vecs}))
    t = time.perf_counter()
    extra = {} if partitions is None else {"num_partitions": partitions}
    tbl.create_index("vector", config=IvfHnswSq(distance_type="cosine", **extra))
    out = {"partitions": partitions or f"sqrt ({round(len(corpus) ** 0.5)})", "build_s": time.perf_counter() - t}
    for k in ks:
        exact = np.argsort(-(queries @ corpus.T), axis=1)[:, :k]
        times, found = [], []
        for q, truth in zip(queries, exact, strict=True):
            t = time.perf_counter()
            hits = tbl.search(q).distance_type("cosine").limit(k).ef(max(EF_FLOOR, EF_PER_HIT * k))
            got = hits.select(["id", "_distance"]).to_arrow()["id"].to_pylist()
            times.append(1000 * (time.perf_counter() - t))
            found.append(len(set(got) & set(truth.tolist())) / k)
        out |= {f"p50_ms@{k}": percentile(times, 50), f"recall@{k}": float(np.mean(found))}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--vectors", choices=["real", "synthetic"], default="real")
    ap.add_argument("--partitions", default="default,1", help="comma-separated: default (sqrt) or a number")
    args = ap.parse_args()
    corpus, queries = vectors(args.vectors, args.rows)
    settings = [None if p == "default" else int(p) for p in args.partitions.split(",")]
    rows = [measure(corpus, queries, p) for p in settings]
    print(table(rows, list(rows[0])))
    name = f"partitions-{args.vectors}-{args.rows}"
    print(
        "wrote",
        save(
            name,
            {
                "command": f"python bench/partitions.py {' '.join(f'--{k} {v}' for k, v in vars(args).items())}",
                "rows": args.rows,
                "vectors": args.vectors,
                "ef": EF_FLOOR,
                "results": rows,
            },
        ),
    )


if __name__ == "__main__":
    main()
