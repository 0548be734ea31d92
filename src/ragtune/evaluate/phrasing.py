"""How close answers come to the house's phrasing: chrF (sacrebleu) and recall of the reference's domain terms."""

from __future__ import annotations

import statistics
from functools import cache

from ragtune.evaluate.metrics import bootstrap_ci
from ragtune.text import STOPWORDS, stem, tokens, zipf

COMMON_ZIPF = 4.5  # a word at least this frequent in English (wordfreq's Zipf scale) is not a domain term


@cache
def _chrf():
    from sacrebleu.metrics import CHRF

    return CHRF()


def chrf(prediction: str, reference: str) -> float:
    """Character n-gram F-score of `prediction` against `reference`, 0..1 (0 for no answer)."""
    if not prediction.strip():
        return 0.0
    return _chrf().sentence_score(prediction, [reference]).score / 100


def terms(reference: str) -> list[str]:
    """The reference's domain terms: its numbers and the words rarer than everyday English."""
    words = [w for w in tokens(reference) if (w not in STOPWORDS and len(w) > 2) or w.isdigit()]
    return list(dict.fromkeys(w for w in words if w[0].isdigit() or zipf(w) < COMMON_ZIPF))


def term_recall(prediction: str, reference: str) -> float | None:
    """The share of the reference's domain terms the prediction uses (None: the reference has none)."""
    wanted = terms(reference)
    if not wanted:
        return None
    said = {stem(w) for w in tokens(prediction)}
    return sum(stem(w) in said for w in wanted) / len(wanted)


def score(pairs: list[tuple[str, str]]) -> dict:
    """Mean chrF and term recall of (prediction, reference) pairs, with bootstrap 95 % intervals; `chrf_each`
    keeps the per-pair scores for paired comparisons."""
    if not pairs:
        return {"n": 0}
    each = [chrf(p, r) for p, r in pairs]
    recall = [x for p, r in pairs if (x := term_recall(p, r)) is not None]
    return {
        "n": len(pairs),
        "chrf": statistics.mean(each),
        "chrf_ci": bootstrap_ci(each),
        "term_recall": statistics.mean(recall) if recall else None,
        "term_recall_ci": bootstrap_ci(recall) if recall else None,
        "chrf_each": [round(x, 4) for x in each],
    }
