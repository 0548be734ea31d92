"""A self-contained HTML report of an eval run: tables and plots (PNG embedded as data URIs)."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

COLORS = {"base": "#a0aec0", "rag": "#2b6cb0", "ft": "#dd6b20", "ft+rag": "#2f855a", "oracle": "#6b46c1"}


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def accuracy_plot(arms: dict) -> str:
    names = list(arms)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for i, metric in enumerate(("f1", "em")):
        vals = [arms[a][metric] for a in names]
        lo = [arms[a][metric] - arms[a][f"{metric}_ci"][0] for a in names]
        hi = [arms[a][f"{metric}_ci"][1] - arms[a][metric] for a in names]
        xs = [x + (i - 0.5) * 0.38 for x in range(len(names))]
        ax.bar(
            xs,
            vals,
            0.38,
            yerr=[lo, hi],
            capsize=4,
            label=metric.upper(),
            color=[COLORS.get(a, "#718096") for a in names],
            alpha=1.0 if metric == "f1" else 0.55,
        )
    ax.set_xticks(range(len(names)), names)
    ax.set(ylabel="score", title="Accuracy per arm (bars: 95 % bootstrap interval)", ylim=(0, 1))
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def latency_plot(arms: dict) -> str:
    names = list(arms)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.bar(
        names, [arms[a]["latency_p50_s"] for a in names], color=[COLORS.get(a, "#718096") for a in names], label="p50"
    )
    ax.scatter(names, [arms[a]["latency_p95_s"] for a in names], color="black", marker="_", s=400, label="p95")
    ax.set(ylabel="seconds per question", title="Latency per question")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def grouped_plot(groups: dict[str, dict[str, float]], title: str, limit: int = 12) -> str:
    arms = list(groups)
    keys = sorted({k for g in groups.values() for k in g}, key=lambda k: -max(g.get(k, 0) for g in groups.values()))
    keys = keys[:limit]
    width = 0.8 / max(len(arms), 1)
    fig, ax = plt.subplots(figsize=(max(7, len(keys) * 0.8), 3.6))
    for i, arm in enumerate(arms):
        ax.bar(
            [x + i * width - 0.4 + width / 2 for x in range(len(keys))],
            [groups[arm].get(k, 0) for k in keys],
            width,
            label=arm,
            color=COLORS.get(arm, "#718096"),
        )
    ax.set_xticks(range(len(keys)), keys, rotation=30, ha="right")
    ax.set(ylabel="F1", title=title, ylim=(0, 1))
    ax.legend(ncol=len(arms), fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def curve_plot(curves: dict[str, list[dict]]) -> str:
    """Abstention precision against recall as the no-answer threshold moves."""
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for arm, points in curves.items():
        pts = [(p["recall"], p["precision"]) for p in points if p["precision"] is not None]
        ax.plot([r for r, _ in pts], [q for _, q in pts], marker=".", label=arm, color=COLORS.get(arm, "#718096"))
    ax.set(
        xlabel="recall (unanswerable questions abstained on)",
        ylabel="precision",
        xlim=(0, 1),
        ylim=(0, 1),
        title="Abstention as the no-answer threshold moves",
    )
    ax.legend()
    ax.grid(alpha=0.3)
    return _png(fig)


def _abstention_html(results: dict) -> str:
    """The SQuAD 2.0 view, when some questions are unanswerable: abstention P/R/F1, HasAns F1, the curve."""
    if not results["unanswerable"]:
        return ""
    items = "".join(
        f"<li>{a}: precision {_fmt(m['abstention']['precision'])}, recall {_fmt(m['abstention']['recall'])}, "
        f"F1 {_fmt(m['abstention'].get('f1'))}; answerable F1 {_fmt(m.get('has_ans_f1'))}</li>"
        for a, m in results["arms"].items()
    )
    curves = {a: c for a, c in (results.get("abstention_curve") or {}).items() if _moves(c)}
    if curves:
        plot = f'<img alt="abstention precision and recall" src="{curve_plot(curves)}">'
    elif results.get("abstention_curve"):
        plot = (
            "<p>No curve: moving the no-answer threshold changes no arm's recall on the unanswerable questions "
            "(those it abstains on are withheld by other checks, or never by the score).</p>"
        )
    else:
        plot = ""
    return f"<p>Abstention on the {results['unanswerable']} unanswerable questions:</p><ul>{items}</ul>{plot}"


def _moves(points: list[dict]) -> bool:
    """Does the curve trace anything: two or more distinct recalls where precision is defined?"""
    return len({p["recall"] for p in points if p["precision"] is not None}) > 1


def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return html.escape(str(v))


def write(results: dict, folder: Path, advice: str | None = None, extra: str = "") -> Path:
    """`report.html` in `folder`: summary table, verdict, plots (and `extra` sections: a comparison's)."""
    folder.mkdir(parents=True, exist_ok=True)
    arms = results["arms"]
    cols = [
        "n",
        "em",
        "em_ci",
        "f1",
        "f1_ci",
        "abstained",
        "groundedness",
        "citation_precision",
        "latency_p50_s",
        "latency_p95_s",
        "throughput_qps",
        "train_s",
        "judged",
    ]
    head = "".join(f"<th>{c.replace('_', ' ')}</th>" for c in ["arm", *cols])  # headers wrap at the spaces
    body = "".join(
        f"<tr><td><b>{a}</b></td>" + "".join(f"<td>{_fmt(m.get(c))}</td>" for c in cols) + "</tr>"
        for a, m in arms.items()
    )
    abst = _abstention_html(results)
    ret = results.get("retrieval")
    ret_html = (
        (
            f"<p>Retrieval of the gold source ({ret['n']} questions): hit@1 {ret['hit@1']:.3f}, "
            f"hit@5 {ret['hit@5']:.3f}, MRR@10 {ret['mrr@10']:.3f}</p>"
        )
        if ret
        else ""
    )
    peak = results.get("peak_rss_mb")
    peak_html = f"<p>Peak memory of this run, every arm loaded in one process: {peak:,.0f} MB</p>" if peak else ""
    verdict = f"<h2>Recommendation</h2><pre>{html.escape(advice)}</pre>" if advice else ""
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>ragtune eval</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#1a202c}}
table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #cbd5e0;padding:4px 8px;text-align:right}}
img{{max-width:100%;margin:1em 0}}pre{{background:#f7fafc;padding:1em;white-space:pre-wrap}}</style></head><body>
<h1>ragtune: base vs RAG vs fine-tuned vs both</h1>
<p>{results["questions"]} questions ({results["unanswerable"]} unanswerable),
model <code>{html.escape(str(results["model"]))}</code>,
adapter <code>{html.escape(str(results.get("adapter")))}</code>{_checked(results)}.</p>
{verdict}
<h2>Results</h2><div style="overflow-x:auto"><table><tr>{head}</tr>{body}</table></div>{ret_html}{peak_html}
{abst}
{extra}
<img alt="accuracy per arm" src="{accuracy_plot(arms)}">
<img alt="latency per arm" src="{latency_plot(arms)}">
<img alt="F1 by question type" src="{grouped_plot(results["by_type"], "F1 by question type")}">
<img alt="F1 by source document" src="{grouped_plot(results["by_source"], "F1 by source document (best 12)")}">
</body></html>"""
    path = folder / "report.html"
    path.write_text(page)
    return path


def keep(results: dict, store: Path, advice: str | None = None, folder: Path | None = None) -> Path:
    """Write results.json and report.html to `folder` (default: a new `store/evals/<time>` folder); the store
    keeps every run so `ragtune serve` can show the latest. Returns the report's path."""
    import json
    import time
    import uuid

    folder = folder or store / "evals" / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(results, indent=2))
    return write(results, folder, advice)


ACCESS = "access.json"  # beside a report made for a restricted caller: the access labels it was made over


def latest(store: Path, labels: list[str] | None = None) -> Path | None:
    """The newest report kept in `store` (None before the first evaluation) that a caller who may see documents
    with `labels` (None: all) may read: one made over no more than it may see (a report without its labels was
    made over everything)."""
    reports = sorted((store / "evals").glob("*/report.html"), key=lambda p: p.stat().st_mtime)
    for path in reversed(reports):
        if labels is None:
            return path
        made_over = path.parent / ACCESS
        if made_over.exists() and set(json.loads(made_over.read_text())) <= set(labels):
            return path
    return None


def learning_plot(curve: list[dict]) -> str:
    """Knowledge and phrasing of the fine-tuned arms against the number of training examples."""
    fig, ax = plt.subplots(figsize=(7, 3.6))
    xs = [p["examples"] for p in curve]
    for key, style in (("ft knowledge", "o-"), ("ft+rag knowledge", "s-"), ("ft chrF", "o--"), ("ft+rag chrF", "s--")):
        ys = [p.get(key) for p in curve]
        if all(y is not None for y in ys):
            ax.plot(xs, ys, style, label=key, color=COLORS[key.split()[0]])
    ax.set_xlabel("training examples")
    ax.set_ylim(0, 1)
    ax.set_title("Learning curve: where fine-tuning stops paying")
    ax.legend(fontsize=8)
    return _png(fig)


def staleness_plot(arms: dict[str, dict[str, int]], k: int) -> str:
    """Per arm, how the answers about the changed facts split into new, old (stale), abstained and other."""
    fig, ax = plt.subplots(figsize=(7, 3.2))
    names = list(arms)
    left = [0] * len(names)
    colors = {"new": "#2f855a", "stale": "#c53030", "abstained": "#a0aec0", "other": "#ecc94b"}
    for kind, color in colors.items():
        vals = [arms[a].get(kind, 0) for a in names]
        ax.barh(names, vals, left=left, color=color, label=kind)
        left = [a + b for a, b in zip(left, vals, strict=True)]
    ax.set_xlim(0, max(k, 1))
    ax.set_xlabel(f"answers about the {k} changed facts")
    ax.set_title("After the facts changed: new value, or the old one?")
    ax.legend(fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.3))  # below: bars fill the axes
    return _png(fig)


def phrasing_plot(scores: dict[str, dict]) -> str:
    """chrF and domain-term recall of each arm against the house answers."""
    names = [a for a, s in scores.items() if s.get("n")]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for i, metric in enumerate(("chrf", "term_recall")):
        vals = [scores[a].get(metric) or 0.0 for a in names]
        ax.bar([x + i * 0.38 for x in range(len(names))], vals, 0.38, label=metric)
    ax.set_xticks([x + 0.19 for x in range(len(names))], names)
    ax.set_ylim(0, 1)
    ax.set_title("Closeness to the house phrasing (held-out log)")
    ax.legend(fontsize=8)
    return _png(fig)


def _checked(results: dict) -> str:
    """ ", checked by <model>" when a second model read each answer again (generate/check.py)."""
    check = results.get("check") or "none"
    return "" if check == "none" else f", each answer checked by <code>{html.escape(check)}</code>"


def _serving_html(cost: dict) -> str:
    """Each arm served alone: its process's peak memory and its cold start to the first answer."""
    if not cost.get("serving"):
        return ""
    p50 = cost.get("latency_p50_s", {})
    rows = "".join(
        f"<tr><td>{html.escape(a)}</td><td>{_fmt(p50.get(a))}</td><td>{s['cold_s']:.1f}</td>"
        f"<td>{s['peak_rss_mb']:,.0f}</td></tr>"
        for a, s in cost["serving"].items()
    )
    return (
        "<h2>Cost of serving each arm alone</h2><table><tr><th>arm</th><th>median s per answer</th>"
        f"<th>cold start to first answer, s</th><th>peak memory, MB</th></tr>{rows}</table>"
        "<p>Each arm in a fresh process of its own: it loads its models and answers one question.</p>"
    )


def comparison_html(doc: dict) -> str:
    """The sections a `ragtune compare` run adds to the report."""
    parts = [_serving_html(doc.get("cost") or {})]
    if curve := doc.get("learning_curve"):
        parts.append(f'<h2>Criterion 3: how much data</h2><img alt="learning curve" src="{learning_plot(curve)}">')
    change = doc.get("change") or {}
    if change.get("k"):
        parts.append(
            f"<h2>Criterion 1: changing data</h2><p>{change['k']} facts changed; re-ingest {change['reingest_s']} s, "
            f"training {change['train_s']} s.</p>"
            f'<img alt="staleness" src="{staleness_plot(change["arms"], change["k"])}">'
        )
    if doc.get("phrasing"):
        parts.append(f'<h2>Criterion 2: phrasing</h2><img alt="phrasing" src="{phrasing_plot(doc["phrasing"])}">')
    if doc.get("written"):
        rows = "".join(
            f"<tr><td>{html.escape(a)}</td><td>{w['kept']}</td><td>{w['fell back']}</td><td>{w['abstained']}</td></tr>"
            for a, w in doc["written"].items()
        )
        parts.append(
            "<h3>Generate, then verify</h3><table><tr><th>arm</th><th>written, kept</th><th>fell back to the span"
            f"</th><th>abstained</th></tr>{rows}</table>"
        )
    return "\n".join(parts)


def keep_comparison(doc: dict, advice: str, folder: Path, store: Path) -> Path:
    """report.html of a comparison in `folder`, and a copy among the store's reports (`ragtune serve` shows the
    latest)."""
    import shutil

    path = write(doc["results"], folder, advice, comparison_html(doc))
    kept = keep(doc["results"], store, advice)
    shutil.copy(path, kept)
    return path
