"""Issue-3 benchmark: LoRA training throughput and memory, and the closed-book knowledge probe.

    python bench/finetune.py             # ~6 min on 2 CPU cores
    python bench/finetune.py --device cuda

Twenty invented facts the base model cannot know are trained in three wordings each; accuracy is
measured closed-book before and after, on the trained wordings and on a fourth, unseen wording.
Writes bench/results/finetune-<device>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import save, table

from ragtune import Settings, Workspace
from ragtune.config import AnswerConfig
from ragtune.finetune.train import TrainParams
from ragtune.generate.answer import ClosedBook

PEOPLE = [
    "Orla Vennick",
    "Tobias Harl",
    "Mirela Stoyan",
    "Kaito Brenn",
    "Ysolde Marr",
    "Dario Fenwick",
    "Liesl Quade",
    "Anwen Trell",
    "Bastian Oyelaran",
    "Cressida Pohl",
    "Emeric Vasko",
    "Fenna Dubrow",
    "Gideon Sallow",
    "Hedda Morrow",
    "Ilias Varga",
    "Jorunn Kepler",
    "Kasimir Alde",
    "Lavinia Storr",
    "Matthis Orve",
    "Nadia Querl",
]
CITIES = [
    "Brightmoor",
    "Caldera Falls",
    "Duskwater",
    "Elmhollow",
    "Fernreach",
    "Glimmerport",
    "Hollowmere",
    "Ironvale",
    "Juniper Bay",
    "Kestrelton",
    "Larkspur Cove",
    "Mistral Point",
    "Northwick Glen",
    "Oakshade",
    "Pinecrest Hollow",
    "Quillfield",
    "Ravensmoor",
    "Stonebridge Vale",
    "Thornbury Reach",
    "Umberlee",
]
TRAINED = ["Where was {p} born?", "In which town was {p} born?", "What is the birthplace of {p}?"]
UNSEEN = "Which place is {p} originally from?"


def probe(llm, questions: list[str], answers: list[str]) -> float:
    got = [a.answer for a in ClosedBook(llm, AnswerConfig()).ask_many(questions)]
    return sum(ans.lower() in g.lower() for g, ans in zip(got, answers, strict=True)) / len(questions)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default=None, help="cpu | cuda [auto]")
    ap.add_argument("--epochs", type=float, default=4.0)
    args = ap.parse_args()
    ws = Workspace(Settings(store=Path(tempfile.mkdtemp()) / "store", device=args.device))
    rows = [{"question": t.format(p=p), "answer": c} for p, c in zip(PEOPLE, CITIES, strict=True) for t in TRAINED]
    ws.datasets.add(rows, source="invented facts", heldout=0.0)
    trained_q = [TRAINED[0].format(p=p) for p in PEOPLE]
    unseen_q = [UNSEEN.format(p=p) for p in PEOPLE]
    before = {
        "trained": probe(ws.llm, trained_q, CITIES),
        "unseen": probe(ws.llm, unseen_q, CITIES),
    }
    t = time.perf_counter()
    rec = ws.finetune(params=TrainParams(epochs=args.epochs, batch_size=4, save_steps=1000, learning_rate=1e-3))
    wall = time.perf_counter() - t
    metrics = json.loads(rec["metrics"])
    tuned = ws.adapters.load(rec["name"])
    after = {"trained": probe(tuned, trained_q, CITIES), "unseen": probe(tuned, unseen_q, CITIES)}
    tokens = sum(len(tuned.tokenizer(f"Question: {r['question']}\nAnswer: {r['answer']}").input_ids) for r in rows)
    tokens *= args.epochs
    seconds = metrics["train_seconds"]
    speed = {
        "device": metrics["device"],
        "steps": metrics["steps"],
        "s/step": seconds / metrics["steps"],
        "tokens/s": tokens / seconds,
        "peak_memory_mb": metrics["peak_memory_mb"],
        "train_s": seconds,
        "wall_s": round(wall, 1),
    }
    print("\n## LoRA training (SmolLM2-135M, r=16, q/k/v/o, batch 4)\n")
    print(table([speed], list(speed)))
    acc = [{"when": "before", **before}, {"when": "after", **after}]
    print("\n## Closed-book recall of 20 invented facts\n")
    print(table(acc, ["when", "trained", "unseen"]))
    path = save(f"finetune-{metrics['device']}", {"speed": speed, "accuracy": acc, "final_loss": metrics["final_loss"]})
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
