"""Compare two runs of `bench/behaviour.sh` (an older and a newer tree): every answer must be the same.

    python bench/behaviour.py OLD_OUT NEW_OUT --out behaviour-architecture

Prints what differs and writes bench/results/<out>.json. The demo's fine-tuned arm is left out of the demo
comparison: LoRA training on 2 CPU threads is not bit-for-bit repeatable.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from common import save

FIELDS = ("prediction", "abstained", "em", "f1", "grounded", "cited_gold", "route", "no_answer", "withheld_f1")


def demo_lines(folder: Path) -> list[str]:
    """The demo's output without paths, times and what depends on the fine-tuning run."""
    text = (folder / "demo.txt").read_text().replace(str(folder), "OUT")
    keep = []
    for line in text.splitlines():
        line = re.sub(r"\d+\.\d+ s\b", "X s", line)
        if re.match(r"^(adapter demo|base |rag |ft |ft\+rag )", line) or " ft" in line or "fine-tuning: F1" in line:
            continue
        keep.append(line)
    return keep


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--out", default="behaviour")
    args = ap.parse_args()
    a, b = (json.loads((f / "sb.json").read_text()) for f in (args.old, args.new))
    ra, rb = ({(r["arm"], r["id"]): r for r in x["rows"]} for x in (a, b))
    differ = [f"{k}: {f}" for k in ra for f in FIELDS if k not in rb or ra[k][f] != rb[k][f]]
    sa, sb = (json.loads((f / "structured.json").read_text()) for f in (args.old, args.new))
    structured = [x["question"] for x, y in zip(sa["rows"], sb["rows"], strict=True) if x["answer"] != y["answer"]]
    demo_a, demo_b = demo_lines(args.old), demo_lines(args.new)
    result = {
        "squad_rows": len(ra),
        "squad_rows_differing": differ,
        "squad_f1": {arm: [a["arms"][arm]["f1"], b["arms"][arm]["f1"]] for arm in a["arms"]},
        "retrieval_same": a["retrieval"] == b["retrieval"],
        "retrieval": b["retrieval"],
        "structured_rows": len(sa["rows"]),
        "structured_answers_differing": structured,
        "structured_summary_same": sa["summary"] == sb["summary"],
        "demo_lines_compared": len(demo_a),
        "demo_lines_differing": [x for x in demo_b if x not in demo_a],
    }
    print(json.dumps({k: v for k, v in result.items() if k != "retrieval"}, indent=2))
    save(args.out, result)


if __name__ == "__main__":
    main()
