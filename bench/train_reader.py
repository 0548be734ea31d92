"""Train the bundled reader: `ragtune finetune --raft` on the SQuAD *training* subsets, then ship the adapter.

    python bench/train_reader.py --hold-out Spectre_(2015_film) --steps 220    # the shipped reader
    python bench/train_reader.py --hold-out The_Legend_of_Zelda:_Twilight_Princess --ship-to /tmp/reader-zelda

Data: squad1-train-notre-dame.json and squad2-train-10-articles.json from ../shared/data, minus the held-out
article (abstention is measured on it by bench/abstain.py). Of the rest, every seventh paragraph's questions
are kept out of training too: bench/abstain.py fits the abstention threshold on them. The Super Bowl dev
subset is never read here.

The run goes through ragtune's own API: ingest the training paragraphs into a workspace, add the questions
as a dataset version, `finetune(..., TrainParams(raft=True))`. The adapter, its lineage (data hash, parent,
hyper-parameters, loss) and the split are copied to src/ragtune/models/readers/<model>/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ingest_squad, machine
from readers import CALIBRATION_EVERY, DATA, FILES, READERS, tag

from ragtune import Settings
from ragtune.evaluate.questions import squad
from ragtune.finetune.data import read_jsonl
from ragtune.finetune.train import TrainParams


def training_set(hold_out: str) -> dict:
    """The SQuAD training articles without `hold_out`, as one SQuAD dict."""
    articles = []
    for name in FILES:
        articles += json.loads((DATA / name).read_text())["data"]
    kept = [a for a in articles if a["title"] != hold_out]
    if len(kept) == len(articles):
        raise SystemExit(f"no article titled {hold_out!r}; have: {', '.join(a['title'] for a in articles)}")
    return {"version": "train", "data": kept}


def rows(data: dict, path: Path) -> tuple[list[dict], list[str]]:
    """Training rows for `finetune`, and the ids of the calibration questions kept out of them."""
    out, calibration = [], []
    for q in squad(data, path):
        if int(q.source[1:5]) % CALIBRATION_EVERY == 0:
            calibration.append(q.id)
            continue
        row = {"question": q.question, "context": q.context, "source": q.source}
        out.append(row | ({"unanswerable": True} if q.impossible else {"answer": q.answers[0]}))
    return out, calibration


def split_record(hold_out: str, calibration: list[str], training_rows: int) -> dict:
    """What a reader was trained on and what was kept out (split.json beside it; bench/abstain.py reads it)."""
    return {
        "hold_out": hold_out,
        "files": list(FILES),
        "calibration_every": CALIBRATION_EVERY,
        "calibration_questions": calibration,
        "training_rows": training_rows,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hold-out", default="Spectre_(2015_film)")
    ap.add_argument("--llm", default="smollm2")
    ap.add_argument("--steps", type=int, default=220)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--top-layers", type=int, default=16, help="LoRA on the last N layers only (CPU time)")
    ap.add_argument("--store", type=Path, default=None)
    ap.add_argument("--no-ship", action="store_true", help="keep the adapter in the store only")
    ap.add_argument("--ship-to", type=Path, help="the reader folder to write (default: the package's, for --llm)")
    args = ap.parse_args()

    root = args.store or Path(tempfile.mkdtemp(prefix="ragtune-reader-"))
    data = training_set(args.hold_out)
    ws, split_file = ingest_squad(root, data, Settings(store=root / "store", llm=args.llm))
    train, calibration = rows(data, split_file)
    jsonl = root / "reader.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in train))
    version = ws.datasets.add(read_jsonl(jsonl), source=str(jsonl), kind="squad-train", heldout=0.0)["version"]
    params = TrainParams(
        raft=True,
        max_steps=args.steps,
        batch_size=args.batch_size,
        learning_rate=args.lr,
        save_steps=20,
        max_length=512,
        raft_p_oracle=0.85,
        top_layers=args.top_layers,
    )
    name = f"reader-{args.llm}"
    unfinished = (ws.settings.store / "adapters" / f"{name}.training" / "run.json").exists()
    rec = ws.finetune(data=version, params=params, name=name, resume=unfinished)
    split = split_record(args.hold_out, calibration, len(train))
    summary = {
        "adapter": rec["name"],
        "metrics": json.loads(rec["metrics"]),
        "params": json.loads(rec["params"]),
        "split": {k: v for k, v in split.items() if k != "calibration_questions"},
    }
    print(json.dumps(summary, indent=2))
    (RESULTS / f"reader-train-{tag(args.hold_out)}.json").write_text(
        json.dumps(summary | {"machine": machine()}, indent=2)
    )
    if not args.no_ship:
        ship(Path(rec["path"]), args.ship_to or READERS / args.llm, split)


def ship(adapter: Path, target: Path, split: dict) -> None:
    """Copy the adapter and its lineage into the package, with the split it was trained on."""
    tmp = target.with_name(target.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in ("adapter_model.safetensors", "adapter_config.json", "lineage.json", "loss.png"):
        shutil.copy2(adapter / name, tmp / name)
    (tmp / "split.json").write_text(json.dumps(split))
    shutil.rmtree(target, ignore_errors=True)
    tmp.replace(target)
    print(f"shipped {target}")


if __name__ == "__main__":
    main()
