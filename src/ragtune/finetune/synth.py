"""Training data from the ingested corpus: templated questions for records, model-written ones for prose, RAFT."""

from __future__ import annotations

import json
import random
import re
from typing import TYPE_CHECKING

from ragtune.generate.support import overlap
from ragtune.index.base import Filter
from ragtune.prompts import render
from ragtune.text import normalize, sentences

if TYPE_CHECKING:
    from ragtune.index.base import VectorStore
    from ragtune.retrieve.retriever import Retriever

RECORD_TEMPLATES = (
    "What is the {field} of {name}?",
    "What {field} does {name} have?",
    "Tell me the {field} of {name}.",
    "{name}: what is its {field}?",
)
NAME_FIELDS = ("name", "title", "product", "city", "label", "description")
_QA = re.compile(r"Question:\s*(?P<q>.+?)\s*\n+\s*Answer:\s*(?P<a>.+)", re.S)


def humanize(field: str) -> str:
    return field.replace("_", " ").replace(".", " ").strip()


def name_of(record: dict) -> tuple[str, str]:
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
        key, name = name_of(rec)
        for field, value in rec.items():
            if field == key or value in (None, ""):
                continue
            for template in RECORD_TEMPLATES[: max(1, paraphrases)]:
                question = template.format(field=humanize(field), name=name)
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
    return {
        "question": question,
        "answer": answer,
        "context": chunk["text"],
        "source": chunk["source"],
        "locator": chunk["locator"],
        "chunk_id": chunk["id"],
        "access": chunk.get("access") or "",  # the document's groups: a model trained on it inherits them
    }


def dedupe(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for r in rows:
        key = normalize(r["question"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def from_corpus(store: VectorStore, llm=None, paraphrases: int = 3, max_prose: int = 200, seed: int = 0) -> list[dict]:
    """Question/answer pairs for every structured record and (with a model) for prose chunks."""
    chunks = store.rows([Filter.eq("kind", "chunk")])
    structured = [c for c in chunks if c["records"] not in ("", "[]")]
    prose = [c for c in chunks if c["records"] in ("", "[]")]
    rows = [ex for c in structured for ex in record_questions(c, paraphrases)]
    if llm is not None and prose:
        random.Random(seed).shuffle(prose)
        rows += prose_questions(llm, prose[:max_prose], paraphrases)
    return dedupe(rows)


def raft(retriever: Retriever, rows: list[dict], p_oracle: float = 0.8, seed: int = 0) -> list[dict]:
    """RAFT examples in the reader's own prompt: the evidence ragtune retrieves for the question.

    With probability `p_oracle` the oracle sentence (the one holding the answer) is among the evidence and the
    target is "answer [n]"; otherwise every sentence holding the answer is taken out and the target abstains,
    as it does for unanswerable rows. So the reader learns to quote, to cite by number and to abstain.
    """
    from ragtune.generate.answer import NOT_FOUND, Answerer
    from ragtune.retrieve.evidence import Evidence
    from ragtune.retrieve.retriever import Passage

    rng = random.Random(seed)
    out = []
    for r, found in zip(rows, retriever.retrieve([r["question"] for r in rows]), strict=True):
        evidence, answer = found.evidence, r["answer"]
        holds = [e for e in evidence if answer and _holds(e.text, answer)]
        if answer and rng.random() >= p_oracle:
            evidence, answer = [e for e in evidence if e not in holds], ""
        elif answer and not holds:
            oracle = _oracle(r, answer)
            if oracle is None:
                continue
            passage = Passage("oracle", "", r.get("source") or "", "", r["context"], 0.0, 0.0)
            evidence = evidence[: max(0, len(evidence) - 1)]
            evidence.insert(rng.randrange(len(evidence) + 1), Evidence(oracle, passage, 0.0))
        if not evidence:
            continue
        cited = next((n for n, e in enumerate(evidence, 1) if answer and _holds(e.text, answer)), 0)
        target = f"{answer} [{cited}]" if answer else NOT_FOUND
        prompt = Answerer.generate_prompt(r["question"], evidence, found.summaries)
        out.append({"question": r["question"], "answer": answer, "prompt": prompt, "target": target})
    return out


def _holds(text: str, answer: str) -> bool:
    return normalize(answer) in normalize(text)


def _oracle(row: dict, answer: str) -> str | None:
    """The context's sentence that holds the answer."""
    return next((s for s in sentences(row.get("context") or "") if _holds(s, answer)), None)
