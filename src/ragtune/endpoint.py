"""OpenAI-compatible endpoints: the `openai:MODEL@BASE_URL` spec and the client both backends share.

The client is the official `openai` SDK: retries with exponential backoff (honouring Retry-After) on
connection errors, 408, 409, 429 and 5xx; a timeout per request; and `call` turns its errors into one line.
Requests of one batch run at most `concurrency` at a time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from ragtune.errors import ModelError

if TYPE_CHECKING:
    import openai

    from ragtune.config import EndpointConfig

T = TypeVar("T")
R = TypeVar("R")


def split_endpoint(spec: str) -> tuple[str, str]:
    """`openai:MODEL@BASE_URL` → (MODEL, BASE_URL)."""
    model, _, url = spec.removeprefix("openai:").partition("@")
    return model, (url or "http://127.0.0.1:8000/v1").rstrip("/")


def redact(text: str) -> str:
    """`text` with any `user:password@` in URLs replaced, for names, logs and results."""
    return re.sub(r"(://)[^/@\s]+@", r"\1***@", text)


def endpoint_client(base_url: str, config: EndpointConfig) -> openai.OpenAI:
    """An `openai.OpenAI` client for `base_url` (a placeholder key for local servers that need none)."""
    import openai

    key = config.api_key.get_secret_value() if config.api_key else os.environ.get("OPENAI_API_KEY", "none")
    return openai.OpenAI(base_url=base_url, api_key=key, timeout=config.timeout_s, max_retries=config.max_retries)


def call(base_url: str, fn: Callable[[], R]) -> R:
    """Run one SDK call; its failure becomes a one-line ModelError naming the endpoint (never the key)."""
    import openai

    base_url = redact(base_url)
    try:
        return fn()
    except openai.APIConnectionError as exc:
        kind = "timed out" if isinstance(exc, openai.APITimeoutError) else "is unreachable"
        raise ModelError(f"endpoint {base_url} {kind} (after retries); is the server running?") from None
    except openai.APIStatusError as exc:
        raise ModelError(f"endpoint {base_url} answered {exc.status_code}: {_message(exc)}") from None
    except openai.OpenAIError as exc:
        raise ModelError(f"endpoint {base_url} failed: {type(exc).__name__}") from None


def _message(exc) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    err = body.get("error", body)
    text = err.get("message") if isinstance(err, dict) else None
    return str(text or exc.message).splitlines()[0][:200]


def bounded_map(fn: Callable[[T], R], items: Sequence[T], concurrency: int) -> list[R]:
    """`[fn(x) for x in items]` with at most `concurrency` calls in flight, in order."""
    if len(items) <= 1 or concurrency <= 1:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(min(concurrency, len(items)), thread_name_prefix="ragtune-endpoint") as pool:
        return list(pool.map(fn, items))


class Endpoint:
    """One OpenAI-compatible endpoint: its model, address, redacted name, settings and SDK client; the chat and
    embedding back-ends are both one."""

    def __init__(self, model: str, base_url: str, config: EndpointConfig | None = None):
        from ragtune.config import EndpointConfig

        self.config = config or EndpointConfig()
        self.name = redact(f"openai:{model}@{base_url}")
        self.model = model
        self.base_url = base_url
        self.client = endpoint_client(base_url, self.config)

    def call(self, fn: Callable[[], R]) -> R:
        return call(self.base_url, fn)

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        return bounded_map(fn, items, self.config.concurrency)
