"""Does a linear probe on the check model's hidden state catch near misses its yes/no reply lets through?

Tried in session 22 and not shipped (docs/answers.md). The check (generate/check.py) reads Qwen2.5-Coder-1.5B's
reply to "does the text state the answer to exactly this question?". Its hidden state at the reply's position may
know more than the reply says, so a logistic probe is fitted on it, on SQuAD 2.0 training questions only: each
unanswerable question with the sentence of its plausible answer (348, the writers' own near misses: another
entity, a changed qualifier) against as many answerable questions with their answer's sentence (those sharing a
near miss's sentence first). It is scored leaving one SQuAD article out, and then on the dev part's recorded
check answers (near misses against right answers; `wording-dev-check-off.json`), never the test part.

    python bench/probe_check.py            # ~30 min on 2 cores: one forward pass per pair
    python bench/probe_check.py --cache D  # keep/reuse the hidden states in D

Writes bench/results/probe-check.json: ROC AUC per layer and regularisation, the reply's doubt beside it.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
import squad
from common import RESULTS, save

from ragtune import Settings
from ragtune.text import sentences

LAYERS = [16, 20, 24, 28]
CS = [0.0003, 0.001, 0.01]


def sentence_at(context: str, start: int) -> str | None:
    """The sentence of `context` that holds character `start`."""
    pos = 0
    for s in sentences(context):
        i = context.find(s, pos)
        if i <= start < i + len(s):
            return s
        pos = max(pos, i)
    return None


def squad_pairs(seed: int = 0) -> list[dict]:
    """Unanswerable SQuAD 2.0 questions over their plausible answer's sentence (label 1), and as many answerable
    ones over their answer's sentence (label 0)."""
    data = json.loads((squad.DATA / "squad2-train-10-articles.json").read_text(encoding="utf-8"))
    miss, hit = [], []
    for art in data["data"]:
        for par in art["paragraphs"]:
            for q in par["qas"]:
                ans = (q.get("plausible_answers") if q.get("is_impossible") else q["answers"]) or []
                s = sentence_at(par["context"], ans[0]["answer_start"]) if ans else None
                if not s or ans[0]["text"] not in s:
                    continue
                row = {"question": q["question"], "evidence": s, "label": int(bool(q.get("is_impossible")))}
                (miss if row["label"] else hit).append(row | {"group": art["title"]})
    rng = random.Random(seed)
    shared = {r["evidence"] for r in miss}
    paired = [r for r in hit if r["evidence"] in shared]
    rest = [r for r in hit if r["evidence"] not in shared]
    rng.shuffle(paired)
    rng.shuffle(rest)
    rows = miss + (paired + rest)[: len(miss)]
    rng.shuffle(rows)
    return rows


def dev_pairs() -> list[dict]:
    """Dev answers the check was asked about: near misses (1) and right answers (0), over the cited sentence."""
    body = json.loads((RESULTS / "wording-dev-check-off.json").read_text(encoding="utf-8"))
    out = []
    for r in body["rows"]:
        doubt = (r.get("coverage") or {}).get("doubt")
        if r["abstained"] or doubt is None or not r.get("quote") or (r["kind"] == "answer" and not r["right"]):
            continue
        q = r["standalone"] or r["question"]
        out.append({"question": q, "evidence": r["quote"], "label": int(r["kind"] != "answer"), "route": r["route"]})
    return out


def features(llm, rows: list[dict], cache: Path | None, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(the reply's doubt, the last prompt token's hidden state at each of LAYERS) per row."""
    import torch

    from ragtune.prompts import render

    if cache and (cache / f"{name}.npz").is_file():
        z = np.load(cache / f"{name}.npz")
        return z["doubt"], z["hidden"].astype(np.float32)
    tok = llm.tokenizer
    yes = [tok(w, add_special_tokens=False).input_ids[0] for w in ("yes", "Yes")]
    no = [tok(w, add_special_tokens=False).input_ids[0] for w in ("no", "No")]
    doubts, hidden, t = [], [], time.perf_counter()
    with torch.inference_mode():
        for i, r in enumerate(rows):
            prompt = llm._chat(render("check", evidence=r["evidence"].strip(), question=r["question"].strip()))
            out = llm.model(
                tok(prompt, return_tensors="pt", add_special_tokens=False).input_ids, output_hidden_states=True
            )
            lp = torch.log_softmax(out.logits[0, -1].float(), -1)
            doubts.append(float(torch.logsumexp(lp[no], 0) - torch.logsumexp(lp[yes], 0)))
            hidden.append(np.stack([out.hidden_states[k][0, -1].float().numpy() for k in LAYERS]))
            if i % 50 == 0:
                print(f"  {name} {i}/{len(rows)} {time.perf_counter() - t:.0f} s", flush=True)
    d, h = np.array(doubts), np.stack(hidden)
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
        np.savez(cache / f"{name}.npz", doubt=d, hidden=h.astype(np.float16))
    return d, h


def main() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ragtune.models.factory import create_llm

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, help="a folder for the hidden states, reused when present")
    args = ap.parse_args()
    llm = create_llm("qwen2.5-coder-1.5b", Settings(store=Path("/tmp/ragtune-probe")))
    train, dev = squad_pairs(), dev_pairs()
    dt, ht = features(llm, train, args.cache, "squad")
    dd, hd = features(llm, dev, args.cache, "dev")
    yt, yd = np.array([r["label"] for r in train]), np.array([r["label"] for r in dev])
    groups = [r["group"] for r in train]
    auc = lambda y, s: round(float(roc_auc_score(y, s)), 3)  # noqa: E731
    rows = [{"signal": "reply's doubt", "layer": "", "C": "", "squad_loo": auc(yt, dt), "dev": auc(yd, dd)}]
    for k, layer in enumerate(LAYERS):
        for c in CS:
            model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000))
            loo = cross_val_predict(model, ht[:, k], yt, groups=groups, cv=GroupKFold(2), method="decision_function")
            s = model.fit(ht[:, k], yt).decision_function(hd[:, k])
            both = s / s.std() + dd / dd.std()
            rows.append(
                {"signal": "probe", "layer": layer, "C": c, "squad_loo": auc(yt, loo), "dev": auc(yd, s)}
                | {"dev_with_doubt": auc(yd, both)}
            )
    for r in rows:
        print(r)
    path = save(
        "probe-check",
        {
            "command": "python bench/probe_check.py",
            "squad_pairs": len(train),
            "dev_pairs": len(dev),
            "dev_near_misses": int(yd.sum()),
            "rows": rows,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
