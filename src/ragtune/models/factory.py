"""Model spec string → LLM backend."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from hashlib import sha1
from pathlib import Path

from ragtune.config import Settings
from ragtune.endpoint import split_endpoint
from ragtune.errors import RagtuneError
from ragtune.models.base import LLM


def create_llm(spec: str, settings: Settings, adapter: str | None = None, cpu_bf16: bool = False) -> LLM:
    """`smollm2` (bundled), a hub id, a folder, a `.gguf` file, or `openai:MODEL@BASE_URL`. With `cpu_bf16`, a local
    model runs in bfloat16 on a CPU that computes it natively (`hf.pick_dtype`)."""
    if spec.startswith("openai:"):
        from ragtune.models.openai import OpenAIChat

        if adapter:
            raise ValueError("adapters apply to local models only; serve the merged model behind the endpoint")
        return OpenAIChat(*split_endpoint(spec), settings.endpoint)
    from ragtune.models.bundled import resolve
    from ragtune.models.hf import HFModel

    return HFModel(resolve(spec, settings.home), spec, settings.device, adapter, cpu_bf16)


def default_reader(settings: Settings) -> Path | None:
    """The package's reader for `answer.adapter = bundled`: for the small bundled models, the span reader (under
    reader `auto` or `span`) else the model's RAFT reader; for any other model (a bundled one that writes its own
    answers too), the span reader only under `span`."""
    from ragtune.models.bundled import BUNDLED, bundled_reader, bundled_span_reader

    mode = settings.answer.reader
    small = settings.llm in BUNDLED and not BUNDLED[settings.llm].writes
    wants_span = mode == "span" or (mode == "auto" and small)
    if wants_span and (span := bundled_span_reader()):
        return span
    return bundled_reader(settings.llm)


@cache
def load_span_reader(folder: Path, home: Path | None = None):
    """A span reader folder, loaded once per process (the encoder is small and read-only); with `home`, through
    its ONNX export kept there."""
    from ragtune.models.span import SpanReader

    return SpanReader(folder.resolve(), home)


def is_endpoint(spec: str) -> bool:
    """Whether a model spec names a model behind an OpenAI-compatible endpoint (not a local one)."""
    return spec.startswith("openai:")


def create_reader(settings: Settings, base: Callable[[], LLM], folder: Path | None = None) -> LLM:
    """The trained reader: a span reader folder (bench/train_span.py), or the LLM (`base()`, loaded only then)
    with a RAFT reader adapter (bench/train_reader.py); `folder`, else the package's (`default_reader`), else the
    LLM itself."""
    import json

    from ragtune.models.span import is_span_folder

    folder = folder or default_reader(settings)
    if folder is None:
        return base()
    if is_span_folder(folder):
        if settings.answer.reader in ("extract", "generate"):
            raise RagtuneError(f"answer.adapter {folder} is a span reader; set answer.reader to auto or span")
        return load_span_reader(folder, settings.home)
    llm = base()
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
    spec = settings.answer.adapter
    return spec != "none" and (spec != "bundled" or default_reader(settings) is not None)
