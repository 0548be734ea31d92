"""Structured data: CSV, XLSX, SQLite, JSON and JSONL become records that keep their field names."""

from __future__ import annotations

import csv
import io
import json
import math
import sqlite3
import zipfile
from collections.abc import Iterable
from pathlib import Path

from ragtune.errors import IngestError
from ragtune.ingest.base import Document, Section
from ragtune.ingest.text import read_text
from ragtune.tables.base import Table, quote, record_text

INT64 = 2**63  # integers a BIGINT column holds; larger ones are reals, or text when no float holds them


def _kind(v) -> str | None:
    """integer | real | boolean | text for one cell; None for an empty one."""
    if v in (None, ""):
        return None
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return _number(v)
    if isinstance(v, float):
        return "real"
    s = str(v).strip()
    try:
        return _number(int(s))
    except ValueError:
        pass
    try:
        return "text" if math.isinf(float(s)) else "real"  # (NaN, a missing number, stays a number)
    except ValueError:
        return "text"


def _number(n: int) -> str:
    if -INT64 <= n < INT64:
        return "integer"
    try:
        return "real" if math.isfinite(float(n)) else "text"
    except OverflowError:
        return "text"


def column_type(values: Iterable) -> tuple[str, bool]:
    """(integer | real | boolean | text | unknown, whether numbers and text are mixed)."""
    kinds = {k for v in values if (k := _kind(v))}
    if kinds == {"integer"}:
        return "integer", False
    if kinds and kinds <= {"integer", "real"}:
        return "real", False
    if kinds == {"boolean"}:
        return "boolean", False
    return ("text" if kinds else "unknown"), bool(kinds & {"integer", "real"}) and "text" in kinds


def clean_header(cells: Iterable) -> tuple[list[str], list[str]]:
    """Unique, non-empty column names, and a warning for each name made up or changed."""
    names: list[str] = []
    warnings: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells, 1):
        name = str(cell).strip() if cell not in (None, "") else ""
        if not name:
            name = f"column_{i}"
            warnings.append(f"column {i} has no header; named it {name!r}")
        if name.lower() in seen:
            renamed = f"{name}_{i}"
            warnings.append(f"duplicate header {name!r} in columns {seen[name.lower()]} and {i}; renamed {renamed!r}")
            name = renamed
        seen[name.lower()] = i
        names.append(name)
    return names, warnings


def grid_records(header: list[str], rows: list[tuple[str, list]]) -> tuple[list[tuple[str, dict]], list[str]]:
    """Rows of cells → (locator, record); ragged rows are padded or cut, with one warning per kind."""
    long = [loc for loc, r in rows if any(v not in (None, "") for v in r[len(header) :])]
    short = [loc for loc, r in rows if len(r) < len(header)]
    warnings = []
    if long:
        warnings.append(f"{len(long)} row(s) have more fields than the header (first: {long[0]}); extra fields dropped")
    if short:
        warnings.append(f"{len(short)} row(s) have fewer fields than the header (first: {short[0]}); left empty")
    padded = ((loc, [*r, *[None] * (len(header) - len(r))]) for loc, r in rows)
    records = [(loc, {h: _clean(v) for h, v in zip(header, r, strict=False)}) for loc, r in padded]
    return records, warnings


MAX_COLUMNS = 256  # columns kept per table: each is profiled, matched to questions and offered to SQL
MAX_ROWS = 1_000_000  # rows kept per table
MAX_CELL = 4_000  # characters kept per cell


def bounded(name: str, columns: list[str], rows: list[tuple[str, dict]]):
    """The table within the limits above (columns and rows beyond them dropped, long cells cut), with one
    warning per limit hit: what a question costs never grows with a table's width or its cells."""
    warnings = []
    if len(columns) > MAX_COLUMNS:
        warnings.append(f"table {name!r}: {len(columns):,} columns; only the first {MAX_COLUMNS} are kept (limit)")
        columns = columns[:MAX_COLUMNS]
        rows = [(loc, {c: rec.get(c) for c in columns}) for loc, rec in rows]
    if len(rows) > MAX_ROWS:
        warnings.append(f"table {name!r}: {len(rows):,} rows; only the first {MAX_ROWS:,} are kept (limit)")
        rows = rows[:MAX_ROWS]
    long = sum(isinstance(v, str) and len(v) > MAX_CELL for _, rec in rows for v in rec.values())
    if long:
        warnings.append(f"table {name!r}: {long} cell(s) longer than {MAX_CELL:,} characters; cut there (limit)")
        rows = [(loc, {c: v[:MAX_CELL] if isinstance(v, str) else v for c, v in rec.items()}) for loc, rec in rows]
    return columns, rows, warnings


def table_sections(
    name: str, columns: list[str], rows: list[tuple[str, dict]]
) -> tuple[list[Section], Table, list[str]]:
    """One section per row (locator, record); the heading names the table and its columns. A table beyond the
    limits (`bounded`) is cut to them.

    Returns the sections, the table (schema and rows) and warnings about the limits and about columns that mix
    numbers and text.
    """
    columns, rows, warnings = bounded(name, columns, rows)
    heading = f"{name} — columns: {', '.join(columns)}"
    sections = [Section(record_text(rec), loc, heading=heading, records=[rec]) for loc, rec in rows]
    types = []
    for c in columns:
        kind, mixed = column_type(rec.get(c) for _, rec in rows)
        types.append(kind)
        if mixed:
            warnings.append(f"table {name!r}: column {c!r} mixes numbers and text; stored as text")
    table = Table(name, columns, types, len(rows), [(loc, rec) for loc, rec in rows])
    return [s for s in sections if s.text], table, warnings


def _clean(value):
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


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
        header, warnings = clean_header(rows[0])
        records, ragged = grid_records(header, [(f"row {i}", r) for i, r in enumerate(rows[1:], 2)])
        sections, table, mixed = table_sections(path.stem, header, records)
        return Document(self.kind, f"Table {path.stem}", sections, [table], warnings + ragged + mixed)


def _filled(row: tuple) -> bool:
    return any(c not in (None, "") for c in row)


def _trim(row: tuple) -> tuple:
    """A header row without its trailing empty cells (formatted-but-empty columns)."""
    end = len(row)
    while end and row[end - 1] in (None, ""):
        end -= 1
    return row[:end]


class XlsxParser:
    kind = "xlsx"

    def parse(self, path: Path) -> Document:
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise IngestError(f"not a valid XLSX workbook ({type(exc).__name__}: {exc})") from exc
        doc = Document(self.kind, f"Workbook {path.stem}", [])
        for sheet in book.worksheets:
            rows = [(n, r) for n, r in enumerate(sheet.iter_rows(values_only=True), 1) if _filled(r)]
            if len(rows) < 2:
                continue
            header, warnings = clean_header(_trim(rows[0][1]))
            cells = [(f"sheet {sheet.title} row {n}", list(r)) for n, r in rows[1:]]
            records, ragged = grid_records(header, cells)
            secs, table, mixed = table_sections(f"{path.stem} / {sheet.title}", header, records)
            doc.sections += secs
            doc.tables.append(table)
            doc.warnings += [f"sheet {sheet.title!r}: {w}" for w in warnings + ragged] + mixed
        book.close()
        if not doc.sections:
            raise IngestError("workbook has no sheet with a header and data rows")
        return doc


class SqliteParser:
    kind = "sqlite"

    def parse(self, path: Path) -> Document:
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise IngestError("not a SQLite database (bad header)")
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            names = [
                r[0]
                for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
            ]
            sections: list[Section] = []
            tables: list[Table] = []
            warnings: list[str] = []
            for name in names:
                cols = [r[0] for r in con.execute("SELECT name FROM pragma_table_info(?)", (name,))]
                fields = ", ".join(map(quote, cols))  # by position: a column may be named anything
                try:
                    cur = con.execute(f"SELECT rowid, {fields} FROM {quote(name)}")
                except sqlite3.OperationalError:  # WITHOUT ROWID tables
                    cur = con.execute(f"SELECT NULL, {fields} FROM {quote(name)}")
                rows = []
                for i, (rowid, *values) in enumerate(cur, 1):
                    rows.append((f"table {name} rowid {rowid or i}", dict(zip(cols, values, strict=True))))
                secs, table, mixed = table_sections(name, cols, rows)
                sections += secs
                tables.append(table)
                warnings += mixed
            con.close()
        except sqlite3.DatabaseError as exc:
            raise IngestError(f"unreadable SQLite database ({exc})") from exc
        if not sections:
            raise IngestError("SQLite database has no rows")
        return Document(self.kind, f"Database {path.stem}", sections, tables, warnings)


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


def json_sections(name: str, items: list[tuple[str, object]]) -> tuple[list[Section], list[Table], list[str]]:
    """Records for objects (one per array element / line), flattened leaves otherwise."""
    records = [(loc, _flatten(v)) for loc, v in items]
    columns = list(dict.fromkeys(k for _, r in records for k in r))
    sections, table, warnings = table_sections(name, columns, records)
    return sections, [table], warnings


def _int(digits: str) -> int | str:
    """A JSON integer, or its digits as text when it is longer than Python converts (4,300 digits): the value is
    kept exactly and the file still reads."""
    return int(digits) if len(digits) <= 4000 else digits


def loads(text: str):
    """JSON as ragtune reads it: integers of any length (see `_int`)."""
    return json.loads(text, parse_int=_int)


class JsonParser:
    kind = "json"

    def parse(self, path: Path) -> Document:
        text = read_text(path)
        try:
            data = loads(text)
        except json.JSONDecodeError as exc:
            raise IngestError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
        except RecursionError:
            raise IngestError("JSON nested too deeply to read") from None
        items = _json_items(data)
        sections, tables, warnings = json_sections(path.stem, items)
        if not sections:
            raise IngestError("JSON holds no values")
        return Document(self.kind, f"JSON {path.stem}", sections, tables, warnings)


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
                items.append((f"line {n}", loads(line)))
            except json.JSONDecodeError as exc:
                raise IngestError(f"invalid JSON on line {n} column {exc.colno}: {exc.msg}") from exc
        sections, tables, warnings = json_sections(path.stem, items)
        return Document(self.kind, f"JSON lines {path.stem}", sections, tables, warnings)
