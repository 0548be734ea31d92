"""`ragtune advise`: the decision guide as explicit rules, combined with measured results.

Rules (each adds evidence for an approach, with its reason):
  R1 answers need external or fast-changing data (data changes daily or weekly)  → RAG
  R2 traceability of sources is required                                          → RAG
  R3 little training data (< 500 good examples)                                    → RAG; ≥ 2000 → fine-tuning is viable
  R4 precise domain terminology or house style matters                             → fine-tuning
  R5 an automated flow with a stable output format over changing facts             → both (fine-tuned + RAG)
  R6 some documents are restricted to groups (measured from the store)             → RAG (filters per user)
Measurements: the arm with the best F1 wins only if the paired bootstrap of its per-question F1
differences against the runner-up (same questions) has a 95 % interval above zero; otherwise the arms
are called indistinguishable on these questions and the rules decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ragtune.access import groups_of
from ragtune.evaluate.metrics import paired_bootstrap

APPROACHES = {"rag": "RAG", "ft": "fine-tuning", "ft+rag": "fine-tuning + RAG"}


@dataclass
class Situation:
    data_changes: str = "weekly"  # daily | weekly | rarely
    needs_citations: bool = False
    training_examples: int = 0
    external_data: bool = False
    terminology: bool = False
    stable_format: bool = False
    access: dict | None = None  # {"documents", "restricted", "groups"} of the store (`access_summary`)


@dataclass
class Advice:
    verdict: str
    reasons: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)

    def text(self) -> str:
        return f"→ {APPROACHES[self.verdict]}\n" + "\n".join(f"  - {r}" for r in self.reasons)


def rules(s: Situation) -> tuple[dict[str, float], list[str]]:
    score = {"rag": 0.0, "ft": 0.0, "ft+rag": 0.0}
    why = []
    if s.external_data or s.data_changes in ("daily", "weekly"):
        score["rag"] += 2
        score["ft+rag"] += 1
        external = " and answers need external data" if s.external_data else ""
        why.append(
            f"R1: your data changes {s.data_changes}{external}: retrieval sees new facts at once, "
            "a fine-tuned model only after retraining"
        )
    if s.needs_citations:
        score["rag"] += 2
        score["ft+rag"] += 2
        why.append("R2: citations are required: only retrieval can point to the exact source")
    if s.training_examples < 500:
        score["rag"] += 1
        why.append(f"R3: {s.training_examples} training examples is too few to teach facts reliably")
    elif s.training_examples >= 2000:
        score["ft"] += 1
        score["ft+rag"] += 1
        why.append(f"R3: {s.training_examples} training examples make fine-tuning viable")
    if s.terminology:
        score["ft"] += 1
        score["ft+rag"] += 1
        why.append("R4: precise terminology and house style are what fine-tuning teaches well")
    if s.stable_format and s.data_changes != "rarely":
        score["ft+rag"] += 2
        why.append("R5: a stable output format over changing facts: fine-tune the format, retrieve the facts")
    if reason := access_reason(s.access):
        score["rag"] += 1
        why.append(f"R6: {reason}")
    if s.data_changes == "rarely" and not s.needs_citations:
        score["ft"] += 1
        score["ft+rag"] += 0.5
        why.append("R1: your data rarely changes, so knowledge baked into the weights stays current")
    return score, why


def access_summary(documents: list[dict]) -> dict:
    """How many of the catalogue's documents are restricted, and to which groups."""
    restricted = [d for d in documents if d.get("groups")]
    groups = sorted({g for d in restricted for g in groups_of(d["groups"])})
    return {"documents": len(documents), "restricted": len(restricted), "groups": groups}


def access_reason(access: dict | None) -> str | None:
    """The access criterion in words, or None when no document is restricted."""
    if not access or not access.get("restricted"):
        return None
    n, total, groups = access["restricted"], access["documents"], ", ".join(access["groups"])
    return (
        f"access (measured): {n} of your {total} documents are restricted (groups {groups}); an adapter trained on "
        "them must be restricted too, usable only by callers who may see them all; retrieval can filter per user"
    )


def measured(results: dict) -> tuple[str | None, list[str]]:
    """The arm that is measurably best (its interval clears the runner-up's), with the numbers."""
    arms = {a: m for a, m in results["arms"].items() if a in APPROACHES}
    if not arms:
        return None, []
    ranked = sorted(arms.items(), key=lambda kv: -kv[1]["f1"])
    n = results["questions"]
    line = "; ".join(f"{APPROACHES[a]}: F1 {m['f1']:.2f} [{m['f1_ci'][0]:.2f}, {m['f1_ci'][1]:.2f}]" for a, m in ranked)
    base = results["arms"].get("base")
    if base:
        line += f" (base model, closed-book: F1 {base['f1']:.2f} [{base['f1_ci'][0]:.2f}, {base['f1_ci'][1]:.2f}])"
    if len(ranked) == 1:
        return None, [f"measured on your {n} questions: {line}; no other approach was measured"]
    (best, _), (second, _) = ranked[0], ranked[1]
    per_q = {arm: {r["id"]: r["f1"] for r in results.get("rows", []) if r["arm"] == arm} for arm in (best, second)}
    ids = sorted(set(per_q[best]) & set(per_q[second]))
    if not ids:
        return None, [f"measured on your {n} questions: {line}; per-question results missing, no comparison"]
    diff, lo, hi = paired_bootstrap([per_q[best][i] for i in ids], [per_q[second][i] for i in ids])
    paired = f"paired F1 difference {APPROACHES[best]} − {APPROACHES[second]}: {diff:+.2f} [{lo:+.2f}, {hi:+.2f}]"
    if lo > 0:
        return best, [f"measured on your {n} questions: {line}; {paired} → {APPROACHES[best]} is clearly best"]
    return None, [f"measured on your {n} questions: {line}; {paired} → no arm is clearly better"]


def advise(situation: Situation, results: dict | None = None) -> Advice:
    score, why = rules(situation)
    if results:
        best, lines = measured(results)
        why = lines + why
        if best:
            score[best] += 3
        for arm, m in results["arms"].items():
            if arm in APPROACHES and m.get("citation_precision") is not None and situation.needs_citations:
                why.append(f"{APPROACHES[arm]} cites the right source {m['citation_precision']:.0%} of the time")
    verdict = max(score, key=lambda a: (score[a], a == "rag"))
    if verdict == "rag" and situation.terminology:
        why.append("fine-tune only for answer style, then stack it with RAG if the terminology matters")
    return Advice(verdict, why, score)


NAMES = {"rag": "RAG", "ft": "fine-tuning", "ft+rag": "fine-tuning + RAG", "base": "the base model"}
FLAT = 0.02  # a gain below this from the last doubling of the data is "little difference"


def from_comparison(doc: dict) -> Advice:
    """The verdict of a `ragtune compare` run: each criterion scores from its measured numbers, and each reason
    quotes them. The user's flags (`doc["asserted"]`) add what cannot be measured, marked as asserted."""
    score = {"rag": 0.0, "ft": 0.0, "ft+rag": 0.0}
    why: list[str] = []
    for criterion in (_knowledge, _change, _phrasing, _data, _transparency, _access, _asserted):
        points, reasons = criterion(doc)
        for arm, p in points.items():
            score[arm] += p
        why += reasons
    verdict = max(score, key=lambda a: (score[a], a == "rag", a == "ft+rag"))
    why.append(_cost(doc, verdict))
    return Advice(verdict, why, score)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def _knowledge(doc: dict) -> tuple[dict, list[str]]:
    k = doc["knowledge"]
    arms = [a for a in ("rag", "ft", "ft+rag") if "wording" in k.get(a, {})]
    if not arms:
        return {}, []
    each = {a: k[a]["wording"]["each"] + k[a].get("unseen-fact", {}).get("each", []) for a in arms}
    ranked = sorted(arms, key=lambda a: -sum(each[a]))
    unseen = {a: k[a].get("unseen-fact", {}).get("right") for a in ranked}
    line = ", ".join(
        f"{NAMES[a]} {_pct(k[a]['wording']['right'])} (never-trained facts {_pct(unseen[a])})" for a in ranked
    )
    n = k[ranked[0]]["wording"]["n"]
    text = f"knowledge: right on {n} of your facts asked in new words: {line}"
    if miss := {a: k[a]["near-miss"]["right"] for a in arms if "near-miss" in k[a]}:
        text += "; near misses abstained: " + ", ".join(f"{NAMES[a]} {_pct(v)}" for a, v in miss.items())
    best, second = ranked[0], ranked[1] if len(ranked) > 1 else None
    if second is None:
        return {}, [text]
    diff, lo, hi = paired_bootstrap(each[best], each[second])
    if lo > 0:
        return {best: 2.0}, [f"{text} → {NAMES[best]} knows clearly more ({diff:+.2f} [{lo:+.2f}, {hi:+.2f}])"]
    return {}, [f"{text} → {NAMES[best]} and {NAMES[second]} know as much ({diff:+.2f} [{lo:+.2f}, {hi:+.2f}])"]


def _change(doc: dict) -> tuple[dict, list[str]]:
    c, h = doc["change"], doc["corpus"]["history"]
    if not c.get("k"):
        return {}, [f"changing data: not measured ({c.get('why', 'no fact could be changed')})"]
    arms = c["arms"]
    ft, rag = arms.get("ft", {}), arms.get("rag", {})
    test = (
        f"after {c['k']} of your facts changed, fine-tuning answered {ft.get('stale', 0)} with the old value and "
        f"{ft.get('new', 0)} with the new one; RAG answered {rag.get('new', 0)} with the new one "
        f"({rag.get('stale', 0)} old) after {c['reingest_s']:.0f} s of re-ingest, where retraining takes "
        f"{c['train_s'] / 60:.1f} min"
    )
    if "ft+rag" in arms:
        test += f"; fine-tuning + RAG answered {arms['ft+rag'].get('new', 0)} new, {arms['ft+rag'].get('stale', 0)} old"
    days = h.get("median_days_between")
    if h.get("changed") and days is not None and days <= 31:
        seen = (
            f"{h['changed']} of your {h['documents']} documents changed between ingests, every {days:g} days on median"
        )
        both = 1.0 if arms.get("ft+rag", {}).get("stale", 0) <= rag.get("stale", 0) else 0.0  # as fresh as RAG
        return {"rag": 2.0, "ft+rag": both}, [f"changing data (measured): {seen}; {test}"]
    seen = f"no document changed across the ingests seen ({h.get('versions', 0)} versions of {h.get('documents', 0)})"
    if h.get("changed"):
        seen = f"{h['changed']} documents changed, but {days:g} days apart on median"
    return {}, [f"changing data: {seen}, so staleness is a risk, not yet a cost: {test}"]


def _phrasing(doc: dict) -> tuple[dict, list[str]]:
    p = doc.get("phrasing") or {}
    if "rag" not in p or "ft+rag" not in p:
        return {}, ["terminology and phrasing: not measured (give a log of answered questions: --log)"]
    n = p["rag"]["n"]
    diff, lo, hi = paired_bootstrap(p["ft+rag"]["chrf_each"], p["rag"]["chrf_each"])
    terms = f"domain-term recall {_pct(p['ft+rag']['term_recall'])} vs {_pct(p['rag']['term_recall'])}"
    w = doc.get("written", {}).get("ft+rag")
    kept = (
        f"; the written sentence was kept {w['kept']} times, fell back to the extracted span {w['fell back']}"
        if w
        else ""
    )
    ft_known = doc["knowledge"].get("ft", {}).get("wording", {}).get("right")
    alone = f"; fine-tuning alone {p['ft']['chrf']:.2f}, right on {_pct(ft_known)} of the facts" if "ft" in p else ""
    line = (
        f"on {n} held-out answers of your log, fine-tuning + RAG scores chrF {p['ft+rag']['chrf']:.2f} against the "
        f"house phrasing, RAG {p['rag']['chrf']:.2f} (difference {diff:+.2f} [{lo:+.2f}, {hi:+.2f}]), {terms}{kept}"
        f"{alone}"
    )
    if lo > 0:
        return {"ft+rag": 2.0, "ft": 0.5}, [
            f"terminology and phrasing (measured): {line} → fine-tuning teaches your phrasing"
        ]
    return {}, [f"terminology and phrasing: {line} → no measurable gain in phrasing"]


def _data(doc: dict) -> tuple[dict, list[str]]:
    """Criterion 3: does fine-tuning on this much data make a measurable difference (fine-tuning + RAG against
    RAG, on the phrasing when there is a log, else on knowledge), and what did the last doubling of the data add?"""
    curve = doc.get("learning_curve") or []
    if len(curve) < 2:
        return {}, []
    phr, known = doc.get("phrasing") or {}, doc["knowledge"]
    if "ft+rag" in phr and "rag" in phr:
        metric, a, b = "ft+rag chrF", phr["ft+rag"]["chrf_each"], phr["rag"]["chrf_each"]
    elif "wording" in known.get("ft+rag", {}) and "wording" in known.get("rag", {}):
        metric, a, b = "ft+rag knowledge", known["ft+rag"]["wording"]["each"], known["rag"]["wording"]["each"]
    else:
        return {}, []
    steps = " → ".join(f"{p[metric]:.2f} ({p['examples']} ex.)" for p in curve)
    gain = curve[-1][metric] - curve[-2][metric]
    slope = f"the last doubling added {gain:+.2f}" + (
        ", so more data of this kind will not change it" if gain < FLAT else ": more answered questions may"
    )
    diff, lo, hi = paired_bootstrap(a, b)
    n = curve[-1]["examples"]
    line = f"amount of data: {metric} over {steps}; against RAG {diff:+.2f} [{lo:+.2f}, {hi:+.2f}]"
    if all(p.get("ft knowledge") is not None for p in curve):
        line += "; fine-tuning alone knows " + " → ".join(f"{p['ft knowledge']:.2f}" for p in curve)
    if lo <= 0:
        return {"rag": 1.0}, [f"{line}: with {n} examples fine-tuning makes no measurable difference; {slope}"]
    return {}, [f"{line}: with {n} examples fine-tuning makes a difference; {slope}"]


def _transparency(doc: dict) -> tuple[dict, list[str]]:
    arms = doc["results"]["arms"]
    parts = [
        f"{NAMES[a]} cites the right document for {_pct(arms[a]['citation_precision'])} of its answers, "
        f"grounded {_pct(arms[a]['groundedness'])}"
        for a in ("rag", "ft+rag")
        if a in arms and arms[a].get("citation_precision") is not None
    ]
    if not parts:
        return {}, []
    return {"rag": 1.0, "ft+rag": 1.0}, [
        f"transparency (measured): {'; '.join(parts)}; fine-tuning alone cites nothing"
    ]


def _access(doc: dict) -> tuple[dict, list[str]]:
    reason = access_reason(doc.get("access"))
    return ({"rag": 1.0}, [reason]) if reason else ({}, [])


def _asserted(doc: dict) -> tuple[dict, list[str]]:
    a = doc.get("asserted") or {}
    points: dict[str, float] = {}
    why = []
    if a.get("data_changes") in ("daily", "weekly"):
        points["rag"] = 1.0
        why.append(f"changing data (asserted, not measured): you say your data changes {a['data_changes']}")
    if a.get("needs_citations"):
        points["rag"] = points.get("rag", 0.0) + 1.0
        points["ft+rag"] = 1.0
        why.append("citations (asserted, not measured): you require them")
    if a.get("terminology"):
        points["ft+rag"] = points.get("ft+rag", 0.0) + 1.0
        why.append("terminology (asserted, not measured): you say the house terminology matters")
    return points, why


def _cost(doc: dict, verdict: str) -> str:
    c = doc["cost"]
    p50 = c["latency_p50_s"]
    lat = ", ".join(f"{NAMES[a]} {p50[a]:.2f} s" for a in ("rag", "ft", "ft+rag") if a in p50)
    alone = c.get("serving") or {}
    mem = ", ".join(f"{NAMES[a]} {alone[a]['peak_rss_mb']:.0f} MB" for a in ("rag", "ft", "ft+rag") if a in alone)
    mem = f"memory to serve it alone {mem}" if mem else f"peak memory {c['peak_rss_mb']:.0f} MB (every arm at once)"
    return (
        f"cost: median seconds per answer {lat}; training {c['train_s'] / 60:.1f} min, "
        f"adapter {c['adapter_mb']:.1f} MB, {mem}"
    )
