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
    python bench/probe_check.py --fit-on dev  # ~4 min: the probe fitted on dev, one organisation left out in turn

Writes bench/results/probe-check.json: ROC AUC per layer and regularisation, the reply's doubt beside it. With
`--fit-on dev` (session 24; the model in bfloat16, as the check runs it), the probe and the doubt together are
fitted on three dev organisations and scored on the fourth, in turn; beside the AUC, the decision it would make:
near misses caught and right answers withheld, at a threshold chosen on the three organisations' own
left-out scores (nested), against the doubt's fitted threshold. Writes bench/results/probe-check-dev.json.
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
DEV_LAYERS = [12, *LAYERS]
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
        label = int(r["kind"] != "answer")
        out.append({"question": q, "evidence": r["quote"], "label": label, "route": r["route"], "org": r["org"]})
    return out


def features(
    llm, rows: list[dict], cache: Path | None, name: str, layers: list[int] = LAYERS
) -> tuple[np.ndarray, np.ndarray]:
    """(the reply's doubt, the last prompt token's hidden state at each of `layers`) per row."""
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
            hidden.append(np.stack([out.hidden_states[k][0, -1].float().numpy() for k in layers]))
            if i % 50 == 0:
                print(f"  {name} {i}/{len(rows)} {time.perf_counter() - t:.0f} s", flush=True)
    d, h = np.array(doubts), np.stack(hidden)
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
        np.savez(cache / f"{name}.npz", doubt=d, hidden=h.astype(np.float16))
    return d, h


def probe(c: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000, class_weight="balanced"))


def best_threshold(score: np.ndarray, y: np.ndarray) -> float:
    """The threshold over which withholding catches the most near misses less right answers withheld."""
    ts = np.unique(score)
    return float(ts[int(np.argmax([((score > t) & (y == 1)).sum() - ((score > t) & (y == 0)).sum() for t in ts]))])


def left_out(x: np.ndarray, y: np.ndarray, org: np.ndarray, c: float) -> np.ndarray:
    """Each organisation's scores from a probe fitted on the others."""
    s = np.zeros(len(y))
    for o in sorted(set(org)):
        s[org == o] = probe(c).fit(x[org != o], y[org != o]).decision_function(x[org == o])
    return s


def decisions(score: np.ndarray, x: np.ndarray, y: np.ndarray, org: np.ndarray, c: float | None) -> tuple[int, int]:
    """(near misses caught, right answers withheld) by `score`, each organisation's left-out score, at a threshold
    chosen on the other three's own left-out scores. `c` None: `score` is the raw signal `x[:, -1]`, no probe."""
    caught = lost = 0
    for o in sorted(set(org)):
        tr, te = org != o, org == o
        inner = x[tr, -1] if c is None else left_out(x[tr], y[tr], org[tr], c)
        hit = score[te] > best_threshold(inner, y[tr])
        caught, lost = caught + int((hit & (y[te] == 1)).sum()), lost + int((hit & (y[te] == 0)).sum())
    return caught, lost


def fit_on_dev(llm, cache: Path | None) -> None:
    """The probe (with the doubt) fitted on three dev organisations, scored on the fourth."""
    from sklearn.metrics import roc_auc_score

    dev = dev_pairs()
    dd, hd = features(llm, dev, cache, "dev-bf16", DEV_LAYERS)
    y, org = np.array([r["label"] for r in dev]), np.array([r["org"] for r in dev])
    auc = lambda s: round(float(roc_auc_score(y, s)), 3)  # noqa: E731
    caught, lost = decisions(dd, dd[:, None], y, org, None)
    rows = [{"signal": "reply's doubt", "layer": "", "C": "", "auc": auc(dd), "caught": caught, "withheld": lost}]
    rows[0] |= {"at_0.25": [int(((dd > 0.25) & (y == 1)).sum()), int(((dd > 0.25) & (y == 0)).sum())]}
    for k, layer in enumerate(DEV_LAYERS):
        x = np.column_stack([hd[:, k], dd])
        for c in (0.001, 0.01, 0.1):
            score = left_out(x, y, org, c)
            caught, lost = decisions(score, x, y, org, c)
            row = {"signal": "probe + doubt", "layer": layer, "C": c, "auc": auc(score)}
            rows.append(row | {"caught": caught, "withheld": lost})
            print(rows[-1], flush=True)
    body = {"command": "python bench/probe_check.py --fit-on dev", "dev_pairs": len(dev), "rows": rows}
    print(f"wrote {save('probe-check-dev', body | {'dev_near_misses': int(y.sum())})}")


def main() -> None:
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold, cross_val_predict

    from ragtune.models.factory import create_llm

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, help="a folder for the hidden states, reused when present")
    ap.add_argument("--fit-on", choices=["squad", "dev"], default="squad", help="what the probe is fitted on")
    args = ap.parse_args()
    settings = Settings(store=Path("/tmp/ragtune-probe"))
    if args.fit_on == "dev":
        return fit_on_dev(create_llm("qwen2.5-coder-1.5b", settings, cpu_bf16=True), args.cache)
    llm = create_llm("qwen2.5-coder-1.5b", settings)
    train, dev = squad_pairs(), dev_pairs()
    dt, ht = features(llm, train, args.cache, "squad")
    dd, hd = features(llm, dev, args.cache, "dev")
    yt, yd = np.array([r["label"] for r in train]), np.array([r["label"] for r in dev])
    groups = [r["group"] for r in train]
    auc = lambda y, s: round(float(roc_auc_score(y, s)), 3)  # noqa: E731
    rows = [{"signal": "reply's doubt", "layer": "", "C": "", "squad_loo": auc(yt, dt), "dev": auc(yd, dd)}]
    for k, layer in enumerate(LAYERS):
        for c in CS:
            model = probe(c)
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
