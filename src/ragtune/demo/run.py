"""`ragtune demo`: build the sample corpus, ingest it, answer questions with citations."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ragtune.config import Settings
from ragtune.demo.corpus import QUESTIONS, build
from ragtune.workspace import Workspace


def run_demo(folder: Path, settings: Settings) -> None:
    corpus = build(folder / "corpus")
    if settings.store == Settings.model_fields["store"].default:
        settings = settings.model_copy(update={"store": folder / "store"})
    click.secho(f"1. Sample corpus of Alderbrook Outfitters written to {corpus}", bold=True)
    ws = Workspace(settings)
    t = time.perf_counter()
    report = ws.ingest([corpus], quiet=False, on_error=lambda s, why: click.echo(f"error: {s}: {why}", err=True))
    click.echo(f"{report.line()} ({report.chunks} chunks, {time.perf_counter() - t:.1f} s)")
    click.secho("\n2. Questions answered by the SLM from retrieved evidence", bold=True)
    from ragtune.cli import print_answer
    from ragtune.generate.answer import Answerer

    answerer = Answerer(ws)
    for q, ans in zip(QUESTIONS, answerer.ask_many(QUESTIONS), strict=True):
        click.secho(f"\nQ: {q}", fg="cyan")
        print_answer(ans)
