"""`ragtune compare` on scenarios whose right verdict is known by construction, and on one corpus it was not
designed for.

    python bench/compare.py                           # the three scenarios → bench/results/compare-<name>.json
    python bench/compare.py --scenario house_style    # one of them
    python bench/compare.py --undesigned              # the wording bench's logistics firm, no log
    python bench/compare.py --demo                    # the demo's corpus and support log: the time of a default run

Scenarios (bench/choosing/): house_style (stable facts, a support log in a fixed phrasing: fine-tuning + RAG),
weekly (prices and people change every week, three versions ingested 7 days apart: RAG), tiny (a log of 20
answered questions: RAG, with a flat learning curve). Each run uses the default options of `ragtune compare` and
prints its verdict, the expected one and the reasons; the JSON keeps the whole comparison.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from common import save, table
from wording import build as build_org

from ragtune import Settings, Workspace
from ragtune.compare.run import Options, compare
from ragtune.console import quiet_libraries

HERE = Path(__file__).resolve().parent / "choosing"
SCENARIOS = ("house_style", "weekly", "tiny")


def write(files: dict, folder: Path) -> Path:
    """One version of a scenario's documents, each file in its format (the wording bench's writer)."""
    sys.modules.setdefault("_scenario_files", type(sys)("_scenario_files"))
    sys.modules["_scenario_files"].FILES = files
    return build_org("_scenario_files", folder)


def ingest_history(ws: Workspace, versions: list[dict], folder: Path, days: int = 7) -> None:
    """Ingest each version in turn, its files dated `days` apart (the last one today): the catalogue's history."""
    now = time.time()
    for n, files in enumerate(versions):
        write(files, folder)
        stamp = now - (len(versions) - 1 - n) * days * 86400
        for name in files:
            os.utime(folder / name, (stamp, stamp))
        ws.ingest([folder])


def run(name: str, root: Path, opts: Options) -> dict:
    """One scenario (or the undesigned corpus) through `compare`; its row of the summary and the document."""
    store, docs = root / name / "store", root / name / "docs"
    ws = Workspace(Settings(store=store))
    log = None
    if name == "logistics":
        build_org("logistics", docs)
        expected, reasons_expected = None, "not designed for it"
    elif name == "demo":
        from ragtune.demo.corpus import build as build_demo
        from ragtune.demo.run import write_support_log

        ws.ingest([build_demo(docs)])
        log = write_support_log(root / name / "log.jsonl")
        expected, reasons_expected = None, "the time of a default run on a corpus the size of the demo's"
    else:
        sys.path.insert(0, str(HERE))
        mod = importlib.import_module(name)
        ingest_history(ws, getattr(mod, "VERSIONS", [mod.FILES]), docs)
        log = root / name / "log.jsonl"
        log.write_text("".join(json.dumps(r) + "\n" for r in mod.LOG))
        expected, reasons_expected = mod.EXPECTED, (mod.__doc__ or "").split("Expected verdict:")[-1].strip()
    doc = compare(ws, [docs] if name == "logistics" else [], root / name / "run", log, opts, say=print)
    row = {
        "scenario": name,
        "verdict": doc["verdict"]["verdict"],
        "expected": expected,
        "as_expected": None if expected is None else doc["verdict"]["verdict"] == expected,
        "wall_s": doc["wall_s"],
        "test_questions": sum(v for k, v in doc["test_set"].items() if k.startswith("test")),
        "train_examples": sum(v for k, v in doc["test_set"].items() if k.startswith("train")),
    }
    return row | {"why_expected": reasons_expected, "reasons": doc["verdict"]["reasons"], "comparison": doc}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", action="append", choices=SCENARIOS)
    ap.add_argument("--undesigned", action="store_true", help="the logistics corpus of bench/wording, no log")
    ap.add_argument("--demo", action="store_true", help="the demo corpus and its support log (timing)")
    args = ap.parse_args()
    quiet_libraries()
    root = Path(tempfile.mkdtemp(prefix="ragtune-compare-"))
    names = ["logistics"] if args.undesigned else ["demo"] if args.demo else (args.scenario or list(SCENARIOS))
    rows = []
    for name in names:
        row = run(name, root, Options())
        print(f"\n{name}: {row['verdict']} (expected {row['expected']})")
        for r in row["reasons"]:
            print(f"  - {r}")
        flag = {"logistics": "--undesigned", "demo": "--demo"}.get(name, f"--scenario {name}")
        command = f"python bench/compare.py {flag}"
        path = save(f"compare-{name}", {"command": command} | row)
        print(f"wrote {path}")
        rows.append(row)
    print(table(rows, ["scenario", "verdict", "expected", "as_expected", "wall_s", "test_questions", "train_examples"]))


if __name__ == "__main__":
    main()
