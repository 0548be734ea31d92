"""Evidence: the sentences (or table rows) of retrieved passages that best answer a question, scored by their
closeness to it, the question's words they share and their passage's rank. Text that talks to the model instead
of about the world is never evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ragtune.retrieve.base import Passage, SearchResult
from ragtune.text import content, tokens

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
