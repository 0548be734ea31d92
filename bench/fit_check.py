"""Fit the check's threshold (generate/check.py) on the dev part of bench/wording, never the test part.

    RAGTUNE_ANSWER__CHECK=qwen2.5-coder-1.5b RAGTUNE_ANSWER__CHECK_THRESHOLD=inf \
        python bench/wording.py --part dev --tag check-off   # every prose and row answer with its doubt kept
    python bench/fit_check.py                                # writes src/ragtune/generate/check.json

With a check, its doubt (log P(no) - log P(yes) of the model's reply to "does the text state the answer to exactly
this question?") decides whether a prose or table-row answer stands, in place of the span reader's no-answer
threshold. Rule, as for the reader's thresholds (bench/fit_abstain_dev.py): of the thresholds on a 0.25 grid, the
one with the most dev first turns right (answerable questions answered right, near misses abstained); on a tie,
the highest. Leave-one-organisation-out scores are printed, and the alternative of keeping the reader's threshold
too (an answer stands only when both let it) is scored beside it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from common import RESULTS, TEST_ORGS, machine, table
from fit_abstain_dev import tally

OUT = Path(__file__).resolve().parents[1] / "src" / "ragtune" / "generate" / "check.json"
GRID = [x / 4 for x in range(-24, 41)]  # -6 … 10
READER_THRESHOLD = json.loads((OUT.parent.parent / "models/readers/span/abstain.json").read_text())["threshold"]


def withheld(row: dict, t: float, reader: bool) -> bool:
    doubt = (row.get("coverage") or {}).get("doubt")
    if row["abstained"] or doubt is None:
        return False
    prose_no = reader and row["route"] == "prose" and (row["no_answer"] or -1e9) > READER_THRESHOLD
    return doubt > t or prose_no


def score(rows: list[dict], t: float, reader: bool = False) -> dict:
    return {"threshold": t} | tally(rows, lambda r: withheld(r, t, reader))


def best(rows: list[dict], reader: bool = False) -> float:
    return max(GRID, key=lambda t: (score(rows, t, reader)["right"], t))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=Path, default=RESULTS / "wording-dev-check-off.json")
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    run = json.loads(args.rows.read_text())
    rows = [r for r in run["rows"] if r["turn"] == 0]
    assert not TEST_ORGS & {r["org"] for r in rows}, "never fit on the test part"
    model = run.get("check") or "qwen2.5-coder-1.5b"
    orgs = sorted({r["org"] for r in rows})
    report = {}
    for reader in (False, True):
        t = best(rows, reader)
        held = [
            {"scored_on": o}
            | score([r for r in rows if r["org"] == o], best([r for r in rows if r["org"] != o], reader))
            for o in orgs
        ]
        name = "check and reader" if reader else "check alone"
        report[name] = {"fitted": score(rows, t, reader), "leave_one_org_out": held}
        print(f"{name}:")
        print(
            table(
                [score(rows, x, reader) for x in sorted({-2.0, 0.0, 2.0, t})],
                ["threshold", "right", "answered", "near_misses", "wrongly_abstained"],
            )
        )
        print(table(held, list(held[0])))
    chosen = report["check alone"]["fitted"]
    summary = {
        "threshold": chosen["threshold"],
        "rule": "the threshold (0.25 grid) with the most dev first turns right; ties to the highest",
        "fitted_on": f"bench/wording dev part ({', '.join(orgs)}), {len(rows)} first turns, check threshold off",
        "command": "RAGTUNE_ANSWER__CHECK=qwen2.5-coder-1.5b RAGTUNE_ANSWER__CHECK_THRESHOLD=inf "
        "python bench/wording.py --part dev --tag check-off; python bench/fit_check.py",
    }
    (RESULTS / "fit-check-dev.json").write_text(
        json.dumps({model: summary, "report": report, "machine": machine()}, indent=2)
    )
    if not args.dry_run:
        fitted = json.loads(OUT.read_text()) if OUT.is_file() else {}
        OUT.write_text(json.dumps(fitted | {model: summary}, indent=2) + "\n")
    print(f"{model}: threshold {chosen['threshold']} → {'(dry run)' if args.dry_run else OUT}")


if __name__ == "__main__":
    main()
