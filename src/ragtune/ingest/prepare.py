"""One file → the rows an ingest writes: parse, check, chunk, summarise. Pure and picklable, so that it runs in
this process, in a pool of parsing processes (`Pool`), or in a Ray task (`ragtune.ingest.ray`).

A failure comes back as `Failed(reason)` instead of an exception: the reason is worded where it happened
(a parser's IngestError, a file system error, a parser bug), and a worker process never dies of it.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ragtune.config import ChunkConfig
from ragtune.errors import IngestError
from ragtune.files import doc_id
from ragtune.ingest import sniff
from ragtune.ingest.base import Document
from ragtune.ingest.chunking import chunk_document, summarize, units
from ragtune.ingest.factory import parser_for
from ragtune.tables.base import Table


@dataclass
class Job:
    """A file to (re)ingest. `data`: its bytes, for workers that cannot see `path` (another machine)."""

    path: str
    key: str  # the resolved path: the manifest's key
    source: str  # how citations name it
    digest: str
    data: bytes | None = None
    access: str = ""  # the document's access label (ragtune.access): its groups, "" public


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
    if len(chunks) > cfg.max_chunks:  # what one file may cost in memory, embedding time and store rows
        doc.warnings.append(f"{len(chunks):,} chunks; only the first {cfg.max_chunks:,} are kept (limit)")
        chunks = chunks[: cfg.max_chunks]
    ident = doc_id(job.key)
    summary = "" if keep_parsed else summarize(doc, cfg.summary_sentences)
    base = {"doc_id": ident, "source": job.source, "type": doc.kind, "parent": "", "access": job.access}
    rows = [
        base
        | {"id": f"{ident}:summary", "kind": "summary", "ordinal": -1, "locator": "summary", "heading": doc.title}
        | {"text": summary, "search_text": summary, "records": "[]"}
    ]
    title = real_title(doc)
    for i, c in enumerate(chunks):
        row = base | {"id": f"{ident}:{i}", "kind": "chunk", "ordinal": i, "locator": c.locator, "heading": c.heading}
        about = "" if c.records else context(title, c.heading)  # a table row names its table already
        head = c.heading if c.records else about  # rows are searched with their table's columns
        row |= {"text": c.text, "search_text": f"{head}\n{c.text}" if head else c.text}
        row["records"] = json.dumps(c.records, default=str, ensure_ascii=False)
        rows.append(row)
        rows += [
            row
            | {"id": f"{row['id']}:{j}", "kind": "sentence", "parent": row["id"], "ordinal": j}
            | {"locator": locator, "text": sentence, "search_text": f"{about}: {sentence}" if about else ""}
            for j, (sentence, locator) in enumerate(units(c))
        ]
    record = {"doc_id": ident, "path": job.key, "source": job.source, "hash": job.digest, "kind": doc.kind}
    record |= {"title": doc.title, "summary": summary, "chunks": len(chunks), "groups": job.access}
    return Prepared(record, rows, doc.tables, doc.warnings, doc if keep_parsed else None)


def real_title(doc: Document) -> str:
    """The document's title when it is one: a short line of its own (a contract's "Agreement between A and B"),
    not the opening words of its text cut to length, nor a sentence."""
    raw = doc.sections[0].text if doc.sections else ""
    cut = raw.startswith(doc.title) and len(raw) > len(doc.title) and raw[len(doc.title)] != "\n"
    title = " ".join(doc.title.split())
    if not title or cut or len(title.split()) > 16 or re.search(r"[.?!](\s|$)", title):
        return ""
    return title


def context(title: str, heading: str) -> str:
    """What a chunk and its sentences are embedded with: the document's title and the section's heading, so that
    "The agreement runs until 2028" is found for "when does the contract with Brightwell end"."""
    if title and heading and heading.lower().startswith(title.lower()):
        return heading
    return " — ".join(part for part in (title, heading) if part)


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
