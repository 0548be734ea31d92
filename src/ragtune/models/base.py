"""The language-model interface: complete prompts, stop at stop strings."""

from __future__ import annotations

from typing import Protocol


class LLM(Protocol):
    """A text-completion model. `complete` takes a batch and returns one completion per prompt.

    With `chat=True` each prompt is sent as a user message in the model's chat format.
    """

    name: str

    def complete(
        self, prompts: list[str], max_new_tokens: int = 64, stop: list[str] | None = None, chat: bool = False
    ) -> list[str]: ...


def cut_at_stop(text: str, stop: list[str] | None) -> str:
    """Text up to the first stop string."""
    for s in stop or []:
        i = text.find(s)
        if i >= 0:
            text = text[:i]
    return text
