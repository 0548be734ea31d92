"""Lexical support checks: does a piece of evidence contain an answer? Which span of it is the answer?"""

from __future__ import annotations

from dataclasses import dataclass

from ragtune.text import STOPWORDS, TOKEN, content, stem, token_f1, tokens


def new_information(answer: str, question: str) -> str:
    """The answer's words that the question does not already contain ("The game was on May 5" → "May 5")."""
    asked = {stem(w) for w in tokens(question)}
    kept = [w for w in tokens(answer) if stem(w) not in asked and w not in STOPWORDS]
    return " ".join(kept)


def overlap(answer: str, evidence: str) -> float:
    """Share of the answer's content words found in the evidence."""
    a = content(tokens(answer)) or tokens(answer)
    if not a:
        return 0.0
    e = set(tokens(evidence))
    return sum(w in e for w in a) / len(a)


@dataclass
class Span:
    text: str
    f1: float


def best_span(answer: str, evidence: str, slack: int = 3) -> Span:
    """The span of `evidence` whose words best match `answer` (token F1), in the evidence's own wording."""
    a = tokens(answer)
    if not a:
        return Span("", 0.0)
    matches = list(TOKEN.finditer(evidence))
    words = [m.group().lower() for m in matches]
    best = Span("", 0.0)
    a_set = set(a)
    for i, w in enumerate(words):
        if w not in a_set:
            continue
        for j in range(i + 1, min(len(words), i + len(a) + slack) + 1):
            if words[j - 1] not in a_set:
                continue
            f1 = token_f1(words[i:j], a)
            if f1 > best.f1:
                best = Span(evidence[matches[i].start() : matches[j - 1].end()], f1)
    return best
