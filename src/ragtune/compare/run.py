"""`ragtune compare`: every criterion of the decision measured on the user's own documents, in one run.

1. the documents are ingested into the store (its catalogue keeps each document's versions: real changes);
2. a copy of them goes into a work store, and a test set is made from it (`evaluate/testset.py`), written to
   `questions.jsonl` for the user to review and run again;
3. adapters are trained on growing shares of the training split (criterion 3), writing as well as answering
   closed-book, so the fine-tuned arms can show the house phrasing (criterion 2, with `--log`);
4. base, RAG, fine-tuned and fine-tuned + RAG answer the test set: knowledge on new wordings and on facts never
   trained on, near misses, phrasing, citations, latency (criterion 4 and cost);
5. k facts are changed in the copy and re-ingested, and each arm is asked about exactly those (criterion 1);
6. `evaluate/advise.py` turns the numbers into a verdict whose every reason quotes one.
"""

from __future__ import annotations

import itertools
import json
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ragtune.compare import footprint
from ragtune.errors import RagtuneError
from ragtune.evaluate import change, phrasing, testset
from ragtune.evaluate.advise import access_summary
from ragtune.evaluate.metrics import bootstrap_ci, contains
from ragtune.evaluate.questions import Question
from ragtune.files import write_atomic
from ragtune.generate.arms import READER, Arm
from ragtune.index.base import Filter

if TYPE_CHECKING:
    from ragtune.workspace import Workspace


@dataclass
class Options:
    """How much to measure: the defaults keep a demo-sized corpus under 15 minutes on a 2-core CPU."""

    shares: tuple[float, ...] = (0.25, 0.5, 1.0)
    changes: int = 10
    facts: int = 40
    epochs: float = 2.0
    batch_size: int = 8
    top_layers: int | None = 8  # LoRA on the last layers only: a CPU trains several adapters in minutes
    max_steps: int = -1  # at most this many steps per adapter (-1: the epochs decide)
    questions: Path | None = None  # a reviewed test set (questions.jsonl of an earlier run)
    seed: int = 0
    footprint: bool = True  # serve each arm alone in a fresh process for its memory and cold start
    asserted: dict = field(default_factory=dict)  # the user's flags: what cannot be measured here


def parse_shares(text: str) -> tuple[float, ...]:
    """`25,50,100` → (0.25, 0.5, 1.0): percentages of the training data, one adapter each; a clear ValueError."""
    try:
        parts = tuple(sorted({float(x) / 100 for x in text.split(",") if x.strip()}))
    except ValueError:
        raise ValueError(f"{text!r} is not a comma list of percentages") from None
    if not parts or not all(0 < x <= 1 for x in parts):
        raise ValueError("percentages must be in 1..100")
    return parts


class Progress:
    """Says each step on the console and in `progress.json` (the web page polls it)."""

    def __init__(self, folder: Path, say: Callable[[str], None] = print):
        self.path, self.say, self.steps, self.t0 = folder / "progress.json", say, [], time.perf_counter()

    def __call__(self, message: str, done: bool = False, error: str | None = None) -> None:
        self.steps.append({"at_s": round(time.perf_counter() - self.t0, 1), "step": message})
        state = {"steps": self.steps, "done": done, "error": error}
        write_atomic(self.path, json.dumps(state, indent=1))
        if error is None:  # an error is the caller's to say, once
            self.say(message)


def compare(
    ws: Workspace,
    docs: list[Path],
    out: Path,
    log: Path | None = None,
    opts: Options | None = None,
    say: Callable[[str], None] = print,
) -> dict:
    """Run the comparison into `out` (comparison.json, questions.jsonl, report.html); returns the document."""
    opts = opts or Options()
    out.mkdir(parents=True, exist_ok=True)
    step = Progress(out, say)
    try:
        return _compare(ws, docs, out, log, opts, step)
    except Exception as exc:
        step(f"failed: {exc}", done=True, error=str(exc))
        raise


def _compare(ws: Workspace, docs: list[Path], out: Path, log: Path | None, opts: Options, step: Progress) -> dict:
    t_all = time.perf_counter()
    answered = testset.read_log(log) if log else None  # a bad log fails before any work
    if docs:
        step(f"1/6 ingesting {', '.join(map(str, docs))} into {ws.settings.store}")
        ws.ingest(docs)
    files = _copy_corpus(ws, out / "corpus")
    if not files:
        raise RagtuneError("nothing to compare: the store has no documents whose files still exist")
    history = versions(ws.catalog.versions())
    work = ws.on_store(out / "store")
    t = time.perf_counter()
    work.ingest([out / "corpus"])
    ingest_s = time.perf_counter() - t
    step(f"2/6 {len(files)} documents copied and ingested into the work store in {ingest_s:.1f} s")

    items = _test_set(work, answered, opts, out)
    train = [i for i in items if i.split == "train"]
    test = [i for i in items if i.split == "test"]
    step(f"3/6 test set: {len(test)} questions, {len(train)} training examples → {out / 'questions.jsonl'}")

    adapters = _train_shares(work, train, opts, step)
    full = adapters[-1]
    step("5/6 answering the test set with base, RAG, fine-tuned and fine-tuned + RAG")
    arms = [
        Arm("base", False),
        Arm("rag", True, READER),
        Arm("ft", False, full["name"]),
        Arm("ft+rag", True, full["name"]),
    ]
    results = work.evaluate([_question(i) for i in test], arms)
    asked = next((i.question for i in test if i.answers), None)  # an answerable one: every model is used
    serving: dict[str, dict] = {}
    if opts.footprint and asked:
        step("   serving each arm alone in a fresh process: its memory and cold start")
        work.tables.close()  # the child processes open the table file; this one reopens it when next asked
        serving = footprint.measure_all(work.settings, arms[1:], asked)  # the base model serves no one
    curve = _curve(work, adapters, test, results)

    step(f"6/6 changing {opts.changes} facts in the copy, re-ingesting, asking about them")
    staleness = _staleness(work, test, out / "corpus", arms[1:], opts)
    doc = {
        "corpus": {"documents": len(files), "chunks_ingest_s": round(ingest_s, 1), "history": history},
        "test_set": {"path": str(out / "questions.jsonl"), **_counts(items)},
        "knowledge": knowledge(results, test),
        "phrasing": _phrasing(results, test),
        "written": _written(results),
        "learning_curve": curve,
        "change": staleness | {"train_s": full["train_s"]},
        "cost": _cost(results, full, serving),
        "results": results,
        "asserted": opts.asserted,
        "access": access_summary(ws.catalog.documents()),
        "wall_s": round(time.perf_counter() - t_all, 1),
    }
    from ragtune.evaluate.advise import from_comparison
    from ragtune.evaluate.report import keep_comparison

    advice = from_comparison(doc)
    doc["verdict"] = {"verdict": advice.verdict, "reasons": advice.reasons, "scores": advice.scores}
    write_atomic(out / "comparison.json", json.dumps(doc, indent=1, default=str))
    report = keep_comparison(doc, advice.text(), out, ws.settings.store)
    step(f"done in {doc['wall_s']:.0f} s: {advice.text().splitlines()[0]}; report {report}", done=True)
    return doc


def _copy_corpus(ws: Workspace, folder: Path) -> dict[str, Path]:
    """The store's documents copied into `folder` (flat, by file name), as file name → copy."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    out: dict[str, Path] = {}
    for d in ws.catalog.documents():
        path, name = Path(d["path"]), Path(d["source"]).name
        if path.is_file() and name not in out:  # one file per name: the flat copy cannot hold two
            out[name] = Path(shutil.copy2(path, folder / name))
    return out


def versions(history: dict[str, list[dict]]) -> dict:
    """What the catalogue saw change: documents with more than one version and the median days between them."""
    from datetime import datetime

    gaps = []
    for rows in history.values():
        times = [datetime.fromisoformat(r["at"]) for r in rows]
        gaps += [(b - a).total_seconds() / 86400 for a, b in itertools.pairwise(times)]
    changed = sum(len(rows) > 1 for rows in history.values())
    return {
        "documents": len(history),
        "changed": changed,
        "versions": sum(len(r) for r in history.values()),
        "median_days_between": round(statistics.median(gaps), 1) if gaps else None,
    }


def _test_set(work: Workspace, log: list[dict] | None, opts: Options, out: Path) -> list[testset.Item]:
    if opts.questions:
        items = testset.read(opts.questions)
        if opts.questions.resolve() != (out / "questions.jsonl").resolve():
            shutil.copy(opts.questions, out / "questions.jsonl")
        return items
    chunks = work.store.rows([Filter.eq("kind", "chunk")])
    structured = [c for c in chunks if c["records"] not in ("", "[]")]
    facts = testset.record_facts(structured) + testset.prose_facts([c for c in chunks if c not in structured])
    items = testset.build(facts, log, limit=opts.facts, seed=opts.seed)
    if not any(i.split == "train" for i in items):
        raise RagtuneError("no training examples could be made from these documents (see docs/choosing.md)")
    testset.write(items, out / "questions.jsonl")
    return items


def _train_shares(work: Workspace, train: list[testset.Item], opts: Options, step: Progress) -> list[dict]:
    """Adapters on growing shares of the training examples, each continued from the one before on the examples
    added (with a quarter as many earlier ones replayed: the lineage of data that keeps accumulating)."""
    import random

    from ragtune.finetune.train import TrainParams

    rows = [
        {"question": i.question, "answer": i.answers[0], "context": i.context, "house": i.kind == "log"} for i in train
    ]
    random.Random(opts.seed).shuffle(rows)
    out: list[dict] = []
    done = 0
    for n, share in enumerate(sorted(opts.shares), 1):
        upto = max(1, round(len(rows) * share))
        data = work.datasets.add(rows[done:upto], source=f"compare {share:.0%}", kind="generated", heldout=0.0)
        name = f"compare-{round(share * 100)}"
        if (work.adapters.root / name).exists():
            work.adapters.remove(name)
        params = TrainParams(
            epochs=opts.epochs,
            max_steps=opts.max_steps,
            batch_size=opts.batch_size,
            top_layers=opts.top_layers,
            write=True,
            replay=0.25,
            save_steps=10_000,
            seed=opts.seed,
        )
        step(f"4/6 training adapter {n}/{len(opts.shares)}: {upto} examples ({share:.0%}), {upto - done} of them new")
        parent = out[-1]["name"] if out else None
        rec = work.finetune(data["version"], parent=parent, params=params, name=name, quiet=True)
        metrics = json.loads(rec["metrics"])
        size = sum(f.stat().st_size for f in Path(rec["path"]).rglob("*") if f.is_file())
        train_s = metrics["train_seconds"] + (out[-1]["train_s"] if out else 0.0)
        out.append(
            {
                "name": name,
                "share": share,
                "examples": upto,
                "train_s": round(train_s, 1),
                "adapter_mb": round(size / 2**20, 2),
                "peak_memory_mb": metrics.get("peak_memory_mb"),
            }
        )
        done = upto
    return out


def _question(item: testset.Item) -> Question:
    impossible = item.kind == "near-miss"
    return Question(
        item.id, item.question, item.answers, item.context or None, item.source, impossible, {"category": item.kind}
    )


def _rows(results: dict, arm: str) -> dict[str, dict]:
    return {r["id"]: r for r in results["rows"] if r["arm"] == arm}


def knowledge(results: dict, test: list[testset.Item]) -> dict:
    """Per arm and kind: the share right (a gold answer stated; a near miss abstained), with 95 % intervals, and
    the per-question scores for paired comparisons."""
    out: dict[str, dict] = {}
    for arm in results["arms"]:
        rows = _rows(results, arm)
        per_kind: dict[str, dict] = {}
        for kind in ("wording", "unseen-fact", "near-miss"):
            scores = [_right(rows[i.id], i) for i in test if i.kind == kind and i.id in rows]
            if scores:
                per_kind[kind] = {
                    "n": len(scores),
                    "right": statistics.mean(scores),
                    "ci": bootstrap_ci(scores),
                    "each": scores,
                }
        out[arm] = per_kind
    return out


def _right(row: dict, item: testset.Item) -> float:
    if item.kind == "near-miss":
        return float(row["abstained"])
    return 0.0 if row["abstained"] else contains(row["prediction"], item.answers)


def _phrasing(results: dict, test: list[testset.Item]) -> dict:
    """Per arm: chrF and term recall against the held-out log's reference answers (empty without a log)."""
    logged = [i for i in test if i.kind == "log"]
    if not logged:
        return {}
    out = {}
    for arm in results["arms"]:
        rows = _rows(results, arm)
        out[arm] = phrasing.score(
            [("" if rows[i.id]["abstained"] else rows[i.id]["prediction"], i.answers[0]) for i in logged]
        )
    return out


def _written(results: dict) -> dict:
    """How often the writer's sentence was kept, fell back to the extracted answer, or the arm abstained."""
    out = {}
    for arm in results["arms"]:
        marks = [r["written"] for r in results["rows"] if r["arm"] == arm and r.get("written")]
        if marks:
            out[arm] = {k: marks.count(k) for k in ("kept", "fell back", "abstained")}
    return out


def _curve(work: Workspace, adapters: list[dict], test: list[testset.Item], results: dict) -> list[dict]:
    """Knowledge (trained facts, new wordings) and phrasing of the fine-tuned arms per share of the data."""
    out = []
    for a in adapters:
        if a is adapters[-1]:
            res = results
        else:
            arms = [Arm("ft", False, a["name"]), Arm("ft+rag", True, a["name"])]
            res = _batched(work, arms, [i for i in test if i.kind in ("wording", "log")])
        known, phr = knowledge(res, test), _phrasing(res, test)
        point = {k: a[k] for k in ("share", "examples", "train_s")}
        for arm in ("ft", "ft+rag"):
            point[f"{arm} knowledge"] = known[arm]["wording"]["right"] if "wording" in known[arm] else None
            point[f"{arm} chrF"] = phr[arm]["chrf"] if phr else None
        out.append(point)
    return out


def _batched(work: Workspace, arms: list[Arm], items: list[testset.Item], size: int = 16) -> dict:
    """Each arm's answers in batches (a learning-curve point needs no per-question latency), shaped like the rows
    of an evaluation."""
    rows = []
    for arm in arms:
        answerer = work.answerer(arm)
        for n in range(0, len(items), size):
            part = items[n : n + size]
            answers = answerer.ask_many([i.question for i in part])
            rows += [
                {"arm": arm.name, "id": i.id, "prediction": a.text, "abstained": a.abstained}
                for i, a in zip(part, answers, strict=True)
            ]
    return {"arms": {a.name: {} for a in arms}, "rows": rows}


def _staleness(work: Workspace, test: list[testset.Item], corpus: Path, arms: list[Arm], opts: Options) -> dict:
    """Change facts in the copy, re-ingest it (timed), and count each arm's new, stale and other answers."""
    files = {p.name: p for p in corpus.iterdir()}
    changes = change.plan(test, files, opts.changes, opts.seed)
    if not changes:
        return {"k": 0, "why": "no tested fact has a number that stands once in a text file"}
    change.apply(changes, files)
    t = time.perf_counter()
    work.ingest([corpus])
    reingest_s = time.perf_counter() - t
    per_arm, detail = {}, []
    for arm in arms:
        answers = work.answerer(arm).ask_many([c.question for c in changes])
        verdicts = [change.verdict(a.text, a.abstained, c) for a, c in zip(answers, changes, strict=True)]
        per_arm[arm.name] = change.count(verdicts)
        detail += [
            {"arm": arm.name, "question": c.question, "old": c.old, "new": c.new, "answer": a.text, "said": v}
            for a, c, v in zip(answers, changes, verdicts, strict=True)
        ]
    return {"k": len(changes), "reingest_s": round(reingest_s, 1), "arms": per_arm, "detail": detail}


def _cost(results: dict, full: dict, serving: dict[str, dict]) -> dict:
    """Latency per question; each arm's memory and cold start when served alone (`footprint`), and the peak of
    this run, which held every arm at once; training time and adapter size."""
    arms = results["arms"]
    return {
        "latency_p50_s": {a: m["latency_p50_s"] for a, m in arms.items()},
        "latency_p95_s": {a: m["latency_p95_s"] for a, m in arms.items()},
        "serving": serving,
        "peak_rss_mb": results.get("peak_rss_mb"),
        "train_s": full["train_s"],
        "train_peak_memory_mb": full["peak_memory_mb"],
        "adapter_mb": full["adapter_mb"],
    }


def _counts(items: list[testset.Item]) -> dict:
    out: dict[str, int] = {}
    for i in items:
        key = f"{i.split} {i.kind}"
        out[key] = out.get(key, 0) + 1
    return out
