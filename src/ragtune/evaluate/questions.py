"""Evaluation question sets: SQuAD JSON (v1.1, and v2.0 with `is_impossible`) and JSONL."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ragtune.errors import RagtuneError
from ragtune.files import read_utf8


@dataclass
class Question:
    id: str
    question: str
    answers: list[str]
    context: str | None = None  # the gold passage, when known (oracle arm)
    source: str | None = None  # the gold source file name, when known (citation precision, hit@k)
    impossible: bool = False
    meta: dict = field(default_factory=dict)


def load(path: Path) -> list[Question]:
    """Questions from a SQuAD JSON file or a JSONL file of {"question", "answers", "context"?, "source"?}."""
    text = read_utf8(path)
    if path.suffix == ".json":
        try:
            return squad(json.loads(text), path)
        except (json.JSONDecodeError, RecursionError, KeyError, TypeError, AttributeError) as exc:
            raise RagtuneError(f"{path}: not a readable SQuAD file ({type(exc).__name__}: {exc})") from None
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            answers = r.get("answers", [])
            if not isinstance(r["question"], str) or not isinstance(answers, list):
                raise TypeError("question must be a string and answers a list")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise RagtuneError(f'{path}:{n}: expected {{"question", "answers": [...]}} ({exc})') from None
        impossible = bool(r.get("impossible", not answers))
        meta = {"category": r["category"]} if "category" in r else {}
        qid = str(r.get("id", n))
        golds = [str(a) for a in answers]
        out.append(Question(qid, r["question"], golds, r.get("context"), r.get("source"), impossible, meta))
    return out


def sample(questions: list[Question], limit: int | None) -> list[Question]:
    """At most `limit` questions, evenly spread over the file (all of them when `limit` is None)."""
    if not limit or limit >= len(questions):
        return questions
    return questions[:: max(1, len(questions) // limit)][:limit]


def squad(data: dict, path: Path) -> list[Question]:
    """SQuAD v1.1 / v2.0; each paragraph's source is `p0000.txt`, `p0001.txt`, ... (see `paragraphs`)."""
    if "data" not in data:
        raise RagtuneError(f"{path}: not a SQuAD file (no 'data' key)")
    out, n = [], 0
    for article in data["data"]:
        for para in article["paragraphs"]:
            for qa in para["qas"]:
                answers = [a["text"] for a in qa.get("answers", [])]
                impossible = bool(qa.get("is_impossible", False))
                meta = {"title": article.get("title", "")}
                out.append(
                    Question(qa["id"], qa["question"], answers, para["context"], f"p{n:04d}.txt", impossible, meta)
                )
            n += 1
    return out


def paragraphs(path: Path) -> list[str]:
    """The contexts of a SQuAD file, in the order `squad` numbers them."""
    return [p["context"] for a in json.loads(path.read_text())["data"] for p in a["paragraphs"]]


def question_type(question: str) -> str:
    """what / who / when / where / which / why / how many / how (other) / other."""
    q = question.lower()
    for kind in ("how many", "how much", "who", "when", "where", "which", "why", "what", "how"):
        if kind in q.split("?")[0].split() or q.startswith(kind) or f" {kind} " in f" {q} ":
            return "how many/much" if kind in ("how many", "how much") else kind
    return "other"
