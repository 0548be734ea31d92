"""`ragtune eval`: the same questions through base / RAG / fine-tuned / fine-tuned+RAG / oracle, one run."""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ragtune.errors import RagtuneError
from ragtune.evaluate.metrics import (
    abstention,
    bootstrap_ci,
    exact_match,
    f1,
    gold_rank,
    paired_bootstrap,
    retrieval_scores,
    threshold_curve,
)
from ragtune.evaluate.questions import Question, question_type
from ragtune.generate.answer import Answer
from ragtune.generate.arms import Arm
from ragtune.memory import peak_rss_mb
from ragtune.retrieve.base import Passage

if TYPE_CHECKING:
    from collections.abc import Callable

    from ragtune.retrieve.retriever import Retriever


@dataclass
class Row:
    """One question through one arm."""

    arm: str
    id: str
    type: str
    prediction: str
    abstained: bool
    impossible: bool
    em: float
    f1: float
    grounded: bool | None  # the answer is a span of a cited quote (None: nothing to cite)
    cited_gold: bool | None  # a citation names the gold source (None: gold source unknown or no citation)
    latency_s: float
    judged: float | None = None  # an optional LLM judge's verdict (1 correct, 0 not)
    route: str = "prose"  # prose | records | sql (closed-book arms: prose)
    no_answer: float | None = None  # the reader's no-answer score (see Answerer.abstain)
    withheld_f1: float | None = None  # F1 of the answer the no-answer threshold held back
    written: str = ""  # a writer's answer: kept | fell back | abstained (generate/verify.py); "" without one


def score_row(arm: str, q: Question, ans: Answer, latency: float) -> Row:
    """Metrics of one answer against its question (pure: no models)."""
    text = ans.text
    answerable = bool(q.answers) and not q.impossible
    em = exact_match(text, q.answers) if answerable else float(ans.abstained)
    f = f1(text, q.answers) if answerable else float(ans.abstained)
    grounded = is_grounded(ans) if ans.citations else None
    cited_gold = any(Path(c.source).name == q.source for c in ans.citations) if ans.citations and q.source else None
    qtype = question_type(q.question)
    row = Row(arm, q.id, qtype, text, ans.abstained, q.impossible, em, f, grounded, cited_gold, latency)
    row.route, row.written = ans.route, ans.written
    row.no_answer = ans.no_answer if ans.route == "prose" else None  # the prose reader's threshold
    if ans.withheld:
        row.withheld_f1 = f1(ans.withheld, q.answers) if answerable else 0.0
    return row


def is_grounded(ans: Answer) -> bool:
    """A quote of a cited passage; for a table row, its value is in the cited record; SQL is computed from its rows."""
    if ans.route == "sql":
        return bool(ans.citations)
    return any(span and span in c.quote for c in ans.citations for span in (ans.text, ans.raw))


def summarize(rows: list[Row], extra: dict | None = None) -> dict:
    """Per-arm metrics with bootstrap 95 % intervals."""
    ems, f1s = [r.em for r in rows], [r.f1 for r in rows]
    lat = [r.latency_s for r in rows]
    grounded = [r.grounded for r in rows if r.grounded is not None]
    answered = [r for r in rows if not r.abstained]
    cited = [r.cited_gold for r in rows if r.cited_gold is not None]
    return (
        {
            "n": len(rows),
            "em": statistics.mean(ems),
            "em_ci": bootstrap_ci(ems),
            "f1": statistics.mean(f1s),
            "f1_ci": bootstrap_ci(f1s),
            "abstained": sum(r.abstained for r in rows) / len(rows),
            "abstention": abstention([r.abstained for r in rows], [r.impossible for r in rows]),
            "groundedness": sum(grounded) / len(answered) if answered else None,
            "citation_precision": sum(cited) / len(cited) if cited else None,
            "latency_p50_s": float(np.percentile(lat, 50)),
            "latency_p95_s": float(np.percentile(lat, 95)),
            "judged": statistics.mean(j) if (j := [r.judged for r in rows if r.judged is not None]) else None,
        }
        | squad2(rows)
        | (extra or {})
    )


def squad2(rows: list[Row]) -> dict:
    """The SQuAD 2.0 columns, when some questions are unanswerable: F1 on the answerable ones, accuracy of
    abstaining on the others (the overall F1 is `f1`)."""
    has = [r.f1 for r in rows if not r.impossible]
    no = [r.abstained for r in rows if r.impossible]
    if not no:
        return {}
    return {"has_ans_f1": statistics.mean(has) if has else None, "no_ans_acc": sum(no) / len(no)}


def curve(rows: list[Row]) -> list[dict] | None:
    """The abstention precision/recall of every no-answer threshold (None: no scores or no unanswerables)."""
    if not any(r.impossible for r in rows) or all(r.no_answer is None for r in rows):
        return None
    declined = [r.abstained and r.withheld_f1 is None for r in rows]
    has_f1 = [r.withheld_f1 if r.withheld_f1 is not None else r.f1 for r in rows]
    return threshold_curve([r.no_answer for r in rows], declined, [r.impossible for r in rows], has_f1)


def breakdown(rows: list[Row], key, metric: str = "f1") -> dict[str, dict[str, float]]:
    """Mean F1 (or another Row metric) per arm per group (question type, source, route)."""
    out: dict[str, dict[str, list[float]]] = {}
    for r in rows:
        out.setdefault(r.arm, {}).setdefault(key(r), []).append(getattr(r, metric))
    return {arm: {g: statistics.mean(v) for g, v in groups.items()} for arm, groups in out.items()}


def paired_differences(rows: list[Row], arms: list[str]) -> dict[str, list[float]]:
    """For each pair of arms: mean per-question F1 difference with its paired-bootstrap 95 % interval."""
    f1s = {a: [r.f1 for r in rows if r.arm == a] for a in arms}
    out = {}
    for i, a in enumerate(arms):
        for b in arms[i + 1 :]:
            out[f"{a} - {b}"] = [round(x, 4) for x in paired_bootstrap(f1s[a], f1s[b])]
    return out


def by_route(rows: list[Row]) -> dict[str, dict[str, dict[str, float]]]:
    """Per arm and route: questions, exact match and F1 (an abstention on an unanswerable question is exact)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for arm, groups in breakdown(rows, lambda r: r.route, "em").items():
        f1s = breakdown([r for r in rows if r.arm == arm], lambda r: r.route)[arm]
        counts = {g: sum(r.arm == arm and r.route == g for r in rows) for g in groups}
        out[arm] = {g: {"n": counts[g], "em": em, "f1": f1s[g]} for g, em in groups.items()}
    return out


def run_arm(arm: Arm, answerer, questions: list[Question], step=None) -> list[Row]:
    """Each question on its own, timed as a user waits for it (retrieval, tables and reading included).
    `step(arm, done, total)` is called after each question."""
    rows: list[Row] = []
    for n, q in enumerate(questions, 1):
        t = time.perf_counter()
        ans = answerer.ask_with_context(q.question, _gold_passage(q)) if arm.gold else answerer.ask(q.question)
        rows.append(score_row(arm.name, q, ans, time.perf_counter() - t))
        if step:
            step(arm.name, n, len(questions))
    return rows


def _gold_passage(q: Question) -> Passage:
    if not q.context:
        raise RagtuneError(f"question {q.id} has no gold context: the oracle arm needs one")
    return Passage("gold", "gold", q.source or "gold", "gold context", q.context, 1.0, 1.0)


def retrieval_quality(retriever: Retriever, questions: list[Question], k: int = 10) -> dict | None:
    """hit@1, hit@5 and MRR@10 of the gold source, where questions name one."""
    known = [q for q in questions if q.source and not q.impossible]
    if not known:
        return None
    ranks = [
        gold_rank([Path(p.source).name for p in retriever.search(q.question, top_k=k).passages], q.source)
        for q in known
    ]
    return retrieval_scores(ranks)


def judge(llm, questions: list[Question], rows: list[Row]) -> None:
    """An LLM's yes/no verdict per answered question (optional: no metric depends on it)."""
    from ragtune.prompts import render

    by_id = {q.id: q for q in questions}
    todo = [r for r in rows if by_id[r.id].answers and not r.abstained]
    prompts = [
        render(
            "judge", question=by_id[r.id].question, references=" | ".join(by_id[r.id].answers), prediction=r.prediction
        )
        for r in todo
    ]
    for r, verdict in zip(todo, llm.complete(prompts, 3, ["\n"], chat=True) if prompts else [], strict=True):
        r.judged = float(verdict.strip().lower().startswith("yes"))
    for r in rows:
        if r.judged is None and by_id[r.id].answers:
            r.judged = 0.0  # abstained on an answerable question


def evaluate(
    questions: list[Question],
    arms: list[Arm],
    answerer: Callable[[Arm], object],
    retriever: Retriever | None = None,
    about: dict | None = None,
    progress=None,
    judge_llm=None,
    step=None,
) -> dict:
    """Run every arm on the same questions; returns the results document (written as results.json).
    `answerer(arm)` gives each arm's answerer (all are made before any is timed); `retriever` measures retrieval
    when an arm retrieves; `about` (model, adapter, train_s) describes the run. `progress(arm, summary)` is called
    after each arm, `step(arm, done, total)` after each question."""
    about = about or {}
    answerers = {arm: answerer(arm) for arm in arms}
    rows: list[Row] = []
    summary: dict[str, dict] = {}
    for arm in arms:
        t = time.perf_counter()
        arm_rows = run_arm(arm, answerers[arm], questions, step)
        if judge_llm is not None:
            judge(judge_llm, questions, arm_rows)
        wall = time.perf_counter() - t
        extra = {
            "wall_s": round(wall, 1),
            "throughput_qps": round(len(questions) / wall, 3),
        }
        if arm.name.startswith("ft"):
            extra["train_s"] = about.get("train_s")
        summary[arm.name] = summarize(arm_rows, extra)
        rows += arm_rows
        if progress:
            progress(arm.name, summary[arm.name])
    names = [a.name for a in arms]
    retrieves = retriever is not None and any(a.retrieve and not a.gold for a in arms)
    sources = {q.id: q.source or "?" for q in questions}
    categories = {q.id: q.meta.get("category", "") for q in questions}
    return {
        "questions": len(questions),
        "unanswerable": sum(q.impossible for q in questions),
        "model": about.get("model"),
        "adapter": about.get("adapter"),
        "check": about.get("check", "none"),
        "arms": summary,
        "peak_rss_mb": peak_rss_mb(),  # every arm at once
        "retrieval": retrieval_quality(retriever, questions) if retrieves else None,
        "by_type": breakdown(rows, lambda r: r.type),
        "by_source": breakdown(rows, lambda r: sources[r.id]),
        "by_route": by_route(rows),
        "paired": paired_differences(rows, names),
        "abstention_curve": {a: c for a in names if (c := curve([r for r in rows if r.arm == a]))},
        "by_category": breakdown(rows, lambda r: categories[r.id], "em") if any(categories.values()) else None,
        "rows": [asdict(r) for r in rows],
    }
