"""`ragtune serve`: one store behind an OpenAI-compatible HTTP API (FastAPI), plus ragtune's own routes.

Models (one per arm): `ragtune-rag`, `ragtune-base`, and per adapter `ragtune-ft:<name>` (closed-book) and
`ragtune-ft-rag:<name>`. The last user message is the question; the answer keeps its [n] markers and the
citations travel in a `citations` field on the message (and on the final stream chunk).
Model calls run on one worker thread, off the event loop, behind a bounded queue: when it is full the
server answers 503 with Retry-After.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel

PREFIX_FT, PREFIX_FT_RAG = "ragtune-ft:", "ragtune-ft-rag:"


class ChatMessage(BaseModel):
    role: str
    content: str | list | None = None


class ChatRequest(BaseModel):
    model: str = "ragtune-rag"
    messages: list[ChatMessage]
    stream: bool = False
    max_tokens: int | None = None
    temperature: float | None = None
    stop: str | list[str] | None = None


class EmbeddingRequest(BaseModel):
    model: str = "ragtune-embedder"
    input: str | list[str]


class Busy(Exception):
    """The model queue is full."""


class ModelQueue:
    """One worker thread for model calls and at most `limit` calls waiting or running."""

    def __init__(self, limit: int):
        self.limit = limit
        self.pending = 0
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ragtune-model")

    async def run(self, fn: Callable, *args):
        with self._lock:
            if self.pending >= self.limit:
                raise Busy
            self.pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        finally:
            with self._lock:
                self.pending -= 1


def _question(messages: list[ChatMessage]) -> str:
    for m in reversed(messages):
        if m.role == "user" and m.content:
            if isinstance(m.content, list):  # content parts: keep the text ones
                return " ".join(p.get("text", "") for p in m.content if isinstance(p, dict)).strip()
            return m.content.strip()
    raise HTTPException(400, "no user message with text")


def create_app(ws, api_key: str | None = None, queue_limit: int = 8) -> FastAPI:
    """The FastAPI app over workspace `ws`; `api_key`, if set, is required as a bearer token (not on /health)."""
    from ragtune.finetune.adapters import Adapters
    from ragtune.generate.answer import Answerer

    app = FastAPI(title="ragtune", version="0.1.0", description="RAG, fine-tuning or both, over one store.")
    queue = ModelQueue(queue_limit)
    tuned: dict[str, object] = {}

    def authorize(request: Request) -> None:
        if not api_key:
            return
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {api_key}".encode()):
            raise HTTPException(401, "missing or wrong API key (send Authorization: Bearer <key>)")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        body = {"error": {"message": str(exc.detail), "type": "invalid_request_error", "code": exc.status_code}}
        return JSONResponse(body, exc.status_code, headers=exc.headers)

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy):
        body = {"error": {"message": "the model queue is full; retry shortly", "type": "overloaded", "code": 503}}
        return JSONResponse(body, 503, headers={"Retry-After": "1"})

    def adapter_names() -> list[str]:
        return [a["name"] for a in Adapters(ws).list()]

    def answer(model: str, question: str):
        if model == "ragtune-rag":
            return Answerer(ws).ask(question)
        if model == "ragtune-base":
            return Answerer(ws).closed_book([question])[0]
        for prefix in (PREFIX_FT_RAG, PREFIX_FT):
            if model.startswith(prefix):
                name = model.removeprefix(prefix)
                if name not in tuned:
                    tuned[name] = Adapters(ws).load(name)
                answerer = Answerer(ws, llm=tuned[name])
                return answerer.ask(question) if prefix == PREFIX_FT_RAG else answerer.closed_book([question])[0]
        raise HTTPException(404, f"unknown model {model!r}; GET /v1/models lists them")

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "documents": len(ws.manifest.documents())}

    @app.get("/v1/models", dependencies=[Depends(authorize)])
    def models() -> dict:
        names = ["ragtune-rag", "ragtune-base"]
        for a in adapter_names():
            names += [f"{PREFIX_FT}{a}", f"{PREFIX_FT_RAG}{a}"]
        return {
            "object": "list",
            "data": [{"id": n, "object": "model", "created": 0, "owned_by": "ragtune"} for n in names],
        }

    @app.post("/v1/chat/completions", dependencies=[Depends(authorize)])
    async def chat(req: ChatRequest):
        known = {"ragtune-rag", "ragtune-base"} | {p + a for a in adapter_names() for p in (PREFIX_FT, PREFIX_FT_RAG)}
        if req.model not in known:
            raise HTTPException(404, f"unknown model {req.model!r}; GET /v1/models lists them")
        ans = await queue.run(answer, req.model, _question(req.messages))
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        citations = [asdict(c) for c in ans.citations]
        extra = {"abstained": ans.abstained, "route": ans.route}
        if req.stream:
            return StreamingResponse(
                _stream(cid, created, req.model, ans.answer, citations, extra), media_type="text/event-stream"
            )
        message = {"role": "assistant", "content": ans.answer, "citations": citations} | extra
        return {
            "id": cid,
            "object": "chat.completion",
            "created": created,
            "model": req.model,
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }

    @app.post("/v1/embeddings", dependencies=[Depends(authorize)])
    async def embeddings(req: EmbeddingRequest) -> dict:
        texts = [req.input] if isinstance(req.input, str) else req.input
        if not texts or not all(isinstance(t, str) for t in texts):
            raise HTTPException(400, "input must be a string or a list of strings")
        vecs = await queue.run(ws.embedder.embed, texts)
        data = [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vecs)]
        return {
            "object": "list",
            "data": data,
            "model": ws.embedder.name,
            "usage": {"prompt_tokens": 0, "total_tokens": 0},
        }

    @app.get("/search", dependencies=[Depends(authorize)])
    async def search(q: str, k: int = 5) -> dict:
        if not 1 <= k <= 100:
            raise HTTPException(422, "k must be between 1 and 100")
        result = await queue.run(lambda: ws.search(q, top_k=k))
        return result.to_dict()

    @app.get("/documents", dependencies=[Depends(authorize)])
    def documents() -> list[dict]:
        return ws.manifest.documents()

    return app


def _stream(cid: str, created: int, model: str, text: str, citations: list[dict], extra: dict):
    """Server-sent chat.completion.chunk events: the role, the text word by word, then citations and [DONE]."""

    def event(delta: dict, finish: str | None = None, **more) -> str:
        chunk = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        } | more
        return f"data: {json.dumps(chunk)}\n\n"

    yield event({"role": "assistant", "content": ""})
    words = text.split(" ")
    for i, word in enumerate(words):
        yield event({"content": word if i == 0 else " " + word})
    yield event({"citations": citations}, "stop", citations=citations, **extra)
    yield "data: [DONE]\n\n"
