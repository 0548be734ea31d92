"""Answer metrics with the official SQuAD normalisation: exact match and token F1 against any gold answer."""

from __future__ import annotations

from ragtune.text import canonical, normalize, token_f1, tokens


def exact_match(prediction: str, golds: list[str]) -> float:
    return float(any(normalize(prediction) == normalize(g) for g in golds))


def f1(prediction: str, golds: list[str]) -> float:
    return max((_f1(prediction, g) for g in golds), default=0.0)


def _f1(prediction: str, gold: str) -> float:
    pred, ref = normalize(prediction).split(), normalize(gold).split()
    if not pred or not ref:
        return float(pred == ref)
    return token_f1(pred, ref)


def contains(prediction: str, golds: list[str]) -> float:
    """1 when every word of some gold answer is in the prediction (a written sentence that states the answer
    counts as right, where F1 would punish its other words); numbers compare by value ("3.3 EUR" states "3.30")."""
    said = {canonical(w) for w in tokens(prediction)}
    wanted = [{canonical(w) for w in tokens(g) if w not in ("a", "an", "the")} for g in golds]
    return float(any(w and w <= said for w in wanted))


def gold_rank(sources: list[str], gold: str) -> int | None:
    """1-based rank of the gold source among retrieved sources (repeats collapsed), or None."""
    docs = list(dict.fromkeys(sources))
    return docs.index(gold) + 1 if gold in docs else None


def retrieval_scores(ranks: list[int | None]) -> dict[str, float]:
    """hit@1, hit@5 and MRR@10 from gold ranks (None: not retrieved)."""
    n = max(len(ranks), 1)
    return {
        "n": len(ranks),
        "hit@1": sum(r == 1 for r in ranks) / n,
        "hit@5": sum(bool(r and r <= 5) for r in ranks) / n,
        "mrr@10": sum(1 / r for r in ranks if r and r <= 10) / n,
    }


def bootstrap_ci(values: list[float], n: int = 1000, seed: int = 0) -> tuple[float, float]:
    """95 % percentile-bootstrap interval of the mean."""
    import numpy as np

    if not values:
        return (0.0, 0.0)
    arr = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, len(arr), size=(n, len(arr)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def paired_bootstrap(a: list[float], b: list[float], n: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Mean of the per-question differences a − b and its 95 % percentile-bootstrap interval (same questions)."""
    import numpy as np

    if len(a) != len(b):
        raise ValueError("a paired comparison needs the same questions in both arms")
    if not a:
        return 0.0, 0.0, 0.0
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), size=(n, len(diff)))].mean(axis=1)
    return float(diff.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def abstention(abstained: list[bool], impossible: list[bool]) -> dict[str, float | None]:
    """Precision, recall and F1 of abstaining, with unanswerable questions as the positives."""
    tp = sum(a and i for a, i in zip(abstained, impossible, strict=True))
    n_abstained, n_impossible = sum(abstained), sum(impossible)
    precision = tp / n_abstained if n_abstained else None
    recall = tp / n_impossible if n_impossible else None
    f = 2 * precision * recall / (precision + recall) if precision and recall else (0.0 if n_impossible else None)
    return {"precision": precision, "recall": recall, "f1": f}


def threshold_curve(
    scores: list[float | None],
    declined: list[bool],
    impossible: list[bool],
    has_f1: list[float],
    thresholds: list[float] | None = None,
) -> list[dict]:
    """What each no-answer threshold would give: abstain when the score is above it (or the reader declined).

    `has_f1` is each question's F1 had the reader answered; one point per threshold (default: per distinct
    score, lowest first, then infinity: never abstain on the score).
    """
    points = []
    for t in thresholds or [*sorted({s for s in scores if s is not None}), float("inf")]:
        out = [d or (s is not None and s > t) for s, d in zip(scores, declined, strict=True)]
        ab = abstention(out, impossible)
        answerable = [f * (not o) for f, o, i in zip(has_f1, out, impossible, strict=True) if not i]
        overall = [(float(o) if i else f * (not o)) for f, o, i in zip(has_f1, out, impossible, strict=True)]
        points.append(
            {
                "threshold": t,
                "precision": ab["precision"],
                "recall": ab["recall"],
                "f1": ab["f1"],
                "has_ans_f1": sum(answerable) / len(answerable) if answerable else None,
                "overall_f1": sum(overall) / len(overall) if overall else None,
            }
        )
    return points
