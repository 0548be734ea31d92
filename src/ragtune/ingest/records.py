"""Structured data: CSV, XLSX, SQLite, JSON and JSONL become records that keep their field names."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from collections.abc import Iterable
from pathlib import Path

from ragtune.errors import IngestError
from ragtune.ingest.base import Document, Section, Table
from ragtune.ingest.text import read_text


def record_text(record: dict) -> str:
    """`sku: A-100 | name: Desk lamp | price_eur: 49`; empty fields are left out."""
    return " | ".join(f"{k}: {v}" for k, v in record.items() if v not in (None, ""))


def _type_of(values: Iterable) -> str:
    kinds = set()
    for v in values:
        if v in (None, ""):
            continue
        if isinstance(v, bool):
            kinds.add("boolean")
        elif isinstance(v, int):
            kinds.add("integer")
        elif isinstance(v, float):
            kinds.add("real")
        else:
            s = str(v).strip()
            try:
                int(s)
                kinds.add("integer")
            except ValueError:
                try:
                    float(s)
                    kinds.add("real")
                except ValueError:
                    kinds.add("text")
    if kinds == {"integer"}:
        return "integer"
    if kinds <= {"integer", "real"} and kinds:
        return "real"
    return "text" if kinds else "unknown"


def table_sections(name: str, columns: list[str], rows: list[tuple[str, dict]]) -> tuple[list[Section], Table]:
    """One section per row (locator, record); the heading names the table and its columns."""
    heading = f"{name} — columns: {', '.join(columns)}"
    sections = [Section(record_text(rec), loc, heading=heading, records=[rec]) for loc, rec in rows]
    types = [_type_of(rec.get(c) for _, rec in rows) for c in columns]
    return [s for s in sections if s.text], Table(name, columns, types, len(rows))


def _clean(value):
    return value.strip() if isinstance(value, str) else value


class CsvParser:
    kind = "csv"

    def parse(self, path: Path) -> Document:
        text = read_text(path)
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(io.StringIO(text), dialect)
        try:
            rows = [r for r in reader if any(c.strip() for c in r)]
        except csv.Error as exc:
            raise IngestError(f"malformed CSV ({exc})") from exc
        if len(rows) < 2:
            raise IngestError("CSV needs a header row and at least one data row")
        header = [h.strip() or f"column_{i + 1}" for i, h in enumerate(rows[0])]
        records = [
            (f"row {i}", {h: _clean(v) for h, v in zip(header, r, strict=False)}) for i, r in enumerate(rows[1:], 2)
        ]
        sections, table = table_sections(path.stem, header, records)
        return Document(self.kind, f"Table {path.stem}", sections, [table])


class XlsxParser:
    kind = "xlsx"

    def parse(self, path: Path) -> Document:
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise IngestError(f"not a valid XLSX workbook ({type(exc).__name__}: {exc})") from exc
        sections: list[Section] = []
        tables: list[Table] = []
        for sheet in book.worksheets:
            rows = [r for r in sheet.iter_rows(values_only=True) if any(c not in (None, "") for c in r)]
            if len(rows) < 2:
                continue
            header = [str(h).strip() if h not in (None, "") else f"column_{i + 1}" for i, h in enumerate(rows[0])]
            records = [
                (f"sheet {sheet.title} row {i}", {h: _clean(v) for h, v in zip(header, r, strict=False)})
                for i, r in enumerate(rows[1:], 2)
            ]
            secs, table = table_sections(f"{path.stem} / {sheet.title}", header, records)
            sections += secs
            tables.append(table)
        book.close()
        if not sections:
            raise IngestError("workbook has no sheet with a header and data rows")
        return Document(self.kind, f"Workbook {path.stem}", sections, tables)


class SqliteParser:
    kind = "sqlite"

    def parse(self, path: Path) -> Document:
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise IngestError("not a SQLite database (bad header)")
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            con.row_factory = sqlite3.Row
            names = [
                r[0]
                for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
            ]
            sections: list[Section] = []
            tables: list[Table] = []
            for name in names:
                cols = [r[1] for r in con.execute(f'PRAGMA table_info("{name}")')]
                try:
                    cur = con.execute(f'SELECT rowid AS __rowid, * FROM "{name}"')
                except sqlite3.OperationalError:  # WITHOUT ROWID tables
                    cur = con.execute(f'SELECT NULL AS __rowid, * FROM "{name}"')
                rows = []
                for i, row in enumerate(cur, 1):
                    rec = {c: row[c] for c in cols}
                    rows.append((f"table {name} rowid {row['__rowid'] or i}", rec))
                secs, table = table_sections(name, cols, rows)
                sections += secs
                tables.append(table)
            con.close()
        except sqlite3.DatabaseError as exc:
            raise IngestError(f"unreadable SQLite database ({exc})") from exc
        if not sections:
            raise IngestError("SQLite database has no rows")
        return Document(self.kind, f"Database {path.stem}", sections, tables)


def _flatten(value, prefix: str = "") -> dict:
    """Nested JSON → {"a.b[0].c": leaf}."""
    if isinstance(value, dict):
        out: dict = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list) and value and all(isinstance(v, (dict, list)) for v in value):
        out = {}
        for i, v in enumerate(value):
            out.update(_flatten(v, f"{prefix}[{i}]"))
        return out
    if isinstance(value, list):
        return {prefix: ", ".join(str(v) for v in value)}
    return {prefix or "value": value}


def json_sections(name: str, items: list[tuple[str, object]]) -> tuple[list[Section], list[Table]]:
    """Records for objects (one per array element / line), flattened leaves otherwise."""
    records = [(loc, _flatten(v)) for loc, v in items]
    columns = list(dict.fromkeys(k for _, r in records for k in r))
    sections, table = table_sections(name, columns, records)
    return sections, [table]


class JsonParser:
    kind = "json"

    def parse(self, path: Path) -> Document:
        text = read_text(path)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IngestError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
        items = _json_items(data)
        sections, tables = json_sections(path.stem, items)
        if not sections:
            raise IngestError("JSON holds no values")
        return Document(self.kind, f"JSON {path.stem}", sections, tables)


def _json_items(data) -> list[tuple[str, object]]:
    """Top-level array elements, or the arrays of objects inside a top-level object, as records."""
    if isinstance(data, list):
        return [(f"$[{i}]", v) for i, v in enumerate(data)]
    if isinstance(data, dict):
        items: list[tuple[str, object]] = []
        for k, v in data.items():
            if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
                items += [(f"$.{k}[{i}]", x) for i, x in enumerate(v)]
            else:
                items.append((f"$.{k}", {k: v}))
        return items
    return [("$", data)]


class JsonlParser:
    kind = "jsonl"

    def parse(self, path: Path) -> Document:
        items = []
        for n, line in enumerate(read_text(path).splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append((f"line {n}", json.loads(line)))
            except json.JSONDecodeError as exc:
                raise IngestError(f"invalid JSON on line {n} column {exc.colno}: {exc.msg}") from exc
        sections, tables = json_sections(path.stem, items)
        return Document(self.kind, f"JSON lines {path.stem}", sections, tables)
