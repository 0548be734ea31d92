"""`ragtune demo`: build the sample corpus, ingest it, answer with citations, fine-tune, compare, recommend."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from ragtune.config import Settings
from ragtune.demo.corpus import CONVERSATION, EVAL, QUESTIONS, SUPPORT_LOG, build
from ragtune.workspace import Workspace


def run_demo(folder: Path, settings: Settings, steps: int = 40) -> dict:
    """The whole mission on the sample corpus; returns the comparison results."""
    corpus = build(folder / "corpus")
    if settings.store == Settings.model_fields["store"].default:
        settings = settings.model_copy(update={"store": folder / "store"})
    click.secho(f"1. Sample corpus of Alderbrook Outfitters written to {corpus}", bold=True)
    ws = Workspace(settings)
    t = time.perf_counter()
    report = ws.ingest([corpus], quiet=False, on_error=lambda s, why: click.echo(f"error: {s}: {why}", err=True))
    click.echo(f"{report.line()} ({report.chunks} chunks, {time.perf_counter() - t:.1f} s)")

    click.secho("\n2. Questions answered by the SLM from retrieved evidence", bold=True)
    from ragtune.console import print_answer, print_results

    for q, ans in zip(QUESTIONS, ws.answerer().ask_many(QUESTIONS), strict=True):
        click.secho(f"\nQ: {q}", fg="cyan")
        print_answer(ans)

    click.secho("\n   A conversation: a follow-up question, then a near miss", bold=True)
    history: list[dict] = []
    for q, _ in CONVERSATION:
        ans = ws.ask(q, history=history)
        click.secho(f"\nQ: {q}", fg="cyan")
        if ans.standalone_question != q:
            click.echo(f"(answered as: {ans.standalone_question})")
        print_answer(ans)
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": ans.answer}]

    click.secho(f"\n3. Fine-tuning a LoRA adapter on the support team's answered questions ({steps} steps)", bold=True)
    from ragtune.finetune.data import read_jsonl
    from ragtune.finetune.train import TrainParams

    log = write_support_log(folder / "support-log.jsonl")
    data = ws.datasets.add(read_jsonl(log), source=log.name, kind="user", heldout=0.0)
    click.echo(f"dataset {data['version']}: {data['rows']} question/answer pairs from {log} (3 wordings per fact)")
    name = "demo"
    if (ws.adapters.root / name).exists():
        ws.adapters.remove(name)
    params = TrainParams(max_steps=steps, batch_size=4, save_steps=1000)
    rec = ws.finetune(data["version"], params=params, name=name)
    m = json.loads(rec["metrics"])
    click.echo(f"adapter {name}: {m['steps']} steps in {m['train_seconds']} s, final loss {m['final_loss']:.3f}")

    click.secho("\n4. Base vs RAG vs fine-tuned vs fine-tuned + RAG on new wordings of those facts", bold=True)
    from ragtune.evaluate.advise import Situation, advise
    from ragtune.evaluate.questions import Question
    from ragtune.generate.arms import parse

    questions = [Question(str(i), q, a, None, src, not a) for i, (q, a, src) in enumerate(EVAL)]
    results = ws.evaluate(questions, parse("base,rag,ft,ft+rag", adapter=name))
    print_results(results)

    click.secho("\n5. Recommendation (data changes weekly, citations required)", bold=True)
    situation = Situation(data_changes="weekly", needs_citations=True, training_examples=data["rows"])
    verdict = advise(situation, results).text()
    click.echo(verdict)
    from ragtune.evaluate import report

    path = report.keep(results, ws.settings.store, verdict, folder / "report")
    report.keep(results, ws.settings.store, verdict)  # the store's copy: `ragtune serve` shows the latest
    click.echo(f"\nreport: {path}")
    return results


def write_support_log(path: Path) -> Path:
    """The sample support log as JSON Lines, the format `ragtune data add` takes."""
    lines = (json.dumps({"question": q, "answer": a}, ensure_ascii=False) for q, a in SUPPORT_LOG)
    path.write_text("\n".join(lines) + "\n")
    return path
