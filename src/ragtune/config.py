"""One typed configuration for ragtune, read from defaults, `RAGTUNE_*` environment variables and code."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    """Where ragtune keeps extracted and converted models (not the store)."""
    return Path.home() / ".cache" / "ragtune"


class ChunkConfig(BaseModel):
    """How documents are cut into chunks (sizes in embedder tokens)."""

    size: int = Field(200, ge=16, le=8192)
    overlap: int = Field(40, ge=0, le=4096)
    record_size: int = Field(160, ge=16, le=8192)
    summary_sentences: int = Field(3, ge=0, le=50)
    summarizer: Literal["extractive", "llm"] = "extractive"  # llm: the configured SLM writes it
    batch: int = Field(512, ge=1)  # rows (chunks, sentences, summaries) embedded and written per store transaction
    workers: int = Field(0, ge=0, le=256)  # parsing processes; 0: one per core (at most 8) from 32 files, 1: none
    max_file_mb: float = Field(100.0, gt=0)  # larger files are refused before they are read
    max_chunks: int = Field(5_000, ge=1)  # chunks kept per file (~1M tokens); the rest is dropped with a warning


class RetrieveConfig(BaseModel):
    """How chunks are found."""

    mode: Literal["dense", "bm25", "hybrid"] = "hybrid"
    top_k: int = Field(5, ge=1, le=1000)
    candidates: int = Field(40, ge=1, le=10_000)
    rrf_k: int = Field(60, ge=1)
    weights: dict[str, float] = Field(default_factory=lambda: {"bm25": 1.5, "dense": 1.0, "sentence": 1.0})
    ann_threshold: int = Field(10_000, ge=0)  # a table (chunks, sentences) gets an ANN index from this many rows


class AnswerConfig(BaseModel):
    """How the answer is built, checked and cited."""

    # auto: the trained reader (`adapter`); span: a span reader; extract: SLM picks a span; generate: writes, snapped
    reader: Literal["auto", "span", "extract", "generate"] = "auto"
    # auto without a trained reader: a local model of at least this many parameters writes its answer (generate);
    # a smaller one picks a span (extract). Measured on SQuAD training questions: SmolLM2-135M extracts better
    # (F1 0.38 vs 0.14), Qwen2.5-Coder-1.5B writes better (0.63 vs 0.55).
    generate_from: float = Field(1e9, ge=0)
    evidence_sentences: int = Field(5, ge=1, le=100)
    span_passages: int = Field(3, ge=1, le=50)  # passages a span reader reads (those holding the best evidence)
    candidates: int = Field(32, ge=1, le=1000)
    max_new_tokens: int = Field(48, ge=1, le=4096)
    # below this best evidence score, abstain before reading: only for evidence barely about the question (at
    # 0.5, paraphrases lost their answers: "when does the malt contract expire" scored 0.46 on its sentence)
    min_relevance: float = Field(0.3, ge=-1.0, le=2.0)
    # a retrieved row or sentence steers the route (a row read for its field, a sentence that answers better than
    # SQL) only from this evidence score up: below it, an unanswerable table question found a row to answer
    route_relevance: float = Field(0.5, ge=-1.0, le=2.0)
    min_support: float = Field(0.5, ge=0.0, le=1.0)  # share of answer content words found in the cited evidence
    adapter: str = "bundled"  # the reader: bundled (the package's trained reader for the model) | none | store name
    abstain_threshold: float | None = None  # no-answer score above which to abstain; None: the reader's fitted one
    prompt: str = "answer"
    # which field of a named table row answers: read by the bundled span reader (trained on records too), with
    # the field names' word match as a second opinion; or "words": the word match alone
    field_reader: Literal["span", "words"] = "span"
    # the field reader's no-answer score above which it found no field of a row; None: the one fitted for the reader
    record_threshold: float | None = None
    # model: abstain when the evidence leaves out the question's specific terms (the fitted near-miss model in
    # retrieve/nearmiss.json); off: record what it leaves out (`Answer.coverage`) but answer all the same
    near_miss: Literal["model", "off"] = "model"
    # a second reading (generate/check.py): this model says whether the evidence answers exactly the question, and
    # its doubt decides whether a prose or table-row answer stands, in place of the span reader's threshold; "none":
    # no check. The bundled qwen2.5-coder-1.5b has a threshold fitted on the wording bench's dev part.
    check: str = "none"
    check_threshold: float | None = None  # doubt (log P(no) - log P(yes)) above which to abstain; None: the fitted
    # the LoRA adapter the check's yes or no is read with: bundled (the one the package ships for the model, trained
    # by bench/train_check.py; zero-shot where there is none) | none (the model zero-shot) | a folder
    check_adapter: str = "bundled"
    # auto: the check model runs in bfloat16 on a CPU that computes it natively (AMX or AVX512-BF16; 3× faster for
    # qwen2.5-coder-1.5b here, docs/answers.md), else float32; float32: always float32 on a CPU
    check_precision: Literal["auto", "float32"] = "auto"


class EndpointConfig(BaseModel):
    """How ragtune calls an OpenAI-compatible endpoint (`openai:MODEL@URL` models and embedders)."""

    api_key: SecretStr | None = None  # RAGTUNE_ENDPOINT__API_KEY; else OPENAI_API_KEY; else none (local servers)
    timeout_s: float = Field(120.0, gt=0, le=3600)
    max_retries: int = Field(4, ge=0, le=20)  # on connection errors, 408, 409, 429 and 5xx, with backoff
    concurrency: int = Field(4, ge=1, le=256)  # requests in flight at once


class ServeConfig(BaseModel):
    """`ragtune serve`: limits of the HTTP server."""

    queue_limit: int = Field(8, ge=1, le=10_000)  # model calls waiting or running; more get 503 + Retry-After
    max_upload_mb: float = Field(50.0, gt=0, le=10_000)  # per uploaded file
    batch_window_ms: float = Field(15.0, ge=0, le=1000)  # how long a question waits for others to share a batch
    max_batch: int = Field(8, ge=1, le=256)
    audit_max_mb: float = Field(10.0, gt=0, le=100_000)  # the audit log moves to audit.jsonl.1 at this size
    audit_backups: int = Field(5, ge=1, le=1000)  # rotated audit files kept


class Settings(BaseSettings):
    """All ragtune settings. Environment: RAGTUNE_STORE, RAGTUNE_LLM, RAGTUNE_ANSWER__MIN_RELEVANCE, ..."""

    model_config = SettingsConfigDict(env_prefix="RAGTUNE_", env_nested_delimiter="__")

    store: Path = Path(".ragtune")
    home: Path = Field(default_factory=default_home)
    vector_store: str = "lancedb"  # lancedb (embedded) | postgresql://… | milvus://… | a plugin's scheme
    embedder: str = "minilm"  # minilm | a sentence-transformers name/path | openai:<model>@<base_url>
    llm: str = "smollm2"  # smollm2 | hub id | folder | file.gguf | openai:<model>@<base_url>
    api_key: SecretStr | None = None  # RAGTUNE_API_KEY: the bearer key `ragtune serve` requires
    device: Literal["cpu", "cuda"] | None = None  # default: cuda when available
    chunk: ChunkConfig = Field(default_factory=ChunkConfig)
    retrieve: RetrieveConfig = Field(default_factory=RetrieveConfig)
    answer: AnswerConfig = Field(default_factory=AnswerConfig)
    endpoint: EndpointConfig = Field(default_factory=EndpointConfig)
    serve: ServeConfig = Field(default_factory=ServeConfig)
