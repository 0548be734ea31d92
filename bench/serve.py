"""HTTP load of `ragtune serve` on loopback: requests/s and latency p50/p95 of /search and /v1/chat/completions
at 1, 4 and 16 concurrent clients, over the demo corpus with the bundled models.

The server is the real CLI (`ragtune serve`) in its own process; clients are httpx threads here. Each level
runs for a fixed number of requests per client after one warm-up request per client. Questions rotate over a
fixed list, so batches mix different questions.

    python bench/serve.py                 # prints the table, writes bench/results/serve.json
    python bench/serve.py --requests 4    # quicker
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from common import free_port, save, start_server, table

from ragtune import Settings, Workspace
from ragtune.console import quiet_libraries
from ragtune.demo.corpus import QUESTIONS, build


def request(client: httpx.Client, route: str, i: int) -> float:
    q = QUESTIONS[i % len(QUESTIONS)]
    t = time.perf_counter()
    if route == "/search":
        r = client.get("/search", params={"q": q, "k": 5})
    else:
        body = {"model": "ragtune-rag", "messages": [{"role": "user", "content": q}]}
        r = client.post("/v1/chat/completions", json=body)
    r.raise_for_status()
    return time.perf_counter() - t


def level(url: str, route: str, clients: int, per_client: int) -> dict:
    """`clients` threads, each with its own connection; timed from when all have warmed up."""
    ready = threading.Barrier(clients + 1)

    def worker(c: int) -> list[float]:
        with httpx.Client(base_url=url, timeout=600) as client:
            request(client, route, c)  # warm-up (connection, caches), not counted
            ready.wait()
            return [request(client, route, c * per_client + i) for i in range(per_client)]

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(worker, c) for c in range(clients)]
        ready.wait()
        t = time.perf_counter()
        lat = sorted(x for f in futures for x in f.result())
        wall = time.perf_counter() - t
    return {
        "route": route,
        "clients": clients,
        "requests": len(lat),
        "rps": len(lat) / wall,
        "p50_ms": 1000 * statistics.median(lat),
        "p95_ms": 1000 * lat[min(len(lat) - 1, int(0.95 * len(lat)))],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=8, help="requests per client per level")
    ap.add_argument("--levels", default="1,4,16")
    args = ap.parse_args()
    quiet_libraries()
    root = Path(tempfile.mkdtemp(prefix="ragtune-serve-"))
    corpus = build(root / "corpus")
    Workspace(Settings(store=root / "store")).ingest([corpus])
    port = free_port()
    proc = start_server(root / "store", port, {"RAGTUNE_SERVE__QUEUE_LIMIT": "256"})
    url = f"http://127.0.0.1:{port}"
    rows = []
    try:
        for route in ("/search", "/v1/chat/completions"):
            for clients in map(int, args.levels.split(",")):
                rows.append(level(url, route, clients, args.requests))
                print(table(rows[-1:], list(rows[-1])), flush=True)
    finally:
        proc.terminate()
        proc.wait(30)
    print()
    print(table(rows, ["route", "clients", "requests", "rps", "p50_ms", "p95_ms"]))
    out = save("serve", {"rows": rows, "requests_per_client": args.requests, "command": " ".join(sys.argv)})
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
