"""Incremental, crash-safe, streaming ingest: files → rows (parsed a few files ahead by a pool of processes, or
by Ray workers that also embed) → batched embeddings → store. Memory is bounded by the batch and the jobs in
flight, however many files there are.

Order of writes per batch: the batch's documents are journaled in the manifest, then the vector store
(old rows of the updated documents deleted, new rows added), the SQL tables (one DuckDB transaction), and
last the manifest records them and clears the journal in one transaction. Readers skip journaled documents.
A run killed in between leaves them journaled: the next open or ingest deletes them everywhere
(`catalog.Journal.recover`) and the next ingest redoes them, since the manifest no longer knows them. So the store
holds rows only of documents the manifest knows (recorded or journaled), and a new document needs no delete
(a delete scans the table: most of the time and memory of a first ingest, measured).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ragtune.access import Rules, label
from ragtune.config import ChunkConfig
from ragtune.console import progress as progress_bar
from ragtune.errors import RagtuneError
from ragtune.files import doc_id, printable
from ragtune.ingest.factory import supported
from ragtune.ingest.pool import Inline, Pool
from ragtune.ingest.prepare import Failed, Job, Outcome, Prepared, embed_rows, os_reason, set_summary

if TYPE_CHECKING:
    from ragtune.catalog import Catalog, Journal
    from ragtune.ingest.ray import RayPreparer

POOL_MIN_FILES = 32  # fewer files are parsed in this process: starting parsing processes costs seconds


@dataclass
class IngestReport:
    ingested: int = 0
    unchanged: int = 0
    updated: int = 0
    regrouped: int = 0  # unchanged files whose access groups changed (their rows rewritten, not re-embedded)
    removed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # ingested, but something was repaired
    skipped: list[tuple[str, str]] = field(default_factory=list)  # files in a folder of a type ragtune cannot read
    chunks: int = 0
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # source → (status, reason)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def line(self) -> str:
        return (
            f"ingested {self.ingested}, unchanged {self.unchanged}, updated {self.updated}, "
            f"removed {self.removed}, failed {self.failed}"
            + (f", regrouped {self.regrouped}" if self.regrouped else "")
            + (f", warnings {len(self.warnings)}" if self.warnings else "")
            + (f", skipped {len(self.skipped)}" if self.skipped else "")
        )


def walk(
    paths: list[Path], unreadable: list[OSError] | None = None, skipped: list[tuple[Path, Path, str]] | None = None
) -> Iterator[tuple[Path, Path | None]]:
    """(file, the folder it was found under) for files and recursed folders, sorted; hidden files skipped.
    Folders that cannot be listed are appended to `unreadable`; files of a type no parser reads, and links that
    lead out of the folder given (or to a folder), to `skipped` with the reason. A link inside the folder is
    followed: `_Run.jobs` reads each file once, and reports a link to nowhere or to itself."""
    for p in paths:
        if not p.is_dir():
            yield p, None
            continue
        top = p.resolve()
        for root, dirs, files in os.walk(p, onerror=None if unreadable is None else unreadable.append):
            for d in sorted(dirs):
                if (Path(root) / d).is_symlink() and not d.startswith(".") and skipped is not None:
                    skipped.append((Path(root) / d, p, link_reason(Path(root) / d, top, folder=True)))
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # (links to folders are not walked)
            for f in sorted(files):
                fp = Path(root) / f
                if f.startswith("."):
                    continue
                why = link_reason(fp, top) if fp.is_symlink() else None
                if why is None and supported(fp):
                    yield fp, p
                elif skipped is not None:
                    why = why or f"skipped: no reader for '{fp.suffix or fp.name}' files (not ingested)"
                    skipped.append((fp, p, why))


def link_reason(link: Path, top: Path, folder: bool = False) -> str | None:
    """Why a link found in the folder `top` is not followed, or None for a link to a file inside it (or to
    nowhere, which `_Run.jobs` reports)."""
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):  # broken or looping
        return None if not folder else "skipped: a link to a folder that does not resolve (not followed)"
    if not target.is_relative_to(top):
        return "refused: a link to outside the ingested folder (not followed)"
    if folder:
        return "skipped: a link to a folder inside the ingested folder (its files are ingested where they are)"
    return None


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def source_name(path: Path, root: Path | None) -> str:
    """How citations name a file: relative to the ingested folder's parent, else as given (escaped if its name is
    not UTF-8)."""
    if root is not None:  # as found in the folder (links are not followed, so a link never escapes it)
        return printable(os.path.relpath(os.path.abspath(path), os.path.dirname(os.path.abspath(root))))
    return printable(str(path))


@dataclass
class Ingester:
    """Brings a store in line with files and folders. It receives what it writes to: the catalogue (what is
    stored, by hash), the journal (the one journaled write to catalogue, vectors and tables), the embedder, the
    chunking settings; `summarize(document)` writes a summary when the SLM does (`chunk.summarizer = "llm"`),
    `embedder_recipe()` makes the embedder on a Ray worker. A file's access groups: those the corpus's rules files
    (`.ragtune-access`) give it, else `groups` (the command's), else those it had, else none (public)."""

    catalog: Catalog
    journal: Journal
    embedder: object
    cfg: ChunkConfig
    summarize: Callable | None = None
    embedder_recipe: Callable | None = None
    groups: tuple[str, ...] | None = None
    assign: dict[str, tuple[str, ...]] = field(default_factory=dict)  # resolved path → its groups, before rules

    def __call__(
        self, paths: list[Path], quiet: bool = False, on_error=None, on_warning=None, ray: str | None = None
    ) -> IngestReport:
        """Bring the store in line with `paths`. `on_error(source, reason)` is called per bad file,
        `on_warning(source, reason)` per problem worked around in a file that was ingested. `ray`: the address
        of a Ray cluster (or `auto`) whose workers parse and embed."""
        report = IngestReport()
        unreadable: list[OSError] = []
        skipped: list[tuple[Path, Path, str]] = []
        total = sum(1 for _ in walk(paths, unreadable, skipped))  # for the progress bar; the files are walked again
        # below, not kept in a list (at 50k files, their paths were 30 MB of the ingest's memory)
        for path, root, why in skipped:
            report.skipped.append((source_name(path, root), why))
            if on_warning:
                on_warning(source_name(path, root), why)
        for p in paths:
            if not p.exists():
                _fail(report, on_error, source_name(p, None), "no such file or folder")
        for exc in unreadable:  # its files are kept as they are, not removed
            folder = Path(str(exc.filename))
            root = next((p for p in paths if folder.is_relative_to(p)), None)
            _fail(report, on_error, source_name(folder, root), f"folder {os_reason(exc)}")
        run = _Run(self, report, on_error, on_warning, ship=ray is not None)
        prepare = self.preparer(total, ray)
        try:
            with progress_bar(quiet) as progress:
                task = progress.add_task("ingest", total=total, info="")

                def advance(name: str) -> None:
                    progress.update(task, advance=1, description=f"ingest {name[:30]}")

                for job, outcome in prepare(run.jobs(walk(paths), advance)):
                    run.take(job, outcome)
                run.flush()
                run.regroup()
        finally:
            prepare.close()
        gone = _gone(run.known, run.seen, paths, unreadable)
        self.journal.delete([doc_id(k) for k in gone])
        report.removed = len(gone)
        return report

    def preparer(self, files: int, ray: str | None) -> Inline | Pool | RayPreparer:
        """Who turns jobs into rows: Ray workers, a pool of parsing processes, or this process."""
        cfg = self.cfg
        keep_parsed = cfg.summarizer == "llm"  # the SLM lives in this process
        if ray is not None:
            from ragtune.ingest.ray import RayPreparer

            return RayPreparer(ray, self.embedder_recipe, cfg, keep_parsed)
        workers = cfg.workers or (min(os.cpu_count() or 1, 8) if files >= POOL_MIN_FILES else 1)
        if workers == 1:
            return Inline(self.embedder.tokenizer, cfg, keep_parsed)
        return Pool(workers, self.embedder.tokenizer, cfg, keep_parsed)


class _Run:
    """One ingest: turns the walked files into jobs, takes their outcomes in order, writes full batches."""

    def __init__(self, ingester: Ingester, report: IngestReport, on_error, on_warning, ship: bool):
        self.ingester, self.report = ingester, report
        self.on_error, self.on_warning = on_error, on_warning
        self.ship = ship  # jobs carry the file's bytes (for workers elsewhere)
        self.known = ingester.catalog.hashes()
        self.labels = ingester.catalog.labels_by_path()
        self.rules = Rules()
        self.regroups: dict[str, list[str]] = {}  # new label → unchanged documents that get it
        self.seen: set[str] = set()
        self.batch: list[Prepared] = []

    def access(self, path: Path, root: Path | None, key: str) -> str:
        """The file's access label: from the rules files, else the command's groups, else as it was, else public."""
        found = self.ingester.assign.get(key)
        if found is None:
            found = self.rules.groups(path, root)
        if found is None:
            found = self.ingester.groups
        return self.labels.get(key, "") if found is None else label(found)

    def jobs(self, files: Iterable[tuple[Path, Path | None]], advance: Callable[[str], None]) -> Iterator[Job]:
        """Changed and new files as jobs; unchanged and unreadable ones are settled here."""
        for path, root in files:
            advance(path.name)
            if not path.exists():  # gone since the folder was listed, or a link to nowhere (or to itself)
                if root is not None:  # (a missing path given by name was reported before)
                    why = "a broken or looping link" if path.is_symlink() else "vanished before it was read"
                    _fail(self.report, self.on_error, source_name(path, root), why)
                continue
            key, source = printable(str(path.resolve())), source_name(path, root)
            if key in self.seen:  # named twice (a file and a folder holding it): one document
                continue
            self.seen.add(key)
            try:
                access = self.access(path, root, key)
                data = path.read_bytes() if self.ship else None
                digest = hashlib.sha256(data).hexdigest() if data is not None else file_hash(path)
            except OSError as exc:  # the previous version, if any, stays
                _fail(self.report, self.on_error, source, os_reason(exc))
                continue
            except RagtuneError as exc:  # a bad rules file: its files are not ingested, not made public
                _fail(self.report, self.on_error, source, f"access rules: {exc}")
                continue
            if self.known.get(key) == digest:
                if self.labels.get(key, "") != access:
                    self.regroups.setdefault(access, []).append(doc_id(key))
                    self.report.regrouped += 1
                    self.report.files[source] = ("regrouped", "")
                    continue
                self.report.unchanged += 1
                self.report.files[source] = ("unchanged", "")
                continue
            yield Job(str(path), key, source, digest, data, access)

    def take(self, job: Job, outcome: Outcome) -> None:
        """A prepared file joins the batch (written when full); a failed one is reported."""
        if isinstance(outcome, Failed):
            _fail(self.report, self.on_error, job.source, outcome.reason)
            return
        if outcome.parsed is not None:
            set_summary(outcome, self.ingester.summarize(outcome.parsed))
        for warning in outcome.warnings:
            self.report.warnings.append((job.source, warning))
            if self.on_warning:
                self.on_warning(job.source, warning)
        status = "updated" if job.key in self.known else "ingested"
        self.report.updated += status == "updated"
        self.report.ingested += status == "ingested"
        self.report.files[job.source] = (status, "")
        self.batch.append(outcome)
        if sum(len(p.rows) for p in self.batch) >= self.ingester.cfg.batch:
            self.flush()

    def flush(self) -> None:
        """Embed the batch's rows (those no worker has) and write them in the documented order."""
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        rows = [r for p in batch for r in p.rows]
        embed_rows(rows, self.ingester.embedder.embed)
        stale = [p.doc["doc_id"] for p in batch if p.doc["path"] in self.known]  # rows from an earlier ingest
        tables = {p.doc["doc_id"]: p.tables for p in batch}
        self.ingester.journal.write([p.doc for p in batch], rows, stale, tables)
        self.report.chunks += sum(p.doc["chunks"] for p in batch)

    def regroup(self) -> None:
        """Unchanged documents whose groups changed: their rows take the new label (no parsing, no embedding)."""
        for access, ids in self.regroups.items():
            self.ingester.journal.regroup(ids, access)


def _gone(known: dict[str, str], seen: set[str], paths: list[Path], unreadable: list[OSError]) -> list[str]:
    """Known files under an ingested folder that this walk did not see, except under folders it could not list."""
    roots = [Path(printable(str(p.resolve()))) for p in paths if p.is_dir()]
    kept = [Path(printable(str(Path(str(e.filename)).resolve()))) for e in unreadable]

    def under(key: str, folders: list[Path]) -> bool:
        return any(Path(key).is_relative_to(f) for f in folders)

    return [k for k in known if k not in seen and under(k, roots) and not under(k, kept)]


def _fail(report: IngestReport, on_error, source: str, reason: str) -> None:
    report.failures.append((source, reason))
    report.files[source] = ("failed", reason)
    if on_error:
        on_error(source, reason)
