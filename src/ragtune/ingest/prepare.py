"""One file → the rows an ingest writes: parse, check, chunk, summarise. Pure and picklable, so that it runs in
this process, in a pool of parsing processes (`Pool`), or in a Ray task (`ragtune.ingest.ray`).

A failure comes back as `Failed(reason)` instead of an exception: the reason is worded where it happened
(a parser's IngestError, a file system error, a parser bug), and a worker process never dies of it.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ragtune.config import ChunkConfig
from ragtune.errors import IngestError
from ragtune.files import doc_id
from ragtune.ingest import sniff
from ragtune.ingest.base import Document, Table
from ragtune.ingest.chunking import chunk_document, summarize, units
from ragtune.ingest.factory import parser_for


@dataclass
class Job:
    """A file to (re)ingest. `data`: its bytes, for workers that cannot see `path` (another machine)."""

    path: str
    key: str  # the resolved path: the manifest's key
    source: str  # how citations name it
    digest: str
    data: bytes | None = None


@dataclass
class Prepared:
    """A file made into store rows (vectors not yet set, unless a remote worker embedded them)."""

    doc: dict  # the manifest's record
    rows: list[dict]
    tables: list[Table]
    warnings: list[str] = field(default_factory=list)
    parsed: Document | None = None  # kept only when the summary is still to be written (by the SLM)


@dataclass
class Failed:
    reason: str


Outcome = Prepared | Failed


def os_reason(exc: OSError) -> str:
    """A file system error in words."""
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "vanished before it was read"
    return f"cannot be read ({exc.strerror or type(exc).__name__})"


def prepare(job: Job, tokenizer, cfg: ChunkConfig, keep_parsed: bool = False) -> Outcome:
    """The file's rows, or why it cannot be ingested. `keep_parsed`: the summary is left to the caller."""
    try:
        if job.data is None:
            return _prepare(Path(job.path), job, tokenizer, cfg, keep_parsed)
        with tempfile.TemporaryDirectory(prefix="ragtune-") as tmp:  # same name: titles may come from it
            local = Path(tmp) / Path(job.path).name
            local.write_bytes(job.data)
            return _prepare(local, job, tokenizer, cfg, keep_parsed)
    except IngestError as exc:
        return Failed(str(exc))
    except OSError as exc:  # the previous version, if any, stays
        return Failed(os_reason(exc))
    except Exception as exc:  # a parser bug must not stop ten thousand good files
        return Failed(f"unexpected {type(exc).__name__}: {exc}")


def _prepare(path: Path, job: Job, tokenizer, cfg: ChunkConfig, keep_parsed: bool) -> Prepared:
    parser = parser_for(path)
    sniff.check(path, int(cfg.max_file_mb * 2**20))
    doc = parser.parse(path)
    chunks = chunk_document(doc, tokenizer, cfg)
    if not chunks:
        raise IngestError("no text content")
    ident = doc_id(job.key)
    summary = "" if keep_parsed else summarize(doc, cfg.summary_sentences)
    base = {"doc_id": ident, "source": job.source, "type": doc.kind, "parent": ""}
    rows = [
        base
        | {"id": f"{ident}:summary", "kind": "summary", "ordinal": -1, "locator": "summary", "heading": doc.title}
        | {"text": summary, "search_text": summary, "records": "[]"}
    ]
    for i, c in enumerate(chunks):
        row = base | {"id": f"{ident}:{i}", "kind": "chunk", "ordinal": i, "locator": c.locator, "heading": c.heading}
        row |= {"text": c.text, "search_text": f"{c.heading}\n{c.text}" if c.heading else c.text}
        row["records"] = json.dumps(c.records, default=str, ensure_ascii=False)
        rows.append(row)
        rows += [
            row
            | {"id": f"{row['id']}:{j}", "kind": "sentence", "parent": row["id"], "ordinal": j}
            | {"locator": locator, "text": sentence, "search_text": ""}
            for j, (sentence, locator) in enumerate(units(c))
        ]
    record = {"doc_id": ident, "path": job.key, "source": job.source, "hash": job.digest, "kind": doc.kind}
    record |= {"title": doc.title, "summary": summary, "chunks": len(chunks)}
    return Prepared(record, rows, doc.tables, doc.warnings, doc if keep_parsed else None)


def set_summary(prepared: Prepared, summary: str) -> None:
    """Fill in a summary written after preparing (by the SLM, in the process that holds it)."""
    prepared.doc["summary"] = summary
    prepared.rows[0] |= {"text": summary, "search_text": summary}
    prepared.rows[0].pop("vector", None)  # a worker embedded the empty one
    prepared.parsed = None


def embed_rows(rows: list[dict], embed: Callable) -> None:
    """Set the vector of rows that have none; a text that occurs several times (a one-sentence chunk and its
    sentence, a short document and its summary) is embedded once."""
    todo = [r for r in rows if r.get("vector") is None]
    texts = list(dict.fromkeys(r["search_text"] or r["text"] for r in todo))
    if not texts:
        return
    vectors = dict(zip(texts, embed(texts), strict=True))
    for r in todo:
        r["vector"] = vectors[r["search_text"] or r["text"]]


def _context() -> multiprocessing.context.BaseContext:
    """Fork where it is safe (Linux): the workers run only parsers, and unlike spawn it does not re-run the
    caller's script, which a script without `if __name__ == "__main__":` would not survive."""
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


@contextlib.contextmanager
def _quiet_fork() -> Iterator[None]:
    """Forked processes inherit TOKENIZERS_PARALLELISM=false: no warning from each about its parent's threads
    (nor LanceDB's about its runtime: the workers never touch the store). The parent's objects are frozen
    out of garbage collection first: a collection in either process would touch every object and so copy
    the pages they share (measured: +130 MB in a 10k-file ingest); `Pool.close` thaws them."""
    before = os.environ.get("TOKENIZERS_PARALLELISM")
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    gc.collect()
    gc.freeze()  # the objects both sides hold are never traversed by the collector, so stay shared
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "lancedb fork support", RuntimeWarning)
            yield
    finally:
        if before is None:
            del os.environ["TOKENIZERS_PARALLELISM"]
        else:
            os.environ["TOKENIZERS_PARALLELISM"] = before


# A parsing process keeps what every job needs, sent once when it starts.
_worker: dict = {}


def _start_worker(parent: int, tokenizer, cfg: ChunkConfig, keep_parsed: bool) -> None:
    """Keep what jobs need; die with the parent (a forked worker would otherwise outlive a killed ingest)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before that
            os._exit(1)
    _worker.update(tokenizer=tokenizer, cfg=cfg, keep_parsed=keep_parsed)


def prepare_in_worker(job: Job) -> Outcome:
    """`prepare` with what the worker was started with."""
    return prepare(job, _worker["tokenizer"], _worker["cfg"], _worker["keep_parsed"])


class Pool:
    """Prepares jobs in `workers` processes, a few ahead of the consumer, results in the jobs' order. A job
    whose parser kills its process (a crash, memory) is retried alone once, then reported failed."""

    def __init__(self, workers: int, tokenizer, cfg: ChunkConfig, keep_parsed: bool = False, work=prepare_in_worker):
        self.workers, self.work = workers, work  # work: a module-level function of a Job (importable by workers)
        self.init = (os.getpid(), tokenizer, cfg, keep_parsed)
        self.ahead = 2 * workers  # jobs in flight: bounded memory however many files there are
        self.executor: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self.executor is None:
            self.executor = ProcessPoolExecutor(
                self.workers,
                mp_context=_context(),
                initializer=_start_worker,
                initargs=self.init,
            )
            with _quiet_fork():  # (a forked executor starts its processes at the first submit)
                self.executor.submit(os.getpid).result()
        return self.executor

    def __call__(self, jobs: Iterable[Job]) -> Iterator[tuple[Job, Outcome]]:
        queue: deque[tuple[Job, Future]] = deque()
        jobs = iter(jobs)
        for job in jobs:
            queue.append((job, self._executor().submit(self.work, job)))
            if len(queue) >= self.ahead:
                yield from self._next(queue)
        while queue:
            yield from self._next(queue)

    def _next(self, queue: deque[tuple[Job, Future]]) -> Iterator[tuple[Job, Outcome]]:
        job, future = queue.popleft()
        try:
            yield job, future.result()
        except BrokenProcessPool:  # some job in flight killed a worker: retry each alone
            self.close()
            retry = [job] + [j for j, _ in queue]
            queue.clear()
            for j in retry:
                yield j, self._alone(j)

    def _alone(self, job: Job) -> Outcome:
        try:
            return self._executor().submit(self.work, job).result()
        except BrokenProcessPool:
            self.close()
            return Failed("the parser crashed on this file (its process died)")

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None
            gc.unfreeze()  # what the fork froze is collectable again: a long-lived process (serve) leaks nothing


class Inline:
    """Prepares jobs one after another in this process."""

    def __init__(self, tokenizer, cfg: ChunkConfig, keep_parsed: bool = False):
        self.args = (tokenizer, cfg, keep_parsed)

    def __call__(self, jobs: Iterable[Job]) -> Iterator[tuple[Job, Outcome]]:
        for job in jobs:
            yield job, prepare(job, *self.args)

    def close(self) -> None:
        pass
