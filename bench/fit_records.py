"""Fit the span reader's no-answer threshold for table rows, on synthetic records it was not trained on.

    python bench/fit_records.py                          # the package's span reader; writes its records.json
    python bench/fit_records.py --reader /tmp/span-records --dry-run

The examples come from `ragtune.finetune.record_examples` with another seed than training's (the same
generator: invented entities and schemas, never a benchmark's), one named row at a time as the table reader
reads it. The threshold is the no-answer score that gets the most examples right: the right field's value when
the row answers, nothing when it does not.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from common import RESULTS, confusable_attributes, machine, table

from ragtune.console import quiet_libraries
from ragtune.finetune.record_examples import record_example
from ragtune.models.bundled import bundled_span_reader
from ragtune.models.span import SpanReader


def one_row(ex) -> tuple[str, str]:
    """The example's context cut to the row the question is about (the table reader reads one named row)."""
    lines = ex.context.split("\n")
    if ex.answer is not None:
        at, cursor = ex.start, 0
        for line in lines:
            if cursor <= at < cursor + len(line) + 1:
                return ex.question, line
            cursor += len(line) + 1
    return ex.question, random.Random(ex.question).choice(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reader", type=Path, default=bundled_span_reader())
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--seed", type=int, default=977)
    ap.add_argument("--dry-run", action="store_true", help="print, do not write records.json")
    ap.add_argument("--confusable", type=int, default=0, help="record misses asked like one of K near attributes")
    args = ap.parse_args()
    quiet_libraries()
    reader = SpanReader(args.reader)
    rng = random.Random(args.seed)
    near = confusable_attributes(args.confusable)
    scored = []
    for _ in range(args.n):
        ex = record_example(rng, rng.random() >= 0.3, near)
        question, row = one_row(ex)
        spans = reader.read(question, [row])
        if not spans:
            scored.append((float("inf"), False, ex.answer is None))
            continue
        right = ex.answer is not None and spans[0].text.strip() == ex.answer.strip()
        scored.append((spans[0].no_answer, right, ex.answer is None))
    candidates = sorted({round(s, 2) for s, _, _ in scored if s != float("inf")})

    def accuracy(t: float) -> float:
        return sum((s <= t and right) or (s > t and none) for s, right, none in scored) / len(scored)

    best = max(candidates, key=accuracy)
    answerable = [x for x in scored if not x[2]]
    rows = [
        {"threshold": t, "accuracy": round(accuracy(t), 3)}
        for t in sorted({best, *(c for c in candidates[:: max(1, len(candidates) // 8)])})
    ]
    print(table(rows, ["threshold", "accuracy"]))
    summary = {
        "threshold": best,
        "accuracy": round(accuracy(best), 3),
        "span_right_when_answerable": round(sum(r for _, r, _ in answerable) / len(answerable), 3),
        "examples": len(scored),
        "seed": args.seed,
        "confusable": args.confusable,
        "rule": "the threshold with the most examples right (value of the right field, or nothing)",
    }
    print(json.dumps(summary, indent=2))
    if not args.dry_run:
        (args.reader / "records.json").write_text(json.dumps(summary, indent=2))
        (RESULTS / "fit-records.json").write_text(json.dumps(summary | {"machine": machine()}, indent=2))


if __name__ == "__main__":
    main()
