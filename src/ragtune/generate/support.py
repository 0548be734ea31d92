"""Lexical support checks: does a piece of evidence contain an answer? Which span of it is the answer?"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ragtune.text import STOPWORDS, TOKEN, content, stem, token_f1, tokens

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


def new_information(answer: str, question: str) -> str:
    """The answer's words that the question does not already contain ("The game was on May 5" → "May 5")."""
    asked = {stem(w) for w in tokens(question)}
    kept = [w for w in tokens(answer) if stem(w) not in asked and w not in STOPWORDS]
    return " ".join(kept)


def overlap(answer: str, evidence: str) -> float:
    """Share of the answer's content words found in the evidence."""
    a = content(tokens(answer)) or tokens(answer)
    if not a:
        return 0.0
    e = set(tokens(evidence))
    return sum(w in e for w in a) / len(a)


@dataclass
class Span:
    text: str
    f1: float


def best_span(answer: str, evidence: str, slack: int = 3) -> Span:
    """The span of `evidence` whose words best match `answer` (token F1), in the evidence's own wording."""
    a = tokens(answer)
    if not a:
        return Span("", 0.0)
    matches = list(TOKEN.finditer(evidence))
    words = [m.group().lower() for m in matches]
    best = Span("", 0.0)
    a_set = set(a)
    for i, w in enumerate(words):
        if w not in a_set:
            continue
        for j in range(i + 1, min(len(words), i + len(a) + slack) + 1):
            if words[j - 1] not in a_set:
                continue
            f1 = token_f1(words[i:j], a)
            if f1 > best.f1:
                best = Span(evidence[matches[i].start() : matches[j - 1].end()], f1)
    return best
