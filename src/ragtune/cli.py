"""The `ragtune` command line."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from ragtune.config import Settings
from ragtune.console import print_answer, print_results
from ragtune.errors import RagtuneError


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _workspace(ctx: click.Context):
    from ragtune.workspace import Workspace

    if "ws" not in ctx.obj:
        ctx.obj["ws"] = Workspace(_settings(ctx))
        command = ctx.find_root().invoked_subcommand
        if ctx.obj.get("key") and command not in KEYED_COMMANDS and not _principal(ctx).admin:
            raise RagtuneError(f"`ragtune {command}` works on every document: run it without --key (as the admin)")
    return ctx.obj["ws"]


KEYED_COMMANDS = {"search", "ask", "chat", "documents", "adapters", "ingest", "keys"}  # --key narrows these


def _principal(ctx: click.Context):
    """Who the command acts as: the admin, unless --key (RAGTUNE_KEY) names a key of `ragtune keys add`."""
    import os

    from ragtune.access import ADMIN

    key = ctx.obj.get("key")
    return _workspace(ctx).principal(key, os.environ.get("RAGTUNE_API_KEY")) if key else ADMIN


def _ingested(ctx: click.Context):
    """The workspace, or a clear error when nothing has been ingested into it yet."""
    ws = _workspace(ctx)
    if not ws.catalog.documents():
        raise RagtuneError(f"the store {ws.settings.store} is empty: run `ragtune ingest PATH...` first")
    return ws


def _filters(values: tuple[str, ...]) -> dict:
    out = {}
    for v in values:
        key, sep, value = v.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"'{v}' is not key=value", param_hint="--filter")
        out[key.strip()] = value.strip()
    return out


def read_questions(path: Path) -> list[str]:
    """`{"question": ...}` per line. A bad line (not JSON, no question, an empty one) is reported on stderr as one
    line naming the file and line, and the others are still asked (the command then exits 1); a file with no good
    line is an error."""
    from ragtune.files import read_utf8

    out = []
    for n, line in enumerate(read_utf8(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)["question"]
            if not isinstance(q, str) or not q.strip():
                raise ValueError('"question" must be a non-empty string')
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            _bad_input(f'{path}:{n}: expected a JSON object with a "question" field ({exc})')
            continue
        except ValueError as exc:
            _bad_input(f"{path}:{n}: {exc}")
            continue
        out.append(q)
    if not out:
        raise RagtuneError(f"{path}: no question to ask")
    return out


def _bad_input(reason: str) -> None:
    """Say why one input is skipped; the command exits 1 (some inputs failed) when it is done."""
    click.echo(f"error: {reason}", err=True)
    if ctx := click.get_current_context(silent=True):
        ctx.meta["ragtune.bad_inputs"] = ctx.meta.get("ragtune.bad_inputs", 0) + 1


GLOBAL_OPTIONS = ("--store", "--llm", "--embedder", "--device", "--key")
GLOBAL_FLAGS = ("-v", "--verbose")
EXIT_INPUTS, EXIT_USAGE, EXIT_CONFIG = 1, 2, 3  # some inputs failed | bad usage | configuration or data error


def hoist_global_options(args: list[str]) -> list[str]:
    """`ragtune ingest docs --store kb` == `ragtune --store kb ingest docs`: global options may follow the command."""
    front, rest, i = [], [], 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            take = 1 if "=" in arg else 2
            front += args[i : i + take]
            i += take
            continue
        (front if arg in GLOBAL_FLAGS else rest).append(arg)
        i += 1
    return front + rest


class Group(click.Group):
    """Global options anywhere; RagtuneError and bad settings as one line (exit 3) instead of a traceback."""

    def parse_args(self, ctx, args):
        return super().parse_args(ctx, hoist_global_options(list(args)) if ctx.parent is None else args)

    def invoke(self, ctx):
        from pydantic import ValidationError

        try:
            result = super().invoke(ctx)
        except RagtuneError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_CONFIG)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err["loc"])
            click.echo(f"error: setting {where}: {err['msg']} (got {err.get('input')!r})", err=True)
            sys.exit(EXIT_CONFIG)
        if ctx.meta.get("ragtune.bad_inputs"):  # the command went on past some bad inputs (see _bad_input)
            sys.exit(EXIT_INPUTS)
        return result


@click.group(cls=Group)
@click.option("--store", type=click.Path(path_type=Path), envvar="RAGTUNE_STORE", help="Store folder [.ragtune].")
@click.option("--llm", envvar="RAGTUNE_LLM", help="smollm2 | hub id | folder | file.gguf | openai:MODEL@URL.")
@click.option("--embedder", envvar="RAGTUNE_EMBEDDER", help="minilm | ST name or path | NAME+int8 | openai:MODEL@URL.")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), envvar="RAGTUNE_DEVICE", help="[cuda when available]")
@click.option("--key", envvar="RAGTUNE_KEY", help="Act as this API key's holder (sees what its groups may) [admin].")
@click.option("-v", "--verbose", is_flag=True, help="Show library warnings and logs.")
@click.version_option(package_name="ragtune")
@click.pass_context
def main(
    ctx: click.Context,
    store: Path | None,
    llm: str | None,
    embedder: str | None,
    device: str | None,
    key: str | None,
    verbose: bool,
) -> None:
    """Give a small language model your knowledge: RAG, fine-tuning, or both.

    Global options (--store, --llm, --embedder, --device, -v) may come before or after the command.
    Exit status: 0 ok, 1 some inputs failed, 2 usage error, 3 configuration or data error.
    """
    from ragtune.console import quiet_libraries

    quiet_libraries(verbose)
    overrides = {k: v for k, v in {"store": store, "llm": llm, "embedder": embedder, "device": device}.items() if v}
    ctx.obj = {"settings": Settings(**overrides), "key": key}


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--workers", type=click.IntRange(0, 256), help="Parsing processes [one per core from 32 files].")
@click.option("--ray", metavar="ADDRESS", help="Parse and embed on a Ray cluster: host:port, ray://…, auto or local.")
@click.option("--groups", help="Who may see these files: groups, comma-separated (a rules file's match comes first).")
@click.option("--public", is_flag=True, help="Make these files visible to everyone (where no rules file says else).")
@click.pass_context
def ingest(
    ctx: click.Context, paths: tuple[Path, ...], quiet: bool, as_json: bool, workers, ray, groups, public
) -> None:
    """Ingest files and folders into the store (incremental: unchanged files are skipped).

    Access: a file's groups come from the `.ragtune-access` rules files in its folders, else --groups or --public,
    else stay as they were (public for a new file)."""
    from ragtune.access import parse_groups

    if groups is not None and public:
        raise click.UsageError("give --groups or --public, not both")
    chosen = () if public else (parse_groups(groups, "--groups") if groups is not None else None)
    if groups is not None and not chosen:
        raise click.BadParameter("name at least one group (or use --public)", param_hint="--groups")
    _principal(ctx).admin or _refuse("ingest writes for everyone: it needs the admin (no --key)")
    ws = _workspace(ctx)
    if workers is not None:
        ws.settings.chunk.workers = workers
    report = ws.ingest(
        list(paths),
        quiet=quiet or as_json,
        on_error=lambda src, why: click.echo(f"error: {src}: {why}", err=True),
        on_warning=lambda src, why: click.echo(f"warning: {src}: {why}", err=True),
        ray=ray,
        groups=chosen,
    )
    if as_json:
        out = {k: v for k, v in asdict(report).items() if k not in ("failures", "warnings", "skipped")}
        out |= {
            "failures": [{"source": s, "reason": r} for s, r in report.failures],
            "warnings": [{"source": s, "reason": r} for s, r in report.warnings],
            "skipped": [{"source": s, "reason": r} for s, r in report.skipped],
        }
        click.echo(json.dumps(out))
    else:
        click.echo(report.line())
    if report.failed:
        sys.exit(EXIT_INPUTS)


@main.command()
@click.argument("query", required=False)
@click.option("--top-k", "-k", type=click.IntRange(1, 1000), help="How many passages [5].")
@click.option("--filter", "filters", multiple=True, help="key=value on source, type or any record field.")
@click.option("--mode", type=click.Choice(["dense", "bm25", "hybrid"]), help="Retrieval mode [hybrid].")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--questions", type=click.Path(exists=True, path_type=Path), help="JSONL batch: one JSON line out each.")
@click.pass_context
def search(ctx, query, top_k, filters, mode, as_json, questions) -> None:
    """Find the passages (and document summaries) most relevant to QUERY."""
    queries = read_questions(questions) if questions else [_required(query, "QUERY")]
    ws = _ingested(ctx)
    for q in queries:
        result = ws.search(q, top_k=top_k, filters=_filters(filters), mode=mode, principal=_principal(ctx))
        if as_json or questions:
            click.echo(json.dumps(result.to_dict() | {"passages": [_slim(p) for p in result.passages]}))
            continue
        for n, p in enumerate(result.passages, 1):
            click.echo(f"[{n}] {p.source} ({p.locator})  score {p.score:.4f}  relevance {p.relevance:.2f}")
            click.echo("    " + p.text.replace("\n", "\n    ")[:600])
        for s in result.summaries:
            click.echo(f"summary of {s['source']}: {s['summary']}")


def _listing(rows: list[dict], as_json: bool, line) -> None:
    """A listing command's output: the rows as one JSON list, or one `line(row)` each."""
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        click.echo(line(row))


def _refuse(why: str) -> None:
    raise RagtuneError(why)


def _slim(p) -> dict:
    return {k: v for k, v in p.to_dict().items() if k not in ("records",)}


def _required(value: str | None, name: str) -> str:
    if not value or not value.strip():  # blank is as empty as empty
        raise click.UsageError(f"give {name} or --questions FILE")
    return value


@main.command()
@click.argument("question", required=False)
@click.option("--top-k", "-k", type=click.IntRange(1, 1000), help="How many passages to read [5].")
@click.option("--filter", "filters", multiple=True, help="key=value on source, type or any record field.")
@click.option("--json", "as_json", is_flag=True, help='Print {"answer", "abstained", "citations", "timings"}.')
@click.option("--questions", type=click.Path(exists=True, path_type=Path), help="JSONL batch: one JSON line out each.")
@click.option(
    "--batch-size", type=click.IntRange(1, 1024), default=8, show_default=True, help="Questions answered together."
)
@click.option("--adapter", help="Answer with this fine-tuned adapter (closed-book unless --mode ft+rag).")
@click.option("--mode", type=click.Choice(["rag", "closed-book", "ft+rag"]), help="[rag; closed-book with --adapter]")
@click.pass_context
def ask(ctx, question, top_k, filters, as_json, questions, batch_size, adapter, mode) -> None:
    """Answer QUESTION from the store, citing sources, or abstain."""
    from ragtune.generate.arms import for_mode

    qs = read_questions(questions) if questions else [_required(question, "QUESTION")]
    mode = mode or ("closed-book" if adapter else "rag")
    if mode == "ft+rag" and not adapter:
        raise click.UsageError("--mode ft+rag needs --adapter NAME")
    ws = _workspace(ctx) if mode == "closed-book" else _ingested(ctx)
    answerer = ws.answerer(for_mode(mode, adapter), _principal(ctx))
    for i in range(0, len(qs), batch_size):
        chunk = qs[i : i + batch_size]
        answers = answerer.ask_many(chunk, top_k=top_k, filters=_filters(filters))
        for q, ans in zip(chunk, answers, strict=True):
            if as_json or questions:
                out = ans.to_dict()
                keep = {"answer", "abstained", "citations", "timings", "route", "sql", "reason"}
                click.echo(json.dumps({"question": q} | {k: v for k, v in out.items() if k in keep}))
            else:
                print_answer(ans)


@main.command()
@click.option("--adapter", help="Answer with this fine-tuned adapter over the store (ft+rag).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per answer (with standalone_question).")
@click.pass_context
def chat(ctx, adapter, as_json) -> None:
    """A conversation in the terminal: follow-up questions ("and the one in Bergen?") are made standalone from
    the earlier turns. An empty line or end of input ends it."""
    from ragtune.generate.arms import for_mode

    ws = _ingested(ctx)
    arm = for_mode("ft+rag" if adapter else "rag", adapter)
    history: list[dict] = []
    interactive = sys.stdin.isatty()
    while True:
        try:
            question = (
                click.prompt("you", prompt_suffix="> ", default="", show_default=False)
                if interactive
                else (sys.stdin.readline())
            )
        except (EOFError, click.Abort):
            break
        if not question or not question.strip():
            break
        ans = ws.ask(question.strip(), history=history, arm=arm, principal=_principal(ctx))
        if as_json:
            keep = {"answer", "abstained", "citations", "route", "reason", "standalone_question"}
            click.echo(
                json.dumps({"question": question.strip()} | {k: v for k, v in ans.to_dict().items() if k in keep})
            )
        else:
            if ans.standalone_question != question.strip():
                click.echo(f"(answered as: {ans.standalone_question})")
            print_answer(ans)
        history += [{"role": "user", "content": question.strip()}, {"role": "assistant", "content": ans.answer}]


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def documents(ctx, as_json: bool) -> None:
    """List the ingested documents (those --key may see) with their groups and summaries."""
    docs = _workspace(ctx).documents(_principal(ctx))
    if as_json:
        click.echo(json.dumps(docs))
        return
    for d in docs:
        seen_by = f"  groups {d['groups']}" if d["groups"] else ""
        click.echo(f"{d['source']}  [{d['kind']}, {d['chunks']} chunks]{seen_by}  {d['summary'][:100]}")


@main.command()
@click.option("--dir", "folder", type=click.Path(path_type=Path), default=Path("ragtune-demo"), show_default=True)
@click.option("--steps", type=click.IntRange(1), help="At most this many fine-tuning steps per adapter [2 epochs].")
@click.pass_context
def demo(ctx, folder: Path, steps: int | None) -> None:
    """Ingest a sample corpus, answer with citations, fine-tune, compare the four arms, recommend."""
    from ragtune.demo.run import run_demo

    run_demo(folder, _settings(ctx), steps)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--queue",
    "queue_limit",
    type=click.IntRange(1, 10_000),
    help="Model calls waiting or running before 503 [default: serve.queue_limit, 8].",
)
@click.pass_context
def serve(ctx, host: str, port: int, queue_limit: int | None) -> None:
    """Serve the store: the web page at /, an OpenAI-compatible API under /v1, and /ingest, /search, /eval."""
    import uvicorn

    from ragtune.serve.app import create_app

    ws = _workspace(ctx)
    key = ws.settings.api_key.get_secret_value() if ws.settings.api_key else None
    if not key and not is_loopback(host):
        raise RagtuneError(f"refusing to serve on {host} without an API key: set RAGTUNE_API_KEY, or bind 127.0.0.1")
    app = create_app(ws, key, queue_limit)
    keys = len([k for k in ws.catalog.api_keys() if not k["revoked_at"]])
    auth = f"admin key {'on' if key else 'off'}, {keys} user key{'s' * (keys != 1)}"
    click.echo(f"ragtune serving {ws.settings.store} at http://{host}:{port}/ (API under /v1, {auth})", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@main.group()
def data() -> None:
    """Training data: add user JSONL, generate from the corpus, list versions."""


@data.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--heldout", type=click.FloatRange(0, 0.9), default=0.1, show_default=True, help="Share kept out of training."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def data_add(ctx, file: Path, heldout: float, as_json: bool) -> None:
    """Validate FILE.jsonl and store it as a new immutable dataset version."""
    from ragtune.finetune.data import read_jsonl

    meta = _workspace(ctx).datasets.add(read_jsonl(file), source=str(file), heldout=heldout)
    if as_json:
        click.echo(json.dumps(meta))
        return
    click.echo(f"{meta['version']}: {meta['rows']} train + {meta['heldout']} held out, sha256 {meta['hash'][:12]}")


@data.command("generate")
@click.option("--paraphrases", type=int, default=3, show_default=True, help="Wordings per question.")
@click.option("--max-prose", type=int, default=200, show_default=True, help="Prose chunks given to the generator.")
@click.option("--generator", help="Model that writes prose questions [the --llm]; 'none' for records only.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def data_generate(ctx, paraphrases: int, max_prose: int, generator: str | None, as_json: bool) -> None:
    """Question/answer pairs from the ingested corpus, stored as a new dataset version."""
    from ragtune.models.factory import create_llm

    ws = _workspace(ctx)
    llm = None if generator == "none" else (create_llm(generator, ws.settings) if generator else ws.llm)
    rows = ws.generate_data(llm, paraphrases=paraphrases, max_prose=max_prose)
    if not rows:
        raise RagtuneError("no question/answer pairs could be made from the store (ingest documents first)")
    meta = ws.datasets.add(rows, source="corpus", kind="generated")
    if as_json:
        click.echo(json.dumps(meta))
        return
    click.echo(f"{meta['version']}: {meta['rows']} train + {meta['heldout']} held out, from the corpus")


@data.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def data_list(ctx, as_json: bool) -> None:
    """Dataset versions."""

    def line(d: dict) -> str:
        groups = f"  groups {'; '.join(d['groups'])}" if d["groups"] else ""
        return f"{d['version']}  {d['rows']:>6} train {d['heldout']:>5} held out  {d['kind']:<9} {d['source']}{groups}"

    _listing(_workspace(ctx).datasets.list(), as_json, line)


@main.command()
@click.option("--data", "data_spec", help="Dataset version or JSONL file [newest version].")
@click.option("--base", help="Base model [the --llm, or the parent's base].")
@click.option("--from", "parent", help="Continue from this adapter (replaying earlier data).")
@click.option("--raft", is_flag=True, help="Train with retrieved context and distractors (RAFT).")
@click.option("--span", is_flag=True, help="Train a span reader (marks answers in text) on rows with a context.")
@click.option(
    "--negatives",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="--span: share of answerable rows also trained as a no-answer copy with one question term swapped.",
)
@click.option("--name", help="Adapter name [a001, a002, ...].")
@click.option("--resume", is_flag=True, help="Continue an interrupted run from its last checkpoint.")
@click.option("--epochs", type=float, default=3.0, show_default=True)
@click.option("--max-steps", type=int, default=-1, help="Stop after this many steps.")
@click.option("--lr", type=float, default=1e-3, show_default=True)
@click.option("--rank", "r", type=int, default=16, show_default=True, help="LoRA rank.")
@click.option("--alpha", type=int, default=32, show_default=True)
@click.option("--batch-size", type=int, default=4, show_default=True)
@click.option("--save-steps", type=int, default=20, show_default=True, help="Checkpoint every N steps.")
@click.option("--replay", type=float, default=0.2, show_default=True, help="Share of earlier data mixed in.")
@click.option("--qlora", is_flag=True, help="4-bit base model (needs a CUDA GPU and bitsandbytes).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def finetune(
    ctx,
    data_spec,
    base,
    parent,
    raft,
    span,
    negatives,
    name,
    resume,
    epochs,
    max_steps,
    lr,
    r,
    alpha,
    batch_size,
    save_steps,
    replay,
    qlora,
    quiet,
    as_json,
) -> None:
    """Train a LoRA adapter on a dataset version (continually, with --from), or a span reader (--span)."""
    if span:
        params = _span_params(ctx, epochs, lr, batch_size, negatives)
        return _train_span_reader(ctx, data_spec, name, params, quiet or as_json, as_json)
    from ragtune.finetune.train import TrainParams

    params = TrainParams(
        r=r,
        alpha=alpha,
        learning_rate=lr,
        epochs=epochs,
        max_steps=max_steps,
        batch_size=batch_size,
        save_steps=save_steps,
        replay=replay,
        raft=raft,
        qlora=qlora,
    )
    rec = _workspace(ctx).finetune(
        data_spec, base, parent, params=params, name=name, resume=resume, quiet=quiet or as_json
    )
    if not rec:  # a worker process of `accelerate launch`: the main process reports
        return
    m = json.loads(rec["metrics"])
    if as_json:
        click.echo(json.dumps(_lineage(rec)))
        return
    on = f" on {m['processes']} processes" if m.get("processes", 1) > 1 else ""
    loss = m["final_loss"]
    click.echo(f"adapter {rec['name']}: {m['steps']} steps{on} in {m['train_seconds']} s, final loss {loss:.3f}")


def _span_params(ctx, epochs: float, lr: float, batch_size: int, negatives: float):
    """`finetune --span`: the span reader's own defaults (lr 5e-4, batch 16) unless the options were given."""
    from click.core import ParameterSource

    from ragtune.finetune.span import SpanParams

    given = {k: ctx.get_parameter_source(k) != ParameterSource.DEFAULT for k in ("lr", "batch_size")}
    params = SpanParams(epochs=epochs, negatives=negatives)
    params.learning_rate = lr if given["lr"] else params.learning_rate
    params.batch_size = batch_size if given["batch_size"] else params.batch_size
    return params


def _train_span_reader(ctx, data_spec, name, params, quiet: bool, as_json: bool) -> None:
    """`finetune --span`: train into STORE/readers/NAME and say how to use it."""
    folder, meta = _workspace(ctx).train_span_reader(data_spec, name, params, quiet=quiet)
    if as_json:
        click.echo(json.dumps({"folder": str(folder)} | {k: v for k, v in meta.items() if k != "loss"}))
        return
    click.echo(f"span reader {folder}: {meta['examples']} examples, {meta['steps']} steps in {meta['train_seconds']} s")
    click.echo(f"use it: RAGTUNE_ANSWER__ADAPTER={folder}")


@main.group()
def adapters() -> None:
    """Fine-tuned adapter versions."""


def _adapters(ctx):
    return _workspace(ctx).adapters


@adapters.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def adapters_list(ctx, as_json: bool) -> None:
    """Adapters (those --key may use) with their parent, data versions and the groups they inherited."""
    from ragtune.access import show_labels

    records = _workspace(ctx).usable_adapters(_principal(ctx))
    if as_json:
        click.echo(json.dumps([_lineage(a) for a in records]))
        return
    for a in records:
        m = json.loads(a["metrics"])
        click.echo(
            f"{a['name']}  parent {a['parent'] or '-':<6} data {','.join(json.loads(a['data']))}  "
            f"base {a['base']}  loss {m['final_loss']:.3f}  {a['created_at']}  for {show_labels(a['groups'])}"
        )


@adapters.command("show")
@click.argument("name")
@click.pass_context
def adapters_show(ctx, name: str) -> None:
    """An adapter's full lineage record as JSON, with who may use it (`access`: a caller must hold a group of each
    part, because the adapter learnt from documents of those groups)."""
    from ragtune.access import show_labels
    from ragtune.generate.arms import for_mode

    ws = _workspace(ctx)
    ws.check_model(for_mode("closed-book", name), _principal(ctx))
    record = _lineage(ws.adapters.get(name))
    click.echo(json.dumps(record | {"access": show_labels(record["groups"])}, indent=2))


@main.group()
def keys() -> None:
    """API keys for `ragtune serve` and --key: each with a name and the groups whose documents it may see."""


@keys.command("add")
@click.argument("name")
@click.option("--groups", default="", help="Groups, comma-separated (none: public documents only).")
@click.pass_context
def keys_add(ctx, name: str, groups: str) -> None:
    """Make a key for NAME and print it once (only its hash is kept)."""
    from ragtune.access import key_hash, new_key, parse_groups

    if not name.strip() or len(name) > 100 or not name.isprintable():
        raise click.BadParameter("a printable name of 1 to 100 characters", param_hint="NAME")
    _principal(ctx).admin or _refuse("keys are managed by the admin (no --key)")
    key = new_key()
    _workspace(ctx).catalog.add_key(name.strip(), key_hash(key), list(parse_groups(groups, "--groups")))
    click.echo(key)


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def keys_list(ctx, as_json: bool) -> None:
    """Every key's name, groups, and when it was made or revoked (never the key)."""

    def line(k: dict) -> str:
        state = f"revoked {k['revoked_at']}" if k["revoked_at"] else "live"
        return f"{k['name']}  groups {','.join(k['groups']) or '(public only)'}  made {k['created_at']}  {state}"

    _listing(_workspace(ctx).catalog.api_keys(), as_json, line)


@keys.command("revoke")
@click.argument("name")
@click.pass_context
def keys_revoke(ctx, name: str) -> None:
    """Revoke NAME's key: a running server refuses it from its next request."""
    _principal(ctx).admin or _refuse("keys are managed by the admin (no --key)")
    if not _workspace(ctx).catalog.revoke_key(name):
        raise RagtuneError(f"no live key named {name!r} (ragtune keys list)")
    click.echo(f"revoked {name}")


def _lineage(rec: dict) -> dict:
    return {k: json.loads(v) if k in ("data", "params", "metrics") else v for k, v in rec.items()}


@adapters.command("merge")
@click.argument("name")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for the merged model.")
@click.pass_context
def adapters_merge(ctx, name: str, out: Path) -> None:
    """Merge the adapter into its base: a standalone model folder (usable as --llm)."""
    click.echo(f"merged model written to {_adapters(ctx).merge(name, out)}")


@adapters.command("export")
@click.argument("name")
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.pass_context
def adapters_export(ctx, name: str, out: Path) -> None:
    """Write the PEFT adapter (safetensors + config + lineage) to a folder."""
    click.echo(f"adapter exported to {_adapters(ctx).export(name, out)}")


@adapters.command("rm")
@click.argument("name")
@click.pass_context
def adapters_rm(ctx, name: str) -> None:
    """Delete an adapter (not one that others continue from)."""
    _adapters(ctx).remove(name)
    click.echo(f"removed {name}")


@main.command("eval")
@click.argument("questions", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--arms",
    help="Comma list of base,rag,ft,ft+rag,oracle [base,rag,ft+rag,oracle; no ft+rag without a "
    "trained reader or --adapter].",
)
@click.option("--adapter", help="Adapter for the ft and ft+rag arms.")
@click.option(
    "--report", "report_dir", type=click.Path(path_type=Path), help="Write results.json and report.html here."
)
@click.option("--ingest-contexts", is_flag=True, help="Ingest the SQuAD file's paragraphs as the corpus first.")
@click.option("--limit", type=click.IntRange(1), help="Only the first N questions (evenly sampled).")
@click.option("--judge", help="Optional LLM judge (openai:MODEL@URL or any --llm spec): adds a 'judged' column.")
@click.option("--json", "as_json", is_flag=True, help="Print the results document (results.json) instead of the table.")
@click.pass_context
def eval_(ctx, questions: Path, arms: str, adapter, report_dir, ingest_contexts: bool, limit, judge, as_json) -> None:
    """Answer QUESTIONS (SQuAD JSON or JSONL) with every arm and compare them."""
    from ragtune.evaluate.questions import load, paragraphs, sample
    from ragtune.generate.arms import parse
    from ragtune.models.factory import create_llm

    ws = _workspace(ctx)
    reader = ws.reader_available()
    arms = arms or ("base,rag,ft+rag,oracle" if reader or adapter else "base,rag,oracle")
    arm_list = parse(arms, adapter, reader)  # before anything is loaded or ingested
    qs = load(questions)
    qs = sample(qs, limit)
    if ingest_contexts:
        corpus = ws.settings.store / "eval-corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        for i, text in enumerate(paragraphs(questions)):
            (corpus / f"p{i:04d}.txt").write_text(text + "\n")
        report = ws.ingest([corpus], quiet=as_json)
        click.echo(report.line(), err=as_json)
    judge_llm = create_llm(judge, ws.settings) if judge else None

    def progress(arm: str, m: dict) -> None:
        click.echo(f"{arm:<7} F1 {m['f1']:.3f} EM {m['em']:.3f} ({m['wall_s']} s)", err=True)

    results = ws.evaluate(qs, arm_list, progress=progress, judge_llm=judge_llm)
    if as_json:
        click.echo(json.dumps(results))
    else:
        print_results(results)
    from ragtune.evaluate import report

    kept = report.keep(results, ws.settings.store)  # the store keeps every run; `ragtune serve` shows the latest
    if report_dir:
        path = report.keep(results, ws.settings.store, folder=report_dir)
        click.echo(f"wrote {report_dir / 'results.json'} and {path}", err=as_json)
    else:
        click.echo(f"report: {kept}", err=as_json)


@main.command()
@click.argument("docs", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--log",
    type=click.Path(exists=True, path_type=Path),
    help="Answered questions in the house's words "
    '(JSON Lines of {"question", "answer"}): measures terminology and phrasing.',
)
@click.option("--out", type=click.Path(path_type=Path), help="Where the run goes [STORE/compare/<time>].")
@click.option(
    "--questions",
    type=click.Path(exists=True, path_type=Path),
    help="A reviewed questions.jsonl of an earlier run (else one is made from the documents).",
)
@click.option("--changes", type=click.IntRange(0), default=10, show_default=True, help="Facts changed (criterion 1).")
@click.option("--shares", default="25,50,100", show_default=True, help="Percent of the training data per adapter.")
@click.option("--facts", type=click.IntRange(1), default=40, show_default=True, help="Facts in the test set, at most.")
@click.option("--epochs", type=click.FloatRange(0.1), default=2.0, show_default=True, help="Per adapter.")
@click.option(
    "--data-changes", type=click.Choice(["daily", "weekly", "rarely"]), help="Asserted: how often (unmeasured)."
)
@click.option("--needs-citations", is_flag=True, help="Asserted: answers must point to their sources.")
@click.option("--terminology", is_flag=True, help="Asserted: the house terminology matters.")
@click.option(
    "--footprint/--no-footprint",
    default=True,
    show_default=True,
    help="Serve each arm alone in a fresh process: its memory and cold start (seconds each).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison document.")
@click.pass_context
def compare(
    ctx,
    docs,
    log,
    out,
    questions,
    changes,
    shares,
    facts,
    epochs,
    data_changes,
    needs_citations,
    terminology,
    footprint,
    as_json,
) -> None:
    """Measure RAG, fine-tuning and both on DOCS (or the store's documents) and recommend one, with reasons."""
    import time

    from ragtune.compare.run import Options, parse_shares
    from ragtune.compare.run import compare as run

    try:
        parts = parse_shares(shares)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--shares") from None
    ws = _workspace(ctx)
    if not docs and not ws.catalog.documents():
        raise RagtuneError(f"the store {ws.settings.store} is empty: give DOCS to compare on")
    out = out or ws.settings.store / "compare" / time.strftime("%Y%m%d-%H%M%S")
    asserted = {
        k: v
        for k, v in (("data_changes", data_changes), ("needs_citations", needs_citations), ("terminology", terminology))
        if v
    }
    opts = Options(parts, changes, facts, epochs, questions=questions, footprint=footprint, asserted=asserted)
    say = (lambda m: click.echo(m, err=True)) if as_json else click.echo
    doc = run(ws, list(docs), out, log, opts, say)
    if as_json:
        click.echo(json.dumps({k: v for k, v in doc.items() if k != "results"}, default=str))
    else:
        from ragtune.console import print_comparison
        from ragtune.evaluate.advise import Advice

        print_comparison(doc)
        click.echo("\n" + Advice(**doc["verdict"]).text())


@main.command()
@click.option("--results", type=click.Path(exists=True, path_type=Path), help="results.json of `ragtune eval`.")
@click.option(
    "--comparison",
    type=click.Path(exists=True, path_type=Path),
    help="comparison.json of `ragtune compare`: the verdict from its measurements (flags add asserted reasons).",
)
@click.option("--data-changes", type=click.Choice(["daily", "weekly", "rarely"]), default="weekly", show_default=True)
@click.option("--needs-citations", is_flag=True, help="Answers must point to their sources.")
@click.option(
    "--training-examples", type=click.IntRange(0), default=0, show_default=True, help="Good training examples you have."
)
@click.option("--external-data", is_flag=True, help="Answers need external or fast-changing data.")
@click.option("--terminology", is_flag=True, help="Precise domain terminology or house style matters.")
@click.option("--stable-format", is_flag=True, help="An automated flow with a stable output format.")
@click.option("--json", "as_json", is_flag=True, help="Print {verdict, reasons, scores}.")
@click.pass_context
def advise(
    ctx,
    results,
    comparison,
    data_changes,
    needs_citations,
    training_examples,
    external_data,
    terminology,
    stable_format,
    as_json,
) -> None:
    """Recommend RAG, fine-tuning or both, with the reasons and the numbers behind them."""
    from ragtune.evaluate.advise import Situation, from_comparison
    from ragtune.evaluate.advise import advise as decide

    if comparison:
        doc = read_comparison(comparison)
        given = click.get_current_context().get_parameter_source("data_changes") != click.core.ParameterSource.DEFAULT
        asserted = {"data_changes": data_changes if given else None, "terminology": terminology}
        doc["asserted"] = {k: v for k, v in (asserted | {"needs_citations": needs_citations}).items() if v}
        advice = from_comparison(doc)
        click.echo(json.dumps(asdict(advice)) if as_json else advice.text())
        return
    situation = Situation(data_changes, needs_citations, training_examples, external_data, terminology, stable_format)
    situation.access = _access_of(_settings(ctx).store)
    measured = read_results(results) if results else None
    advice = decide(situation, measured)
    click.echo(json.dumps(asdict(advice)) if as_json else advice.text())


def _access_of(store: Path) -> dict | None:
    """How many of the store's documents are restricted (None when there is no store here)."""
    from ragtune.catalog import Catalog
    from ragtune.evaluate.advise import access_summary

    if not (store / "manifest.sqlite").exists():
        return None
    catalog = Catalog(store)
    try:
        return access_summary(catalog.documents())
    finally:
        catalog.close()


def read_comparison(path: Path) -> dict:
    """A comparison.json of `ragtune compare`, or a one-line error naming the file and what is wrong."""
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RagtuneError(f"{path}: not a comparison.json of `ragtune compare` ({exc})") from None
    needed = ("knowledge", "change", "corpus", "cost", "results")
    if not isinstance(data, dict) or any(k not in data for k in needed):
        raise RagtuneError(f"{path}: not a comparison.json of `ragtune compare` (needs {', '.join(needed)})")
    return data


def read_results(path: Path) -> dict:
    """A results.json of `ragtune eval`, or a one-line error naming the file and what is wrong."""
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RagtuneError(f"{path}: not a results.json of `ragtune eval` ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("arms"), dict) or "questions" not in data:
        raise RagtuneError(f'{path}: not a results.json of `ragtune eval` (no "arms" and "questions")')
    return data


if __name__ == "__main__":
    main()
