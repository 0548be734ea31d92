"""Structured QA benchmark: lookups, aggregates, filters and unanswerable questions over tables.

Two table sets: the demo's (products CSV, price-list XLSX, stores SQLite) and a second one generated here
in other domains and naming styles (a fleet CSV in "Title Case (unit)", a dive-watch XLSX in
abbreviated snake_case, a clinics JSON in camelCase, a library SQLite). The questions
(`data/structured-qa.jsonl`) were written before the table reader. Every question goes through
`Workspace.ask` (routing included) with the bundled models.

    python bench/structured.py            # prints the table, writes bench/results/structured.json
    RAGTUNE_ANSWER__CHECK=qwen2.5-coder-1.5b python bench/structured.py --tag check   # with the check
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from common import save, table

from ragtune import Settings, Workspace
from ragtune.console import quiet_libraries
from ragtune.demo.corpus import build
from ragtune.evaluate.metrics import exact_match
from ragtune.samples import write_sqlite, write_xlsx

QUESTIONS = Path(__file__).resolve().parent / "data" / "structured-qa.jsonl"
TARGETS = {"lookup": 0.95, "aggregate": 0.85, "filter": 0.85, "unanswerable": 0.90}

FLEET = [
    ("Vehicle ID", "Model", "Fuel Type", "Range (km)", "Seats", "Purchase Year", "Depot"),
    ("V-01", "Volta E-Van", "electric", 240, 3, 2021, "Leeds"),
    ("V-02", "Harbour Transit 9", "diesel", 780, 9, 2017, "Hull"),
    ("V-03", "Volta E-Van Max", "electric", 330, 3, 2023, "York"),
    ("V-04", "Kestrel Pickup", "petrol", 610, 5, 2019, "Leeds"),
    ("V-05", "Ampere City Bus", "electric", 300, 42, 2022, "Sheffield"),
    ("V-06", "Harbour Transit 12", "diesel", 820, 12, 2016, "Hull"),
    ("V-07", "Kestrel Pickup Hybrid", "hybrid", 900, 5, 2024, "York"),
    ("V-08", "Moorland 4x4", "diesel", 700, 7, 2015, "Sheffield"),
]
WATCHES = [
    ("ref_no", "model", "depth_rating_m", "case_diam_mm", "price_usd", "movement", "release_yr"),
    ("DW-1", "Abyss Pro", 300, 42, 1450, "automatic", 2019),
    ("DW-2", "Coral Lite", 100, 38, 320, "quartz", 2021),
    ("DW-3", "Trench Master", 1000, 45, 3900, "automatic", 2020),
    ("DW-4", "Lagoon Sport", 200, 40, 540, "quartz", 2023),
    ("DW-5", "Reef Titan", 500, 44, 2150, "automatic", 2022),
    ("DW-6", "Kelp Mini", 50, 34, 210, "solar", 2024),
]
CLINICS = [
    {
        "clinicName": "Northgate Clinic",
        "city": "Aberdeen",
        "headDoctor": "Dr. Amara Okafor",
        "bedCount": 40,
        "openedYear": 1998,
        "avgWaitMin": 25,
    },
    {
        "clinicName": "Riverside Clinic",
        "city": "Dundee",
        "headDoctor": "Dr. Lena Kowalski",
        "bedCount": 25,
        "openedYear": 2005,
        "avgWaitMin": 40,
    },
    {
        "clinicName": "Hillcrest Clinic",
        "city": "Perth",
        "headDoctor": "Dr. Tomas Reyes",
        "bedCount": 60,
        "openedYear": 1987,
        "avgWaitMin": 15,
    },
    {
        "clinicName": "Harbourview Clinic",
        "city": "Stirling",
        "headDoctor": "Dr. Priya Nair",
        "bedCount": 30,
        "openedYear": 2012,
        "avgWaitMin": 35,
    },
    {
        "clinicName": "Glenmore Clinic",
        "city": "Inverness",
        "headDoctor": "Dr. Owen Baird",
        "bedCount": 18,
        "openedYear": 2019,
        "avgWaitMin": 20,
    },
]
BOOKS = [
    ("978-0-00-000001-1", "The Salt Road", "Maren Holt", 2016, 312, 4, "history"),
    ("978-0-00-000002-8", "Winter Orchard", "Jonas Lind", 2021, 248, 0, "fiction"),
    ("978-0-00-000003-5", "Tidal Engines", "Ruth Abara", 2019, 420, 7, "science"),
    ("978-0-00-000004-2", "The Quiet Cartographer", "Ewan Stroud", 2012, 198, 2, "fiction"),
    ("978-0-00-000005-9", "Patterns of Rain", "Ana Ferreira", 2023, 356, 11, "science"),
    ("978-0-00-000006-6", "Ledger of Ash", "Maren Holt", 2020, 290, 3, "history"),
]


def build_second_set(folder: Path) -> Path:
    """Tables of four other domains, each in its own naming style."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "fleet.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows(FLEET)
    write_xlsx(folder / "dive-watches.xlsx", {"Watches": WATCHES})
    (folder / "clinics.json").write_text(json.dumps(CLINICS, indent=1))
    cols = "isbn TEXT, title TEXT, author TEXT, pub_yr INTEGER, pages INTEGER, qty_in_stock INTEGER, genre TEXT"
    write_sqlite(folder / "library.sqlite", "books", cols, BOOKS)
    return folder


def correct(q: dict, ans) -> bool:
    if not q["answers"]:
        return ans.abstained
    return not ans.abstained and bool(exact_match(ans.text, q["answers"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--llm", default="smollm2")
    ap.add_argument("--tag", default="", help="suffix of the results file (structured-TAG.json)")
    args = ap.parse_args()
    quiet_libraries()
    root = Path(tempfile.mkdtemp(prefix="ragtune-structured-"))
    build(root / "corpus" / "demo")
    build_second_set(root / "corpus" / "second")
    ws = Workspace(Settings(store=root / "store", llm=args.llm))
    report = ws.ingest([root / "corpus"])
    questions = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    rows = []
    t = time.perf_counter()
    for q in questions:
        t0 = time.perf_counter()
        ans = ws.ask(q["question"])
        rows.append(
            {
                "id": q["id"],
                "category": q["category"],
                "question": q["question"],
                "gold": q["answers"],
                "answer": ans.text,
                "abstained": ans.abstained,
                "route": ans.route,
                "sql": ans.sql,
                "correct": correct(q, ans),
                "latency_s": round(time.perf_counter() - t0, 3),
                "cited": [f"{c.source} ({c.locator})" for c in ans.citations[:3]],
            }
        )
    by_cat = defaultdict(list)
    for r in rows:
        by_cat[r["category"]].append(r["correct"])
    summary = [
        {
            "category": c,
            "n": len(v),
            "exact": sum(v) / len(v),
            "target": TARGETS[c],
            "met": sum(v) / len(v) >= TARGETS[c],
        }
        for c, v in by_cat.items()
    ]
    routes = Counter((r["category"], r["route"]) for r in rows)
    print(table(summary, ["category", "n", "exact", "target", "met"]))
    print("routes:", dict(sorted((f"{c}/{r}", n) for (c, r), n in routes.items())))
    for r in rows:
        if not r["correct"]:
            print(
                f"  miss [{r['category']}] {r['question']} → {r['answer'] or 'ABSTAIN'} "
                f"(gold {r['gold']}, {r['route']})"
            )
    path = save(
        "structured" + (f"-{args.tag}" if args.tag else ""),
        {
            "command": "python bench/structured.py" + (f" --tag {args.tag}" if args.tag else ""),
            "llm": args.llm,
            "check": ws.settings.answer.check,  # RAGTUNE_ANSWER__CHECK: a second reading (generate/check.py)
            "ingest": report.line(),
            "questions": len(rows),
            "seconds": round(time.perf_counter() - t, 1),
            "summary": summary,
            "rows": rows,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
