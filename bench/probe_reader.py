"""The span reader's no-answer score on questions that name the organisation's rule another way than its sentence.

    python bench/probe_reader.py src/ragtune/models/readers/span /tmp/span-other ...   # → results/probe-reader.json

Hand-written passages of two organisations that no benchmark uses (a bakery and a cycling club), written in
session 30 before the voiced examples (finetune/prose_examples.py `voiced`) were trained on. Answerable questions
ask in the first person ("How often do we get …"), in the passive ("How often is … delivered?"), per unit or in
plain words; near misses ask another party's, other goods', another day's or another group's value. Printed per
reader: how many answerable ones it reads right under the threshold, how many near misses it scores above it, and
the ROC AUC of the no-answer score between the two. A check of one weakness, not a benchmark: it is small and
written with the weakness in mind.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from common import RESULTS, machine
from sklearn.metrics import roc_auc_score

from ragtune.config import Settings
from ragtune.models.factory import load_span_reader

P1 = (
    "Supply agreement between Crumb & Co Bakery and Millhaven Flour Ltd. Millhaven Flour delivers wholemeal flour to "
    "the bakery every Wednesday before 07:00. The price of organic rye flour is fixed at £38 per sack until June 2028. "
    "Crumb & Co pays each Millhaven invoice within 21 days of delivery. Either party may end the agreement with three "
    "months' notice."
)
P2 = (
    "Crumb & Co staff handbook. Bakers start their shift at 04:30 and finish at 12:30. Shop staff open the shop at "
    "07:00. The ovens are descaled by Ovenserve every third month. Staff get a 30% discount on bread and cakes."
)
P3 = (
    "Riverside Cycling Club rules. The club rents its clubhouse from Ashford Council for £1,150 a year. Members pay "
    "an annual fee of £60; juniors under 16 pay £25. Group rides leave the clubhouse at 08:00 every Sunday. The "
    "club's insurance with Pedalsure runs until 31 January 2028."
)
ANS = [
    (P1, "How often do we get wholemeal flour?", "every Wednesday"),
    (P1, "How often is wholemeal flour delivered?", "every Wednesday"),
    (P1, "What do we pay per sack of organic rye flour?", "£38"),
    (P1, "What is the price of organic rye flour per sack?", "£38"),
    (P1, "How long do we have to pay Millhaven's invoices?", "21 days"),
    (P1, "Within how many days are Millhaven invoices paid?", "21 days"),
    (P1, "How much notice do we need to give to end the agreement?", "three months"),
    (P2, "What time do we start baking?", "04:30"),
    (P2, "When do bakers start?", "04:30"),
    (P2, "How often are the ovens descaled?", "every third month"),
    (P2, "What discount do we get on bread?", "30%"),
    (P3, "How much do we pay for the clubhouse each year?", "£1,150"),
    (P3, "What do juniors pay?", "£25"),
    (P3, "When do our group rides leave?", "08:00"),
    (P3, "When does our insurance with Pedalsure end?", "31 January 2028"),
    (P3, "How much is the annual fee for members?", "£60"),
]
MISS = [
    (P1, "How often do we get spelt flour?"),
    (P1, "What do we pay per sack of white bread flour?"),
    (P1, "How long does Millhaven have to pay our invoices?"),
    (P1, "Within how many days are invoices from Grainway paid?"),
    (P2, "What time do we start on Sundays?"),
    (P2, "How often are the fridges descaled?"),
    (P2, "What discount do customers get on cakes?"),
    (P3, "How much do we pay Ashford Council for the car park?"),
    (P3, "What do seniors over 65 pay?"),
    (P3, "When does our insurance with Velocover end?"),
    (P3, "When do the group rides leave on Saturdays?"),
    (P2, "Who services the ovens in the shop?"),
]


def read(folder: str) -> dict:
    """Each question's best span and no-answer score under the reader in `folder`, judged at its own threshold."""
    reader = load_span_reader(Path(folder), Settings().home)
    threshold = reader.abstain_threshold if reader.abstain_threshold is not None else 8.0
    answerable = []
    for passage, question, gold in ANS:
        span = reader.read(question, [passage])[0]
        right = gold.lower() in span.text.lower() or span.text.lower() in gold.lower()
        answerable.append({"q": question, "span": span.text, "no_answer": round(span.no_answer, 1), "right": right})
    misses = []
    for passage, question in MISS:
        span = reader.read(question, [passage])[0]
        misses.append({"q": question, "span": span.text, "no_answer": round(span.no_answer, 1)})
    kept = sum(r["right"] and r["no_answer"] <= threshold for r in answerable)
    withheld = sum(r["no_answer"] > threshold for r in misses)
    scores = [r["no_answer"] for r in answerable + misses]
    auc = roc_auc_score([0] * len(answerable) + [1] * len(misses), scores)  # the misses should score higher
    print(f"{folder}: threshold {threshold}; answerable right and kept {kept}/{len(ANS)}, near misses withheld")
    print(f"  {withheld}/{len(MISS)}; AUC {auc:.3f}")
    summary = {"threshold": threshold, "answerable_kept": kept, "near_misses_withheld": withheld, "auc": round(auc, 3)}
    return summary | {"answerable": answerable, "near_misses": misses}


def main() -> None:
    results = {folder: read(folder) for folder in sys.argv[1:]}
    (RESULTS / "probe-reader.json").write_text(json.dumps({"readers": results, "machine": machine()}, indent=1))


if __name__ == "__main__":
    main()
