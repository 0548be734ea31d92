"""Any OpenAI-compatible chat endpoint: vLLM, Ollama, llama.cpp server, OpenAI."""

from __future__ import annotations

import httpx

from ragtune.endpoint import endpoint_client
from ragtune.errors import ModelError
from ragtune.generate.base import cut_at_stop


class OpenAIChat:
    """Sends each prompt as one user message to `/chat/completions`."""

    def __init__(self, model: str, base_url: str, api_key: str | None = None, timeout: float = 120):
        self.name = f"openai:{model}@{base_url}"
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.client = endpoint_client(self.base_url, api_key, timeout)

    def complete(
        self, prompts: list[str], max_new_tokens: int = 64, stop: list[str] | None = None, chat: bool = True
    ) -> list[str]:
        out = []
        for prompt in prompts:
            body = {"model": self.model, "messages": [{"role": "user", "content": prompt}],
                    "max_tokens": max_new_tokens, "temperature": 0}  # fmt: skip
            if stop:
                body["stop"] = stop
            try:
                resp = self.client.post("/chat/completions", json=body)
                resp.raise_for_status()
                text = resp.json()["choices"][0]["message"]["content"] or ""
            except (httpx.HTTPError, KeyError, IndexError, ValueError) as exc:
                raise ModelError(f"chat endpoint {self.base_url} failed: {exc}") from exc
            out.append(cut_at_stop(text, stop).strip())
        return out
