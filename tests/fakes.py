"""Fake implementations of the model Protocols, for fast unit tests of what surrounds the models."""

from __future__ import annotations

import zlib

import numpy as np

from ragtune.models.span import Span, SpanReader


class FakeLLM:
    """An `LLM` that records its prompts and answers from a script (no `score`: it reads like an endpoint)."""

    name = "fake"

    def __init__(self, *replies: str):
        self.replies = list(replies) or [""]
        self.prompts: list[str] = []
        self.chat: list[bool] = []

    def complete(self, prompts, max_new_tokens=64, stop=None, chat=False):
        self.prompts += prompts
        self.chat.append(chat)
        first = len(self.prompts) - len(prompts)
        return [self.replies[min(first + i, len(self.replies) - 1)] for i in range(len(prompts))]


class FakeReader(FakeLLM):
    """A trained reader's fake: it writes its answer (`raft`) and scores replies; `scores` maps a reply to its
    log-probability."""

    raft = True

    def __init__(self, *replies: str, scores: dict[str, float] | None = None):
        super().__init__(*replies)
        self.scores = scores or {}

    def complete(self, prompts, max_new_tokens=64, stop=None, chat=False, avoid=None):
        self.avoided = avoid
        return super().complete(prompts, max_new_tokens, stop, chat)

    def score(self, prefix, options, chat=False):
        return [(self.scores.get(o, -50.0), max(1, len(o.split()))) for o in options]


class FakeSpanReader(SpanReader):
    """A span reader's fake: the first passage holding `answer` gives it with `score`; "no answer" scores `null`."""

    def __init__(self, answer: str, score: float = 5.0, null: float = 0.0):
        self.answer, self.score, self.null = answer, score, null
        self.name, self.abstain_threshold, self.evidence_weight = "fake-span", None, 0.0
        self.read_passages: list[list[str]] = []

    def read(self, question, passages, per_passage=1):
        self.read_passages.append(passages)
        hits = [(n, p.find(self.answer)) for n, p in enumerate(passages) if self.answer in p]
        return [Span(self.answer, n, at, at + len(self.answer), self.score, self.null) for n, at in hits[:1]]


class FakeEmbedder:
    """An `Embedder` without a model: hashed bag-of-words unit vectors, MiniLM's tokenizer for chunk sizes;
    `texts` records what it was asked to embed."""

    name, dim = "fake-embedder", 64

    def __init__(self):
        from ragtune.index.embedders import approximate_tokenizer

        self.tokenizer = approximate_tokenizer()
        self.texts: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in zip(out, texts, strict=True):
            for word in text.lower().split():
                row[zlib.crc32(word.encode()) % self.dim] += 1.0
            row /= max(float(np.linalg.norm(row)), 1e-9)
        return out

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)
