"""Which column of a table a question asks about: field names matched by their words and their meaning.

A column name is split into words (snake_case, camelCase, "Title Case", units in brackets), common
abbreviations are expanded (qty → quantity, yr → year) and a trailing unit is set aside (price_eur →
"price", unit EUR). A question word matches a column word when their stems agree or, for synonyms
("cost" ↔ price, "wrote" ↔ author), when the embedder puts them close together. What the values look
like adds a cue: "who" asks for a column of person names, "when" for one of years or dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from ragtune.text import STOPWORDS, stem, tokens

ABBREVIATIONS = dict(
    pair.split("=")
    for pair in "qty=quantity yr=year yrs=years avg=average diam=diameter no=number num=number nr=number pct=percent "
    "amt=amount desc=description dept=department mgr=manager ref=reference pub=published addr=address tel=telephone "
    "max=maximum temp=temperature cat=category wt=weight loc=location".split()
)
UNITS = dict(
    pair.split("=")
    for pair in "eur=EUR euro=EUR euros=EUR usd=USD gbp=GBP nok=NOK sek=SEK chf=CHF kg=kg g=g lb=lb lbs=lb m=m km=km "
    "cm=cm mm=mm mi=miles years=years yrs=years months=months days=days hours=hours hrs=hours min=min mins=min "
    "minutes=min sec=s pct=% percent=% l=l ml=ml w=W kw=kW kwh=kWh mah=mAh gb=GB mb=MB tb=TB".split()
)
GENERIC = frozenset("type name id number count code total average value amount date year kind level".split())
SIMILAR = 0.6  # embedder cosine above which two different words count as synonyms
_SPLIT = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_PERSON = re.compile(r"^(dr\.?\s+|mr\.?\s+|ms\.?\s+|mrs\.?\s+)?[A-Z][a-z'’-]+(\s+(Mac|Mc|O')?[A-Z][a-z'’-]+)+$")


@dataclass(frozen=True)
class FieldName:
    """A column name read as words: `depth_rating_m` → words ("depth", "rating"), unit "m"."""

    column: str
    words: tuple[str, ...]
    unit: str | None

    @property
    def phrase(self) -> str:
        return " ".join(self.words)


@cache
def field_name(column: str) -> FieldName:
    raw = [w.lower() for w in _SPLIT.findall(column)]
    if not raw:
        return FieldName(column, (column.lower(),), None)
    unit = None
    if len(raw) > 1 and raw[-1] in UNITS:
        unit = UNITS[raw.pop()]
    words: list[str] = []
    for i, w in enumerate(raw):
        if w == "min" and i == 0 and len(raw) > 1:
            words.append("minimum")
        else:
            words += ABBREVIATIONS.get(w, w).split()
    return FieldName(column, tuple(words), unit)


@dataclass
class ColumnProfile:
    """What a column's values look like (for cues and for picking the column that names a row)."""

    column: str
    kind: str  # integer | real | boolean | text | unknown
    unique: bool  # every non-empty value differs
    person: bool  # values look like people's names
    year: bool  # values are years or dates
    sample: list[str]

    @property
    def numeric(self) -> bool:
        return self.kind in ("integer", "real")

    @property
    def key(self) -> bool:
        """A numeric row id (`store_id`): it numbers rows, it measures nothing."""
        return self.numeric and self.unique and "id" in field_name(self.column).words


def profile(column: str, kind: str, values: list, distinct: int, filled: int) -> ColumnProfile:
    text = [str(v) for v in values if v not in (None, "")]
    person = bool(text) and kind == "text" and sum(bool(_PERSON.match(v)) for v in text) >= 0.8 * len(text)
    years = kind == "integer" and bool(text) and all(1800 <= int(v) <= 2100 for v in text)
    dated = kind == "text" and bool(text) and all(re.match(r"^\d{4}-\d{2}-\d{2}", v) for v in text)
    named_year = any(w in ("year", "date") for w in field_name(column).words)
    return ColumnProfile(column, kind, filled > 0 and distinct == filled, person, years or dated or named_year, text)


_QUESTION_WORDS = frozenset({"many", "much", "long", "often"})


def same_word(a: str, b: str) -> bool:
    """The same word by a crude stem or a shared start of 5+ letters (store ~ stores, manages ~ manager)."""
    return stem(a) == stem(b) or (len(a) >= 5 and len(b) >= 5 and a[:5] == b[:5])


_WHO = re.compile(r"^\W*(who|whom|whose)\b", re.I)
_WHEN = re.compile(r"\b(when|what year|which year|in what year|in which year|what date|since when)\b", re.I)


class FieldMatcher:
    """Scores columns against a question; the embedder supplies word similarity for synonyms."""

    def __init__(self, embedder):
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}

    def load(self, words: list[str]) -> None:
        """Embed the words not seen yet (`similarity` compares loaded words)."""
        new = [w for w in dict.fromkeys(words) if w not in self._vectors]
        if new:
            self._vectors.update(zip(new, self.embedder.embed(new), strict=True))

    def similarity(self, a: str, b: str) -> float:
        """1 for the same word (by stem or a shared 5-letter start), else the embedder's cosine above SIMILAR."""
        if same_word(a, b):
            return 1.0
        cos = float(np.dot(self._vectors[a], self._vectors[b]))
        return cos if cos >= SIMILAR else 0.0

    def closest(self, word: str, words: list[str], floor: float = 0.3) -> int | None:
        """The index of the word in `words` most like `word` by the embedder (None below `floor`)."""
        if not words:
            return None
        self.load([word.lower(), *(w.lower() for w in words)])
        sims = [
            1.0
            if same_word(word.lower(), w.lower())
            else float(np.dot(self._vectors[word.lower()], self._vectors[w.lower()]))
            for w in words
        ]
        best = max(range(len(words)), key=lambda k: sims[k])
        return best if sims[best] >= floor else None

    def words(self, text: str) -> list[str]:
        return [w for w in tokens(text) if w not in STOPWORDS and w not in _QUESTION_WORDS and not w.isdigit()]

    def score(self, question_words: list[str], column: str) -> float:
        """How well the question's words name this column, 0..1 (generic words like "type" count less)."""
        name = field_name(column)
        if not question_words:
            return 0.0
        self.load(question_words + list(name.words))
        total = weight = 0.0
        for i, w in enumerate(name.words):
            if w in STOPWORDS or w == "per":
                continue
            rate = i > 0 and name.words[i - 1] == "per"  # `pallets_per_month` is about pallets, counted by month
            wt = 0.3 if w in GENERIC or rate else 1.0
            total += wt * max(self.similarity(w, q) for q in question_words)
            weight += wt
        return total / weight if weight else 0.0

    def rank(self, question: str, words: list[str], profiles: list[ColumnProfile]) -> list[tuple[float, ColumnProfile]]:
        """Columns best first: word match plus the who/when cue of the question."""
        who, when = bool(_WHO.search(question)), bool(_WHEN.search(question))
        out = []
        for p in profiles:
            s = self.score(words, p.column)
            if (who and p.person) or (when and p.year):
                s = min(1.0, s + 0.5)
            out.append((s, p))
        return sorted(out, key=lambda x: -x[0])


def format_value(value, unit: str | None = None) -> str:
    """118 → "118", 4.50 → "4.5", 1.095 → "1.095" (a value as stored), 2483.3333 → "2483.33" (a computed one, past
    three decimals); with the unit when the field name implies one."""
    text = _decimal(value) if isinstance(value, float) else str(value)
    if unit and isinstance(value, (int, float)) and not isinstance(value, bool):
        if unit == "%":
            return f"{text}%"
        one = value == 1 and unit.endswith("s") and unit.isalpha() and unit.islower() and len(unit) > 3
        return f"{text} {unit[:-1] if one else unit}"  # "1 day", not "1 days"; never "1 kg" from "kgs"
    return text


def _decimal(value: float) -> str:
    """A float as written: its shortest form up to three decimals (a gravity of 1.095), else rounded to two."""
    short = repr(value)
    if "e" not in short and len(short.partition(".")[2]) <= 3:
        return short.removesuffix(".0")
    return f"{value:.2f}".rstrip("0").rstrip(".")
