"""The `ragtune` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ragtune.config import Settings
from ragtune.errors import RagtuneError


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _workspace(ctx: click.Context):
    from ragtune.workspace import Workspace

    if "ws" not in ctx.obj:
        ctx.obj["ws"] = Workspace(_settings(ctx))
    return ctx.obj["ws"]


def _filters(values: tuple[str, ...]) -> dict:
    out = {}
    for v in values:
        key, sep, value = v.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"'{v}' is not key=value", param_hint="--filter")
        out[key.strip()] = value.strip()
    return out


def read_questions(path: Path) -> list[str]:
    """`{"question": ...}` per line; a bad line is an error naming the file and line."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)["question"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise RagtuneError(f'{path}:{n}: expected a JSON object with a "question" field ({exc})') from None
        if not isinstance(q, str) or not q.strip():
            raise RagtuneError(f'{path}:{n}: "question" must be a non-empty string')
        out.append(q)
    return out


class Group(click.Group):
    """Prints RagtuneError as one line (exit 2) instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except RagtuneError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=Group)
@click.option("--store", type=click.Path(path_type=Path), envvar="RAGTUNE_STORE", help="Store folder [.ragtune].")
@click.option("--llm", envvar="RAGTUNE_LLM", help="smollm2 | hub id | folder | file.gguf | openai:MODEL@URL.")
@click.option("--embedder", envvar="RAGTUNE_EMBEDDER", help="minilm | sentence-transformers name | openai:MODEL@URL.")
@click.version_option(package_name="ragtune")
@click.pass_context
def main(ctx: click.Context, store: Path | None, llm: str | None, embedder: str | None) -> None:
    """Give a small language model your knowledge: RAG, fine-tuning, or both."""
    overrides = {k: v for k, v in {"store": store, "llm": llm, "embedder": embedder}.items() if v}
    ctx.obj = {"settings": Settings(**overrides)}


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], quiet: bool) -> None:
    """Ingest files and folders into the store (incremental: unchanged files are skipped)."""
    ws = _workspace(ctx)
    report = ws.ingest(list(paths), quiet=quiet, on_error=lambda src, why: click.echo(f"error: {src}: {why}", err=True))
    click.echo(report.line())
    if report.failed:
        sys.exit(1)


@main.command()
@click.argument("query", required=False)
@click.option("--top-k", "-k", type=int, help="How many passages [5].")
@click.option("--filter", "filters", multiple=True, help="key=value on source, type or any record field.")
@click.option("--mode", type=click.Choice(["dense", "bm25", "hybrid"]), help="Retrieval mode [hybrid].")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--questions", type=click.Path(exists=True, path_type=Path), help="JSONL batch: one JSON line out each.")
@click.pass_context
def search(ctx, query, top_k, filters, mode, as_json, questions) -> None:
    """Find the passages (and document summaries) most relevant to QUERY."""
    ws = _workspace(ctx)
    queries = read_questions(questions) if questions else [_required(query, "QUERY")]
    for q in queries:
        result = ws.search(q, top_k=top_k, filters=_filters(filters), mode=mode)
        if as_json or questions:
            click.echo(json.dumps(result.to_dict() | {"passages": [_slim(p) for p in result.passages]}))
            continue
        for n, p in enumerate(result.passages, 1):
            click.echo(f"[{n}] {p.source} ({p.locator})  score {p.score:.4f}  relevance {p.relevance:.2f}")
            click.echo("    " + p.text.replace("\n", "\n    ")[:600])
        for s in result.summaries:
            click.echo(f"summary of {s['source']}: {s['summary']}")


def _slim(p) -> dict:
    return {k: v for k, v in p.to_dict().items() if k not in ("records",)}


def _required(value: str | None, name: str) -> str:
    if not value:
        raise click.UsageError(f"give {name} or --questions FILE")
    return value


@main.command()
@click.argument("question", required=False)
@click.option("--top-k", "-k", type=int, help="How many passages to read [5].")
@click.option("--filter", "filters", multiple=True, help="key=value on source, type or any record field.")
@click.option("--json", "as_json", is_flag=True, help='Print {"answer", "abstained", "citations", "timings"}.')
@click.option("--questions", type=click.Path(exists=True, path_type=Path), help="JSONL batch: one JSON line out each.")
@click.option("--batch-size", type=int, default=8, show_default=True, help="Questions generated together.")
@click.pass_context
def ask(ctx, question, top_k, filters, as_json, questions, batch_size) -> None:
    """Answer QUESTION from the store, citing sources, or abstain."""
    from ragtune.generate.answer import Answerer

    answerer = Answerer(_workspace(ctx))
    qs = read_questions(questions) if questions else [_required(question, "QUESTION")]
    for i in range(0, len(qs), batch_size):
        chunk = qs[i : i + batch_size]
        for q, ans in zip(chunk, answerer.ask_many(chunk, top_k=top_k, filters=_filters(filters)), strict=True):
            if as_json or questions:
                out = ans.to_dict()
                keep = {"answer", "abstained", "citations", "timings"}
                click.echo(json.dumps({"question": q} | {k: v for k, v in out.items() if k in keep}))
            else:
                print_answer(ans)


def print_answer(ans) -> None:
    click.echo(ans.answer)
    for n, c in enumerate(ans.citations, 1):
        click.echo(f'  [{n}] {c.source} ({c.locator}): "{c.quote}"')


@main.command()
@click.pass_context
def documents(ctx) -> None:
    """List the ingested documents with their summaries."""
    for d in _workspace(ctx).manifest.documents():
        click.echo(f"{d['source']}  [{d['kind']}, {d['chunks']} chunks]  {d['summary'][:100]}")


@main.command()
@click.option("--dir", "folder", type=click.Path(path_type=Path), default=Path("ragtune-demo"), show_default=True)
@click.pass_context
def demo(ctx, folder: Path) -> None:
    """Build the sample corpus, ingest it, and answer questions with citations."""
    from ragtune.demo.run import run_demo

    run_demo(folder, _settings(ctx))


if __name__ == "__main__":
    main()
