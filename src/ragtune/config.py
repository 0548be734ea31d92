"""One typed configuration for ragtune, read from defaults, `RAGTUNE_*` environment variables and code."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    """Where ragtune keeps extracted and converted models (not the store)."""
    return Path.home() / ".cache" / "ragtune"


class ChunkConfig(BaseModel):
    """How documents are cut into chunks (sizes in embedder tokens)."""

    size: int = 200
    overlap: int = 40
    record_size: int = 160
    summary_sentences: int = 3
    summarizer: str = "extractive"  # extractive (title, first sentences, schemas) | llm (the configured SLM writes it)
    batch: int = 512  # chunks embedded and written per store transaction


class RetrieveConfig(BaseModel):
    """How chunks are found."""

    mode: str = "hybrid"  # dense | bm25 | hybrid
    top_k: int = 5
    candidates: int = 40
    rrf_k: int = 60
    weights: dict[str, float] = Field(default_factory=lambda: {"bm25": 1.5, "dense": 1.0, "sentence": 1.0})
    ann_threshold: int = 50_000  # build an ANN vector index above this many chunks


class AnswerConfig(BaseModel):
    """How the answer is built, checked and cited."""

    reader: str = "auto"  # extract (SLM picks an evidence span) | generate (SLM writes, snapped to evidence) | auto
    evidence_sentences: int = 5
    candidates: int = 32
    max_new_tokens: int = 48
    min_relevance: float = 0.5  # below this best evidence score: abstain (keeps 98 % answerable, 2 % off-topic)
    min_support: float = 0.5  # share of answer content words found in the cited evidence
    prompt: str = "answer"


class Settings(BaseSettings):
    """All ragtune settings. Environment: RAGTUNE_STORE, RAGTUNE_LLM, RAGTUNE_ANSWER__MIN_RELEVANCE, ..."""

    model_config = SettingsConfigDict(env_prefix="RAGTUNE_", env_nested_delimiter="__")

    store: Path = Path(".ragtune")
    home: Path = Field(default_factory=default_home)
    vector_store: str = "lancedb"  # lancedb (embedded); server backends plug into index/factory.py
    embedder: str = "minilm"  # minilm | a sentence-transformers name/path | openai:<model>@<base_url>
    llm: str = "smollm2"  # smollm2 | hub id | folder | file.gguf | openai:<model>@<base_url>
    api_key: str | None = None
    device: str | None = None  # cpu | cuda; default: cuda when available
    chunk: ChunkConfig = Field(default_factory=ChunkConfig)
    retrieve: RetrieveConfig = Field(default_factory=RetrieveConfig)
    answer: AnswerConfig = Field(default_factory=AnswerConfig)
