"""Fit how much the evidence score and the answer fit count beside the span reader's score, on calibration questions.

    python bench/fit_span.py --store /tmp/abs/store     # a few minutes; writes models/readers/span/rank.json
    python bench/fit_span.py --store /tmp/abs/store --reader /tmp/span-zelda     # the swap fold

The span reader scores spans within each passage; across passages its scores are close, and the sentence
retrieval that picked the evidence knows which passage the question is about. Within a passage its best span may
be a value of the wrong kind ("October" for "what's the cut-off time"), which the answer-fit model
(retrieve/answerfit.py, trained on synthetic rows and SQuAD training answers) can tell. The answer is the candidate
(each read passage's best three spans) with the highest `span score + w * evidence score + u * log(answer fit)`;
`w` and `u` are the pair on a grid with the best answerable F1 over the calibration questions that
bench/train_span.py kept out of training (training articles only; never Super Bowl), ties to the smaller weights.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from abstain import workspace
from common import RESULTS, machine, table
from readers import DATA, FILES, READERS, tag, variant

from ragtune.console import quiet_libraries
from ragtune.evaluate.metrics import f1
from ragtune.generate.answer import SPANS_PER_PASSAGE, Candidate

GRID = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0)
KIND_GRID = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0)


def candidates(ws, questions: list) -> list[list[tuple[Candidate, float]]]:
    """Per question, each read passage's best few spans as candidates, each with its F1 against the gold."""
    answerer, retriever = ws.answerer(), ws.retriever
    vectors = ws.embedder.embed([q.question for q in questions])
    out = []
    for q, v in zip(questions, vectors, strict=True):
        evidence = retriever.evidence(retriever.search(q.question, vector=v), v)
        found = answerer.candidates(q.question, evidence, per=SPANS_PER_PASSAGE)
        out.append([(c, f1(c.text, q.answers)) for c in found])
    return out


def pick(held: list, w: float, u: float) -> float:
    """Mean F1 of the candidates the answerer would choose with evidence weight `w` and kind weight `u`."""
    picks = [max(h, key=lambda pair: pair[0].score(w, u))[1] if h else 0.0 for h in held]
    return round(sum(picks) / len(picks), 4)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, default=None)
    ap.add_argument("--reader", type=Path, default=READERS / "span")
    args = ap.parse_args()
    quiet_libraries()
    split = json.loads((args.reader / "split.json").read_text())
    articles = [a for name in FILES for a in json.loads((DATA / name).read_text())["data"]]
    root = args.store or Path(tempfile.mkdtemp(prefix="ragtune-fit-span-"))
    ws, questions = workspace(root, {"version": "all", "data": articles}, "smollm2", args.reader)
    ids = set(split["calibration_questions"])
    calibration = [q for q in questions if q.id in ids and not q.impossible]
    held = candidates(ws, calibration)
    rows = [{"evidence_weight": w, "kind_weight": u, "f1": pick(held, w, u)} for w in GRID for u in KIND_GRID]
    best = max(rows, key=lambda r: (r["f1"], -r["evidence_weight"], -r["kind_weight"]))
    print(f"{len(calibration)} answerable calibration questions")
    print(
        table(
            [r for r in rows if r["kind_weight"] in (0.0, best["kind_weight"])],
            ["evidence_weight", "kind_weight", "f1"],
        )
    )
    fitted = {k: best[k] for k in ("evidence_weight", "kind_weight")}
    fitted |= {"calibration": len(calibration), "rule": "best F1 on grid; ties to the smaller weights"}
    (args.reader / "rank.json").write_text(json.dumps(fitted, indent=2))
    payload = {"fitted": fitted, "grid": rows, "hold_out": split["hold_out"], "machine": machine()}
    suffix = "" if args.reader == READERS / "span" else f"-{tag(split['hold_out'])}{variant(args.reader)}"
    (RESULTS / f"span-rank{suffix}.json").write_text(json.dumps(payload, indent=2))


if __name__ == "__main__":
    main()
