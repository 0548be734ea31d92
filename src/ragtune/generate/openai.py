"""Any OpenAI-compatible chat endpoint: vLLM, Ollama, llama.cpp server, OpenAI, or another ragtune."""

from __future__ import annotations

from ragtune.config import EndpointConfig
from ragtune.endpoint import bounded_map, call, endpoint_client, redact
from ragtune.generate.base import cut_at_stop


class OpenAIChat:
    """Sends each prompt as one user message to `/chat/completions` (greedy, a few in flight at once)."""

    def __init__(self, model: str, base_url: str, config: EndpointConfig | None = None):
        self.config = config or EndpointConfig()
        self.name = redact(f"openai:{model}@{base_url}")
        self.model = model
        self.base_url = base_url
        self.client = endpoint_client(base_url, self.config)

    def complete(
        self, prompts: list[str], max_new_tokens: int = 64, stop: list[str] | None = None, chat: bool = True
    ) -> list[str]:
        def one(prompt: str) -> str:
            resp = call(
                self.base_url,
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

        return bounded_map(one, prompts, self.config.concurrency)
