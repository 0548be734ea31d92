"""Criterion 1 measured by a controlled change: alter k facts in a copy of the corpus and ask about exactly those.

A fact is changed where its number stands once in a text file (a sentence, or a CSV / JSON / HTML cell), so the
change is exact and nothing else moves. After re-ingesting, each arm's answer to the fact's tested wording is
`new` (the changed value), `stale` (the old one: worse than an abstention), `abstained` or `other`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from ragtune.evaluate.testset import Item
from ragtune.files import write_atomic
from ragtune.text import canonical, tokens

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".csv", ".tsv", ".json", ".jsonl", ".html", ".htm"}
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")


@dataclass
class Change:
    """One changed fact: the question asked about it, its file, and its old and new value."""

    id: str
    question: str
    source: str
    old: str  # the fact's answer before ("27 days")
    new: str  # after ("35 days")
    number: str  # the number changed ("27")
    to: str  # what it became ("35")


def _pattern(number: str) -> re.Pattern:
    return re.compile(rf"(?<![\w.,:]){re.escape(number)}(?![\w]|[.,:]\d)")


def plan(items: list[Item], files: dict[str, Path], k: int, seed: int = 0) -> list[Change]:
    """Up to `k` trained facts (tested wordings) whose number stands exactly once in their text source file
    (`files`: source name → path), each with a new value."""
    rng = random.Random(seed)
    out: list[Change] = []
    seen: set[tuple[str, str]] = set()
    for item in rng.sample(items, len(items)):
        if len(out) >= k or item.kind != "wording" or item.split != "test" or not item.answers:
            continue
        path = files.get(item.source or "")
        number = next(iter(_NUMBER.findall(item.answers[0])), None)
        if path is None or number is None or path.suffix.lower() not in TEXT_SUFFIXES or (item.source, number) in seen:
            continue
        if len(_pattern(number).findall(path.read_text(encoding="utf-8", errors="replace"))) != 1:
            continue
        to = changed(number, rng)
        new = _pattern(number).sub(to, item.answers[0], count=1)
        out.append(Change(item.id, item.question, item.source, item.answers[0], new, number, to))
        seen.add((item.source, number))
    return out


def changed(number: str, rng: random.Random) -> str:
    """Another value of the same shape: "27" → "35", "37.5" → "41.5", "09:00" → "11:00"."""
    if ":" in number:
        hours, rest = number.split(":", 1)
        return f"{(int(hours) + rng.randint(1, 3)) % 24:0{len(hours)}d}:{rest}"
    if "." in number or "," in number:
        sep = "." if "." in number else ","
        whole, frac = number.split(sep, 1)
        return f"{int(whole) + rng.randint(1, 9)}{sep}{frac}"
    value = int(number)
    return str(value + max(1, round(value * rng.uniform(0.2, 0.5))))


def apply(changes: list[Change], files: dict[str, Path]) -> list[Path]:
    """Write every change into its file (in place: call this on a copy of the corpus); the files changed."""
    touched: dict[Path, str] = {}
    for c in changes:
        path = files[c.source]
        text = touched.get(path) or path.read_text(encoding="utf-8", errors="replace")
        touched[path] = _pattern(c.number).sub(c.to, text, count=1)
    for path, text in touched.items():
        write_atomic(path, text)
    return list(touched)


def verdict(answer: str, abstained: bool, change: Change) -> str:
    """new | stale | abstained | other: what an answer says about a changed fact."""
    if abstained:
        return "abstained"
    said = [canonical(w) for w in tokens(answer)]
    if _has(said, [canonical(w) for w in tokens(change.to)]):
        return "new"
    if _has(said, [canonical(w) for w in tokens(change.number)]):
        return "stale"
    return "other"


def _has(words: list[str], part: list[str]) -> bool:
    return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


def count(verdicts: list[str]) -> dict[str, int]:
    """How many answers were new, stale, abstained and other."""
    return {v: verdicts.count(v) for v in ("new", "stale", "abstained", "other")}
