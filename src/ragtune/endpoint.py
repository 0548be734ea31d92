"""OpenAI-compatible endpoints: the `openai:MODEL@BASE_URL` spec and the HTTP client both backends share."""

from __future__ import annotations

import httpx


def split_endpoint(spec: str) -> tuple[str, str]:
    """`openai:MODEL@BASE_URL` → (MODEL, BASE_URL)."""
    model, _, url = spec.removeprefix("openai:").partition("@")
    return model, url or "http://127.0.0.1:8000/v1"


def endpoint_client(base_url: str, api_key: str | None, timeout: float) -> httpx.Client:
    """An HTTP client for an OpenAI-compatible server (bearer auth; a placeholder key for local servers)."""
    return httpx.Client(base_url=base_url, timeout=timeout, headers={"Authorization": f"Bearer {api_key or 'none'}"})
