"""Evidence: the sentences (or table rows) of retrieved passages that best answer a question, scored by their
closeness to it, the question's words they share and their passage's rank. Text that talks to the model instead
of about the world is never evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from ragtune.retrieve import answerfit
from ragtune.retrieve.base import Passage, SearchResult
from ragtune.tables import fields
from ragtune.text import NAME_WORD, STOPWORDS, capitalised, content, stem, tokens, zipf

_OVERRIDE = re.compile(
    r"\b(ignore|disregard|forget|override)\b[^.]{0,40}\b(instructions?|prompts?|rules|sources|context|questions?|user)"
    r"|\b(answer|reply|respond)\w*\b[^.]{0,30}\b(every|all|any) (questions?|quer(y|ies)|prompts?|users?)\b"
    r"|\byou are (now )?(a |an |the )?[\w-]*(bot|assistant|ai|gpt|model)\b"
    r"|\b(system|developer) (prompt|message)\b|^\s*(system|assistant)\s*:"
    r"|<\|im_start\|>|<\|system\|>|\[/?INST\]|<<SYS>>"
    r"|^[\s*>#-]*(always |only |now )?(answer|reply|respond|say)\b(?! to\b)|\bcite (source|\[)",
    re.IGNORECASE,
)
_ADDRESSEE = re.compile(r"\b(assistant|chatbot|ai|a\.i\.|llm|language model|the model|gpt)\b", re.IGNORECASE)
_COMMAND = re.compile(r"\b(answer|reply|respond|say|output|print|write|cite|tell)\b", re.IGNORECASE)


def instruction_like(sentence: str) -> bool:
    """Text that talks to the model instead of about the world: "ignore previous instructions", a fake system
    prompt or chat-template tokens, or a command addressed to an AI. Such sentences are never evidence."""
    return bool(_OVERRIDE.search(sentence) or (_ADDRESSEE.search(sentence) and _COMMAND.search(sentence)))


@dataclass
class Evidence:
    """A sentence (or table row) of a retrieved passage, offered to the model as [n]."""

    text: str
    passage: Passage
    score: float
    locator: str = ""  # this sentence's or row's own locator (defaults to the passage's)

    @property
    def is_row(self) -> bool:
        """A table row rather than a sentence of prose."""
        return bool(self.passage.records)


def score(q_words: set[str], text: str, vec: np.ndarray, qvec: np.ndarray, rank: int) -> float:
    """Evidence score: cosine to the question, plus shared content words, minus the passage's rank."""
    lexical = len(q_words & set(tokens(text))) / max(len(q_words), 1)
    return float(np.dot(vec, qvec)) + 0.3 * lexical - 0.02 * rank


def best(scored: list[Evidence], k: int) -> list[Evidence]:
    """The `k` best-scored, best first."""
    return sorted(scored, key=lambda e: -e.score)[:k]


def question_words(question: str) -> set[str]:
    return set(content(tokens(question)))


def from_sentences(found: SearchResult, rows: list[dict], qvec: np.ndarray, k: int) -> list[Evidence]:
    """The `k` sentence rows (`parent`, `text`, `locator`, `vector`) of the found passages most like the
    question, best first."""
    by_id = {p.id: (rank, p) for rank, p in enumerate(found.passages)}
    q_words = question_words(found.query)
    scored = []
    for row in rows:
        if instruction_like(row["text"]):  # documents are data: what speaks to the model is not evidence
            continue
        rank, passage = by_id[row["parent"]]
        vec = np.asarray(row["vector"], dtype=np.float32)
        scored.append(
            Evidence(
                row["text"], passage, score(q_words, row["text"], vec, qvec, rank), row["locator"] or passage.locator
            )
        )
    return best(scored, k)


# -- does the evidence cover what the question asks about? --------------------------------------------------
_FRAME = frozenset(
    "many much long often soon far old big large small number amount kind type sort time times day date year get gets "
    "got give given take takes took make made need needs use used go goes there here please tell know".split()
)  # words that frame a question ("how long", "what number") rather than name what it is about
_TITLES = frozenset("dr dr. mr mrs ms prof".split())


@dataclass
class Coverage:
    """The question's specific terms that the answer's evidence leaves out: names (capitalised runs, codes), and
    content words that the corpus uses elsewhere (`elsewhere`) or never (`unseen`); with how close the question
    and the evidence are as a whole (`similarity`, the embedder's cosine)."""

    names: list[str]
    elsewhere: list[str]
    unseen: list[str]
    similarity: float = 0.0
    weakest: float = 1.0  # the best likeness to the evidence of the least-covered missing word (1: none missing)
    rivals: list[list[str]] = field(default_factory=list)  # [asked, found]: the evidence's other value in its place
    fit: float = 1.0  # does the answer's value fit what the question asks for (retrieve/answerfit.py; 1: unknown)
    said: str = ""  # the answer as the answer-fit model read it
    swapped: list[str] = field(default_factory=list)  # [asked, found]: the evidence's doer is the other party

    @property
    def missing(self) -> list[str]:
        return [*self.names, *self.elsewhere, *self.unseen]

    def as_dict(self) -> dict:
        out = {"names": self.names, "elsewhere": self.elsewhere, "unseen": self.unseen}
        out |= {"similarity": self.similarity, "weakest": self.weakest, "rivals": self.rivals}
        return out | {"fit": self.fit, "said": self.said, "swapped": self.swapped}


def specificity(word: str) -> float:
    """How rare a word is in English, 0 (as common as "time") to 7 (unknown): 7 - its Zipf frequency."""
    return round(7.0 - zipf(word), 2)


FEATURES = (
    "names",
    "elsewhere",
    "unseen",
    "rarest",
    "similarity",
    "no_answer",
    "records",
    "sql",
    "row_elsewhere",
    "row_unseen",
    "weakest",
)


def features(cov: dict, route: str, no_answer: float | None) -> list[float]:
    """The near-miss model's inputs for one answer (see `NearMiss`)."""
    words = [*cov.get("elsewhere", []), *cov.get("unseen", [])]
    return [
        min(len(cov.get("names", [])), 2),
        len(cov.get("elsewhere", [])),
        len(cov.get("unseen", [])),
        max((specificity(w) for w in words), default=0.0),
        float(cov.get("similarity", 0.0)),
        max(-10.0, min(10.0, (no_answer or 0.0) if route == "prose" else 0.0)),  # the prose reader's score
        float(route == "records"),
        float(route == "sql"),
        len(cov.get("elsewhere", [])) * float(route == "records"),  # a row holds every field's name: a word it
        len(cov.get("unseen", [])) * float(route == "records"),  # lacks says more than a sentence's does
        float(cov.get("weakest", 1.0)),
    ]


@dataclass
class NearMiss:
    """Is an answer's evidence about another question than the one asked? A logistic model over `features`,
    fitted by bench/fit_nearmiss.py on the dev part of bench/wording (never on its test part). On prose it
    withholds an answer only when the evidence also lacks a name the question gives: without that, it withheld
    a third of the SQuAD Super Bowl answers, whose questions paraphrase their sentences. A rival value
    (`rivals`) withholds by rule, on any route, before the model is asked; so does a name that no row of an
    SQL answer holds ("how many pallets does <a customer not in the table> ship") or that the row of a table
    answer lacks ("when was batch <a code no row has> brewed"); so does a table field that the
    answer-fit model (retrieve/answerfit.py) says is not of the kind the question asks for ("email" → `site`); so
    does evidence whose doer is the question's other party (`swapped`, retrieve/roles.py)."""

    weights: list[float]
    bias: float
    threshold: float = 0.5

    @classmethod
    def load(cls, path) -> NearMiss | None:
        import json
        from pathlib import Path

        path = Path(path)
        if not path.is_file():
            return None
        fitted = json.loads(path.read_text())
        return cls(fitted["weights"], fitted["bias"], fitted.get("threshold", 0.5))

    @classmethod
    def shipped(cls) -> NearMiss | None:
        """The package's fitted model (retrieve/nearmiss.json), read once per process."""
        return _shipped_near_miss()

    def probability(self, x: list[float]) -> float:
        z = self.bias + sum(w * v for w, v in zip(self.weights, x, strict=True))
        return float(1.0 / (1.0 + np.exp(-z)))

    def why(self, cov: dict, route: str, no_answer: float | None, checked: bool = False) -> str:
        """ "" when the evidence covers the question, else the reason, naming the terms it leaves out. `checked`:
        a check model reads this answer's evidence again, and the fitted probability leaves a row to it."""
        if cov.get("rivals"):  # a rule, not a weight: fitted, it moved every other weight (leave-one-out, dev)
            asked, found = cov["rivals"][0]
            return f"the evidence is about {found!r}, not {asked!r}"
        if cov.get("swapped"):  # a rule too: the roles are read by a tagger (retrieve/roles.py), not weighed
            asked, found = cov["swapped"]
            return f"the evidence says this of {found!r}, not of {asked!r}"
        if route == "sql" and cov.get("names"):  # a rule: a query over the tables never read the row it names
            return f"the tables hold no row for {cov['names'][0]!r}"
        if route == "records" and cov.get("names"):  # a rule: a row holds its own names (on dev, every row answer
            return f"the row found is not about {cov['names'][0]!r}"  # missing one was a near miss, 5 of 5)
        fitted = answerfit.shipped() if route == "records" else None
        if fitted and cov.get("fit", 1.0) < fitted.floor:  # learned; its floor is not dev's
            said, fit = cov.get("said", ""), cov["fit"]
            return f"the evidence gives {said!r}, not what the question asks for (answer fit {fit:.2f})"
        if checked and route == "records":  # a check model reads the row itself: on dev, deferring to it kept
            return ""  # 6 of the logistic's 7 row near misses and gave back 3 of its 4 wrong withholds
        p = self.probability(features(cov, route, no_answer))
        if p < self.threshold or (route == "prose" and not cov.get("names")):
            return ""  # prose paraphrases freely (SQuAD's answers leave half their words out): there a name decides
        terms = missing_terms(cov)
        said = ", ".join(repr(t) for t in terms) if terms else "the question as asked"
        return f"the evidence does not cover {said} (near-miss probability {p:.2f})"


def missing_terms(cov: dict, k: int = 3) -> list[str]:
    """The `k` question terms that a coverage record (`Coverage.as_dict`) says the evidence leaves out: names
    first, then the other words, the most specific first."""
    words = sorted([*cov.get("elsewhere", []), *cov.get("unseen", [])], key=specificity, reverse=True)
    return [*cov.get("names", []), *words][:k]


def specific_terms(question: str) -> tuple[list[str], list[str]]:
    """(names, other content words) of a question: what an answer's evidence must be about."""
    spans = capitalised(question)
    names = [re.sub(r"['’]s?$", "", question[a:b]) for a, b in spans]  # "Lena Marsh's" names Lena Marsh
    names = [n for n in names if not n.isdigit() and not re.fullmatch(r"[A-Z]{1,2}", n)]  # a year, "TV": not names
    inside = {w for n in names for w in tokens(n)}
    words = [w for w in content(tokens(question)) if w not in inside and w not in _FRAME and not w.isdigit()]
    words = [w for w in words if len(w) > 1]  # the "s" of a possessive is no term
    return names, list(dict.fromkeys(words))


_MONTHS = frozenset("january february march april may june july august september october november december".split())
_WORKDAYS = frozenset("monday tuesday wednesday thursday friday".split())
_WEEKEND = frozenset("saturday sunday".split())
_DAY_GROUPS = ((_WORKDAYS, "weekday"), (_WEEKEND, "weekend"))


def _day(word: str) -> str:
    return re.sub(r"s$", "", word)


def value_kind(word: str) -> str | None:
    """A closed class of values one of which a question may ask about: a month, a day, a short code ("9", "B")."""
    if word in _MONTHS:
        return "month"
    if _day(word) in _WORKDAYS | _WEEKEND | {"weekday", "weekend"}:
        return "day"
    if (word.isdigit() and len(word) <= 3) or (len(word) == 1 and word.isalpha()):
        return "code"
    return None


def _day_covers(found: str, asked: str) -> bool:
    """ "weekdays" covers Tuesday, "Sunday" the weekend."""
    f, a = _day(found), _day(asked)
    return f == a or any({f, a} & {group} and {f, a} & members for members, group in _DAY_GROUPS)


def _words(text: str) -> list[str]:
    return [re.sub(r"['’]s$", "", m.group()) for m in NAME_WORD.finditer(text)]


def rivals(question: str, support: str) -> list[list[str]]:
    """The question's values that the support puts another of their kind in place of, as [asked, found]: a month
    or a day ("in November" / "in October"), a code after the same word ("route 9" / "route 4"), a name after or
    before the same word ("at Church Street" / "at Northgate", "NHS patients" / "Private patients"). Such evidence
    answers for the other value: a paraphrase changes the words around a name, a date or a code, not the value."""
    asked, found = _words(question), _words(support)
    q, s = [w.lower() for w in asked], [w.lower() for w in found]
    in_names = {w for n in specific_terms(question)[0] for w in tokens(n)}  # not "TV", not a year
    out = []
    for i, word in enumerate(q):
        if word in STOPWORDS or any(same_word(word, x) for x in s):
            continue
        kind = value_kind(word)
        if kind in ("month", "day") and not asked[i][0].isupper():  # "may", "weekend": a word, not a date
            continue
        if kind in ("month", "day"):
            same = [j for j, x in enumerate(s) if value_kind(x) == kind]
            if kind == "day" and any(_day_covers(s[j], word) for j in same):
                continue
        elif kind == "code" and i and q[i - 1] not in STOPWORDS:
            same = [j + 1 for j in range(len(s) - 1) if same_word(s[j], q[i - 1]) and _same_code(s[j + 1], word)]
        elif word in in_names and i:
            same = [j for j in range(len(s)) if _name_in_place(j, found, s, q, i)]
        else:
            continue
        if same:
            out.append([_name_holding(question, asked[i]) if kind is None else asked[i], found[same[0]]])
    return out


def _name_holding(question: str, word: str) -> str:
    """The question's whole name that holds a word of it ("Church" → "Church Street")."""
    names = [question[a:b] for a, b in capitalised(question)]
    return next((n for n in names if word in _words(n)), word)


def _same_code(found: str, asked: str) -> bool:
    """Another code of the same form: digits for digits ("route 4" / "route 9"), a letter for a letter."""
    return value_kind(found) == "code" and found.isdigit() == asked.isdigit() and found != asked


_PLACE = frozenset("at in on to from for with by near".split())  # a preposition places a name; "the" does not


def _name_in_place(j: int, found: list[str], s: list[str], q: list[str], i: int) -> bool:
    """Is support word j another name where the question has name word i: capitalised, not the question's, after
    the same content word or preposition ("at Northgate"), or before the same content word ("Private patients")."""
    if not found[j][0].isupper() or s[j] in STOPWORDS or any(same_word(s[j], w) for w in q):
        return False
    after = j > 0 and s[j - 1] == q[i - 1] and (q[i - 1] in _PLACE or q[i - 1] not in STOPWORDS)
    before = i + 1 < len(q) and j + 1 < len(s) and s[j + 1] == q[i + 1] and q[i + 1] not in STOPWORDS
    return before or after


def same_word(a: str, b: str) -> bool:
    """The same word as the field matcher says (`tables.fields.same_word`), or one an abbreviation of the
    other ("ext")."""
    if fields.same_word(a, b):
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 3 and long_.startswith(short) and short.isalpha()


def field_words(text: str) -> str:
    """Text with field names split into words: `phone_ext` → "phone ext", `depthRating` → "depth Rating"."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text.replace("_", " "))


def field_phrase(name: str, value: object) -> str:
    """A table field as the answer-fit model reads it (retrieve/answerfit.py), in training and in use alike:
    `phone_ext`, 210 → "phone ext: 210"."""
    return f"{field_words(name)}: {value}"


def _acronym_of(name: str, support_words: list[str]) -> bool:
    """ "CPD" is covered by "continuing professional development"."""
    letters = name.lower()
    if not (name.isupper() and 2 <= len(name) <= 6 and name.isalpha()):
        return False
    initials = "".join(w[0] for w in support_words if w not in STOPWORDS)
    return letters in initials


def name_covered(name: str, support_words: list[str]) -> bool:
    """Every word of the name is in the support (titles aside), or the name is an acronym of support words."""
    have = {stem(w) for w in support_words}
    words = [w for w in tokens(name) if w not in _TITLES]
    return all(stem(w) in have for w in words) or _acronym_of(name, support_words)


@cache
def _shipped_near_miss() -> NearMiss | None:
    from pathlib import Path

    return NearMiss.load(Path(__file__).with_name("nearmiss.json"))
