"""Crash trials: SIGKILL `ragtune ingest`, `ragtune finetune` and `ragtune serve` (during uploads) at random
moments, then check the store.

After each kill (the store opened the way any command opens it, which undoes a dead writer's batch):
- the store opens;
- `integrity.problems` is empty: no duplicated or orphaned chunk or sentence, every manifest document has its
  summary and all its chunks, the vector store has no document the manifest does not know, the SQL tables
  agree with the manifest, nothing is left journaled as in flight;
- every committed document is found first by a phrase only its committed version contains;
- a re-run finishes the work: afterwards the manifest is exactly the corpus and every current version is found.
Fine-tuning: the resumed run (or a fresh one, when the kill came before the first checkpoint) ends at the same
step count as an uninterrupted run, with a loss curve that continues it (per-step losses compared).

Ingest trials change the corpus between kills (updates, additions, deletions), so a kill can land in any
kind of write. Kill moments are uniform over the span of an uninterrupted run.

    python bench/crash.py                              # 100 ingest, 100 finetune, 30 serve trials
    python bench/crash.py --ingest 5 --finetune 5 --serve 3
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from common import free_port, save, start_server, table

from ragtune import Settings, Workspace
from ragtune.console import quiet_libraries
from ragtune.integrity import problems, unsearchable

WORDS = "amber basalt cobalt dune ember fjord garnet harbor indigo jasper kelp lagoon marble nickel onyx".split()


class Corpus:
    """Text files, each with a phrase only its current version holds (the probe a search must find)."""

    def __init__(self, folder: Path, rng: random.Random):
        self.folder, self.rng, self.version, self.probes = folder, rng, 0, {}
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, name: str) -> None:
        self.version += 1
        probe = f"zq{self.version}x {self.rng.choice(WORDS)}"
        body = "\n\n".join(
            f"Section {j} of {name}. The {self.rng.choice(WORDS)} shipment {j} waits at dock {self.rng.randint(1, 99)}."
            for j in range(self.rng.randint(3, 8))
        )
        (self.folder / name).write_text(f"# {name}\n\nCode {probe} marks this version.\n\n{body}\n")
        self.probes[name] = probe

    def change(self) -> None:
        names = sorted(self.probes)
        for name in self.rng.sample(names, k=min(12, len(names))):
            self.write(name)
        for name in self.rng.sample(names, k=2):
            (self.folder / name).unlink()
            del self.probes[name]
        for _ in range(3):
            self.write(f"doc{self.version:05d}.md")

    def expected(self) -> dict[str, str]:
        """source → probe of every file now in the corpus."""
        return {f"{self.folder.name}/{n}": p.split()[0] for n, p in self.probes.items()}


def open_ws(store: Path, embedder) -> Workspace:
    ws = Workspace(Settings(store=store))  # opening undoes a dead writer's batch
    ws.__dict__["embedder"] = embedder
    return ws


def close(ws: Workspace) -> None:
    ws.tables.close()  # DuckDB allows one writing process: let the next trial's process open it
    ws.catalog.close()


def committed_probes(ws: Workspace, probes_by_hash: dict[str, str]) -> dict[str, str]:
    """source → probe of the version the manifest says is stored."""
    return {d["source"]: probes_by_hash[d["hash"]] for d in ws.catalog.documents() if d["hash"] in probes_by_hash}


def hash_file(path: Path) -> str:
    from ragtune.ingest.pipeline import file_hash

    return file_hash(path)


def kill_after(proc: subprocess.Popen, delay: float) -> bool:
    """SIGKILL `proc` after `delay` s; False when it had already finished."""
    try:
        proc.wait(delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def ingest_trials(n: int, root: Path, embedder, rng: random.Random):
    corpus = Corpus(root / "corpus", rng)
    for i in range(60):
        corpus.write(f"doc{i:03d}.md")
    store = root / "store"
    env = os.environ | {"RAGTUNE_CHUNK__BATCH": "24"}
    cmd = [sys.executable, "-m", "ragtune.cli", "ingest", str(corpus.folder), "--store", str(store), "--quiet"]
    hashes: dict[str, str] = {}

    def remember() -> None:
        for name, probe in corpus.probes.items():
            hashes[hash_file(corpus.folder / name)] = probe.split()[0]

    remember()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    corpus.change()  # the span of a run like each trial's (a changed corpus), for the kill moments
    remember()
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    span = time.perf_counter() - t
    for _ in range(n):
        corpus.change()
        remember()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        killed = kill_after(proc, rng.uniform(0.2, 1.0) * span)
        ws = open_ws(store, embedder)
        found = problems(ws) + [f"committed but not found: {s}" for s in unsearchable(ws, committed_probes(ws, hashes))]
        report = ws.ingest([corpus.folder])
        found += [f"re-run failed: {s}: {why}" for s, why in report.failures]
        if {d["source"] for d in ws.catalog.documents()} != set(corpus.expected()):
            found.append("after the re-run the manifest is not the corpus")
        found += problems(ws) + [f"not found after re-run: {s}" for s in unsearchable(ws, corpus.expected())]
        close(ws)
        yield killed, found


def finetune_trials(n: int, root: Path, embedder, rng: random.Random):
    from ragtune.finetune.train import TrainParams

    store = root / "ft-store"
    ws = open_ws(store, embedder)
    facts = [
        {"question": f"What is the code of unit {w}?", "answer": f"{w[:3].upper()}-{i}"} for i, w in enumerate(WORDS)
    ]
    ws.datasets.add(facts, source="facts.jsonl")
    close(ws)
    steps = 6
    args = ["--data", "v0001", "--max-steps", str(steps), "--save-steps", "1", "--batch-size", "2", "--quiet"]

    def cmd(name: str) -> list[str]:
        return [sys.executable, "-m", "ragtune.cli", "finetune", "--store", str(store), "--name", name, *args]

    t = time.perf_counter()
    subprocess.run(cmd("ref"), check=True, capture_output=True)
    span = time.perf_counter() - t
    reference = [x["loss"] for x in json.loads((store / "adapters" / "ref" / "loss.json").read_text())]
    for trial in range(n):
        name = f"t{trial:03d}"
        proc = subprocess.Popen(cmd(name), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        killed = kill_after(proc, rng.uniform(0.3, 1.0) * span)
        found = []
        ws = open_ws(store, embedder)
        work = store / "adapters" / f"{name}.training"
        try:
            if (work / "run.json").exists():  # what a user does: --resume an unfinished run ...
                ws.finetune(name=name, resume=True, quiet=True)
            elif not (store / "adapters" / name / "loss.json").exists():  # ... or start one killed before it began
                params = TrainParams(max_steps=steps, save_steps=1, batch_size=2)
                ws.finetune(data="v0001", name=name, params=params, quiet=True)
            losses = json.loads((store / "adapters" / name / "loss.json").read_text())
            curve = [x["loss"] for x in losses]
            if [x["step"] for x in losses] != list(range(1, steps + 1)):
                found.append(f"steps {[x['step'] for x in losses]}, expected 1..{steps}")
            elif any(abs(a - b) > 0.05 * max(1.0, abs(b)) for a, b in zip(curve, reference, strict=True)):
                found.append(f"loss curve {curve} departs from the uninterrupted {reference}")
            if name not in {a["name"] for a in _adapters(ws).list()}:
                found.append("adapter not recorded in the manifest")
        except Exception as exc:  # a failure to resume is what this bench looks for
            found.append(f"{type(exc).__name__}: {str(exc)[:200]}")
        close(ws)
        yield killed, found


def _adapters(ws):

    return ws.adapters


def serve_trials(n: int, root: Path, embedder, rng: random.Random):
    store = root / "serve-store"
    corpus = Corpus(root / "uploads-src", rng)
    for trial in range(n):
        names = [f"up{trial:03d}-{k}.md" for k in range(3)]
        for name in names:
            corpus.write(name)
        port = free_port()
        proc = start_server(store, port)
        files = [("files", (n_, (corpus.folder / n_).read_bytes(), "text/markdown")) for n_ in names]
        threading.Thread(target=_post, args=(f"http://127.0.0.1:{port}/ingest", files), daemon=True).start()
        killed = kill_after(proc, rng.uniform(0.0, 3.0))
        ws = open_ws(store, embedder)
        found = problems(ws)
        hashes = {hash_file(corpus.folder / n_): corpus.probes[n_].split()[0] for n_ in corpus.probes}
        found += [f"committed but not found: {s}" for s in unsearchable(ws, committed_probes(ws, hashes))]
        stray = [p.name for p in (store / "uploads").glob(".*")] if (store / "uploads").exists() else []
        report = ws.ingest([store / "uploads"]) if (store / "uploads").exists() else None
        if report is not None:
            found += [f"re-run failed: {s}: {why}" for s, why in report.failures]
        found += problems(ws)
        close(ws)
        if stray and _restart_cleans(store, stray):
            found.append(f"partial uploads left after a restart: {stray}")
        yield killed, found


def _restart_cleans(store: Path, stray: list[str]) -> bool:
    """Start a server once more: True when partial upload files survive its start."""
    proc = start_server(store, free_port())
    try:
        return any((store / "uploads" / s).exists() for s in stray)
    finally:
        proc.terminate()
        proc.wait(30)


def _post(url: str, files) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the server is killed under it
        httpx.post(url, files=files, timeout=60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ingest", type=int, default=100)
    ap.add_argument("--finetune", type=int, default=100)
    ap.add_argument("--serve", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    quiet_libraries()
    from ragtune.index.factory import create_embedder

    embedder = create_embedder("minilm")
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="ragtune-crash-"))
    phases = {
        "ingest": ingest_trials(args.ingest, root, embedder, rng),
        "finetune": finetune_trials(args.finetune, root, embedder, rng),
        "serve (uploads)": serve_trials(args.serve, root, embedder, rng),
    }
    rows = {p: {"phase": p, "trials": 0, "killed_mid_run": 0, "failures": 0, "details": []} for p in phases}
    started = time.perf_counter()
    try:
        while phases:  # round robin, so every phase has trials if the run is stopped early
            for phase, trials in list(phases.items()):
                try:
                    killed, found = next(trials)
                except StopIteration:
                    del phases[phase]
                    continue
                row = rows[phase]
                row["trials"] += 1
                row["killed_mid_run"] += killed
                if found:
                    row["failures"] += 1
                    row["details"].append({"trial": row["trials"], "problems": found[:5]})
                print(f"{phase} trial {row['trials']}: {'FAIL ' + found[0] if found else 'ok'}", flush=True)
                _save(rows, args, started, done=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print()
    print(table(list(rows.values()), ["phase", "trials", "killed_mid_run", "failures"]))
    print(f"wrote {_save(rows, args, started, done=True)}")


def _save(rows: dict, args, started: float, done: bool) -> Path:
    seconds = round(time.perf_counter() - started)
    payload = {"rows": list(rows.values()), "complete": done, "seconds": seconds, "seed": args.seed}
    return save("crash", payload | {"command": " ".join(sys.argv)})


if __name__ == "__main__":
    main()
