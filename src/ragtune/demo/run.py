"""`ragtune demo`: build the sample corpus, ingest it, answer with citations, then measure RAG against fine-tuning
and both on it (`ragtune compare`) and recommend, each reason a number."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from ragtune.config import Settings
from ragtune.demo.corpus import CONVERSATION, QUESTIONS, SUPPORT_LOG, build
from ragtune.workspace import Workspace


def run_demo(folder: Path, settings: Settings, steps: int | None = None) -> dict:
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

    click.secho("\n3. RAG, fine-tuning or both? Measured on these documents (ragtune compare)", bold=True)
    from ragtune.compare.run import Options, compare
    from ragtune.console import print_comparison
    from ragtune.evaluate.advise import Advice

    log = write_support_log(folder / "support-log.jsonl")
    click.echo(f"the support team's answered questions: {log} ({len(SUPPORT_LOG)} of them)")
    opts = Options(shares=(0.5, 1.0), changes=5, facts=16, max_steps=steps or -1)
    doc = compare(ws, [], folder / "compare", log, opts, say=lambda m: click.echo(f"   {m}"))
    results = doc["results"]
    print_results(results)
    print_comparison(doc)

    click.secho("\n4. Recommendation, each reason measured here", bold=True)
    click.echo(Advice(**doc["verdict"]).text())
    click.echo(f"\nreport: {folder / 'compare' / 'report.html'}")
    return results


def write_support_log(path: Path) -> Path:
    """The sample support log as JSON Lines, the format `ragtune data add` takes."""
    lines = (json.dumps({"question": q, "answer": a}, ensure_ascii=False) for q, a in SUPPORT_LOG)
    path.write_text("\n".join(lines) + "\n")
    return path
