"""Fit the answer-fit model (retrieve/answerfit.py): does an answer's value fit what the question asks for?

    python bench/fit_answerfit.py      # writes src/ragtune/retrieve/answerfit.npz and bench/results/answerfit.json

Training pairs, none from bench/wording: synthetic table fields (`record_examples.kind_pairs`: the record
generator's attribute bank, values and wordings, with misses asked alike) and SQuAD *training* answers (a
question with its answer, and with the answer to another question of its article). First it measures how the
model does on what it did not see: attributes held out of the bank, and SQuAD 2.0's ten training articles when
fitted on Notre Dame; and it sets the floor under which a table field is withheld: the probability under which
`--budget` of the right held-out fields score. Then it fits the shipped ensemble on everything. The AUC on the
dev part's table answers (bench/results/wording-dev-features.json, right answers against attribute misses) is
printed as a design figure; the test part is never read.
"""

from __future__ import annotations

import argparse
import json
import random
import time

import numpy as np
from common import RESULTS, confusable_attributes, save, table
from readers import DATA
from sklearn.metrics import roc_auc_score
from sklearn.neural_network import MLPClassifier

from ragtune import Settings
from ragtune.finetune.record_examples import BANK, kind_pairs
from ragtune.index.factory import create_embedder
from ragtune.retrieve.answerfit import MODEL, AnswerFit
from ragtune.retrieve.evidence import field_phrase
from ragtune.tables.base import answer_field

Pair = tuple[str, str, int]


def squad_pairs(name: str, seed: int) -> list[Pair]:
    """Each answerable training question with its answer (1) and with another question's answer of its article
    that shares no words with it (0)."""
    rng = random.Random(seed)
    out = []
    for article in json.loads((DATA / name).read_text())["data"]:
        qa = [(q["question"], q["answers"][0]["text"]) for p in article["paragraphs"] for q in p["qas"] if q["answers"]]
        for question, answer in qa:
            out.append((question, answer, 1))
            other = rng.choice(qa)[1]
            if not set(other.lower().split()) & set(answer.lower().split()):
                out.append((question, other, 0))
    return out


def dev_pairs(path=RESULTS / "wording-dev-features.json") -> list[Pair]:
    """The dev part's table answers (check off): right ones (1) and attribute misses (0), as `field: value`."""
    if not path.is_file():
        return []
    out = []
    for r in json.loads(path.read_text())["rows"]:
        if r["abstained"] or r["route"] != "records" or r["kind"] not in ("answer", "miss:attribute"):
            continue
        if r["kind"] == "answer" and not r["right"]:
            continue
        found = answer_field(r["quote"], r["answer"].split(" [")[0])
        if found:
            out.append((r["standalone"] or r["question"], field_phrase(*found), int(r["kind"] == "answer")))
    return out


class Embedded:
    """Pairs → the model's inputs, with the embedder's vectors cached by text."""

    def __init__(self):
        self.embedder = create_embedder("minilm", home=Settings().home)
        self.cache: dict[str, np.ndarray] = {}

    def __call__(self, pairs: list[Pair]) -> tuple[np.ndarray, np.ndarray]:
        texts = list(dict.fromkeys(t for p in pairs for t in p[:2] if t not in self.cache))
        for i in range(0, len(texts), 256):
            self.cache.update(zip(texts[i : i + 256], self.embedder.embed(texts[i : i + 256]), strict=True))
        q = np.stack([self.cache[p[0]] for p in pairs])
        v = np.stack([self.cache[p[1]] for p in pairs])
        return AnswerFit.inputs(q, v), np.array([p[2] for p in pairs])


def fit(x: np.ndarray, y: np.ndarray, seeds: int, hidden: int, alpha: float) -> AnswerFit:
    nets = [
        MLPClassifier((hidden,), alpha=alpha, max_iter=300, early_stopping=True, random_state=s).fit(x, y)
        for s in range(seeds)
    ]
    return AnswerFit(
        np.stack([n.coefs_[0] for n in nets]),
        np.stack([n.intercepts_[0] for n in nets]),
        np.stack([n.coefs_[1][:, 0] for n in nets]),
        np.array([n.intercepts_[1][0] for n in nets]),
    )


def auc(model: AnswerFit, x: np.ndarray, y: np.ndarray) -> float | None:
    if len(set(y.tolist())) < 2:
        return None
    return round(float(roc_auc_score(y, model.forward(x))), 3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--synthetic", type=int, default=15000, help="synthetic field pairs")
    ap.add_argument("--seeds", type=int, default=5, help="networks in the ensemble")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--alpha", type=float, default=1e-2, help="L2 penalty")
    ap.add_argument("--held-out", type=int, default=7, help="attributes held out for the measure")
    ap.add_argument("--budget", type=float, default=0.1, help="share of right held-out fields under the floor")
    args = ap.parse_args()
    t0 = time.time()
    near = confusable_attributes(3)
    embed = Embedded()
    held = random.Random(7).sample(list(BANK), args.held_out)
    seen = [a for a in BANK if a not in held]
    x, y = embed(kind_pairs(args.synthetic, 1, near, seen) + squad_pairs("squad1-train-notre-dame.json", 1))
    trial = fit(x, y, args.seeds, args.hidden, args.alpha)
    xh, yh = embed(kind_pairs(3000, 2, near, held))
    floor = round(float(np.quantile(trial.forward(xh[yh == 1]), args.budget)), 4)
    xd, yd = embed(dev_pairs())
    measured = {
        "held-out attributes": auc(trial, xh, yh),
        "SQuAD 2.0 training articles": auc(trial, *embed(squad_pairs("squad2-train-10-articles.json", 2))),
        "dev table answers (design figure)": auc(trial, xd, yd),
    }
    x, y = embed(
        kind_pairs(args.synthetic, 3, near)
        + squad_pairs("squad1-train-notre-dame.json", 3)
        + squad_pairs("squad2-train-10-articles.json", 3)
    )
    model = fit(x, y, args.seeds, args.hidden, args.alpha)
    model.floor = floor
    model.save(MODEL)
    model = AnswerFit.load(MODEL)  # as shipped: float16 weights
    shipped = {"dev table answers (design figure)": auc(model, xd, yd)}
    under = model.forward(xd) < floor
    below = {"right": int((under & (yd == 1)).sum()), "of right": int(yd.sum())}
    below |= {"misses": int((under & (yd == 0)).sum()), "of misses": int((yd == 0).sum())}
    print(f"floor {floor} ({args.budget:.0%} of right held-out fields under it); dev table answers under it: {below}")
    rows = [{"measured on": k, "trial AUC": v, "shipped AUC": shipped.get(k, "")} for k, v in measured.items()]
    print(table(rows, ["measured on", "trial AUC", "shipped AUC"]))
    save(
        "answerfit",
        {
            "command": "python bench/fit_answerfit.py",
            "params": vars(args),
            "held_out_attributes": held,
            "examples": len(y),
            "floor": floor,
            "dev_under_floor (design figure)": below,
            "trial_auc": measured,
            "shipped_auc": shipped,
            "seconds": round(time.time() - t0, 1),
        },
    )
    print(f"wrote {MODEL}")


if __name__ == "__main__":
    main()
