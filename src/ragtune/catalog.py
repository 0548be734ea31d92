"""The store's catalogue (`manifest.sqlite`): documents, table schemas, settings, dataset versions and adapters,
with explicit migrations. It is the one place that holds the connection: every query on it is here.

`Journal` is the one journaled write over the catalogue, the vector store and the table store, with its undo
(`drop`) and the recovery of a batch a killed writer left half done (`recover`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ragtune.errors import RagtuneError

if TYPE_CHECKING:
    from ragtune.tables.base import Table

MIGRATIONS = [
    """
    CREATE TABLE documents (
        doc_id TEXT PRIMARY KEY, path TEXT UNIQUE NOT NULL, source TEXT NOT NULL, hash TEXT NOT NULL,
        kind TEXT NOT NULL, title TEXT, summary TEXT, chunks INTEGER NOT NULL, ingested_at TEXT NOT NULL
    );
    CREATE TABLE tables (
        doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, name TEXT NOT NULL,
        columns TEXT NOT NULL, types TEXT NOT NULL, rows INTEGER NOT NULL, PRIMARY KEY (doc_id, name)
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    """
    CREATE TABLE datasets (
        version TEXT PRIMARY KEY, hash TEXT UNIQUE NOT NULL, rows INTEGER NOT NULL, heldout INTEGER NOT NULL,
        source TEXT NOT NULL, kind TEXT NOT NULL, created_at TEXT NOT NULL
    );
    CREATE TABLE adapters (
        name TEXT PRIMARY KEY, parent TEXT REFERENCES adapters(name), base TEXT NOT NULL, data TEXT NOT NULL,
        params TEXT NOT NULL, metrics TEXT NOT NULL, path TEXT NOT NULL, created_at TEXT NOT NULL
    );
    """,
    """
    CREATE TABLE pending (doc_id TEXT PRIMARY KEY);
    """,
    """
    CREATE TABLE versions (
        path TEXT NOT NULL, hash TEXT NOT NULL, modified_at TEXT, ingested_at TEXT NOT NULL, PRIMARY KEY (path, hash)
    );
    """,
    """
    ALTER TABLE documents ADD COLUMN groups TEXT NOT NULL DEFAULT '';
    ALTER TABLE datasets ADD COLUMN groups TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE adapters ADD COLUMN groups TEXT NOT NULL DEFAULT '[]';
    CREATE TABLE keys (
        name TEXT PRIMARY KEY, hash TEXT UNIQUE NOT NULL, groups TEXT NOT NULL, created_at TEXT NOT NULL,
        revoked_at TEXT
    );
    """,
]
DOC_COLUMNS = "doc_id, path, source, hash, kind, title, summary, chunks, ingested_at, groups"


class Catalog:
    """Open (and migrate) `store/manifest.sqlite`."""

    def __init__(self, store: Path):
        store.mkdir(parents=True, exist_ok=True)
        self.con = sqlite3.connect(store / "manifest.sqlite", check_same_thread=False)  # serve reads from threads
        self.con.row_factory = sqlite3.Row
        self.con.execute("PRAGMA foreign_keys = ON")
        self.con.execute("PRAGMA journal_mode = WAL")
        self.migrate()

    def close(self) -> None:
        self.con.close()

    def migrate(self, migrations: list[str] = MIGRATIONS) -> None:
        """Apply the missing migrations, each with its version bump in one transaction (a crash applies none of it)."""
        version = self.con.execute("PRAGMA user_version").fetchone()[0]
        for i, sql in enumerate(migrations[version:], version + 1):
            try:
                self.con.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {i};\nCOMMIT;")
            except sqlite3.Error:
                if self.con.in_transaction:
                    self.con.rollback()
                raise

    def check_embedder(self, name: str, dim: int) -> None:
        """Pin the store to one embedder: vectors of two models must never mix."""
        row = self.con.execute("SELECT value FROM meta WHERE key = 'embedder'").fetchone()
        if row is None:
            with self.con:
                self.con.execute("INSERT INTO meta VALUES ('embedder', ?)", (json.dumps([name, dim]),))
        elif json.loads(row[0]) != [name, dim]:
            raise RagtuneError(
                f"this store was built with embedder {json.loads(row[0])[0]!r}; use it, or a new --store"
            )

    def embedder(self) -> str | None:
        row = self.con.execute("SELECT value FROM meta WHERE key = 'embedder'").fetchone()
        return json.loads(row[0])[0] if row else None

    def hashes(self) -> dict[str, str]:
        """path → content hash of every ingested document."""
        return {r["path"]: r["hash"] for r in self.con.execute("SELECT path, hash FROM documents")}

    def labels_by_path(self) -> dict[str, str]:
        """path → access label (its groups, "" public) of every ingested document."""
        return {r["path"]: r["groups"] for r in self.con.execute("SELECT path, groups FROM documents")}

    def labels(self) -> set[str]:
        """Every access label the store's documents carry ("" for public ones)."""
        return {r[0] for r in self.con.execute("SELECT DISTINCT groups FROM documents")}

    def regroup(self, doc_ids: list[str], label: str) -> None:
        """Give documents new groups (their rows in the stores were rewritten first)."""
        with self.con:
            self.con.executemany("UPDATE documents SET groups = ? WHERE doc_id = ?", [(label, i) for i in doc_ids])
            self.con.executemany("DELETE FROM pending WHERE doc_id = ?", [(i,) for i in doc_ids])

    def begin(self, doc_ids: list[str]) -> None:
        """Journal a write batch before the vector store and the tables are touched: until `record` or `remove`
        clears them, these documents are in flight (readers skip them; `recover` undoes them after a crash)."""
        with self.con:
            self.con.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(i,) for i in doc_ids])

    def pending(self) -> set[str]:
        """Documents of a write batch begun and not finished (by a writer now, or by one that died)."""
        return {r[0] for r in self.con.execute("SELECT doc_id FROM pending")}

    def forget(self, doc_ids: list[str]) -> None:
        """Drop documents and their journal entries (after their rows were removed from the stores)."""
        with self.con:
            self.con.executemany("DELETE FROM documents WHERE doc_id = ?", [(i,) for i in doc_ids])
            self.con.executemany("DELETE FROM pending WHERE doc_id = ?", [(i,) for i in doc_ids])

    def record(self, docs: list[dict], tables: dict[str, list[Table]]) -> None:
        """Upsert documents and their table schemas, and end their journal entries, in one transaction."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.con:
            for d in docs:
                self.con.execute("DELETE FROM pending WHERE doc_id = ?", (d["doc_id"],))
                self.con.execute("DELETE FROM documents WHERE doc_id = ?", (d["doc_id"],))
                self.con.execute(
                    f"INSERT INTO documents ({DOC_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        d["doc_id"],
                        d["path"],
                        d["source"],
                        d["hash"],
                        d["kind"],
                        d["title"],
                        d["summary"],
                        d["chunks"],
                        now,
                        d.get("groups", ""),
                    ),
                )
                self.con.execute(
                    "INSERT OR IGNORE INTO versions VALUES (?, ?, ?, ?)",
                    (d["path"], d["hash"], _modified(d["path"]), now),
                )
                for t in tables.get(d["doc_id"], []):
                    self.con.execute(
                        "INSERT OR REPLACE INTO tables VALUES (?, ?, ?, ?, ?)",
                        (d["doc_id"], t.name, json.dumps(t.columns), json.dumps(t.types), t.rows),
                    )

    def versions(self) -> dict[str, list[dict]]:
        """Every ingested version of each document (by path), oldest first: its hash and when the file was last
        modified (else ingested). A document with more than one has changed."""
        out: dict[str, list[dict]] = {}
        rows = self.con.execute(
            "SELECT path, hash, COALESCE(modified_at, ingested_at) AS at FROM versions ORDER BY path, at"
        )
        for r in rows:
            out.setdefault(r["path"], []).append({"hash": r["hash"], "at": r["at"]})
        return out

    def summaries(self, doc_ids: list[str], labels: list[str] | None = None) -> dict[str, dict]:
        """doc_id → {source, summary, title} of these documents (those recorded, and with one of `labels` when
        given)."""
        marks = ", ".join("?" * len(doc_ids))
        visible, params = _labels(labels)
        sql = f"SELECT doc_id, source, summary, title FROM documents WHERE doc_id IN ({marks}) AND {visible}"
        rows = self.con.execute(sql, [*doc_ids, *params])
        return {r["doc_id"]: {"source": r["source"], "summary": r["summary"], "title": r["title"]} for r in rows}

    def documents(self, labels: list[str] | None = None) -> list[dict]:
        """Every recorded document, or those with one of `labels` (the access labels a caller may see)."""
        visible, params = _labels(labels)
        return [dict(r) for r in self.con.execute(f"SELECT * FROM documents WHERE {visible} ORDER BY source", params)]

    def doc_ids(self, labels: list[str]) -> set[str]:
        """The ids of the documents with one of these access labels."""
        visible, params = _labels(labels)
        return {r[0] for r in self.con.execute(f"SELECT doc_id FROM documents WHERE {visible}", params)}

    def schemas(self) -> list[dict]:
        rows = self.con.execute("SELECT d.source, t.* FROM tables t JOIN documents d USING (doc_id)")
        return [dict(r, columns=json.loads(r["columns"]), types=json.loads(r["types"])) for r in rows]

    # -- API keys -------------------------------------------------------------------------------------------
    def add_key(self, name: str, digest: str, groups: list[str]) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            with self.con:
                self.con.execute("INSERT INTO keys VALUES (?, ?, ?, ?, NULL)", (name, digest, json.dumps(groups), now))
        except sqlite3.IntegrityError:
            raise RagtuneError(f"a key named {name!r} exists; revoke it or choose another name") from None

    def api_keys(self) -> list[dict]:
        """Every key's name, groups and dates (never its hash)."""
        rows = self.con.execute("SELECT name, groups, created_at, revoked_at FROM keys ORDER BY created_at, name")
        return [dict(r, groups=json.loads(r["groups"])) for r in rows]

    def key_by_hash(self, digest: str) -> dict | None:
        """The live (not revoked) key with this hash: {name, hash, groups}."""
        row = self.con.execute(
            "SELECT name, hash, groups FROM keys WHERE hash = ? AND revoked_at IS NULL", (digest,)
        ).fetchone()
        return dict(row, groups=json.loads(row["groups"])) if row else None

    def has_keys(self) -> bool:
        return self.con.execute("SELECT 1 FROM keys WHERE revoked_at IS NULL LIMIT 1").fetchone() is not None

    def revoke_key(self, name: str) -> bool:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.con:
            cur = self.con.execute("UPDATE keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", (now, name))
        return cur.rowcount > 0

    # -- datasets -------------------------------------------------------------------------------------------
    def dataset_by_hash(self, digest: str) -> dict | None:
        row = self.con.execute("SELECT * FROM datasets WHERE hash = ?", (digest,)).fetchone()
        return _decoded(row) if row else None

    def next_dataset_version(self) -> str:
        n = self.con.execute("SELECT count(*) FROM datasets").fetchone()[0]
        return f"v{n + 1:04d}"

    def record_dataset(self, meta: dict) -> None:
        with self.con:
            self.con.execute(
                "INSERT INTO datasets VALUES (:version, :hash, :rows, :heldout, :source, :kind, :created_at, :groups)",
                {"groups": "[]"} | meta | {"groups": json.dumps(meta.get("groups", []))},
            )

    def datasets(self) -> list[dict]:
        return [_decoded(r) for r in self.con.execute("SELECT * FROM datasets ORDER BY version")]

    # -- adapters -------------------------------------------------------------------------------------------
    def adapters(self) -> list[dict]:
        return [_decoded(r) for r in self.con.execute("SELECT * FROM adapters ORDER BY created_at, name")]

    def adapter(self, name: str) -> dict | None:
        row = self.con.execute("SELECT * FROM adapters WHERE name = ?", (name,)).fetchone()
        return _decoded(row) if row else None

    def adapter_count(self) -> int:
        return self.con.execute("SELECT count(*) FROM adapters").fetchone()[0]

    def record_adapter(self, record: dict) -> None:
        with self.con:
            self.con.execute(
                "INSERT OR REPLACE INTO adapters VALUES (:name, :parent, :base, :data, :params, :metrics, :path, "
                ":created_at, :groups)",
                record | {"groups": json.dumps(record.get("groups", []))},
            )

    def remove_adapter(self, name: str) -> None:
        with self.con:
            self.con.execute("DELETE FROM adapters WHERE name = ?", (name,))


class Journal:
    """Writes that span the catalogue, the vector store and the table store, journaled so that a crash midway
    is undone: documents are marked in flight (`Catalog.begin`) before the stores change and recorded after
    (readers skip what is in flight). Hold the store's write lock around every call."""

    def __init__(self, catalog: Catalog, store, tables, guard):
        self.catalog, self.store, self.tables, self.guard = catalog, store, tables, guard

    def write(self, docs: list[dict], rows: list[dict], stale: list[str], tables: dict[str, list[Table]]) -> None:
        """Replace documents: `stale` ids lose their old rows, `rows` are added, `docs` and `tables` recorded."""
        ids = [d["doc_id"] for d in docs]
        with self.guard.write():  # readers in this process see the batch whole or not at all
            self.catalog.begin(ids)  # the journal: readers elsewhere skip these
            self.store.replace(stale, rows)
            self.tables.replace([(d["doc_id"], d["source"], tables.get(d["doc_id"], [])) for d in docs])
            self.catalog.record(docs, tables)

    def regroup(self, doc_ids: list[str], label: str) -> None:
        """Give documents another access label in every row (nothing re-embedded), journaled like every write."""
        with self.guard.write():
            self.catalog.begin(doc_ids)
            self.store.relabel(doc_ids, label)
            self.catalog.regroup(doc_ids, label)

    def drop(self, doc_ids: list[str]) -> None:
        """Delete documents everywhere, journaled: a crash midway is undone by `recover`."""
        self.catalog.begin(doc_ids)
        self.store.replace(doc_ids, [])
        self.tables.remove(doc_ids)
        self.catalog.forget(doc_ids)

    def delete(self, doc_ids: list[str]) -> None:
        """Drop documents (if any) and make the store's current state visible to searches."""
        with self.guard.write():
            if doc_ids:
                self.drop(doc_ids)
            self.store.refresh()

    def remove(self, doc_ids: list[str]) -> list[dict]:
        """Delete the known documents among `doc_ids`; returns their catalogue records."""
        with self.guard.write():  # (a thread's write nests): no document is added between the look and the drop
            known = {d["doc_id"]: d for d in self.catalog.documents()}
            gone = [known[i] for i in doc_ids if i in known]
            if gone:
                self.delete([d["doc_id"] for d in gone])
            return gone

    def recover(self) -> list[str]:
        """Undo the write batch a killed writer left half done; the next ingest redoes it."""
        pending = sorted(self.catalog.pending())
        if pending:
            with self.guard.write():
                self.drop(pending)
        return pending


def recover_if_free(store: Path, journal: Callable[[], Journal]) -> None:
    """On open: a batch left by a dead writer is undone now, unless a live writer holds the store."""
    from ragtune.lock import write_lock

    try:
        with write_lock(store, "recover"):
            journal().recover()
    except RagtuneError:
        pass  # a writer is at work: its batch is in flight, and readers skip it


def _decoded(row: sqlite3.Row) -> dict:
    """A dataset or adapter record, with the access labels it inherited as a list."""
    return dict(row) | {"groups": json.loads(row["groups"])}


def _labels(labels: list[str] | None) -> tuple[str, list[str]]:
    """A condition keeping documents with one of these access labels (None: every document), and its parameters."""
    if labels is None:
        return "TRUE", []
    return f"groups IN ({', '.join('?' * len(labels))})", list(labels)


def _modified(path: str) -> str | None:
    """A file's modification time (ISO, UTC), or None for a source that is not a local file."""
    try:
        return datetime.fromtimestamp(Path(path).stat().st_mtime, UTC).isoformat(timespec="seconds")
    except (OSError, ValueError):
        return None
