"""The manifest's migrations: each is applied whole or not at all."""

from __future__ import annotations

import sqlite3

import pytest

from ragtune.manifest import MIGRATIONS, Manifest


def test_a_migration_that_fails_midway_leaves_the_store_openable(tmp_path):
    manifest = Manifest(tmp_path)
    version = manifest.con.execute("PRAGMA user_version").fetchone()[0]
    broken = "CREATE TABLE notes (id INTEGER);\nCREATE TABLE notes (id INTEGER);"  # second statement fails
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        manifest.migrate([*MIGRATIONS, broken])
    assert manifest.con.execute("PRAGMA user_version").fetchone()[0] == version
    tables = {r[0] for r in manifest.con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "notes" not in tables  # the first statement was rolled back with the rest
    manifest.migrate([*MIGRATIONS, "CREATE TABLE notes (id INTEGER);"])
    assert manifest.con.execute("PRAGMA user_version").fetchone()[0] == version + 1
    Manifest(tmp_path)  # and the store still opens


def test_a_new_store_is_at_the_latest_version(tmp_path):
    assert Manifest(tmp_path).con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
