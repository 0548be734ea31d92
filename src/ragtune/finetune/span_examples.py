"""Span reader training examples: from dataset rows, and no-answer copies made from answerable ones.

A span reader learns to abstain from examples whose context does not answer the question. Besides the real
ones, `with_negatives` makes them from answerable examples, in one of two kinds:
- `swapped`: the question is changed the way SQuAD 2.0's writers made their unanswerable questions (Rajpurkar
  et al., 2018: entity swap, antonym, negation, a changed number) while the context stays the same, so the
  topic is still there and the answer is not;
- `without_answer`: the question stays and the sentences holding its answer are cut from the context.

`paraphrased` makes answerable copies the other way round: a question word that the context also holds is said
with a synonym the context lacks, so that the reader does not learn that every question word must be the
document's ("picked up" for "collected"). The synonyms come from the caller (bench/train_span.py: WordNet).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from ragtune.text import STOPWORDS, normalize, sentences, stem, tokens


@dataclass
class SpanExample:
    question: str
    context: str
    answer: str | None = None  # None: the context does not answer the question
    start: int | None = None  # the answer's character offset in the context (found by search when None)


def span_examples(rows: list[dict]) -> list[SpanExample]:
    """Dataset rows that have a context: the answer's span in it, or no answer for `unanswerable` rows.
    Rows without a context, or whose answer is not in their context, teach no span and are left out."""
    out = []
    for r in rows:
        context = r.get("context") or ""
        if not context:
            continue
        if r.get("unanswerable"):
            out.append(SpanExample(r["question"], context))
        elif (answer := str(r.get("answer", "")).strip()) and answer in context:
            out.append(SpanExample(r["question"], context, answer))
    return out


_WORD = re.compile(r"\d+(?:[.,]\d+)*|\w[\w'’-]*")
_DETERMINER = frozenset("the a an his her its their this that these those of".split())
_AUXILIARY = re.compile(r"\b(did|does|do|can|could|will|would|should|has|have|had)\b", re.IGNORECASE)
_PRONOUN = frozenset("he she it they we you i".split())
_PAIRS = (
    "more less|most least|first last|largest smallest|highest lowest|before after|earliest latest|older younger|"
    "oldest youngest|increase decrease|increased decreased|win lose|won lost|early late|earlier later|longer shorter|"
    "longest shortest|bigger smaller|biggest smallest|major minor|north south|east west|northern southern|"
    "eastern western|positive negative|maximum minimum|above below|inside outside|start end|started ended|"
    "begin end|began ended|higher lower|best worst|better worse|men women|male female|private public|"
    "open closed|opened closed|rise fall|upper lower|ancient modern|internal external|top bottom"
)
ANTONYMS = {a: b for pair in _PAIRS.split("|") for a, b in (pair.split(), pair.split()[::-1])}


def terms(text: str) -> list[tuple[str, int, int]]:
    """Swappable terms as (kind, start, end): years, other numbers, names (runs of capitalised words that do not
    merely start a sentence) and nouns (a content word after a determiner: "the *plot*", "of *salts*")."""
    out: list[tuple[str, int, int]] = []
    previous = ""
    for m in _WORD.finditer(text):
        word, kind = m.group(), _kind(m.group(), previous)
        starts_sentence = not text[: m.start()].strip() or text[: m.start()].rstrip()[-1] in ".!?"
        previous = word.lower()
        if kind is None:
            continue
        if kind == "name" and out and out[-1][0] == "name" and text[out[-1][2] : m.start()] == " ":
            out[-1] = ("name", out[-1][1], m.end())  # "Sam Mendes" is one name
        elif not (kind == "name" and starts_sentence):
            out.append((kind, m.start(), m.end()))
    return out


def _kind(word: str, previous: str) -> str | None:
    if word[0].isdigit():
        return "year" if len(word) == 4 and word.isdigit() and 1000 <= int(word) <= 2100 else "number"
    if word.lower() in STOPWORDS:
        return None
    if word[0].isupper():
        return "name"
    return "noun" if previous in _DETERMINER and len(word) >= 4 and word.isalpha() else None


def swapped(ex: SpanExample, rng: random.Random) -> SpanExample | None:
    """A no-answer copy of an answerable example: one term of its question swapped for another term of the same
    kind from the context (not from the answer), or an antonym, or a negation. None when nothing can change."""
    if ex.answer is None:
        return None
    changes = [_swap_term, _antonym, _negate]
    weights = [0.7, 0.15, 0.15]
    while changes:
        change = rng.choices(changes, weights)[0]
        question = change(ex.question, ex.context, ex.answer, rng)
        if question and normalize(question) != normalize(ex.question):
            return SpanExample(question, ex.context)
        k = changes.index(change)
        del changes[k], weights[k]
    return None


def _swap_term(question: str, context: str, answer: str, rng: random.Random) -> str | None:
    """Replace a question term that the context also holds (a name or number first, else a noun) by another
    context term of its kind; a year or number the context has no other of becomes a near one."""
    asked, held = question.lower(), context.lower()
    taken = set(tokens(answer))
    pool: dict[str, set[str]] = {}
    for kind, a, b in terms(context):
        term = context[a:b]
        if term.lower() not in asked and not taken & set(tokens(term)):
            pool.setdefault(kind, set()).add(term)
    anchors = [(kind, a, b) for kind, a, b in terms(question) if question[a:b].lower() in held]
    rng.shuffle(anchors)
    anchors.sort(key=lambda t: t[0] == "noun")
    for kind, a, b in anchors:
        own = {stem(w) for w in tokens(question[a:b])}  # not "Harper Lee" for "Lee", nor "HP-branded" for "HP"
        others = sorted(t for t in pool.get(kind, ()) if not own & {stem(w) for w in tokens(t)})
        options = others or _near_numbers(question[a:b], kind)
        if options:
            return question[:a] + rng.choice(options) + question[b:]
    return None


def _near_numbers(term: str, kind: str) -> list[str]:
    """Neighbours of a whole number: a year one to three years off, a count one or two off."""
    if kind not in ("year", "number") or not term.isdigit():
        return []
    n, steps = int(term), (-3, -2, -1, 1, 2, 3) if kind == "year" else (-2, -1, 1, 2)
    return [str(n + d) for d in steps if n + d > 0]


def _antonym(question: str, context: str, answer: str, rng: random.Random) -> str | None:
    words = [m for m in _WORD.finditer(question) if m.group().lower() in ANTONYMS]
    if not words:
        return None
    m = rng.choice(words)
    other = ANTONYMS[m.group().lower()]
    other = other.capitalize() if m.group()[0].isupper() else other
    return question[: m.start()] + other + question[m.end() :]


def _negate(question: str, context: str, answer: str, rng: random.Random) -> str | None:
    """ "What did Chopin compose?" → "What did Chopin not compose?"; "… can have …" → "… can not have …".
    Only where the words after the auxiliary make the place of "not" plain: a name, a pronoun, or a verb."""
    aux = _AUXILIARY.search(question)
    if aux is None or re.search(r"\bnot\b|n't", question):
        return None
    after = list(_WORD.finditer(question, aux.end()))
    if not after or after[0].group().lower() in _DETERMINER:
        return None
    at = aux.end()
    if after[0].group().islower() and aux.group().lower() in ("do", "does", "did"):
        return None  # "did early users find": where the subject ends is not plain
    if after[0].group().lower() in _PRONOUN:
        at = after[0].end()
    elif after[0].group()[0].isupper():
        first = terms(question[aux.end() :])[:1]  # the subject must be a name: "not" goes after it
        if not first or first[0][0] != "name":
            return None
        at = aux.end() + first[0][2]
    return question[:at] + " not" + question[at:]


def without_answer(ex: SpanExample) -> SpanExample | None:
    """The example with the sentences holding its answer cut from the context: still about the question, no
    longer answering it (a no-answer target). None when nothing would be left or the answer occurs elsewhere."""
    first = ex.start if ex.start is not None else ex.context.find(ex.answer or "")
    if ex.answer is None or first < 0:
        return None
    last, cursor, kept = first + len(ex.answer), 0, []
    for s in sentences(ex.context):
        at = ex.context.find(s, cursor)
        if at < 0:
            continue
        cursor = at + len(s)
        if cursor <= first or at >= last:
            kept.append(s)
    rest = " ".join(kept)
    if not rest or normalize(ex.answer) in normalize(rest):
        return None
    return SpanExample(ex.question, rest)


def paraphrased(ex: SpanExample, rng: random.Random, synonyms: Callable[[str], list[str]]) -> SpanExample | None:
    """An answerable copy of `ex` whose question says one word that the context holds with a synonym the context
    lacks (not a word of the answer). None when no such word has one."""
    if ex.answer is None:
        return None
    held = {stem(w) for w in tokens(ex.context)}
    askable = held - {stem(w) for w in tokens(ex.answer)}
    spots = [
        m
        for m in _WORD.finditer(ex.question)
        if (w := m.group()).isalpha() and w.islower() and w not in STOPWORDS and len(w) >= 3 and stem(w) in askable
    ]
    rng.shuffle(spots)
    for m in spots:  # a spot's own stem is held, so no option repeats it
        options = [w for w in synonyms(m.group()) if not {stem(t) for t in tokens(w)} & held]
        if options:
            question = ex.question[: m.start()] + rng.choice(options) + ex.question[m.end() :]
            return SpanExample(question, ex.context, ex.answer, ex.start)
    return None


KINDS = {"swap": swapped, "cut": lambda ex, rng: without_answer(ex)}


def with_negatives(examples: list[SpanExample], share: float, kind: str = "swap", seed: int = 0) -> list[SpanExample]:
    """`examples` plus a no-answer copy of a `share` of the answerable ones (drawn by `seed`), made by `kind`."""
    if kind not in KINDS:
        raise ValueError(f"negatives: unknown kind {kind!r} (use {', '.join(KINDS)})")
    rng = random.Random(seed)
    picked = [ex for ex in examples if ex.answer is not None and rng.random() < share]
    return examples + [neg for ex in picked if (neg := KINDS[kind](ex, rng)) is not None]
