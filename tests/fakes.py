"""Fake implementations of the model Protocols, for fast unit tests of what surrounds the models."""

from __future__ import annotations


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
