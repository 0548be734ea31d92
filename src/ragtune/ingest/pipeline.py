"""Incremental, crash-safe ingest: parse → chunk → summarise → embed → store, in batches of files.

Order of writes per batch: the batch's documents are journaled in the manifest, then the vector store
(delete + add for those documents), the SQL tables (one DuckDB transaction), and last the manifest records
them and clears the journal in one transaction. Readers skip journaled documents. A run killed in between
leaves them journaled: the next open or ingest deletes them everywhere (`Workspace.recover`) and the
next ingest redoes them, since the manifest no longer knows them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ragtune.console import progress as progress_bar
from ragtune.errors import IngestError
from ragtune.ingest import sniff
from ragtune.ingest.base import Table
from ragtune.ingest.chunking import chunk_document, units
from ragtune.ingest.factory import parser_for, supported

if TYPE_CHECKING:
    from ragtune.workspace import Workspace


@dataclass
class IngestReport:
    ingested: int = 0
    unchanged: int = 0
    updated: int = 0
    removed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # ingested, but something was repaired
    chunks: int = 0
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # source → (status, reason)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def line(self) -> str:
        return (
            f"ingested {self.ingested}, unchanged {self.unchanged}, updated {self.updated}, "
            f"removed {self.removed}, failed {self.failed}"
            + (f", warnings {len(self.warnings)}" if self.warnings else "")
        )


def walk(paths: list[Path], unreadable: list[OSError] | None = None) -> Iterator[tuple[Path, Path | None]]:
    """(file, the folder it was found under) for files and recursed folders, sorted; hidden files skipped.
    Folders that cannot be listed are appended to `unreadable`."""
    for p in paths:
        if p.is_dir():
            for root, dirs, files in os.walk(p, onerror=None if unreadable is None else unreadable.append):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    fp = Path(root) / f
                    if not f.startswith(".") and supported(fp):
                        yield fp, p
        else:
            yield p, None


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def os_reason(exc: OSError) -> str:
    """A file system error in words."""
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "vanished before it was read"
    return f"cannot be read ({exc.strerror or type(exc).__name__})"


def source_name(path: Path, root: Path | None) -> str:
    """How citations name a file: relative to the ingested folder's parent, else as given."""
    if root is not None:  # as found in the folder (links are not followed, so a link never escapes it)
        return os.path.relpath(os.path.abspath(path), os.path.dirname(os.path.abspath(root)))
    return str(path)


class _Batch:
    """Parsed documents waiting to be embedded and written together."""

    def __init__(self) -> None:
        self.docs: list[dict] = []
        self.rows: list[dict] = []
        self.tables: dict[str, list[Table]] = {}


def ingest(ws: Workspace, paths: list[Path], quiet: bool = False, on_error=None, on_warning=None) -> IngestReport:
    """Bring the store in line with `paths`. `on_error(source, reason)` is called per bad file,
    `on_warning(source, reason)` per problem worked around in a file that was ingested."""
    report = IngestReport()
    known = ws.manifest.hashes()
    unreadable: list[OSError] = []
    files = list(walk(paths, unreadable))
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        _fail(report, on_error, str(p), "no such file or folder")
    for exc in unreadable:  # its files are kept as they are, not removed
        folder = Path(str(exc.filename))
        root = next((p for p in paths if folder.is_relative_to(p)), None)
        _fail(report, on_error, source_name(folder, root), f"folder {os_reason(exc)}")
    seen: set[str] = set()
    batch = _Batch()
    with progress_bar(quiet) as progress:
        task = progress.add_task("ingest", total=len(files), info="")
        for path, root in files:
            progress.update(task, advance=1, description=f"ingest {path.name[:30]}")
            if not path.exists():  # gone since the folder was listed, or a link to nowhere (or to itself)
                if root is not None:  # (a missing path given by name was reported above)
                    why = "a broken or looping link" if path.is_symlink() else "vanished before it was read"
                    _fail(report, on_error, source_name(path, root), why)
                continue
            key = str(path.resolve())
            seen.add(key)
            source = source_name(path, root)
            try:
                digest = file_hash(path)
                if known.get(key) == digest:
                    report.unchanged += 1
                    report.files[source] = ("unchanged", "")
                    continue
                for warning in _add(ws, batch, path, key, source, digest):
                    report.warnings.append((source, warning))
                    if on_warning:
                        on_warning(source, warning)
            except IngestError as exc:
                _fail(report, on_error, source, str(exc))
                continue
            except OSError as exc:  # the previous version, if any, stays
                _fail(report, on_error, source, os_reason(exc))
                continue
            except Exception as exc:  # a parser bug must not stop ten thousand good files
                _fail(report, on_error, source, f"unexpected {type(exc).__name__}: {exc}")
                continue
            status = "updated" if key in known else "ingested"
            report.updated += status == "updated"
            report.ingested += status == "ingested"
            report.files[source] = (status, "")
            if len(batch.rows) >= ws.settings.chunk.batch:
                report.chunks += _flush(ws, batch)
                batch = _Batch()
        report.chunks += _flush(ws, batch)
    gone = _gone(known, seen, paths, unreadable)
    with ws.guard.write():
        if gone:
            ws.drop([ws.doc_id(k) for k in gone])
            report.removed = len(gone)
        ws.store.refresh()
    return report


def _gone(known: dict[str, str], seen: set[str], paths: list[Path], unreadable: list[OSError]) -> list[str]:
    """Known files under an ingested folder that this walk did not see, except under folders it could not list."""
    roots = [p.resolve() for p in paths if p.is_dir()]
    kept = [Path(str(e.filename)).resolve() for e in unreadable]

    def under(key: str, folders: list[Path]) -> bool:
        return any(Path(key).is_relative_to(f) for f in folders)

    return [k for k in known if k not in seen and under(k, roots) and not under(k, kept)]


def _fail(report: IngestReport, on_error, source: str, reason: str) -> None:
    report.failures.append((source, reason))
    report.files[source] = ("failed", reason)
    if on_error:
        on_error(source, reason)


def _add(ws: Workspace, batch: _Batch, path: Path, key: str, source: str, digest: str) -> list[str]:
    """Parse, chunk and summarise one file into the batch; returns the parser's warnings."""
    parser = parser_for(path)
    sniff.check(path, int(ws.settings.chunk.max_file_mb * 2**20))
    doc = parser.parse(path)
    chunks = chunk_document(doc, ws.embedder.tokenizer, ws.settings.chunk)
    if not chunks:
        raise IngestError("no text content")
    doc_id = ws.doc_id(key)
    summary = ws.summarize(doc)
    base = {"doc_id": doc_id, "source": source, "type": doc.kind, "parent": ""}
    batch.rows.append(
        {
            **base,
            "id": f"{doc_id}:summary",
            "kind": "summary",
            "ordinal": -1,
            "locator": "summary",
            "heading": doc.title,
            "text": summary,
            "search_text": summary,
            "records": "[]",
        }
    )
    for i, c in enumerate(chunks):
        chunk_id = f"{doc_id}:{i}"
        records = json.dumps(c.records, default=str, ensure_ascii=False)
        row = {
            **base,
            "id": chunk_id,
            "kind": "chunk",
            "ordinal": i,
            "locator": c.locator,
            "heading": c.heading,
            "text": c.text,
            "search_text": f"{c.heading}\n{c.text}" if c.heading else c.text,
            "records": records,
        }
        batch.rows.append(row)
        for j, (sentence, locator) in enumerate(units(c)):
            batch.rows.append(
                {
                    **row,
                    "id": f"{chunk_id}:{j}",
                    "kind": "sentence",
                    "parent": chunk_id,
                    "ordinal": j,
                    "locator": locator,
                    "text": sentence,
                    "search_text": "",
                }
            )
    batch.docs.append(
        {
            "doc_id": doc_id,
            "path": key,
            "source": source,
            "hash": digest,
            "kind": doc.kind,
            "title": doc.title,
            "summary": summary,
            "chunks": len(chunks),
        }
    )
    batch.tables[doc_id] = doc.tables
    return doc.warnings


def _flush(ws: Workspace, batch: _Batch) -> int:
    if not batch.docs:
        return 0
    vectors = ws.embedder.embed([r["search_text"] or r["text"] for r in batch.rows])
    for row, vec in zip(batch.rows, vectors, strict=True):
        row["vector"] = vec
    with ws.guard.write():  # readers in this process see the batch whole or not at all
        ws.manifest.begin([d["doc_id"] for d in batch.docs])  # the journal: readers elsewhere skip these
        ws.store.replace([d["doc_id"] for d in batch.docs], batch.rows)
        ws.tables.replace([(d["doc_id"], d["source"], batch.tables[d["doc_id"]]) for d in batch.docs])
        ws.manifest.record(batch.docs, batch.tables)
    return sum(d["chunks"] for d in batch.docs)
