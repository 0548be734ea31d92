"""Text helpers shared along the pipeline: word tokens, stop words, a crude stem."""

from __future__ import annotations

import re
import string
from collections import Counter
from functools import cache

STOPWORDS = frozenset(
    "a an the of in on at to for by with from and or is are was were be been being it its this that these those as "
    "which who whom what when where why how did do does has have had he she they them their his her him we our you "
    "your i me my there then than also not no nor but if so such into onto over under after before during while "
    "can will would could should might must about up out all any some more most other only very own same each "
    "both either neither".split()
)
TOKEN = re.compile(r"\w+(?:[.,]\d+)*", re.UNICODE)


def tokens(text: str) -> list[str]:
    return [t.lower() for t in TOKEN.findall(text)]


def content(words: list[str]) -> list[str]:
    return [w for w in words if w not in STOPWORDS]


NAME_WORD = re.compile(r"[\w'’.-]*\w")  # a word of a name: "O'Brien", "2.0.9", "BX-421-K"
CITATION = re.compile(r"\s*\[(\d+)\]")  # an answer's [n] marker
LEAD = re.compile(  # the words that open a follow-up: "And …", "What about …"
    r"^\s*(and|but|also|so|then|ok(ay)?|what about|how about|what of|and what about)\b[\s,]*", re.I
)


def capitalised(text: str, fragment: bool = False) -> list[tuple[int, int]]:
    """Runs of capitalised words (and codes with digits) that do not merely start the sentence (in a `fragment`,
    "Dr Mark Osei", a capitalised first word is part of the name)."""
    spans: list[tuple[int, int]] = []
    for m in NAME_WORD.finditer(text):
        word = m.group()
        first = not fragment and (not text[: m.start()].strip() or bool(LEAD.fullmatch(text[: m.start()])))
        named = (word[0].isupper() and not first and word.lower() not in STOPWORDS) or any(c.isdigit() for c in word)
        if not named:
            continue
        if spans and re.fullmatch(r"\s+(of |and |de |van |the )?", text[spans[-1][1] : m.start()] + " "):
            spans[-1] = (spans[-1][0], m.end())  # "Children and Schools", "Van Leeuwen Pharma" are one name
        else:
            spans.append((m.start(), m.end()))
    return spans


@cache
def zipf(word: str, lang: str = "en") -> float:
    """How often a word occurs in a language, English by default (wordfreq's Zipf scale: 7 as "the", 3 once per
    million words, 0 unknown)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang)


LANGUAGES = ("en", "fr", "de", "es", "it", "pl", "cs", "ru")  # where one byte encodes a letter in several ways


def word_evidence(text: str, limit: int = 200) -> float:
    """How much `text` reads as real words: the summed Zipf frequency of its non-ASCII words, each in the
    language that knows it best (a wrong code page turns "crêpes" into "crępes", which no language uses)."""
    words = [w.lower() for w in re.findall(r"\w+", text) if not w.isascii()][:limit]
    return sum(max(zipf(w, lang) for lang in LANGUAGES) for w in words)


_SUFFIX = re.compile(r"(ing|ed|es|s)$")


def stem(word: str) -> str:
    """Crude stem for matching question words: broadcasted ~ broadcast, meetings ~ meeting, gets ~ get."""
    word = word.lower()
    if len(word) > 3:
        word = _SUFFIX.sub("", word) or word
    return word[:6]


def canonical(word: str) -> str:
    """A token as compared for meaning: a number by its value ("3.30" and "3.3", "16.00" and "16"), else itself."""
    try:
        return f"{float(word.replace(',', '')):g}" if word[:1].isdigit() else word
    except ValueError:
        return word


_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation)


def normalize(text: str) -> str:
    """Lower-case, drop punctuation and articles, squeeze whitespace (SQuAD v1.1 evaluate script)."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def token_f1(pred: list[str], gold: list[str]) -> float:
    """Token-overlap F1 of two word lists (SQuAD's answer F1 once both are normalised)."""
    same = sum((Counter(pred) & Counter(gold)).values())
    if same == 0:
        return 0.0
    p, r = same / len(pred), same / len(gold)
    return 2 * p * r / (p + r)


_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Dr|Mr|Mrs|Ms|Prof|Sr|Jr|St|Mt|Ft|Gen|Col|Capt|Lt|Sgt|Rev|Hon|Gov|Sen|Rep|Inc|Ltd|Co|Corp|No|Nos|Fig|"
    r"Vol|vs|approx|ca|cf|al|e\.g|i\.e|U\.S|U\.K)|\b[A-Z])\.$"
)


def sentences(text: str) -> list[str]:
    """Sentences of prose (line breaks end a sentence too); a title, initial or common abbreviation ("Dr.",
    "J.", "e.g.") does not."""
    out: list[str] = []
    for line in text.splitlines():
        merged: list[str] = []
        for piece in (p.strip() for p in _SENTENCE.split(line.strip())):
            if merged and _ABBREVIATION.search(merged[-1]):
                merged[-1] = f"{merged[-1]} {piece}"
            elif piece:
                merged.append(piece)
        out += merged
    return out
