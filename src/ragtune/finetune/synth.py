"""Training data from the ingested corpus: templated questions for records, model-written ones for prose, RAFT."""

from __future__ import annotations

import json
import random
import re

from ragtune.generate.prompts import render
from ragtune.generate.support import overlap
from ragtune.index.base import Filter
from ragtune.text import normalize, sentences

RECORD_TEMPLATES = (
    "What is the {field} of {name}?",
    "What {field} does {name} have?",
    "Tell me the {field} of {name}.",
    "{name}: what is its {field}?",
)
NAME_FIELDS = ("name", "title", "product", "city", "label", "description")
_QA = re.compile(r"Question:\s*(?P<q>.+?)\s*\n+\s*Answer:\s*(?P<a>.+)", re.S)


def _humanize(field: str) -> str:
    return field.replace("_", " ").replace(".", " ").strip()


def _name_of(record: dict) -> tuple[str, str]:
    """The field that names a record (its `name`, else its first text field)."""
    for key in record:
        if key.lower() in NAME_FIELDS and isinstance(record[key], str) and record[key].strip():
            return key, record[key]
    key = next(iter(record))
    return key, str(record[key])


def record_questions(chunk: dict, paraphrases: int) -> list[dict]:
    """Questions about every field of every record in a structured chunk, in several wordings."""
    out = []
    for rec in json.loads(chunk["records"] or "[]"):
        if len(rec) < 2:
            continue
        key, name = _name_of(rec)
        for field, value in rec.items():
            if field == key or value in (None, ""):
                continue
            for template in RECORD_TEMPLATES[: max(1, paraphrases)]:
                question = template.format(field=_humanize(field), name=name)
                out.append(_example(question[0].upper() + question[1:], str(value), chunk))
    return out


def prose_questions(llm, chunks: list[dict], paraphrases: int) -> list[dict]:
    """The model writes a question and answer per chunk, then rewordings; only answers found in the chunk stay."""
    prompts = [render("qa-from-text", text=c["text"][:1200]) for c in chunks]
    out = []
    for chunk, reply in zip(chunks, llm.complete(prompts, 80, None, chat=True), strict=True):
        m = _QA.search(reply)
        if not m:
            continue
        question, answer = m["q"].strip().splitlines()[0], m["a"].strip().splitlines()[0].strip(" .")
        if not useful(question, answer, chunk["text"]):
            continue
        out.append(_example(question, answer, chunk))
        if paraphrases > 1:
            rewrites = llm.complete([render("paraphrase", question=question)] * 1, 40, ["\n"], chat=True)
            out += [_example(r.strip(), answer, chunk) for r in rewrites if r.strip().endswith("?")]
    return out


def useful(question: str, answer: str, text: str) -> bool:
    """Quality filter: the answer is in the text, the question is a real question and does not give it away."""
    return (
        question.endswith("?")
        and len(question.split()) >= 4
        and normalize(answer) != ""
        and normalize(answer) in normalize(text)
        and overlap(answer, question) < 1.0
    )


def _example(question: str, answer: str, chunk: dict) -> dict:
    return {"question": question, "answer": answer, "context": chunk["text"], "source": chunk["source"],
            "locator": chunk["locator"], "chunk_id": chunk["id"]}  # fmt: skip


def dedupe(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for r in rows:
        key = normalize(r["question"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def from_corpus(ws, llm=None, paraphrases: int = 3, max_prose: int = 200, seed: int = 0) -> list[dict]:
    """Question/answer pairs for every structured record and (with a model) for prose chunks."""
    chunks = ws.store.rows([Filter.eq("kind", "chunk")])
    structured = [c for c in chunks if c["records"] not in ("", "[]")]
    prose = [c for c in chunks if c["records"] in ("", "[]")]
    rows = [ex for c in structured for ex in record_questions(c, paraphrases)]
    if llm is not None and prose:
        random.Random(seed).shuffle(prose)
        rows += prose_questions(llm, prose[:max_prose], paraphrases)
    return dedupe(rows)


def raft(ws, rows: list[dict], distractors: int = 4, p_oracle: float = 0.8, seed: int = 0) -> list[dict]:
    """RAFT examples: the question with the oracle chunk (with probability P) among retrieved distractors;
    the target quotes the evidence, then answers."""
    rng = random.Random(seed)
    out = []
    for r in rows:
        oracle = r.get("context")
        if not oracle:
            continue
        found = ws.search(r["question"], top_k=distractors + 2).passages
        docs = [p.text for p in found if p.text != oracle and p.id != r.get("chunk_id")][:distractors]
        if rng.random() < p_oracle:
            docs.append(oracle)
        rng.shuffle(docs)
        quote = max(sentences(oracle) or [oracle], key=lambda s: overlap(r["answer"], s))
        out.append({"question": r["question"], "answer": r["answer"], "documents": docs,
                    "target": render("raft-target", quote=quote.strip(), answer=r["answer"]).rstrip("\n")})  # fmt: skip
    return out
