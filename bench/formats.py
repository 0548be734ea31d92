"""Lance's file formats side by side: how long a search takes to bring its hits' rows, in one run.

    python bench/formats.py --chunks 1000000   # ~6 min: two 1M-row chunk tables, their BM25 indexes, 200 queries

Every search of the store brings whole rows (text, source, locator, records, vector …) for its hits. LanceDB 0.40
writes new tables in Lance's file format 2.2 by default; `index/lance.py` pins 2.1 (`FILE_FORMAT`). This writes the
same synthetic chunk rows (bench/scale.py's) into one table of each format, indexes their text for BM25, and times,
the two tables taking turns on each query: a BM25 search of 40 hits with the store's row columns, the same search
bringing ids only, and a take of 7 rows (a fused top 5 + 2) by row offset. Writes bench/results/formats-N.json.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import lancedb
import numpy as np
from common import percentile, save, table
from lancedb.index import FTS
from scale import CHUNKS_PER_DOC, Synthetic

from ragtune.index.lance import schema, to_rows
from ragtune.retrieve.retriever import ROW_COLUMNS

FORMATS = {"2.1 (ragtune)": "2.1", "2.2 (LanceDB's default)": "2.2"}


async def build(root: Path, chunks: int, data: Synthetic) -> dict:
    """One chunk table per format, the same rows in each, with a full-text index; returns the open tables."""
    db = await lancedb.connect_async(str(root))
    tables = {}
    for name, version in FORMATS.items():
        opts = {"new_table_data_storage_version": version}
        tables[name] = await db.create_table(f"chunks_{version}", schema=schema(384), storage_options=opts)
    for first in range(0, chunks // CHUNKS_PER_DOC, 1000):
        rows = [r | {"access": ""} for r in data.documents(first, 1000) if r["kind"] == "chunk"]
        for t in tables.values():
            await t.add(rows)
    for t in tables.values():
        await t.optimize()
        await t.create_index("search_text", config=FTS(stem=True))
    return tables


async def measure(tables: dict, queries: list[str], chunks: int) -> list[dict]:
    """p50/p95 of each operation on each table, the tables taking turns on each query."""
    ops = {
        "bm25 40 hits, rows": lambda t, q, _: (
            t.query().nearest_to_text(q, columns=["search_text"]).limit(40).select([*ROW_COLUMNS, "_score"])
        ),
        "bm25 40 hits, ids": lambda t, q, _: (
            t.query().nearest_to_text(q, columns=["search_text"]).limit(40).select(["id", "_score"])
        ),
        "take 7 rows": lambda t, _, offsets: t.take_offsets(offsets).select(ROW_COLUMNS),
    }
    rng = np.random.default_rng(0)
    times = {(op, name): [] for op in ops for name in tables}
    for q in queries:
        offsets = sorted(rng.choice(chunks, 7, replace=False).tolist())
        for op, make in ops.items():
            for name, t in tables.items():
                start = time.perf_counter()
                to_rows(await make(t, q, offsets).to_arrow())
                times[(op, name)].append(1000 * (time.perf_counter() - start))
    out = []
    reference = list(tables)[1]
    for op in ops:
        for name in tables:
            t = times[(op, name)]
            ratio = percentile(t, 50) / percentile(times[(op, reference)], 50)
            out.append({"operation": op, "format": name, "p50_ms": percentile(t, 50), "p95_ms": percentile(t, 95)})
            out[-1]["p50_vs_default"] = round(ratio, 2)
    return out


async def run(root: Path, chunks: int, data: Synthetic, queries: list[str]) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    tables = await build(root, chunks, data)
    built = round(time.perf_counter() - start, 1)
    return built, await measure(tables, queries, chunks)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    data = Synthetic()
    queries = data.queries(args.queries)
    root = Path(tempfile.mkdtemp(prefix="ragtune-formats-"))
    try:
        built, results = asyncio.run(run(root, args.chunks, data, queries))
        sizes = {
            n: sum(f.stat().st_size for f in (root / f"chunks_{v}.lance" / "data").rglob("*"))
            for n, v in FORMATS.items()
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(table(results, ["operation", "format", "p50_ms", "p95_ms", "p50_vs_default"]))
    payload = {
        "chunks": args.chunks,
        "queries": len(queries),
        "build_s": built,
        "data_bytes": sizes,
        "results": results,
        "command": f"python bench/formats.py --chunks {args.chunks}",
    }
    print("wrote", save(f"formats-{args.chunks}", payload))


if __name__ == "__main__":
    main()
