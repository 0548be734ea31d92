"""Extractive reading for small models: candidate spans from the evidence, ranked by a linear model.

A 135M model rarely writes a correct answer freely, and its likelihood alone ranks candidate answers
poorly too. So candidates are spans of the evidence sentences (every answer is quoted from a source),
filtered by the kind of answer the question asks for, and ranked by a linear score over named
features: the evidence score, closeness to the question's words, shape of the span, and the model's
conditional and context-free log-probabilities. The weights are data (`reader.json`), fitted on the
SQuAD train subset by `bench/fit_reader.py`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from ragtune.prompts import render
from ragtune.text import STOPWORDS, stem, tokens

_WORD = re.compile(r"[\w'’]+(?:[.,:–\-/][\w'’]+)*")
_BARRIER = re.compile(r"[;()|\[\]\"“”]|:\s|,\s(?!\d)|\.\s|\s[–-]\s")
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE_Q = re.compile(r"\b(when|(what|which|in what) (year|day|date|month|decade|century|time))\b", re.I)
_DATE = re.compile(rf"\b(1\d{{3}}|20\d{{2}}|\d{{1,2}}(st|nd|rd|th)|{_MONTHS}|century|decade|\d{{1,2}}:\d{{2}})\b", re.I)
_COUNT_Q = re.compile(
    r"\b(how (many|much|long|old|far|large|big|tall|high|often|fast)|what (percentage|percent|number|amount|price|"
    r"age|size)|in how many)\b",
    re.I,
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|"
    r"thousand|million|billion|dozen|half|several)\b",
    re.I,
)
_NAME_Q = re.compile(r"^\W*(who|whom|whose|where)\b", re.I)
MAX_WORDS = 6
LM_FEATURES = ("lm_mean", "lm_sum", "lm_pmi")


_UNIT = (
    r"(?:(?:working|business|calendar|consecutive|full) )?(?:days?|weeks?|months?|years?|hours?|minutes?|seconds?|"
    r"nights?|weekends?|decades?|centuries|century|EUR|USD|GBP|NOK|SEK|euros?|dollars?|pounds?|krone|kroner|"
    r"percent|per ?cent|%|kg|kilograms?|grams?|g|km|kilometres?|kilometers?|miles?|metres?|meters?|m|cm|mm|"
    r"litres?|liters?|people|points?|yards?|feet|foot|inches|tonnes?|tons?)\b"
)
_NUMBER_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred"
_RANGE = re.compile(rf"\s*(?:to|-|–|and|or)\s*(?:\d[\d.,]*|{_NUMBER_WORDS})(?!\w)", re.I)
_AFTER = re.compile(r"\s*" + _UNIT, re.I)
_BEFORE = re.compile(r"(?:EUR|USD|GBP|NOK|€|\$|£)\s?$")
_QUANTITY = rf"(?:\d[\d.,]*|\b(?:{_NUMBER_WORDS})\b)"  # a number, in digits or in words
_STARTS_IN_NUMBER = re.compile(_QUANTITY, re.I)
_ENDS_IN_UNIT = re.compile(rf"\s{_UNIT}$", re.I)
_RANGE_BEFORE = re.compile(rf"(?:between\s+)?{_QUANTITY}\s*(?:to|-|–|and|or)\s*$", re.I)
_ENDS_IN_NUMBER = re.compile(rf"(?:\d|\b(?:{_NUMBER_WORDS}|thousand|million|billion|dozen))$", re.I)


def complete(span: str, sentence: str) -> str:
    """The span with what makes it an answer: "5" or "8" → "5 to 8 working days", "45" → "45 EUR", "$" before a
    price.

    A range is taken only with a unit after it, so a score such as "24–10" is not read as a range.
    """
    start = sentence.find(span)
    if start < 0:
        return span
    end, ranged = start + len(span), None
    if _ENDS_IN_NUMBER.search(span):
        ranged = _RANGE.match(sentence, end)
        unit = (_AFTER.match(sentence, ranged.end()) if ranged else None) or _AFTER.match(sentence, end)
        end = unit.end() if unit else end
        ranged = ranged if unit else None
        if m := _BEFORE.search(sentence[:start]):
            start = m.start()
    unit_last = not ranged and _STARTS_IN_NUMBER.match(span) and _ENDS_IN_UNIT.search(sentence[start:end])
    if unit_last and (before := _RANGE_BEFORE.search(sentence[:start])):  # "8 working days" of "5 to 8 …"
        start = before.start()
    return sentence[start:end]


_COUNTED = re.compile(rf"{_QUANTITY}\s*{_UNIT}", re.I)


def trim(span: str, question: str) -> str:
    """A count or an amount asked for ("how many days", "how long", "what price") is its number and unit: "45 days
    of purchase for a full refund" → "45 days". A range, or a span that does not start with its number, stays."""
    if not _COUNT_Q.search(question) or not (m := _COUNTED.match(span)):
        return span
    return m.group(0)


@dataclass
class Candidate:
    text: str
    evidence: int  # index into the evidence list
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0


@cache
def fitted() -> dict:
    return json.loads(resources.files("ragtune.generate").joinpath("reader.json").read_text())


def answer_type(question: str):
    """A test a span must pass for this question (a date, a quantity, a name), or None."""
    if _COUNT_Q.search(question):
        return lambda span: bool(_NUMBER.search(span))
    if _DATE_Q.search(question):
        return lambda span: bool(_DATE.search(span))
    if _NAME_Q.search(question):
        return lambda span: any(w[:1].isupper() for w in span.split())
    return None


def candidates(question: str, sentences: list[tuple[str, float]], limit: int = 24) -> list[Candidate]:
    """Spans of up to MAX_WORDS words of each (sentence, score) that could answer `question`, best first."""
    asked = {stem(w) for w in tokens(question) + _WORD.findall(question) if w.lower() not in STOPWORDS}
    fits = answer_type(question)
    found: dict[str, Candidate] = {}
    for n, (sentence, ev_score) in enumerate(sentences):
        words = list(_WORD.finditer(sentence))
        anchors = [i for i, w in enumerate(words) if stem(w.group()) in asked]
        for i in range(len(words)):
            for j in range(i, min(i + MAX_WORDS, len(words))):
                if j > i and _BARRIER.search(sentence, words[j - 1].end(), words[j].start()):
                    break
                if words[j].end() < len(sentence) and sentence[words[j].end()] == ":":  # a record's field name
                    break
                span = [w.group() for w in words[i : j + 1]]
                lower = [w.lower() for w in span]
                edges = (lower[0], lower[-1])
                if any(w in STOPWORDS or stem(w) in asked for w in edges) or _inside_name(words, i, j):
                    continue
                new = [w for w in lower if stem(w) not in asked and w not in STOPWORDS]
                text = sentence[words[i].start() : words[j].end()]
                if not new or (fits and not fits(text)):
                    continue
                distance = min((a - j if a > j else i - a for a in anchors if not i <= a <= j), default=10)
                feats = {
                    "evidence": ev_score,
                    "evidence_rank": float(n),
                    "distance": min(distance, 10) / 10,
                    "words": len(span) / MAX_WORDS,
                    "new": len(new) / len(span),
                    "capitalised": float(any(w[:1].isupper() for w in span[1 if i == 0 else 0 :])),
                    "number": float(bool(_NUMBER.search(text))),
                    "date": float(bool(_DATE.search(text))),
                    "typed": float(fits is not None),
                    "anchor_inside": float(any(i <= a <= j for a in anchors)),
                    "before_anchor": float(any(a == j + 1 or a == j + 2 for a in anchors)),
                    "after_anchor": float(any(a == i - 1 or a == i - 2 for a in anchors)),
                }
                key = text.lower()
                c = Candidate(text, n, feats, _linear(feats, "static"))
                if key not in found or found[key].score < c.score:
                    found[key] = c
    return sorted(found.values(), key=lambda c: -c.score)[:limit]


def _linear(features: dict[str, float], stage: str = "weights") -> float:
    w = fitted()[stage]
    return sum(w.get(k, 0.0) * v for k, v in features.items())


def _inside_name(words: list[re.Match], i: int, j: int) -> bool:
    """Does the span cut a capitalised name ("Super" of "Super Bowl") at either end?"""

    def cap(k: int) -> bool:
        return 0 <= k < len(words) and words[k].group()[:1].isupper()

    adjacent_before = i > 0 and words[i].start() - words[i - 1].end() <= 1
    adjacent_after = j + 1 < len(words) and words[j + 1].start() - words[j].end() <= 1
    return (cap(j) and cap(j + 1) and adjacent_after) or (cap(i) and cap(i - 1) and adjacent_before and i > 1)


def add_lm_features(llm, prefix: str, question: str, cands: list[Candidate]) -> None:
    """The model's opinion of each candidate: log-probability after the prompt, and against the bare question."""
    options = [c.text for c in cands]
    for c, (total, n), (bare, _) in zip(
        cands, llm.score(prefix, options), llm.score(render("bare-question", question=question), options), strict=True
    ):
        c.features.update(lm_mean=total / n, lm_sum=total / 10, lm_pmi=(total - bare) / n)


def choose(llm, prefix: str, question: str, cands: list[Candidate]) -> Candidate | None:
    """The best candidate by the linear score, with the model's features when it can score."""
    if not cands:
        return None
    if hasattr(llm, "score"):
        add_lm_features(llm, prefix, question, cands)
    for c in cands:
        c.score = _linear(c.features)
    return max(cands, key=lambda c: c.score)
