"""Lexical support checks: does a piece of evidence contain an answer? Which span of it is the answer?"""

from __future__ import annotations

import re
from dataclasses import dataclass

STOPWORDS = frozenset(
    "a an the of in on at to for by with from and or is are was were be been being it its this that these those as "
    "which who whom what when where why how did do does has have had he she they them their his her him we our you "
    "your i me my there then than also not no nor but if so such into onto over under after before during while "
    "can will would could should might must about up out all any some more most other only very own same each "
    "both either neither".split()
)
_TOKEN = re.compile(r"\w+(?:[.,]\d+)*", re.UNICODE)


def tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def content(words: list[str]) -> list[str]:
    return [w for w in words if w not in STOPWORDS]


_SUFFIX = re.compile(r"(ing|ed|es|s)$")


def stem(word: str) -> str:
    """Crude stem for matching question words: broadcasted ~ broadcast, meetings ~ meeting, gets ~ get."""
    word = word.lower()
    if len(word) > 3:
        word = _SUFFIX.sub("", word) or word
    return word[:6]


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
    matches = list(_TOKEN.finditer(evidence))
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


def token_f1(pred: list[str], gold: list[str]) -> float:
    common: dict[str, int] = {}
    for w in pred:
        common[w] = common.get(w, 0) + 1
    same = 0
    for w in gold:
        if common.get(w, 0) > 0:
            same += 1
            common[w] -= 1
    if same == 0:
        return 0.0
    p, r = same / len(pred), same / len(gold)
    return 2 * p * r / (p + r)
