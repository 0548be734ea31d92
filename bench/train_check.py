"""A LoRA adapter that teaches the check's model to say "no" to near misses, trained on this CPU (session 27).

The check (generate/check.py) asks Qwen2.5-Coder-1.5B whether a text states the answer to exactly the question.
Zero-shot, it says "yes" to a text about the right thing under another qualifier ("Chilled goods are kept …" for
frozen goods), another party, or another thing of the same kind. Here it is trained on contrastive pairs, each
sentence asked once with its own question ("yes") and once with a near miss of it ("no"):

- synthetic facts from the span reader's prose frames (finetune/prose_examples.py: opening hours by kind of day,
  an agreement's dates, prices per group, allowances per kind of staff, limits, a rule between two parties, …),
  about made-up entities;
- SQuAD 2.0 training questions (the ten articles): the unanswerable ones over their plausible answer's sentence
  ("no"), as many answerable ones over their answer's sentence ("yes").

Nothing comes from bench/wording. The loss is the cross-entropy of the reply's yes-or-no (both casings), the
quantity whose log-odds is the check's doubt. The base model stays in bfloat16; the adapter (rank 8 on the
attention's query and value projections) trains in fp32.

    python bench/train_check.py --out /tmp/check-lora          # ~40 min on 2 cores (1,596 pairs)
    python bench/train_check.py --score /tmp/check-lora        # dev: ROC AUC and decisions, with and without it

`--score` reads the dev part's recorded check answers (`wording-dev-check-off.json`: near misses against right
answers, over the cited sentence), never the test part, and writes bench/results/TAG.json (`--tag`, default
train-check) with each pair's doubt, zero-shot and with the adapter, read through the check as ragtune runs it
(`answer.check_adapter`); the mean of the two is scored beside them. Session 27's two adapters did not beat the
model zero-shot, and none ships (docs/answers.md).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
import torch
from common import save
from probe_check import best_threshold, dev_pairs, squad_pairs

from ragtune import Settings
from ragtune.finetune.prose_examples import FRAMES, _name
from ragtune.generate.check import EvidenceCheck
from ragtune.prompts import render

MODEL = "qwen2.5-coder-1.5b"


def synthetic_pairs(n: int, seed: int) -> list[dict]:
    """`n` facts, each a "yes" pair (its question) and a "no" pair (its near miss) over its one sentence."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        frame = rng.choice(list(FRAMES))
        fact = FRAMES[frame](rng, _name(rng, frame))
        (q, _), (miss, _) = fact.questions[0], fact.questions[1]
        rows += [
            {"question": q, "evidence": fact.sentence, "label": 0, "group": frame},
            {"question": miss, "evidence": fact.sentence, "label": 1, "group": frame},
        ]
    return rows


def training_rows(synthetic: int, seed: int) -> list[dict]:
    """The synthetic pairs and SQuAD 2.0's, the SQuAD sentence followed by its article's title as the check's
    evidence is by its document's."""
    squad = [r | {"evidence": f"{r['evidence']} {r['group'].replace('_', ' ')}"} for r in squad_pairs(seed)]
    rows = synthetic_pairs(synthetic, seed) + squad
    random.Random(seed).shuffle(rows)
    return rows


def base_llm():
    """The check's model in bfloat16, as the check runs it on this CPU."""
    from ragtune.models.factory import create_llm

    return create_llm(MODEL, Settings(store=Path("/tmp/ragtune-train-check")), cpu_bf16=True)


def trainable(llm, rank: int):
    """`llm`'s model with a fresh LoRA adapter, its weights in fp32."""
    from peft import LoraConfig, get_peft_model

    cfg = LoraConfig(r=rank, lora_alpha=2 * rank, target_modules=["q_proj", "v_proj"], lora_dropout=0.05)
    model = get_peft_model(llm.model, cfg)
    for name, p in model.named_parameters():
        if "lora_" in name:
            p.data = p.data.float()
    return model.train()


def yes_no_loss(llm, model, row: dict, yes: list[int], no: list[int]) -> torch.Tensor:
    """−log P(the row's reply) over the reply's yes or no (token ids `yes`, `no`, both casings), as the check
    reads its doubt (generate/check.py), but differentiable."""
    prompt = llm._chat(render("check", evidence=row["evidence"].strip(), question=row["question"].strip()))
    ids = llm.tokenizer(prompt, return_tensors="pt", add_special_tokens=False).input_ids
    lp = torch.log_softmax(model(ids).logits[0, -1].float(), -1)
    two = torch.stack([torch.logsumexp(lp[yes], 0), torch.logsumexp(lp[no], 0)])
    return -torch.log_softmax(two, 0)[row["label"]]


def train(args) -> None:
    llm = base_llm()
    model = trainable(llm, args.rank)
    torch.manual_seed(args.seed)
    rows = training_rows(args.synthetic, args.seed)
    ids = [
        [llm.tokenizer(w, add_special_tokens=False).input_ids[0] for w in pair]
        for pair in (("yes", "Yes"), ("no", "No"))
    ]
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    steps = args.epochs * len(rows) // args.accumulate
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 10) * max(0.0, 1 - s / steps))
    t, seen, total = time.perf_counter(), 0, 0.0
    print(f"{len(rows)} pairs ({sum(r['label'] for r in rows)} near misses), {steps} steps", flush=True)
    for _ in range(args.epochs):
        for row in rows:
            loss = yes_no_loss(llm, model, row, *ids)
            (loss / args.accumulate).backward()
            total += float(loss.detach())
            seen += 1
            if seen % args.accumulate == 0:
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                opt.step(), sched.step(), opt.zero_grad()
            if seen % 100 == 0:
                print(f"  {seen}/{len(rows) * args.epochs} loss {total / 100:.3f} {time.perf_counter() - t:.0f} s")
                total = 0.0
    model.save_pretrained(str(args.out))
    meta = vars(args) | {"out": str(args.out), "pairs": len(rows), "seconds": round(time.perf_counter() - t)}
    (args.out / "training.json").write_text(json.dumps(meta, indent=1))
    print(f"saved {args.out} in {meta['seconds']} s")


def decisions(d: np.ndarray, y: np.ndarray, t: float) -> dict:
    return {"caught": int(((d > t) & (y == 1)).sum()), "withheld": int(((d > t) & (y == 0)).sum())}


def score(args) -> None:
    """Each dev pair's doubt through the check as ragtune runs it (`answer.check_adapter`), with and without the
    adapter, in one process."""
    from sklearn.metrics import roc_auc_score

    dev = dev_pairs()
    y = np.array([r["label"] for r in dev])
    llm = base_llm()
    checks = {"zero-shot": EvidenceCheck(llm, 0.0), "with the adapter": EvidenceCheck(llm, 0.0, args.score)}
    doubt = {name: np.array([c.doubt(r["question"], r["evidence"]) for r in dev]) for name, c in checks.items()}
    doubt["mean of both"] = (doubt["zero-shot"] + doubt["with the adapter"]) / 2
    rows = []
    for name, d in doubt.items():
        best = best_threshold(d, y)
        row = {"check": name, "auc": round(float(roc_auc_score(y, d)), 3), "at_0.25": decisions(d, y, 0.25)}
        rows.append(row | {"best_threshold": round(best, 3), "at_best": decisions(d, y, best)})
        print(rows[-1])
    orgs = np.array([r["org"] for r in dev])
    by_org = {
        o: {n: round(float(roc_auc_score(y[orgs == o], d[orgs == o])), 3) for n, d in doubt.items()}
        for o in sorted({r["org"] for r in dev})
        if 0 < y[orgs == o].sum() < (orgs == o).sum()
    }
    print(by_org)
    meta = json.loads((args.score / "training.json").read_text())
    trained = f"python bench/train_check.py --out {meta['out']} --synthetic {meta['synthetic']}"
    command = f"{trained}; python bench/train_check.py --score {args.score} --tag {args.tag}"
    body = {"command": command, "training": meta, "rows": rows}
    body |= {"by_org": by_org, "dev_pairs": len(dev), "near_misses": int(y.sum())}
    body["doubts"] = {name: doubt[name].round(3).tolist() for name in checks} | {"label": y.tolist()}
    print(f"wrote {save(args.tag, body)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="train an adapter into this folder")
    ap.add_argument("--score", type=Path, help="score this adapter on dev's recorded check answers")
    ap.add_argument("--synthetic", type=int, default=450, help="synthetic facts (two pairs each)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--accumulate", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tag", default="train-check", help="the results file --score writes (bench/results/TAG.json)")
    args = ap.parse_args()
    if args.score:
        return score(args)
    if not args.out:
        ap.error("give --out (train) or --score (measure)")
    train(args)


if __name__ == "__main__":
    main()
