"""Generate, then verify: the facts a written answer states must be in the evidence it cites.

A fine-tuned model writes its answer in the house's words; what it writes is kept only when it states the answer
the pipeline extracted and every number, date, name and rare term in it is found in the cited evidence (or the
question). Otherwise the extracted answer stands.
"""

from __future__ import annotations

import re

from ragtune.text import STOPWORDS, capitalised, sentences, stem, tokens, zipf

_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
RARE_ZIPF = 3.0  # a word rarer than this (wordfreq's Zipf scale: 3 = once per million words) is a key term


def claims(text: str) -> list[str]:
    """What a written answer states: its numbers, names (capitalised runs) and rare words."""
    out = [m.group().rstrip(".,") for m in _NUMBER.finditer(text)]
    spans = [s[a:b] for s in sentences(text) for a, b in capitalised(s)]  # a sentence's first word is no name
    names = [n for n in spans if any(c.isupper() for c in n)]  # not "10-year"
    named = {w for n in names for w in tokens(n)}
    out += names
    out += [
        w
        for w in tokens(text)
        if w not in STOPWORDS and w not in named and len(w) > 3 and w.isalpha() and zipf(w) < RARE_ZIPF
    ]
    return list(dict.fromkeys(out))


def _stated(claim: str, words: set[str], numbers: set[str]) -> bool:
    if _NUMBER.fullmatch(claim):
        return claim.replace(",", "") in numbers
    return all(stem(w) in words for w in tokens(claim))


def unsupported(text: str, evidence: str, question: str = "", answer: str = "") -> list[str]:
    """The claims of `text` found neither in `evidence` nor in `question`; and `answer` (the extracted one),
    when `text` does not state it."""
    source = f"{evidence} {question}"
    words = {stem(w) for w in tokens(source)}
    numbers = {m.group().rstrip(".,").replace(",", "") for m in _NUMBER.finditer(source)}
    missing = [c for c in claims(text) if not _stated(c, words, numbers)]
    said = {stem(w) for w in tokens(text)}
    if answer and not all(stem(w) in said for w in tokens(answer) if w not in STOPWORDS):
        missing.append(answer)
    return missing
