"""Fit the trained reader's abstention threshold on training questions; measure it SQuAD 2.0-style on the
article the reader never saw.

    python bench/abstain.py                     # the package's span reader; writes its abstain.json
    python bench/abstain.py --reader /tmp/span-zelda     # the swap fold (bench/train_span.py's second command)
    python bench/abstain.py --reader src/ragtune/models/readers/smollm2   # the SmolLM2 RAFT reader (~30 min)
    python bench/abstain.py --threshold 8.0     # measure the span reader's own (dev-fitted) threshold instead

The reader (bench/train_span.py or bench/train_reader.py) was trained without the held-out article and
without its calibration questions (every 7th paragraph of the others). Here:
1. the calibration questions are answered with no threshold, and the threshold is the lowest that keeps
   their answerable F1 within `--budget` (0.02) of never abstaining on the score (training data only);
2. the held-out article (Spectre: 462 questions, 188 unanswerable) is answered once, and its HasAns F1,
   NoAns accuracy, abstention precision / recall / F1 and overall F1 are reported with no threshold and
   with the fitted one, and how well the no-answer score separates the unanswerables at all (ROC AUC, as
   answered and, for a span reader, reading the gold paragraph alone). Results go to
   bench/results/abstain-span-<article>.json (span readers) or abstain-<article>.json (RAFT readers).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ingest_squad, machine, table
from readers import DATA, FILES, READERS, tag, variant

from ragtune import Settings, Workspace
from ragtune.evaluate.metrics import threshold_curve
from ragtune.evaluate.questions import sample, squad
from ragtune.generate.arms import parse
from ragtune.models.span import SpanReader, is_span_folder

NEVER = float("inf")


def workspace(root: Path, data: dict, llm: str, reader: Path) -> tuple[Workspace, list]:
    """All training articles (the held-out one too) ingested as one corpus, read by `reader`; their questions."""
    settings = Settings(store=root / "store", llm=llm, answer={"adapter": str(reader)})
    settings.answer.abstain_threshold = NEVER  # every score is kept; thresholds are applied afterwards
    ws, path = ingest_squad(root, data, settings)
    return ws, squad(data, path)


def answered(ws: Workspace, questions: list) -> dict:
    """Each question answered once with no threshold: its no-answer score, and its F1 had the reader answered."""
    rows = ws.evaluate(questions, parse("ft+rag", reader=True))["rows"]
    return {
        "id": [r["id"] for r in rows],
        "scores": [r["no_answer"] for r in rows],
        "declined": [r["abstained"] and r["withheld_f1"] is None for r in rows],
        "impossible": [r["impossible"] for r in rows],
        "has_f1": [r["withheld_f1"] if r["withheld_f1"] is not None else r["f1"] for r in rows],
    }


def curve(a: dict, thresholds: list[float] | None = None) -> list[dict]:
    return threshold_curve(a["scores"], a["declined"], a["impossible"], a["has_f1"], thresholds)


def fit(curve: list[dict], budget: float) -> float:
    """The lowest threshold whose answerable F1 is within `budget` of never abstaining on the score."""
    top = curve[-1]["has_ans_f1"]
    return min(p["threshold"] for p in curve if p["has_ans_f1"] >= top - budget)


def separation(held_out: dict, reader: Path, held: list) -> dict:
    """ROC AUC of the no-answer score for "unanswerable" on the held-out article (0.5: chance): as answered
    (retrieval, read passages) and, for a span reader, reading each question's gold paragraph alone."""
    from sklearn.metrics import roc_auc_score

    scored = [(s, i) for s, i in zip(held_out["scores"], held_out["impossible"], strict=True) if s is not None]
    out = {"rag": round(roc_auc_score([i for _, i in scored], [s for s, _ in scored]), 3)}
    if is_span_folder(reader):
        spans = SpanReader(reader)
        gold = [(spans.read(q.question, [q.context]) or [None])[0] for q in held]
        pairs = [(sp.no_answer, q.impossible) for sp, q in zip(gold, held, strict=True) if sp is not None]
        out["gold_paragraph"] = round(roc_auc_score([i for _, i in pairs], [s for s, _ in pairs]), 3)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--llm", default="smollm2")
    ap.add_argument("--budget", type=float, default=0.02)
    ap.add_argument("--calibration", type=int, default=300, help="calibration questions (evenly sampled)")
    ap.add_argument("--store", type=Path, default=None)
    ap.add_argument("--reader", type=Path, help="the reader folder (default: the package's span reader)")
    ap.add_argument(
        "--threshold", type=float, help="measure this one (the reader's own, fitted elsewhere); keep abstain.json"
    )
    args = ap.parse_args()
    reader = args.reader or READERS / "span"
    split = json.loads((reader / "split.json").read_text())
    articles = [a for name in FILES for a in json.loads((DATA / name).read_text())["data"]]
    root = args.store or Path(tempfile.mkdtemp(prefix="ragtune-abstain-"))
    ws, questions = workspace(root, {"version": "all", "data": articles}, args.llm, reader)
    held = [q for q in questions if q.meta["title"] == split["hold_out"]]
    calibration_ids = set(split["calibration_questions"])
    calibration = sample([q for q in questions if q.id in calibration_ids], args.calibration)
    calibration_curve = curve(answered(ws, calibration))
    threshold = squad_fit = fit(calibration_curve, args.budget)
    print(f"fitted threshold {threshold:.3f} on {len(calibration)} calibration questions")
    if args.threshold is not None:
        threshold = args.threshold
        print(f"measuring the given threshold {threshold:.3f} instead")
    held_out = answered(ws, held)
    measured = curve(held_out, [threshold, NEVER])
    best = max(curve(held_out), key=lambda p: p["f1"])  # hindsight, not a fit: what any threshold could do
    auc = separation(held_out, reader, held)
    print(f"no-answer score ROC AUC (0.5 = chance): {auc}")
    labels = [
        f"{'given' if args.threshold is not None else 'fitted'} {threshold:.2f}",
        "none",
        f"best in hindsight {best['threshold']:.2f}",
    ]
    rows = [p | {"threshold": label} for p, label in zip([*measured, best], labels, strict=True)]
    cols = ["threshold", "has_ans_f1", "precision", "recall", "f1", "overall_f1"]  # NoAns accuracy = recall
    print(f"{split['hold_out']}: {len(held)} questions, {sum(q.impossible for q in held)} unanswerable")
    print(table([{c: (r[c] if r[c] is not None else "-") for c in cols} for r in rows], cols))
    fitted = {
        "threshold": squad_fit,
        "budget": args.budget,
        "calibration": len(calibration),
        "hold_out": split["hold_out"],
        "rule": "lowest threshold within the budget of answerable F1",
    }
    if args.threshold is None:
        (reader / "abstain.json").write_text(json.dumps(fitted, indent=2))
    no_ans = sum(q.impossible for q in held)
    payload = {
        "fitted": fitted,
        "measured_threshold": threshold,
        "calibration_curve": calibration_curve,
        "hold_out": split["hold_out"],
        "questions": len(held),
        "unanswerable": no_ans,
        "measured": rows,
        "no_answer_auc": auc,
        "hold_out_answers": held_out,
    }
    kind = "abstain-span" if is_span_folder(reader) else "abstain"
    (RESULTS / f"{kind}-{tag(split['hold_out'])}{variant(reader)}.json").write_text(
        json.dumps(payload | {"machine": machine()}, indent=2)
    )


if __name__ == "__main__":
    main()
