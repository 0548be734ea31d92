"""Any OpenAI-compatible chat endpoint: vLLM, Ollama, llama.cpp server, OpenAI, or another ragtune."""

from __future__ import annotations

from ragtune.endpoint import Endpoint
from ragtune.models.base import cut_at_stop


class OpenAIChat(Endpoint):
    """Sends each prompt as one user message to `/chat/completions` (greedy, a few in flight at once)."""

    def complete(
        self, prompts: list[str], max_new_tokens: int = 64, stop: list[str] | None = None, chat: bool = True
    ) -> list[str]:
        def one(prompt: str) -> str:
            resp = self.call(
                lambda: self.client.chat.completions.create(
                    model=self.model,
                    messages=[{"role": "user", "content": prompt}],
                    max_tokens=max_new_tokens,
                    temperature=0,
                    stop=stop or None,
                ),
            )
            text = resp.choices[0].message.content if resp.choices else ""
            return cut_at_stop(text or "", stop).strip()

        return self.map(one, prompts)
