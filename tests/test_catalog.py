"""The manifest's migrations: each is applied whole or not at all."""

from __future__ import annotations

import sqlite3

import pytest

from ragtune.catalog import MIGRATIONS, Catalog


def test_a_migration_that_fails_midway_leaves_the_store_openable(tmp_path):
    manifest = Catalog(tmp_path)
    version = manifest.con.execute("PRAGMA user_version").fetchone()[0]
    broken = "CREATE TABLE notes (id INTEGER);\nCREATE TABLE notes (id INTEGER);"  # second statement fails
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        manifest.migrate([*MIGRATIONS, broken])
    assert manifest.con.execute("PRAGMA user_version").fetchone()[0] == version
    tables = {r[0] for r in manifest.con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "notes" not in tables  # the first statement was rolled back with the rest
    manifest.migrate([*MIGRATIONS, "CREATE TABLE notes (id INTEGER);"])
    assert manifest.con.execute("PRAGMA user_version").fetchone()[0] == version + 1
    Catalog(tmp_path)  # and the store still opens


def test_a_new_store_is_at_the_latest_version(tmp_path):
    assert Catalog(tmp_path).con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_datasets_and_adapters_are_recorded_and_listed(tmp_path):
    cat = Catalog(tmp_path)
    meta = {"version": cat.next_dataset_version(), "hash": "h1", "rows": 3, "heldout": 0, "source": "f"}
    cat.record_dataset(meta | {"kind": "user", "created_at": "t"})
    assert meta["version"] == "v0001" and cat.next_dataset_version() == "v0002"
    assert cat.dataset_by_hash("h1")["rows"] == 3 and cat.dataset_by_hash("h2") is None
    rec = {"name": "a001", "parent": None, "base": "smollm2", "data": "[]", "params": "{}", "metrics": "{}"}
    cat.record_adapter(rec | {"path": "p", "created_at": "t"})
    assert cat.adapter_count() == 1 and cat.adapter("a001")["base"] == "smollm2" and cat.adapter("x") is None
    cat.remove_adapter("a001")
    assert cat.adapters() == []


class _Store:
    def __init__(self):
        self.rows: dict[str, list] = {}
        self.fail = False

    def replace(self, doc_ids, rows):
        if self.fail:
            raise RuntimeError("killed")
        for d in doc_ids:
            self.rows.pop(d, None)
        for r in rows:
            self.rows.setdefault(r["doc_id"], []).append(r)

    def refresh(self):
        pass


class _Tables:
    def __init__(self):
        self.docs: set[str] = set()

    def replace(self, docs):
        self.docs |= {d for d, _, _ in docs}

    def remove(self, doc_ids):
        self.docs -= set(doc_ids)


def _doc(i: str) -> dict:
    return {"doc_id": i, "path": f"/{i}", "source": i, "hash": "h", "kind": "text", "title": i, "summary": ""}


def test_the_journal_writes_whole_and_a_crash_midway_is_undone(tmp_path):
    from ragtune.catalog import Journal
    from ragtune.lock import ReadWriteLock

    cat, store, tables = Catalog(tmp_path), _Store(), _Tables()
    journal = Journal(cat, store, tables, ReadWriteLock())
    journal.write([_doc("a") | {"chunks": 1}], [{"doc_id": "a"}], [], {})
    assert [d["doc_id"] for d in cat.documents()] == ["a"] and not cat.pending()
    store.fail = True
    with pytest.raises(RuntimeError):
        journal.write([_doc("b") | {"chunks": 1}], [{"doc_id": "b"}], [], {})
    assert cat.pending() == {"b"}  # in flight: readers skip it
    store.fail = False
    assert journal.recover() == ["b"] and not cat.pending() and "b" not in store.rows
    assert [d["doc_id"] for d in journal.remove(["a", "zzz"])] == ["a"] and cat.documents() == [] and not store.rows


def test_the_catalogue_keeps_each_version_of_a_document(ws, tmp_path):
    import os

    doc = tmp_path / "docs" / "prices.md"
    doc.parent.mkdir()
    for n, price in enumerate(("4.20", "4.40", "4.40")):
        doc.write_text(f"# Prices\n\nA sourdough loaf costs {price} EUR.\n")
        stamp = 1_700_000_000 + n * 7 * 86400
        os.utime(doc, (stamp, stamp))
        ws.ingest([doc.parent])
    (versions,) = ws.catalog.versions().values()
    assert len(versions) == 2  # the unchanged third ingest is not a version
    assert versions[1]["at"].startswith("2023-11-21")  # the file's modification time
