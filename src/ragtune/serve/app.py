"""`ragtune serve`: one store behind an OpenAI-compatible HTTP API (FastAPI), ragtune's own routes and a web page.

Models (one per arm): `ragtune-rag`, `ragtune-base`, and per adapter `ragtune-ft:<name>` (closed-book) and
`ragtune-ft-rag:<name>`. The last user message is the question; the answer keeps its [n] markers and the
citations travel in a `citations` field on the message (and on the final stream chunk).

Model calls run on one worker thread behind a bounded queue that batches concurrent questions (batcher.py);
when it is full the server answers 503 with Retry-After. Uploads are ingested on another thread, one at a time,
under the store's write lock, which the server holds for its life (a `ragtune ingest` beside it is refused
with that reason). A write batch excludes readers, so no request sees a half-written index.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
from fastapi import Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from ragtune.access import ADMIN, ANONYMOUS, Principal, parse_groups
from ragtune.audit import Audit
from ragtune.errors import RagtuneError
from ragtune.generate import arms
from ragtune.ingest.pipeline import IngestReport, file_hash
from ragtune.serve.batcher import Batcher, Busy
from ragtune.serve.uploads import UploadRejected, save, stage

if TYPE_CHECKING:
    from ragtune.workspace import Workspace

STATIC = Path(__file__).parent / "static"
PUBLIC_DOC_FIELDS = ("doc_id", "source", "kind", "title", "summary", "chunks", "ingested_at")


class ErrorDetail(BaseModel):
    message: str
    type: str
    code: int


class ErrorBody(BaseModel):
    """Every error, as OpenAI clients expect it: `{"error": {"message", "type", "code"}}`."""

    error: ErrorDetail


ERRORS = {  # the statuses a route may answer with an error, documented in the schema with their one shape
    code: {"model": ErrorBody, "description": why}
    for code, why in [
        (400, "the request cannot be served (the message says why)"),
        (401, "missing, wrong or revoked API key"),
        (403, "the key may not do this (an admin's task, or groups it does not hold)"),
        (404, "no such document, job or report"),
        (409, "an upload's name holds a different file"),
        (413, "an upload over the size limit"),
        (415, "an upload of a type ragtune does not read"),
        (422, "a malformed request (the field is named)"),
        (503, "the model queue is full; retry"),
    ]
}


class IngestErrorBody(ErrorBody):
    """No file of the request was ingested: the error, and each file's outcome with its reason (none when the
    request itself was malformed)."""

    files: list[dict] = []


class ChatMessage(BaseModel):
    role: str
    content: str | list | None = None


class ChatRequest(BaseModel):
    model: str = "ragtune-rag"
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    n: int = 1  # ragtune gives one grounded answer per question: any other value is refused, not ignored
    max_tokens: int | None = Field(None, ge=1)
    temperature: float | None = Field(None, ge=0, le=2)
    stop: str | list[str] | None = None


class EmbeddingRequest(BaseModel):
    model: str = "ragtune-embedder"
    input: str | list[str]
    encoding_format: str = "float"


def _question(messages: list[ChatMessage]) -> str:
    for m in reversed(messages):
        if m.role == "user" and m.content:
            if isinstance(m.content, list):  # content parts: keep the text ones
                return " ".join(p.get("text", "") for p in m.content if isinstance(p, dict)).strip()
            return m.content.strip()
    raise HTTPException(400, "no user message with text")


def _history(messages: list[ChatMessage]) -> list[dict]:
    """The conversation before the last user message (what a follow-up is resolved against)."""
    last = max((i for i, m in enumerate(messages) if m.role == "user" and m.content), default=0)
    return [{"role": m.role, "content": m.content} for m in messages[:last] if m.role in ("user", "assistant")]


class Models:
    """The arms as models: answers a batch of questions for one model name (`generate/arms.py` names them) and
    one caller, who sees only the adapters trained on documents it may see."""

    def __init__(self, ws: Workspace):
        self.ws = ws

    def names(self, principal: Principal = ADMIN) -> list[str]:
        return arms.served_names([a["name"] for a in self.ws.usable_adapters(principal)])

    def answer_batch(self, key: tuple[str, Principal], questions: list[str]) -> list:
        model, principal = key
        arm = arms.served(model, [a["name"] for a in self.ws.usable_adapters(principal)])
        return self.ws.answerer(arm, principal).ask_many(questions)


def _caller(request: Request) -> Principal:
    """The dependency that names a route's caller (the app's `authorize`)."""
    return request.app.state.authorize(request)


Caller = Annotated[Principal, Depends(_caller)]
KEY_PARAMETERS = ("api_key", "apikey", "key", "token", "access_token", "auth")


def create_app(ws: Workspace, api_key: str | None = None, queue_limit: int | None = None) -> FastAPI:
    """The FastAPI app over workspace `ws`; `api_key`, if set, is required as a bearer token (not on /health)."""
    from ragtune.evaluate import report
    from ragtune.lock import write_lock
    from ragtune.serve.jobs import CompareJobs, EvalJobs

    cfg = ws.settings.serve
    models = Models(ws)
    queue = Batcher(models.answer_batch, queue_limit or cfg.queue_limit, cfg.batch_window_ms / 1000, cfg.max_batch)
    evals = EvalJobs(ws)
    comparisons = CompareJobs(ws)
    uploads = ws.settings.store / "uploads"
    writing = threading.Lock()  # one ingest or delete at a time in this process
    audit = Audit(ws.settings.store / "audit", int(cfg.audit_max_mb * 2**20), cfg.audit_backups)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        with write_lock(ws.settings.store, "ragtune serve; upload through its POST /ingest"):
            for part in uploads.glob(".*") if uploads.exists() else []:
                part.unlink(missing_ok=True)  # an upload cut off when an earlier server died
            yield
        queue.close()
        audit.close()

    app = FastAPI(
        title="ragtune",
        version="0.1.0",
        description="RAG, fine-tuning or both, over one store.",
        lifespan=lifespan,
        responses=ERRORS,
        openapi_url=None,  # served below, behind the key like every route but /health and the page
        docs_url=None,
        redoc_url=None,
    )

    def authorize(request: Request) -> Principal:
        """The caller: the admin key (`RAGTUNE_API_KEY`), a key added by `ragtune keys add`, or no key: public
        documents only (401 when an admin key is set). A server with neither an admin key nor keys is open: every
        caller is the admin, as before keys."""
        route = f"{request.method} {request.url.path}"
        if any(k.lower() in KEY_PARAMETERS for k in request.query_params):
            audit.record("unknown", route, refused="a key in the URL")
            raise HTTPException(400, "send the API key in the Authorization header, never in the URL (URLs are logged)")
        sent = request.headers.get("authorization", "")
        token = sent[7:].strip() if sent[:7].lower() == "bearer " else ""
        if not api_key and not ws.catalog.has_keys():
            return ADMIN  # an open server (no admin key, no keys): whatever a client sends, as before keys
        if not sent and not api_key:
            return ANONYMOUS
        try:
            return ws.principal(token, api_key)
        except RagtuneError:
            audit.record("unknown", route, refused="missing, wrong or revoked API key")
            raise HTTPException(401, "missing, wrong or revoked API key (send Authorization: Bearer <key>)") from None

    def admin_only(request: Request, who: Principal, why: str) -> None:
        if not who.admin:
            audit.record(who.name, f"{request.method} {request.url.path}", refused=why)
            raise HTTPException(403, why)

    def public(message: str) -> str:
        """An error message without the server's paths: a path under the store or the model home is named by
        its last part."""
        for root in {str(p) for r in (ws.settings.store, ws.settings.home) for p in (r, r.resolve(), r.absolute())}:
            message = re.sub(re.escape(root) + r"""(/[^\s:'"]*)?""", lambda m: Path(m[0]).name, message)
        return message

    def error(message: str, code: int, kind: str = "invalid_request_error") -> dict:
        """The one error shape (`ErrorBody`), its message without server paths."""
        return {"error": {"message": public(message), "type": kind, "code": code}}

    def job_view(job: dict) -> dict:
        """A background job as a client sees it: its error, if any, without server paths."""
        return job | {"error": public(job["error"])} if job.get("error") else job

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return JSONResponse(error(str(exc.detail), exc.status_code), exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        """The OpenAI error shape for a malformed request too, naming the field, never echoing what was sent."""
        err = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(x) for x in err["loc"] if x != "body") or "request"
        return JSONResponse(error(f"{where}: {err['msg']}", 422), 422)

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy):
        return JSONResponse(
            error("the model queue is full; retry shortly", 503, "overloaded"), 503, headers={"Retry-After": "1"}
        )

    @app.exception_handler(RagtuneError)
    async def ragtune_error(request: Request, exc: RagtuneError):
        return JSONResponse(error(str(exc).splitlines()[0], 400), 400)

    app.state.authorize = authorize
    auth = [Depends(authorize)]

    @app.get("/openapi.json", dependencies=auth, include_in_schema=False)
    def openapi() -> dict:
        return app.openapi()

    @app.get("/docs", dependencies=auth, include_in_schema=False)
    def swagger():
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(openapi_url="/openapi.json", title="ragtune API")

    @app.get("/health")
    def health() -> dict:
        """Liveness, without a key: nothing about the documents (their number would tell of hidden ones)."""
        return {"status": "ok", "queue": queue.pending, "auth": bool(api_key) or ws.catalog.has_keys()}

    @app.get("/whoami")
    def whoami(who: Caller) -> dict:
        """The caller's name and groups, and how many documents it may see (the page shows it)."""
        with ws.guard.read():
            docs = len(ws.documents(who))
        groups = None if who.admin else sorted(who.groups)
        return {"name": who.name, "admin": who.admin, "groups": groups, "documents": docs}

    @app.get("/v1/models")
    def list_models(who: Caller) -> dict:
        data = [{"id": n, "object": "model", "created": 0, "owned_by": "ragtune"} for n in models.names(who)]
        audit.record(who.name, "GET /v1/models")
        return {"object": "list", "data": data}

    @app.post("/v1/chat/completions")
    async def chat(req: ChatRequest, who: Caller):
        if req.n != 1:
            raise HTTPException(400, "n must be 1: ragtune gives one grounded answer per question")
        if req.model not in models.names(who):
            audit.record(who.name, "POST /v1/chat/completions", refused=f"model {req.model!r} not open to it")
            raise HTTPException(404, f"unknown model {req.model!r}; GET /v1/models lists them")
        question = _question(req.messages)
        if len(question) > 20_000:
            raise HTTPException(413, "question longer than 20,000 characters")
        history = _history(req.messages)
        standalone = await queue.run(ws.standalone, question, history, who) if history else question
        ans = await queue.ask((req.model, who), standalone)
        audit.record(who.name, "POST /v1/chat/completions", question, _cited(ans))
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        citations = [asdict(c) for c in ans.citations]
        extra = {"abstained": ans.abstained, "route": ans.route, "reason": ans.reason}
        extra["standalone_question"] = standalone
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

    @app.post("/v1/embeddings", dependencies=auth)  # embeds the caller's own texts: nothing of the store
    async def embeddings(req: EmbeddingRequest) -> dict:
        texts = [req.input] if isinstance(req.input, str) else req.input
        if not texts or not all(isinstance(t, str) for t in texts) or len(texts) > 2048:
            raise HTTPException(400, "input must be a string or a list of 1 to 2048 strings")
        vecs = await queue.run(ws.embedder.embed, texts)
        data = [
            {"object": "embedding", "index": i, "embedding": _vector(v, req.encoding_format)}
            for i, v in enumerate(vecs)
        ]
        usage = {"prompt_tokens": 0, "total_tokens": 0}
        return {"object": "list", "data": data, "model": ws.embedder.name, "usage": usage}

    @app.get("/search")
    async def search(q: str, who: Caller, k: int = 5) -> dict:
        if not 1 <= k <= 100:
            raise HTTPException(422, "k must be between 1 and 100")
        result = await queue.run(lambda: ws.search(q, top_k=k, principal=who))
        audit.record(who.name, "GET /search", q, [p.doc_id for p in result.passages])
        return result.to_dict()

    @app.get("/documents")
    def documents(who: Caller) -> list[dict]:
        with ws.guard.read():
            docs = ws.documents(who)
        audit.record(who.name, "GET /documents", documents=[d["doc_id"] for d in docs])
        return [{k: d[k] for k in PUBLIC_DOC_FIELDS} | {"groups": parse_groups(d["groups"])} for d in docs]

    @app.delete("/documents/{doc_id}")
    async def delete_document(doc_id: str, who: Caller) -> dict:
        def remove() -> list[dict]:
            with writing:
                gone = ws.remove([doc_id], who)
                for d in gone:  # an uploaded file goes too, or the next upload would bring it back
                    path = Path(d["path"])
                    if path.parent == uploads.resolve():
                        path.unlink(missing_ok=True)
                return gone

        gone = await run_in_threadpool(remove)
        audit.record(
            who.name,
            "DELETE /documents",
            documents=[d["doc_id"] for d in gone],
            refused=None if gone else "no such document it may change",
        )
        if not gone:
            raise HTTPException(404, f"no document {doc_id!r} that this key may delete; GET /documents lists them")
        return {"removed": [{k: d[k] for k in PUBLIC_DOC_FIELDS} for d in gone]}

    ingest_errors = {c: {"model": IngestErrorBody} for c in (400, 409, 413, 415, 422)}

    @app.post("/ingest", responses=ingest_errors)
    async def ingest(
        files: Annotated[list[UploadFile], File()],
        who: Caller,
        replace: Annotated[bool, Form()] = False,
        groups: Annotated[str | None, Form()] = None,
    ) -> dict:
        """Files in; a name that already holds a different file is refused (409) unless `replace` is true: two
        clients' `x.md` (whatever folders their names carried) never become one document by name alone.
        `groups` (comma-separated, or `public`): who may see them; a caller may give only groups it holds, and
        its uploads default to all its groups (the admin's: public). A name that holds a document the caller
        may not change (one it cannot see, or a public one) is refused like any taken name, and never replaced."""
        try:
            given = parse_groups(groups, "groups") if groups is not None else None
        except RagtuneError as exc:
            raise HTTPException(422, str(exc)) from None
        if who.admin:
            upload_groups = given or ()
        elif given is None:
            upload_groups = tuple(sorted(who.groups))
        elif not given or not set(given) <= who.groups:
            audit.record(who.name, "POST /ingest", refused=f"groups {groups!r} beyond its own")
            raise HTTPException(403, "an upload may be given only groups the key holds (and not public)")
        else:
            upload_groups = given
        results, staged = [], []
        try:
            for f in files:
                try:
                    staged.append((*await stage(f, uploads, int(cfg.max_upload_mb * 2**20)), f.filename))
                except UploadRejected as exc:
                    results.append({"file": f.filename, "status": "rejected", "reason": str(exc), "code": exc.status})
            report, placed = None, []
            if staged:
                report, placed = await run_in_threadpool(
                    _ingest_uploads, ws, uploads, writing, staged, replace, upload_groups, who
                )
        finally:
            for part, _, _ in staged:  # none is left once ingest has put them in place
                part.unlink(missing_ok=True)
        warned: dict[str, list[str]] = {}
        for source, warning in report.warnings if report else []:
            warned.setdefault(source, []).append(warning)
        for (_, target, name), was_placed in zip(staged, placed, strict=True):
            source = f"uploads/{target.name}"
            if not was_placed:
                why = f"{source} already holds a different file; send replace=true to replace it"
                results.append({"file": name, "status": "conflict", "reason": why, "code": 409})
                continue
            status, reason = report.files.get(source, ("failed", "not ingested"))
            if status == "failed":  # not kept: it would fail again on every later upload
                target.unlink(missing_ok=True)
            result = {"file": name, "source": source, "status": status, "reason": reason}
            results.append(result | {"warnings": warned.get(source, [])})
        audit.record(who.name, "POST /ingest", documents=[r.get("source", r["file"]) for r in results])
        if any(r["status"] in ("ingested", "updated", "unchanged", "regrouped") for r in results):
            return JSONResponse({"files": results}, 200)
        code = max((r.get("code", 422) for r in results), default=422)
        first = results[0]["reason"] if results else "no file sent"
        return JSONResponse(error(f"no file was ingested: {first}", code) | {"files": results}, code)

    @app.post("/eval", status_code=202)
    async def start_eval(
        questions: Annotated[UploadFile, File()],
        who: Caller,
        arms: Annotated[str, Form()] = "base,rag",
        adapter: Annotated[str | None, Form()] = None,
        limit: Annotated[int | None, Form(ge=1)] = None,
    ) -> dict:
        folder = ws.settings.store / "evals" / "incoming"
        try:
            path = await save(questions, folder, int(cfg.max_upload_mb * 2**20), kinds=(".json", ".jsonl"))
        except UploadRejected as exc:
            raise HTTPException(exc.status, str(exc)) from None
        arm_list = [a.strip() for a in arms.split(",") if a.strip()]
        try:
            job = await run_in_threadpool(evals.start, path, arm_list, adapter or None, limit, who)
            audit.record(who.name, "POST /eval", f"{job.questions} questions, arms {arms}")
        except BaseException:
            path.unlink(missing_ok=True)  # a refused request leaves nothing behind
            raise
        return job.to_dict()

    @app.get("/eval/{job_id}")
    def eval_status(job_id: str, who: Caller) -> dict:
        if job_id not in evals.jobs or not (who.admin or evals.jobs[job_id].owner == who):
            raise HTTPException(404, f"no evaluation {job_id!r}")
        return job_view(evals.jobs[job_id].to_dict())

    @app.post("/compare", status_code=202)
    async def start_compare(
        request: Request,
        who: Caller,
        log: Annotated[UploadFile | None, File()] = None,
        changes: Annotated[int, Form(ge=0, le=100)] = 10,
        shares: Annotated[str, Form()] = "25,50,100",
    ) -> dict:
        """Compare RAG, fine-tuning and both on the store's documents (`ragtune compare`), in the background;
        `log`: answered questions in the house's words (JSON Lines)."""
        from ragtune.compare.run import parse_shares

        admin_only(request, who, "a comparison trains on every document: it needs the admin key")
        try:
            parts = parse_shares(shares)
        except ValueError as exc:
            raise HTTPException(422, f"shares: {exc}") from None
        path = None
        if log is not None and log.filename:
            try:
                path = await save(
                    log, ws.settings.store / "compare" / "incoming", int(cfg.max_upload_mb * 2**20), kinds=(".jsonl",)
                )
            except UploadRejected as exc:
                raise HTTPException(exc.status, str(exc)) from None
        job = await run_in_threadpool(comparisons.start, path, changes, parts)
        audit.record(who.name, "POST /compare")
        return job.to_dict()

    @app.get("/compare/{job_id}")
    def compare_status(job_id: str, who: Caller) -> dict:
        if job_id not in comparisons.jobs or not who.admin:
            raise HTTPException(404, f"no comparison {job_id!r}")
        return job_view(comparisons.status(job_id))

    @app.get("/report")
    def latest_report(who: Caller):
        path = report.latest(ws.settings.store, ws.labels(who))
        audit.record(who.name, "GET /report", documents=[], refused=None if path else "no report it may read")
        if path is None:
            raise HTTPException(404, "no evaluation report yet; POST /eval starts one")
        return FileResponse(path, media_type="text/html")

    @app.get("/", include_in_schema=False)
    def page():
        return FileResponse(STATIC / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.state.queue, app.state.evals, app.state.comparisons = queue, evals, comparisons
    return app


def _ingest_uploads(
    ws: Workspace,
    uploads: Path,
    writing: threading.Lock,
    staged: list[tuple[Path, Path, str]],
    replace: bool,
    groups: tuple[str, ...] = (),
    who: Principal = ADMIN,
) -> tuple[IngestReport | None, list[bool]]:
    """Put this request's staged files in place and ingest them with `groups` (unchanged files are skipped by hash),
    one writer at a time: a request's report then describes its own files, not a concurrent request's. A file
    whose name already holds a different file (an earlier upload, or one before it in this request) stays out
    unless `replace`; one whose name holds a document `who` may not change (`Workspace.writable_ids`) always does.
    Returns the report and, per staged file, whether it was put in place."""
    placed, mine = [], set()  # mine: names this request filled (replace never lets two of its files share one)
    assign: dict[Path, tuple[str, ...]] = {}
    with writing:
        writable = ws.writable_ids(who)
        for part, target, _ in staged:
            hidden = writable is not None and target.exists() and ws.doc_id(str(target.resolve())) not in writable
            fresh = not target.exists() or file_hash(target) != file_hash(part)  # same content: groups stay
            clash = target.exists() and (hidden or fresh) and (not replace or hidden or target in mine)
            if not clash:
                os.replace(part, target)
                mine.add(target)
                if fresh:
                    assign[target] = groups
            placed.append(not clash)
        return (ws.ingest([uploads], assign=assign) if any(placed) else None), placed


def _cited(ans) -> list[str]:
    """The ids of the documents an answer cites (its sources where a summary does not name the id)."""
    sources = {c.source for c in ans.citations}
    ids = {s["source"]: s["doc_id"] for s in ans.summaries if s.get("source") in sources}
    return [ids.get(c.source, c.source) for c in ans.citations]


def _vector(v: np.ndarray, encoding: str):
    if encoding == "base64":
        return base64.b64encode(np.asarray(v, dtype="<f4").tobytes()).decode()
    return v.tolist()


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
