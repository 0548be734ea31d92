"""Fit the extractive reader's linear weights on the SQuAD *train* subset (Notre Dame) and write reader.json.

    python bench/fit_reader.py            # ~6 min on 2 CPU cores

Two stages, as the reader runs: `static` weights rank every candidate span cheaply; the top
`candidates` of those get the model's log-probability features and `full` weights rank them.
The Super Bowl *dev* subset is never seen here; bench/rag.py measures on it.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import squad_workspace

from ragtune.evaluate.metrics import f1
from ragtune.generate import reader

OUT = Path(reader.__file__).with_name("reader.json")
STATIC = [
    "evidence",
    "evidence_rank",
    "distance",
    "words",
    "new",
    "capitalised",
    "number",
    "date",
    "typed",
    "anchor_inside",
    "before_anchor",
    "after_anchor",
]
FULL = STATIC + list(reader.LM_FEATURES)


def fit(groups: list[tuple[np.ndarray, np.ndarray]], names: list[str], l2: float = 1e-3) -> dict[str, float]:
    """Softmax ranking over each question's candidates, towards the candidates with the best F1."""
    w = torch.zeros(len(names), requires_grad=True)
    data = [(torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)) for x, y in groups]
    opt = torch.optim.LBFGS([w], max_iter=200)

    def loss_fn():
        opt.zero_grad()
        loss = sum(-(y * torch.log_softmax(x @ w, 0)).sum() for x, y in data) / len(data) + l2 * (w**2).sum()
        loss.backward()
        return loss

    opt.step(loss_fn)
    return {n: round(float(v), 4) for n, v in zip(names, w.detach(), strict=True)}


def target(cands: list, answers: list[str]) -> np.ndarray | None:
    scores = np.array([f1(c.text, answers) for c in cands])
    if scores.max() < 0.5:
        return None
    y = (scores >= scores.max() - 1e-9).astype(float)
    return y / y.sum()


def main() -> None:
    t0 = time.time()
    ws, _, questions, _ = squad_workspace("notre-dame")
    answerer = ws.answerer()
    retriever = ws.retriever
    limit = ws.settings.answer.candidates
    vecs = ws.embedder.embed([q["question"] for q in questions])
    static_groups, items = [], []
    for q, v in zip(questions, vecs, strict=True):
        evidence = retriever.evidence(retriever.search(q["question"], vector=v), v)
        cands = reader.candidates(q["question"], [(e.text, e.score) for e in evidence], limit=10_000)
        y = target(cands, q["answers"]) if cands else None
        if y is not None:
            static_groups.append((np.array([[c.features[n] for n in STATIC] for c in cands]), y))
        items.append((q, evidence, cands))
    static = fit(static_groups, STATIC)
    print("static", static)
    full_groups = []
    for q, evidence, cands in items:
        if not cands:
            continue
        top = sorted(cands, key=lambda c: -sum(static[n] * c.features[n] for n in STATIC))[:limit]
        y = target(top, q["answers"])
        if y is None:
            continue
        reader.add_lm_features(ws.llm, answerer.prompt(q["question"], evidence), q["question"], top)
        full_groups.append((np.array([[c.features[n] for n in FULL] for c in top]), y))
    full = fit(full_groups, FULL)
    print("full", full)
    OUT.write_text(
        json.dumps(
            {
                "fitted_on": "SQuAD v1.1 train, University_of_Notre_Dame (../shared/data/squad1-train-notre-dame.json)",
                "command": "python bench/fit_reader.py",
                "questions": len(full_groups),
                "static": static,
                "weights": full,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {OUT} in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
