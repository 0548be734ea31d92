"""`ragtune advise`: the decision guide as explicit rules, combined with measured results.

Rules (each adds evidence for an approach, with its reason):
  R1 answers need external or fast-changing data (data changes daily or weekly)  → RAG
  R2 traceability of sources is required                                          → RAG
  R3 little training data (< 500 good examples)                                    → RAG; ≥ 2000 → fine-tuning is viable
  R4 precise domain terminology or house style matters                             → fine-tuning
  R5 an automated flow with a stable output format over changing facts             → both (fine-tuned + RAG)
Measurements: the arm with the best F1 wins only if the paired bootstrap of its per-question F1
differences against the runner-up (same questions) has a 95 % interval above zero; otherwise the arms
are called indistinguishable on these questions and the rules decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    if s.data_changes == "rarely" and not s.needs_citations:
        score["ft"] += 1
        score["ft+rag"] += 0.5
        why.append("R1: your data rarely changes, so knowledge baked into the weights stays current")
    return score, why


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
