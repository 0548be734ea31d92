"""DOCX: sections at headings, tables as records (python-docx)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError

from ragtune.errors import IngestError
from ragtune.ingest.base import Document, Section
from ragtune.ingest.records import clean_header, grid_records, table_sections


class DocxParser:
    kind = "docx"

    def parse(self, path: Path) -> Document:
        try:
            document = docx.Document(str(path))
        except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise IngestError(f"not a valid DOCX file ({type(exc).__name__}: {exc})") from exc
        sections: list[Section] = []
        path_: list[tuple[int, str]] = []
        body: list[str] = []
        title = document.core_properties.title or ""

        def flush() -> None:
            heading = " > ".join(t for _, t in path_)
            if body:
                sections.append(Section("\n".join(body), heading or "start", heading=heading))
            body.clear()

        for para in document.paragraphs:
            text = para.text.strip()
            style = para.style.name if para.style is not None else ""
            level = _heading_level(style)
            if level and text:
                flush()
                path_ = [p for p in path_ if p[0] < level] + [(level, text)]
                title = title or text
            elif text:
                body.append(text)
        flush()
        tables, warnings = [], []
        for t, table in enumerate(document.tables, 1):
            rows = [[c.text.strip() for c in row.cells] for row in table.rows]
            if len(rows) > 1:
                header, renamed = clean_header(rows[0])
                located = [(f"table {t} row {r}", row) for r, row in enumerate(rows[1:], 2)]
                records, ragged = grid_records(header, located)
                secs, parsed, mixed = table_sections(f"{path.stem} / table {t}", header, records)
                sections += secs
                tables.append(parsed)
                warnings += [f"table {t}: {w}" for w in renamed + ragged] + mixed
        if not sections:
            raise IngestError("DOCX has no text")
        return Document(self.kind, title or sections[0].text[:120], sections, tables, warnings)


def _heading_level(style: str) -> int:
    if style == "Title":
        return 1
    if style.startswith("Heading"):
        digits = style.removeprefix("Heading").strip()
        return int(digits) if digits.isdigit() else 1
    return 0
