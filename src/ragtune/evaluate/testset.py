"""A test set made from the user's own documents, with no hand labelling and no leakage into training.

Facts come from the ingested corpus: every field of every table row, and every prose sentence of the shape
"<subject> is / costs / takes / runs until <value>". Each fact has several wordings; the fine-tuned arms train on
some of them and are tested on the others (`wording`), and a share of the facts is never trained on at all
(`unseen-fact`: what fine-tuning cannot know). Near misses (a similar entity that does not exist, an attribute the
entity lacks) must be abstained. A log of answered questions (`--log`) is split the same way: its held-out part
(`log`) measures the house phrasing.

The whole set is one editable JSONL file (`write` / `read`): a user reviews it, corrects it and runs again.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ragtune.errors import RagtuneError
from ragtune.files import read_utf8, write_atomic
from ragtune.finetune.synth import humanize, name_of
from ragtune.generate.reader import complete
from ragtune.text import STOPWORDS, capitalised, normalize, sentences

# Wordings of a record's field: the first two are trained on, the others only tested.
RECORD_WORDINGS = (
    "What is the {field} of {name}?",
    "Tell me the {field} of {name}.",
    "{name}: what is its {field}?",
    "Could you look up the {field} for {name}?",
    "I need the {field} of {name}, please.",
)
TRAINED_WORDINGS = 2
# Prose: "<subject> <verb> <value>" and the questions each verb takes (again: two trained, the rest tested).
_VERBS = {
    "is|are|was|were": ("What is {subj}?", "Tell me {subj}.", "Do you know {subj}?", "{Subj}: what is it?"),
    "costs?": ("How much does {subj} cost?", "What does {subj} cost?", "What is the price of {subj}?"),
    "takes?|lasts?": ("How long does {subj} take?", "How much time does {subj} take?", "What duration has {subj}?"),
    "runs? until|ends? on|expires? on": (
        "When does {subj} end?",
        "Until when does {subj} run?",
        "What is the end date of {subj}?",
    ),
}
_PROSE = re.compile(rf"^(?P<subj>[A-Z][^;:]{{5,90}}?)\s+(?P<verb>{'|'.join(_VERBS)})\s+(?P<pred>[^;]{{1,120}}?)\.?$")
_PRONOUN = re.compile(r"^(it|this|that|these|those|they|there|he|she|we|you|i)\b", re.I)
_VALUE = re.compile(
    r"\d[\d.,:/-]*|\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
)
_PASSIVE = re.compile(r"^(\w+(ed|en)|paid|made|sent|held|kept|set|done|built)\b", re.I)
_MONTH = "January|February|March|April|May|June|July|August|September|October|November|December"
_DAY_MONTH = re.compile(rf"\s+(?:{_MONTH})(?:\s+\d{{4}})?")
_CLOCK = re.compile(r"\d{1,2}:\d{2}")
KINDS = ("wording", "unseen-fact", "near-miss", "log")


@dataclass
class Fact:
    """One fact of the corpus: its answer, where it is (source, the sentence or row) and ways to ask for it."""

    id: str
    answer: str
    source: str
    context: str
    wordings: list[str]
    entity: str = ""
    field: str = ""


@dataclass
class Item:
    """One question of the test set (or of the training split, `split` = train)."""

    id: str
    question: str
    answers: list[str]
    source: str | None
    split: str  # train | test
    kind: str  # wording | unseen-fact | near-miss | log
    fact: str = ""
    context: str = ""
    meta: dict = field(default_factory=dict)


def record_facts(chunks: list[dict]) -> list[Fact]:
    """A fact per field of each table row in the structured chunks (`records` JSON)."""
    out: dict[str, Fact] = {}
    for chunk in chunks:
        for rec in json.loads(chunk.get("records") or "[]"):
            if len(rec) < 2:
                continue
            key, name = name_of(rec)
            name = name.strip()
            if not name:
                continue
            for fld, value in rec.items():
                if fld == key or value in (None, "") or len(str(value)) > 60:
                    continue
                words = [w.format(field=humanize(fld), name=name) for w in RECORD_WORDINGS]
                source = Path(chunk["source"]).name
                fid = f"{source}#{name}#{fld}"
                quote = " | ".join(f"{k}: {v}" for k, v in rec.items())
                out.setdefault(fid, Fact(fid, str(value), source, quote, words, name, fld))
    return list(out.values())


def prose_facts(chunks: list[dict]) -> list[Fact]:
    """A fact per sentence of the shape "<subject> is / costs / takes / runs until <value>" in prose chunks."""
    out: dict[str, Fact] = {}
    for chunk in chunks:
        for sentence in sentences(chunk["text"]):
            fact = _prose_fact(sentence, Path(chunk["source"]).name)
            if fact and fact.id not in out:
                out[fact.id] = fact
    return list(out.values())


def _prose_fact(sentence: str, source: str) -> Fact | None:
    m = _PROSE.match(sentence.strip())
    if not m or _PRONOUN.match(m["subj"]) or len(m["subj"].split()) < 2 or _PASSIVE.match(m["pred"]):
        return _echo_fact(sentence, source)
    answer = _answer_of(m["pred"])
    if not answer or len(m["pred"][: m["pred"].find(answer)].split()) > 2:  # the value must open the predicate
        return _echo_fact(sentence, source)
    subj = m["subj"] if _named(m["subj"]) else m["subj"][0].lower() + m["subj"][1:]
    verb = next(v for v in _VERBS if re.fullmatch(v, m["verb"]))
    words = [w.format(subj=subj, Subj=subj[0].upper() + subj[1:]) for w in _VERBS[verb]]
    if m["verb"] in ("are", "were"):
        words = [w.replace("What is ", "What are ").replace("what is it", "what are they") for w in words]
    return Fact(f"{source}#{normalize(m['subj'])[:60]}", answer, source, sentence.strip(), words)


def _echo_fact(sentence: str, source: str) -> Fact | None:
    """A sentence with a number asked back with the number's place taken by its question word: "Every employee
    gets 27 days of leave." → "Every employee gets how many days of leave?"."""
    sentence = sentence.strip().rstrip(".")
    m = _VALUE.search(sentence)
    if not m or m.start() < 12 or _PRONOUN.match(sentence) or len(sentence.split()) > 30:
        return None
    end = sentence.find(" ", m.end())
    answer = complete(sentence[m.start() : end if end > 0 else len(sentence)].rstrip(".,"), sentence)
    start = sentence.find(answer)
    if date := _DAY_MONTH.match(sentence, start + len(answer)):
        answer += date.group()
    wh_date = bool(date)
    unit = answer[len(m.group()) :].split()
    if wh_date:
        wh = "which date"
    elif _CLOCK.fullmatch(m.group()):
        wh = "what time"
    elif unit and unit[0].isalpha() and unit[0].endswith("s") and len(unit) == 1:
        wh = f"how many {unit[0]}"
    elif re.fullmatch(r"1\d{3}|20\d{2}", m.group()):
        wh = "which year"
    else:
        wh = "how much" if not unit or unit[0].isupper() else "what"
    echo = sentence[:start] + wh + sentence[start + len(answer) :]
    echo = echo[0].upper() + echo[1:]
    words = [
        f"{echo}?",
        f"Quick question: {echo[0].lower()}{echo[1:]}?",
        f"Can you tell me: {echo[0].lower()}{echo[1:]}?",
    ]
    return Fact(f"{source}#{normalize(echo)[:60]}", answer, source, sentence, words)


def _answer_of(pred: str) -> str:
    """The value a predicate gives: its first number or date with its unit, else its first name, else the whole
    predicate when it is short."""
    if m := _VALUE.search(pred):
        end = pred.find(" ", m.end())
        token = pred[m.start() : end if end > 0 else len(pred)].rstrip(".,")
        return complete(token, pred)
    if spans := capitalised(pred, fragment=True):
        return pred[spans[0][0] : spans[0][1]]
    words = pred.split()
    return pred.strip() if 1 <= len(words) <= 5 else ""


def _named(subject: str) -> bool:
    """Does the subject open with a name ("Alderbrook Outfitters ...") rather than a common word ("The ...")?"""
    first = subject.split()[0]
    return first.lower() not in STOPWORDS and (len(subject.split()) > 1 and subject.split()[1][:1].isupper())


def near_misses(facts: list[Fact], rng: random.Random, limit: int) -> list[Item]:
    """Questions that look answerable but are not: a similar entity that does not exist (a word swapped between two
    real names), and a real entity asked for a field only other rows have."""
    records = [f for f in facts if f.entity]
    names = {f.entity.lower() for f in records}
    held = {(f.entity.lower(), f.field) for f in records}
    out: list[Item] = []
    for f in rng.sample(records, len(records)):
        if len(out) >= limit:
            break
        other = rng.choice(records)
        fake = _swap(f.entity, other.entity)
        if fake and fake.lower() not in names:
            q = RECORD_WORDINGS[TRAINED_WORDINGS].format(field=humanize(f.field), name=fake)
            out.append(Item(f"miss-{len(out)}", q, [], None, "test", "near-miss", meta={"why": "no such entity"}))
            continue
        if (f.entity.lower(), other.field) not in held and other.field != f.field:
            q = RECORD_WORDINGS[TRAINED_WORDINGS + 1].format(field=humanize(other.field), name=f.entity)
            out.append(Item(f"miss-{len(out)}", q, [], None, "test", "near-miss", meta={"why": "attribute it lacks"}))
    return out


def _swap(name: str, other: str) -> str:
    """`name` with one word taken from `other` ("Trailblazer 2 tent" + "Fjellheim 4 tent" → "Fjellheim 2 tent")."""
    a, b = name.split(), other.split()
    if len(a) < 2 or a == b:
        return ""
    for i, word in enumerate(a):
        if i < len(b) and b[i] != word and b[i].lower() not in STOPWORDS:
            return " ".join([*a[:i], b[i], *a[i + 1 :]])
    return ""


def build(
    facts: list[Fact],
    log: list[dict] | None = None,
    unseen: float = 0.2,
    log_test: float = 0.3,
    near_miss: float = 0.15,
    limit: int = 80,
    seed: int = 0,
) -> list[Item]:
    """The train and test items: at most `limit` facts, spread over the sources; of them a share `unseen` is only
    tested; the others train on their first wordings and are tested on another. A share `log_test` of the log is
    held out for the phrasing measure; near misses are about `near_miss` of the test questions."""
    rng = random.Random(seed)
    chosen = _spread(facts, limit, rng)
    cut = round(len(chosen) * unseen) if len(chosen) >= 5 else 0
    items: list[Item] = []
    for n, f in enumerate(chosen):
        if n < cut:
            items.append(Item(f"u{n}", f.wordings[-1], [f.answer], f.source, "test", "unseen-fact", f.id, f.context))
            continue
        for k, w in enumerate(f.wordings[:TRAINED_WORDINGS]):
            items.append(Item(f"t{n}.{k}", w, [f.answer], f.source, "train", "wording", f.id, f.context))
        tested = f.wordings[TRAINED_WORDINGS + n % max(1, len(f.wordings) - TRAINED_WORDINGS)]
        items.append(Item(f"w{n}", tested, [f.answer], f.source, "test", "wording", f.id, f.context))
    answerable = sum(i.split == "test" for i in items)
    items += near_misses(chosen, rng, round(answerable * near_miss / (1 - near_miss)))
    items += split_log(log or [], log_test, rng)
    return items


def _spread(facts: list[Fact], limit: int, rng: random.Random) -> list[Fact]:
    """At most `limit` facts, taken in turn from each source, in a seeded order."""
    by_source: dict[str, list[Fact]] = {}
    for f in facts:
        by_source.setdefault(f.source, []).append(f)
    for group in by_source.values():
        rng.shuffle(group)
    out: list[Fact] = []
    while len(out) < limit and any(by_source.values()):
        for group in by_source.values():
            if group and len(out) < limit:
                out.append(group.pop())
    rng.shuffle(out)
    return out


def split_log(log: list[dict], test_share: float, rng: random.Random) -> list[Item]:
    """The answered-questions log: most of it trains, a held-out share tests the phrasing."""
    order = rng.sample(range(len(log)), len(log))
    cut = max(1, round(len(log) * test_share)) if len(log) >= 4 else 0
    out = []
    for rank, n in enumerate(order):
        row = log[n]
        split = "test" if rank < cut else "train"
        out.append(Item(f"log{n}", row["question"], [row["answer"]], row.get("source"), split, "log"))
    return out


def read_log(path: Path) -> list[dict]:
    """A log of answered questions in the house's words: JSON Lines in any shape `ragtune data add` takes
    ({"question", "answer"}, chat messages, instruction/output); a bad line is one clear error."""
    from ragtune.finetune.data import read_jsonl

    rows = [r for r in read_jsonl(path) if r["answer"]]
    if not rows:
        raise RagtuneError(f"{path}: the log has no answered questions")
    return [{"question": r["question"].strip(), "answer": r["answer"].strip(), "source": r.get("source")} for r in rows]


def write(items: list[Item], path: Path) -> Path:
    """The set as editable JSON Lines, one item per line."""
    write_atomic(path, "".join(json.dumps(asdict(i), ensure_ascii=False) + "\n" for i in items))
    return path


def read(path: Path) -> list[Item]:
    """A set written by `write` (and perhaps edited by hand); a broken line is one clear error."""
    out = []
    for n, line in enumerate(read_utf8(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            item = Item(**row)
            if item.split not in ("train", "test") or item.kind not in KINDS or not isinstance(item.answers, list):
                raise ValueError(f"split must be train or test, kind one of {', '.join(KINDS)}, answers a list")
        except (json.JSONDecodeError, TypeError, ValueError) as exc:
            raise RagtuneError(f"{path}:{n}: not a test-set item ({exc})") from None
        out.append(item)
    return out
