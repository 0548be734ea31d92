"""Model spec string → LLM backend."""

from __future__ import annotations

from hashlib import sha1
from pathlib import Path

from ragtune.config import Settings
from ragtune.endpoint import split_endpoint
from ragtune.errors import RagtuneError
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


def create_reader(settings: Settings, llm: LLM, folder: Path | None = None) -> LLM:
    """`llm` with a trained reader adapter: `folder` (one laid out as `bench/train_reader.py` writes it), else the
    package's for the model (generate/readers/<model>/), if there is one."""
    import json

    from ragtune.generate.models import bundled_reader

    folder = folder or bundled_reader(settings.llm)
    if folder is None:
        return llm
    if not hasattr(llm, "adapted"):
        raise RagtuneError(f"answer.adapter {folder}: model {llm.name} cannot take a LoRA adapter")
    key = f"reader_{sha1(str(folder.resolve()).encode()).hexdigest()[:10]}"  # one view per reader folder
    reader = llm.adapted(str(folder), key)  # a local model: one copy of the weights for it and its reader
    reader.name = f"{settings.llm}+reader"
    reader.raft = True
    fitted = folder / "abstain.json"
    reader.abstain_threshold = json.loads(fitted.read_text())["threshold"] if fitted.exists() else None
    return reader


def reader_available(settings: Settings) -> bool:
    """Is there a trained reader for the ft+rag arm without naming an adapter (checked without loading it)?"""
    from ragtune.generate.models import bundled_reader

    spec = settings.answer.adapter
    return spec != "none" and (spec != "bundled" or bundled_reader(settings.llm) is not None)
