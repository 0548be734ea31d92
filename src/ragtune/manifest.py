"""The store's catalogue in SQLite: ingested documents, table schemas, settings; explicit migrations."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from ragtune.errors import RagtuneError
from ragtune.ingest.base import Table

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
]


class Manifest:
    """Open (and migrate) `store/manifest.sqlite`."""

    def __init__(self, store: Path):
        store.mkdir(parents=True, exist_ok=True)
        self.con = sqlite3.connect(store / "manifest.sqlite", check_same_thread=False)  # serve reads from threads
        self.con.row_factory = sqlite3.Row
        self.con.execute("PRAGMA foreign_keys = ON")
        self.con.execute("PRAGMA journal_mode = WAL")
        self.migrate()

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
                    "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    ),
                )
                for t in tables.get(d["doc_id"], []):
                    self.con.execute(
                        "INSERT OR REPLACE INTO tables VALUES (?, ?, ?, ?, ?)",
                        (d["doc_id"], t.name, json.dumps(t.columns), json.dumps(t.types), t.rows),
                    )

    def summaries(self, doc_ids: list[str]) -> dict[str, dict]:
        """doc_id → {source, summary} of these documents (those recorded)."""
        marks = ", ".join("?" * len(doc_ids))
        rows = self.con.execute(f"SELECT doc_id, source, summary FROM documents WHERE doc_id IN ({marks})", doc_ids)
        return {r["doc_id"]: {"source": r["source"], "summary": r["summary"]} for r in rows}

    def documents(self) -> list[dict]:
        return [dict(r) for r in self.con.execute("SELECT * FROM documents ORDER BY source")]

    def schemas(self) -> list[dict]:
        rows = self.con.execute("SELECT d.source, t.* FROM tables t JOIN documents d USING (doc_id)")
        return [dict(r, columns=json.loads(r["columns"]), types=json.loads(r["types"])) for r in rows]
