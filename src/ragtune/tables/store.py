"""Ingested tables kept as real SQL tables in DuckDB, beside the vector store, for questions over whole tables.

Each ingested table becomes one DuckDB table with typed columns and a `__locator` column (where the row is
in its file); the `_ragtune_tables` catalog maps it to its document, source and original column names.
Writes replace a document's tables in one transaction; queries run in a read-only transaction on a
connection that cannot touch files or the network, after `sqlguard.validate`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from ragtune.errors import RagtuneError
from ragtune.tables.sqlguard import UnsafeSQL, validate

FILE = "tables.duckdb"  # in the store folder
CATALOG = "_ragtune_tables"
LOCATOR = "__locator"
_TYPES = {"integer": ("BIGINT", pa.int64()), "real": ("DOUBLE", pa.float64()), "boolean": ("BOOLEAN", pa.bool_())}
_TEXT = ("VARCHAR", pa.string())
_CATALOG_COLUMNS = (
    "sql_name VARCHAR PRIMARY KEY, doc_id VARCHAR, source VARCHAR, name VARCHAR, columns VARCHAR, "
    "sql_columns VARCHAR, types VARCHAR, rows BIGINT"
)


@dataclass
class TableInfo:
    """One ingested table as SQL sees it."""

    sql_name: str
    doc_id: str
    source: str
    name: str  # as ingested, e.g. "price-list / Wholesale"
    columns: list[str]  # original names
    sql_columns: list[str]  # DuckDB names, same order
    types: list[str]  # integer | real | boolean | text | unknown
    rows: int

    def sql_column(self, column: str) -> str:
        return self.sql_columns[self.columns.index(column)]

    def schema_line(self) -> str:
        cols = ", ".join(f"{c} {t}" for c, t in zip(self.sql_columns, self.types, strict=True))
        return f"{self.sql_name}({cols})  -- {self.name} in {self.source}"


@dataclass
class QueryResult:
    sql: str
    columns: list[str]
    rows: list[tuple]


def sql_name(text: str) -> str:
    """A plain SQL identifier: lower case, letters, digits and underscores."""
    name = re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_") or "x"
    return f"t_{name}" if name[0].isdigit() else name


def _unique(names: list[str], taken: set[str]) -> list[str]:
    out = []
    for n in names:
        candidate, i = n, 2
        while candidate in taken:
            candidate, i = f"{n}_{i}", i + 1
        taken.add(candidate)
        out.append(candidate)
    return out


def _cast(value, kind: str):
    if value in (None, ""):
        return None
    if kind == "integer":
        return int(str(value).strip()) if not isinstance(value, int) else value
    if kind == "real":
        return float(str(value).strip()) if not isinstance(value, float) else value
    if kind == "boolean":
        return bool(value)
    return str(value)


class TableStore:
    """`store/tables.duckdb`: one connection per store object, opened on first use."""

    def __init__(self, path: Path, timeout_s: float = 5.0, max_rows: int = 100):
        self.path = path
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self._con: duckdb.DuckDBPyConnection | None = None
        self._catalog: list[TableInfo] | None = None
        self._lock = threading.Lock()
        self.version = 0  # bumped by every write: what readers cached about the tables is stale

    @classmethod
    def in_folder(cls, folder: Path) -> TableStore:
        """The table store of a store folder."""
        return cls(folder / FILE)

    def _connect(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            for attempt in range(20):
                try:
                    self._con = duckdb.connect(str(self.path), config={"enable_external_access": False})
                    break
                except duckdb.IOException as exc:  # another process holds the write lock
                    if attempt == 19:
                        raise RagtuneError(f"{self.path}: table store is locked by another process ({exc})") from None
                    time.sleep(0.25)
            self._con.execute(f"CREATE TABLE IF NOT EXISTS {CATALOG} ({_CATALOG_COLUMNS})")
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def catalog(self) -> list[TableInfo]:
        """Every ingested table (cached until the next write)."""
        if self._catalog is None:
            if not self.path.exists():
                return []
            with self._lock:
                rows = self._connect().execute(f"SELECT * FROM {CATALOG} ORDER BY source, name").fetchall()
            self._catalog = [
                TableInfo(r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5]), json.loads(r[6]), r[7])
                for r in rows
            ]
        return self._catalog

    def replace(self, docs: list[tuple[str, str, list]]) -> None:
        """For each (doc_id, source, tables): drop the document's old tables and create the new ones, atomically."""
        with self._lock:
            con = self._connect()
            con.execute("BEGIN TRANSACTION")
            try:
                self._drop(con, [d for d, _, _ in docs])
                taken = {r[0] for r in con.execute(f"SELECT sql_name FROM {CATALOG}").fetchall()}
                for doc_id, source, tables in docs:
                    for table in tables:
                        self._create(con, doc_id, source, table, taken)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                self._catalog = None
                self.version += 1

    def remove(self, doc_ids: list[str]) -> None:
        self.replace([(d, "", []) for d in doc_ids])

    @staticmethod
    def _drop(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> None:
        if not doc_ids:
            return
        marks = ", ".join("?" * len(doc_ids))
        for (name,) in con.execute(f"SELECT sql_name FROM {CATALOG} WHERE doc_id IN ({marks})", doc_ids).fetchall():
            con.execute(f'DROP TABLE IF EXISTS "{name}"')
        con.execute(f"DELETE FROM {CATALOG} WHERE doc_id IN ({marks})", doc_ids)

    @staticmethod
    def _create(con: duckdb.DuckDBPyConnection, doc_id: str, source: str, table, taken: set[str]) -> None:
        (name,) = _unique([sql_name(table.name)], taken)
        cols = _unique([sql_name(c) for c in table.columns], {LOCATOR})
        types = table.types
        try:
            kinds, rows = TableStore._arrow(table, cols, types)
        except (pa.ArrowException, OverflowError, ValueError, TypeError):  # a value its column type cannot hold:
            types = ["text"] * len(cols)  # the table still answers, as text
            kinds, rows = TableStore._arrow(table, cols, types)
        ddl = ", ".join([f"{LOCATOR} VARCHAR"] + [f'"{c}" {k[0]}' for c, k in zip(cols, kinds, strict=True)])
        con.execute(f'CREATE TABLE "{name}" ({ddl})')
        con.register("_incoming", rows)
        con.execute(f'INSERT INTO "{name}" SELECT * FROM _incoming')
        con.unregister("_incoming")
        meta = [json.dumps(table.columns), json.dumps(cols), json.dumps(types), len(table.records)]
        con.execute(f"INSERT INTO {CATALOG} VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [name, doc_id, source, table.name, *meta])

    @staticmethod
    def _arrow(table, cols: list[str], types: list[str]) -> tuple[list[tuple], pa.Table]:
        """The table's rows as Arrow columns of the given types (and those types' SQL and Arrow names)."""
        kinds = [_TYPES.get(t, _TEXT) for t in types]
        data = {LOCATOR: [loc for loc, _ in table.records]}
        for col, sql_col, kind in zip(table.columns, cols, types, strict=True):
            data[sql_col] = [_cast(rec.get(col), kind) for _, rec in table.records]
        schema = pa.schema([(LOCATOR, pa.string())] + [(c, k[1]) for c, k in zip(cols, kinds, strict=True)])
        return kinds, pa.table(data, schema=schema)

    def scoped(self, doc_ids: set[str] | None) -> TableStore | ScopedTables:
        """The store as a caller who may see only these documents sees it (None: all of it)."""
        return self if doc_ids is None else ScopedTables(self, doc_ids)

    def query(self, sql: str, tables: list[TableInfo] | None = None) -> QueryResult:
        """Run one validated read-only SELECT over `tables` (default: all; LIMIT and timeout applied); UnsafeSQL
        or RagtuneError on failure."""
        known = {t.sql_name: {*t.sql_columns, LOCATOR} for t in (self.catalog() if tables is None else tables)}
        safe = validate(sql, known, self.max_rows)
        with self._lock:
            con = self._connect()
            timer = threading.Timer(self.timeout_s, con.interrupt)
            con.execute("BEGIN TRANSACTION READ ONLY")
            timer.start()
            try:
                cur = con.execute(safe)
                rows = cur.fetchall()
                columns = [d[0] for d in cur.description]
            except duckdb.InterruptException:
                raise RagtuneError(f"query ran longer than {self.timeout_s} s and was stopped: {safe}") from None
            except duckdb.Error as exc:
                raise UnsafeSQL(f"query failed: {str(exc).splitlines()[0]}") from None
            finally:
                timer.cancel()
                con.execute("ROLLBACK")
        return QueryResult(safe, columns, rows)


class ScopedTables:
    """A table store as a caller sees it who may see only some documents: their tables are the only ones it
    lists and the only ones its SQL may name (the guard refuses any other as unknown), so a COUNT never counts a
    hidden row (a table's rows all belong to its one document)."""

    def __init__(self, base: TableStore, doc_ids: set[str]):
        self.base, self.doc_ids = base, doc_ids

    @property
    def version(self) -> int:
        return self.base.version

    def catalog(self) -> list[TableInfo]:
        return [t for t in self.base.catalog() if t.doc_id in self.doc_ids]

    def query(self, sql: str) -> QueryResult:
        return self.base.query(sql, self.catalog())
