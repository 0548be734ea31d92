"""Extractive reading for small models: candidate spans from the evidence, chosen by the model's likelihood.

A 135M model rarely writes a correct answer freely, but it ranks candidate answers far better than it
generates them. Candidates are spans of the evidence sentences (so every answer is quoted from a
source), filtered by the kind of answer the question asks for (a number, a name), and scored by the
model's mean log-probability of the span after the prompt, plus the evidence and proximity scores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ragtune.generate.support import STOPWORDS, stem, tokens

_WORD = re.compile(r"[\w'’]+(?:[.,:–\-/][\w'’]+)*")
_BARRIER = re.compile(r"[;()|\[\]\"“”]|:\s|,\s(?!\d)|\.\s|\s[–-]\s")
_NUMERIC_Q = re.compile(
    r"\b(how (many|much|long|old|far|large|big|tall|high|often|fast)|what (year|percentage|percent|date|time|age|"
    r"number|amount|price|day|month)|which year|when|in what year)\b",
    re.I,
)
_PERSON_Q = re.compile(r"^\W*(who|whom|whose)\b", re.I)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|"
    r"thousand|million|billion|first|second|third|fourth|fifth|january|february|march|april|may|june|july|"
    r"august|september|october|november|december|century|decade)\b",
    re.I,
)
MAX_WORDS = 6


@dataclass
class Candidate:
    text: str
    evidence: int  # index into the evidence list
    prior: float  # evidence score and proximity, before the model's opinion
    score: float = 0.0


def answer_type(question: str):
    """A test a span must pass for this question, or None."""
    if _NUMERIC_Q.search(question):
        return lambda span: bool(_NUMBER.search(span))
    if _PERSON_Q.search(question):
        return lambda span: any(w[:1].isupper() for w in span.split())
    return None


def candidates(question: str, sentences: list[tuple[str, float]], limit: int = 24) -> list[Candidate]:
    """Spans of up to MAX_WORDS words of each (sentence, score) that could answer `question`, best prior first."""
    asked = {stem(w) for w in tokens(question) + [w.lower() for w in _WORD.findall(question)] if w not in STOPWORDS}
    fits = answer_type(question)
    found: dict[str, Candidate] = {}
    for n, (sentence, ev_score) in enumerate(sentences):
        words = list(_WORD.finditer(sentence))
        anchors = [i for i, w in enumerate(words) if stem(w.group().lower()) in asked]
        for i in range(len(words)):
            for j in range(i, min(i + MAX_WORDS, len(words))):
                if j > i and _BARRIER.search(sentence, words[j - 1].end(), words[j].start()):
                    break
                if words[j].end() < len(sentence) and sentence[words[j].end()] == ":":  # a record's field name
                    break
                if _inside_name(words, i, j):
                    continue
                span_words = [w.group().lower() for w in words[i : j + 1]]
                if span_words[0] in STOPWORDS or span_words[-1] in STOPWORDS:
                    continue
                new = [w for w in span_words if stem(w) not in asked and w not in STOPWORDS]
                if not new:
                    continue
                text = sentence[words[i].start() : words[j].end()]
                if fits and not fits(text):
                    continue
                distance = min((abs(a - i) if a < i else abs(a - j) for a in anchors), default=10)
                prior = ev_score - 0.03 * min(distance, 10) - 0.2 * (1 - len(new) / len(span_words))
                key = text.lower()
                if key not in found or found[key].prior < prior:
                    found[key] = Candidate(text, n, prior)
    return sorted(found.values(), key=lambda c: -c.prior)[:limit]


def _inside_name(words: list[re.Match], i: int, j: int) -> bool:
    """Does the span cut a capitalised name ("Super" of "Super Bowl") at either end?"""

    def cap(k: int) -> bool:
        return 0 <= k < len(words) and words[k].group()[:1].isupper()

    adjacent_before = i > 0 and words[i].start() - words[i - 1].end() <= 1
    adjacent_after = j + 1 < len(words) and words[j + 1].start() - words[j].end() <= 1
    return (cap(j) and cap(j + 1) and adjacent_after) or (cap(i) and cap(i - 1) and adjacent_before and i > 1)


def choose(llm, prefix: str, cands: list[Candidate], prior_weight: float = 1.0, length_power: float = 1.0):
    """The candidate the model finds most likely after `prefix` (log-prob / tokens**length_power) plus its prior."""
    if not cands:
        return None
    for c, (total, n) in zip(cands, llm.score(prefix, [c.text for c in cands]), strict=True):
        c.score = total / n**length_power + prior_weight * c.prior
    return max(cands, key=lambda c: c.score)
