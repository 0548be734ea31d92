"""Train the bundled span reader (generate/span.py) on the SQuAD *training* subsets, then ship it.

    python bench/train_span.py                                   # the shipped reader (Spectre held out)
    python bench/train_span.py --hold-out The_Legend_of_Zelda:_Twilight_Princess --out /tmp/span-zelda
    python bench/train_span.py --records 8000 --prose 6000 --prepare plan.json   # here: the examples only
    python bench/train_span.py --from plan.json --out DIR                        # there (a GPU): train them
    python bench/train_span.py --from plan.json --init DIR --epochs 2 --lr 2e-4  # continue a reader (lineage: parent)
    bash scripts/wordnet.sh && python bench/train_span.py --paraphrase 3000 ...   # + questions said with synonyms

The same split as bench/train_reader.py: squad1-train-notre-dame.json and squad2-train-10-articles.json, minus the
held-out article (bench/abstain.py measures abstention on it), minus every seventh paragraph's questions
(bench/abstain.py fits the threshold on them). Unanswerable questions are trained to point at [CLS], and so is a
no-answer copy of half the answerable ones with one question term swapped (`--negatives`, `--negative-kind`).
Synthetic table rows (`--records`), prose paragraphs with qualified values (`--prose`) and table attributes stated
in prose (`--facts`) can join. The Super Bowl dev subset is never read here. Writes the folder (LoRA adapter,
span_reader.json, split.json, lineage.json) and bench/results/span-train-<article>.json. `--prepare` writes the
examples to a file that `--from` trains on without the data files or the bench helpers, on a machine with a GPU (a
few minutes there).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from dataclasses import asdict
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from readers import CALIBRATION_EVERY, DATA, FILES, READERS, machine, tag, variant

from ragtune.console import quiet_libraries
from ragtune.finetune.span import SpanParams, train_span
from ragtune.finetune.span_examples import KINDS, SpanExample

RESULTS = Path(__file__).resolve().parent / "results"


def examples(data: dict) -> tuple[list[SpanExample], list[str]]:
    """Training examples with their answers' offsets, and the calibration question ids kept out of them."""
    from ragtune.evaluate.questions import squad

    starts = {
        qa["id"]: qa["answers"][0]["answer_start"] if qa.get("answers") else None
        for article in data["data"]
        for para in article["paragraphs"]
        for qa in para["qas"]
    }
    out, calibration = [], []
    for q in squad(data, Path("training")):
        if int(q.source[1:5]) % CALIBRATION_EVERY == 0:
            calibration.append(q.id)
        elif q.impossible or not q.answers:
            out.append(SpanExample(q.question, q.context))
        else:
            out.append(SpanExample(q.question, q.context, q.answers[0], starts[q.id]))
    return out, calibration


def wordnet_synonyms(root: Path):
    """Single-word synonyms of a word's usual sense (most tagged, ≥ 60 % of its tags) in WordNet, in nltk's
    layout under `root` (scripts/wordnet.sh writes it). Only uninflected words have any."""
    import nltk

    nltk.data.path.append(str(root))
    from nltk.corpus import wordnet as wn

    @cache
    def synonyms(word: str) -> list[str]:
        own = [lemma for lemma in wn.lemmas(word) if lemma.name().lower() == word and lemma.count() >= 2]
        if not own:
            return []
        best = max(own, key=lambda lemma: lemma.count())
        if best.count() < 0.6 * sum(lemma.count() for lemma in own):
            return []  # no sense clearly the word's usual one
        return sorted(
            {n.lower() for lemma in best.synset().lemmas() if (n := lemma.name()).isalpha() and lemma.count() >= 1}
            - {word}
        )

    return synonyms


def paraphrases(train: list[SpanExample], n: int, wordnet: Path) -> list[SpanExample]:
    """Up to `n` answerable copies of training examples with one question word said by a WordNet synonym."""
    from ragtune.finetune.span_examples import paraphrased

    rng, synonyms = random.Random(4), wordnet_synonyms(wordnet)
    pool = [ex for ex in train if ex.answer is not None]
    rng.shuffle(pool)
    out = []
    for ex in pool:
        if len(out) >= n:
            break
        if (copy := paraphrased(ex, rng, synonyms)) is not None:
            out.append(copy)
    return out


def build(args) -> dict:
    """The training plan: SQuAD examples, synthetic ones and the split, from the data files (here)."""
    from common import confusable_attributes
    from train_reader import split_record, training_set

    from ragtune.finetune.prose_examples import prose_examples
    from ragtune.finetune.record_examples import record_examples

    train, calibration = examples(training_set(args.hold_out))
    said_otherwise = paraphrases(train, args.paraphrase, args.wordnet) if args.paraphrase else []
    if args.squad_share < 1.0:
        train = random.Random(0).sample(train, int(len(train) * args.squad_share))
    near = confusable_attributes(args.confusable)
    extra = record_examples(args.records, seed=1, near=near) if args.records else []
    extra += prose_examples(args.prose, seed=2) if args.prose else []
    extra += prose_examples(args.facts, seed=3, focus="fact") if args.facts else []
    extra += prose_examples(args.voiced, seed=4, focus="voiced") if args.voiced else []
    extra += said_otherwise
    return {
        "argv": sys.argv[1:],
        "hold_out": args.hold_out,
        "data_sha256": hashlib.sha256(b"".join((DATA / name).read_bytes() for name in FILES)).hexdigest(),
        "split": split_record(args.hold_out, calibration, len(train)),
        "train": [asdict(e) for e in train],
        "extra": [asdict(e) for e in extra],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hold-out", default="Spectre_(2015_film)")
    ap.add_argument("--epochs", type=float, default=3.0)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--seed", type=int, default=0)
    shipped = SpanParams()
    ap.add_argument("--negatives", type=float, default=shipped.negatives, help="share given a no-answer copy")
    ap.add_argument("--negative-kind", choices=list(KINDS), default=shipped.negative_kind, help="how it is made")
    ap.add_argument("--out", type=Path, default=READERS / "span", help="the reader folder (default: the package's)")
    ap.add_argument("--records", type=int, default=0, help="synthetic table-row examples to add (record_examples.py)")
    ap.add_argument("--prose", type=int, default=0, help="synthetic qualified-value paragraphs (prose_examples.py)")
    ap.add_argument("--facts", type=int, default=0, help="paragraphs asking a table attribute stated in prose")
    ap.add_argument("--voiced", type=int, default=0, help="paragraphs asking an organisation's rule as its staff do")
    ap.add_argument("--paraphrase", type=int, default=0, help="answerable copies with a word said by a synonym")
    ap.add_argument("--wordnet", type=Path, default=Path("/tmp/wn"), help="nltk data folder holding WordNet")
    ap.add_argument("--squad-share", type=float, default=1.0, help="share of the SQuAD examples to train on")
    ap.add_argument("--init", type=Path, help="continue training this span reader's adapter")
    ap.add_argument("--confusable", type=int, default=0, help="record misses asked like one of K near attributes")
    ap.add_argument("--prepare", type=Path, help="write the examples to this file and stop")
    ap.add_argument("--from", dest="plan", type=Path, help="train on a file that --prepare wrote")
    ap.add_argument("--results", type=Path, default=RESULTS, help="where span-train-<article>.json goes")
    args = ap.parse_args()
    quiet_libraries()
    plan = json.loads(args.plan.read_text()) if args.plan else build(args)
    if args.prepare:
        args.prepare.write_text(json.dumps(plan))
        print(f"{len(plan['train'])} + {len(plan['extra'])} examples → {args.prepare}")
        return
    train = [SpanExample(**e) for e in plan["train"]]
    extra = [SpanExample(**e) for e in plan["extra"]]
    params = SpanParams(
        args.epochs,
        args.batch_size,
        args.lr,
        seed=args.seed,
        negatives=args.negatives,
        negative_kind=args.negative_kind,
    )
    meta = train_span(train, args.out, params, extra=extra, init=args.init)
    command = " ".join(["python bench/train_span.py", *plan["argv"]])
    if args.plan:  # prepared here, trained there: both commands
        command += " && " + " ".join(["python bench/train_span.py", *sys.argv[1:]])
    lineage = {"data_sha256": plan["data_sha256"], "command": command}
    if args.init and (args.init / "lineage.json").is_file():  # a continuation: the reader it started from
        lineage["parent"] = json.loads((args.init / "lineage.json").read_text())
    (args.out / "split.json").write_text(json.dumps(plan["split"]))
    (args.out / "lineage.json").write_text(json.dumps(lineage | {"params": meta["params"]}, indent=2))
    last = meta["loss"][-50:]
    summary = {k: v for k, v in meta.items() if k != "loss"} | {"final_loss": round(sum(last) / len(last), 4)}
    print(json.dumps(summary, indent=2))
    split_info = {k: v for k, v in plan["split"].items() if k != "calibration_questions"}
    result = summary | {"split": split_info, "lineage": lineage, "machine": machine()}
    suffix = variant(args.out) + ("" if args.out == READERS / "span" else f"-{args.out.name}")
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"span-train-{tag(plan['hold_out'])}{suffix}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
