"""One typed configuration, overridable from the environment."""

from __future__ import annotations

from ragtune.config import Settings


def test_environment_overrides_nested_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("RAGTUNE_STORE", str(tmp_path))
    monkeypatch.setenv("RAGTUNE_RETRIEVE__TOP_K", "9")
    monkeypatch.setenv("RAGTUNE_ANSWER__READER", "generate")
    s = Settings()
    assert s.store == tmp_path and s.retrieve.top_k == 9 and s.answer.reader == "generate"


def test_defaults_are_the_bundled_models():
    s = Settings()
    assert (s.llm, s.embedder, s.vector_store, s.retrieve.mode) == ("smollm2", "minilm", "lancedb", "hybrid")
