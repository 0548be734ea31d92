"""Terminal output shared by the CLI and the demo: quiet libraries and one progress bar per long task."""

from __future__ import annotations

import logging
import os
import re
import sys
import warnings

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

stderr = Console(stderr=True)


def quiet_libraries(verbose: bool = False) -> None:
    """Silence the progress bars, deprecation warnings and info logs of torch/transformers/datasets (unless -v)."""
    if verbose:
        return
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")  # plain tqdm bars (the one-time GGUF conversion's) as well
    for category in (FutureWarning, DeprecationWarning, UserWarning):
        warnings.filterwarnings("ignore", category=category)
    for name in ("transformers", "datasets", "sentence_transformers", "peft", "trl", "accelerate", "torch"):
        logging.getLogger(name).setLevel(logging.ERROR)
    transformers = sys.modules.get("transformers")  # else it reads the settings above when it is imported
    if transformers is not None:
        transformers.utils.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()


def progress(quiet: bool = False, transient: bool = True) -> Progress:
    """A progress bar on stderr (description, bar, done/total, time left, and a free `info` field)."""
    return Progress(
        TextColumn("{task.description:<32}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[info]}"),
        console=stderr,
        disable=quiet,
        transient=transient,
    )


def print_answer(ans) -> None:
    """The answer, then each citation with the answer marked «like this» in its quote (and the SQL that ran)."""
    click.echo(ans.answer + (f"  ({ans.reason})" if ans.abstained and ans.reason else ""))
    for n, c in enumerate(ans.citations, 1):
        click.echo(f'  [{n}] {c.source} ({c.locator}): "{mark(c.quote, ans.text, ans.route)}"')
    if ans.sql:
        click.echo(f"  SQL: {ans.sql}")


def mark(quote: str, span: str, route: str = "prose") -> str:
    """The quote with the answer in «»: the span as a whole word, or a record's value ("price_eur: «118»").

    Counts and totals are computed from the rows, not quoted from them: nothing is marked.
    """
    patterns = [rf"(?<!\w){re.escape(span)}(?!\w)"] if span else []
    if span and route == "records":
        patterns.append(rf"(?<=: ){re.escape(span.split()[0])}(?= \||$)")
    for pattern in patterns:
        if (m := re.search(pattern, quote)) and (route != "sql" or not m.group().replace(".", "").isdigit()):
            return f"{quote[: m.start()]}«{m.group()}»{quote[m.end() :]}"
    return quote


def print_results(results: dict) -> None:
    """The arms side by side; latency is one question's wait, throughput questions per second over the arm."""
    click.echo(
        f"{'arm':<8}{'F1':>7} {'95% CI':<15}{'EM':>7}{'abstain':>9}{'grounded':>10}{'cites gold':>11}{'p50 s':>8}"
        f"{'p95 s':>8}{'q/s':>7}"
    )
    for arm, m in results["arms"].items():
        ci = f"[{m['f1_ci'][0]:.2f}, {m['f1_ci'][1]:.2f}]"
        g = "–" if m["groundedness"] is None else f"{m['groundedness']:.2f}"
        c = "–" if m["citation_precision"] is None else f"{m['citation_precision']:.2f}"
        timing = f"{m['latency_p50_s']:>8.2f}{m['latency_p95_s']:>8.2f}{m.get('throughput_qps', 0):>7.2f}"
        click.echo(f"{arm:<8}{m['f1']:>7.3f} {ci:<15}{m['em']:>7.3f}{m['abstained']:>9.2f}{g:>10}{c:>11}{timing}")
    for pair, (diff, lo, hi) in (results.get("paired") or {}).items():
        click.echo(f"  paired F1 difference {pair}: {diff:+.3f} [{lo:+.3f}, {hi:+.3f}]")
    for arm, routes in (results.get("by_route") or {}).items():
        parts = [f"{route} {v['em']:.2f} exact of {v['n']}" for route, v in routes.items()]
        click.echo(f"  {arm} by route: " + ", ".join(parts))


def print_comparison(doc: dict) -> None:
    """A `ragtune compare` run's measurements: knowledge, phrasing, staleness and the learning curve."""

    def pct(x) -> str:
        return "–" if x is None else f"{x:.0%}"

    click.echo(
        f"{'arm':<8}{'new wording':>12}{'unseen fact':>12}{'near miss':>10}{'chrF':>7}{'terms':>7}"
        f"{'new':>5}{'stale':>6}{'p50 s':>7}"
    )
    change = (doc.get("change") or {}).get("arms", {})
    for arm, kinds in doc["knowledge"].items():
        right = [pct(kinds.get(k, {}).get("right")) for k in ("wording", "unseen-fact", "near-miss")]
        phr = (doc.get("phrasing") or {}).get(arm, {})
        chrf = "–" if phr.get("chrf") is None else f"{phr['chrf']:.2f}"
        fresh = change.get(arm, {})
        p50 = doc["cost"]["latency_p50_s"].get(arm, 0.0)
        click.echo(
            f"{arm:<8}{right[0]:>12}{right[1]:>12}{right[2]:>10}{chrf:>7}{pct(phr.get('term_recall')):>7}"
            f"{fresh.get('new', '–'):>5}{fresh.get('stale', '–'):>6}{p50:>7.2f}"
        )
    alone = doc["cost"].get("serving") or {}
    if alone:
        each = [f"{a} {m['peak_rss_mb']:.0f} MB, first answer in {m['cold_s']:.1f} s" for a, m in alone.items()]
        click.echo("  each arm served alone in a fresh process: " + "; ".join(each))
    for arm, w in (doc.get("written") or {}).items():
        click.echo(
            f"  {arm} wrote its answer: kept {w['kept']}, fell back to the span {w['fell back']}, "
            f"abstained {w['abstained']}"
        )
    for p in doc.get("learning_curve") or []:
        parts = [f"{k} {v:.2f}" for k, v in p.items() if k.startswith("ft") and v is not None]
        click.echo(f"  {p['examples']:>4} training examples ({p['share']:.0%}): " + ", ".join(parts))
