"""Soak: `ragtune serve` on loopback under 20 clients mixing uploads, searches and chat for 10 minutes.

The server is the real CLI in its own process over the demo corpus, with the bundled models. Each client loops
until the deadline, picking at random: an upload of a new Markdown file (15 %), a search (50 %) or a chat
question (35 %). Every upload carries a code word only that file holds. The bench stops by itself and reports:
- errors: any failed request (HTTP status other than 200, or a connection error);
- server memory (RSS, sampled each second): after the warm-up minute, at the end, and the growth between;
- lost uploads: an upload answered "ingested" that afterwards the server does not list, or that a keyword search for
  its code word does not find first (the check `bench/crash.py` makes); and the store's integrity problems;
- requests and latency p50/p95 per route.

The server's queue limit is raised to the number of clients, so no request is turned away with 503 (that
back-pressure is tested in tests/serve); every non-200 here counts as an error.

    python bench/soak.py                       # 20 clients, 10 minutes; writes bench/results/soak.json
    python bench/soak.py --clients 4 --minutes 1
"""

from __future__ import annotations

import argparse
import random
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
from ragtune.integrity import problems, unsearchable

WORDS = "amber basalt cobalt dune ember fjord garnet harbor indigo jasper kelp lagoon marble nickel onyx".split()


def rss_mb(pid: int) -> float:
    """Resident memory of process `pid` in MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Log:
    """What the clients did: latencies per route, errors and the uploads the server accepted."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {"upload": [], "search": [], "chat": []}
        self.errors: list[str] = []
        self.uploads: dict[str, str] = {}  # source → code word

    def done(self, route: str, seconds: float) -> None:
        with self.lock:
            self.latency[route].append(seconds)

    def error(self, route: str, why: str) -> None:
        with self.lock:
            self.errors.append(f"{route}: {why[:200]}")


def upload(client: httpx.Client, log: Log, name: str, rng: random.Random) -> None:
    code = f"zq{name.replace('-', '')}x"
    body = "\n\n".join(
        f"Crate {j} of {name} holds {rng.choice(WORDS)} and waits at dock {rng.randint(1, 99)}."
        for j in range(rng.randint(2, 6))
    )
    text = f"# Manifest {name}\n\nThe code word {code} marks this manifest.\n\n{body}\n"
    r = client.post("/ingest", files=[("files", (f"{name}.md", text.encode(), "text/markdown"))])
    r.raise_for_status()
    for f in r.json()["files"]:
        if f["status"] != "ingested":
            raise RuntimeError(f"{name}.md: {f['status']}: {f.get('reason')}")
        with log.lock:
            log.uploads[f["source"]] = code


def client_loop(url: str, n: int, deadline: float, log: Log, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=url, timeout=600) as client:
        k = 0
        while time.time() < deadline:
            pick = rng.random()
            route = "upload" if pick < 0.15 else "search" if pick < 0.65 else "chat"
            q = rng.choice(QUESTIONS)
            t = time.perf_counter()
            try:
                if route == "upload":
                    k += 1
                    upload(client, log, f"c{n:02d}-{k:04d}", rng)
                elif route == "search":
                    client.get("/search", params={"q": q, "k": 5}).raise_for_status()
                else:
                    body = {"model": "ragtune-rag", "messages": [{"role": "user", "content": q}]}
                    client.post("/v1/chat/completions", json=body).raise_for_status()
                log.done(route, time.perf_counter() - t)
            except (httpx.HTTPError, RuntimeError, KeyError) as exc:
                log.error(route, f"{type(exc).__name__}: {exc}")


def sample_memory(pid: int, stop: threading.Event, samples: list[tuple[float, float]]) -> None:
    start = time.time()
    while not stop.wait(1.0):
        try:
            samples.append((time.time() - start, rss_mb(pid)))
        except OSError:
            return


def listed(url: str) -> set[str]:
    with httpx.Client(base_url=url, timeout=600) as client:
        return {d["source"] for d in client.get("/documents").json()}


def check_store(store: Path, uploads: dict[str, str], shown: set[str]) -> tuple[list[str], list[str]]:
    """After the server stops: lost uploads (accepted, but not listed by the server or not found first by a keyword
    search for their code word) and the store's integrity problems."""
    ws = Workspace(Settings(store=store))
    lost = [s for s in uploads if s not in shown] + unsearchable(ws, uploads)
    return sorted(set(lost)), problems(ws)


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")


def summary(log: Log, seconds: float) -> list[dict]:
    return [
        {
            "route": route,
            "requests": len(lat),
            "per_s": len(lat) / seconds,
            "p50_ms": 1000 * statistics.median(lat) if lat else float("nan"),
            "p95_ms": 1000 * percentile(lat, 0.95),
        }
        for route, lat in log.latency.items()
    ]


def memory(samples: list[tuple[float, float]], warmup_s: float) -> dict:
    after = [mb for t, mb in samples if t >= warmup_s] or [mb for _, mb in samples]
    first, last = after[0], after[-1]
    return {
        "rss_after_warmup_mb": first,
        "rss_end_mb": last,
        "rss_peak_mb": max(mb for _, mb in samples),
        "growth_mb": last - first,
        "growth_pct": 100 * (last - first) / first,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=60.0, help="seconds before the memory baseline")
    ap.add_argument("--max-growth-pct", type=float, default=25.0, help="the memory bound checked after warm-up")
    args = ap.parse_args()
    quiet_libraries()
    root = Path(tempfile.mkdtemp(prefix="ragtune-soak-"))
    Workspace(Settings(store=root / "store")).ingest([build(root / "corpus")])
    port = free_port()
    proc = start_server(root / "store", port, {"RAGTUNE_SERVE__QUEUE_LIMIT": str(max(8, args.clients))})
    url, log, samples, stop = f"http://127.0.0.1:{port}", Log(), [], threading.Event()
    sampler = threading.Thread(target=sample_memory, args=(proc.pid, stop, samples), daemon=True)
    sampler.start()
    started = time.time()
    deadline = started + 60 * args.minutes
    try:
        with ThreadPoolExecutor(args.clients) as pool:
            for f in [pool.submit(client_loop, url, n, deadline, log, n) for n in range(args.clients)]:
                f.result()
        seconds = time.time() - started
        stop.set()
        shown = listed(url)
    finally:
        stop.set()
        proc.terminate()
        proc.wait(60)
    lost, broken = check_store(root / "store", log.uploads, shown)
    rows = summary(log, seconds)
    mem = memory(samples, args.warmup)
    print(table(rows, ["route", "requests", "per_s", "p50_ms", "p95_ms"]))
    print(f"errors {len(log.errors)} · uploads accepted {len(log.uploads)} · lost {len(lost)}", end=" · ")
    print(f"store problems {len(broken)}")
    print(", ".join(f"{k} {v:.1f}" for k, v in mem.items()))
    within = mem["growth_pct"] <= args.max_growth_pct
    print(f"memory growth after warm-up {'within' if within else 'OVER'} the {args.max_growth_pct:.0f} % bound")
    payload = {
        "clients": args.clients,
        "minutes": args.minutes,
        "seconds": round(seconds),
        "rows": rows,
        "errors": len(log.errors),
        "error_samples": log.errors[:20],
        "uploads_accepted": len(log.uploads),
        "lost_uploads": lost,
        "store_problems": broken[:20],
        "memory": mem,
        "memory_bound_pct": args.max_growth_pct,
        "memory_within_bound": within,
        "memory_samples": samples[::5],
        "command": " ".join(sys.argv),
    }
    print(f"wrote {save('soak', payload)}")


if __name__ == "__main__":
    main()
