"""Model spec string → LLM backend."""

from __future__ import annotations

from ragtune.config import Settings
from ragtune.endpoint import split_endpoint
from ragtune.generate.base import LLM


def create_llm(spec: str, settings: Settings, adapter: str | None = None) -> LLM:
    """`smollm2` (bundled), a hub id, a folder, a `.gguf` file, or `openai:MODEL@BASE_URL`."""
    if spec.startswith("openai:"):
        from ragtune.generate.openai import OpenAIChat

        if adapter:
            raise ValueError("adapters apply to local models only; serve the merged model behind the endpoint")
        return OpenAIChat(*split_endpoint(spec), settings.endpoint)
    from ragtune.generate.hf import HFModel
    from ragtune.generate.models import resolve

    return HFModel(resolve(spec, settings.home), spec, settings.device, adapter)
