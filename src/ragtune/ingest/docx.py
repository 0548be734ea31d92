"""DOCX: sections at headings, tables as records (python-docx)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError

from ragtune.errors import IngestError
from ragtune.ingest.base import Document, Section
from ragtune.ingest.records import record_text


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
        for t, table in enumerate(document.tables, 1):
            rows = [[c.text.strip() for c in row.cells] for row in table.rows]
            if len(rows) > 1:
                header = rows[0]
                for r, row in enumerate(rows[1:], 2):
                    rec = dict(zip(header, row, strict=False))
                    sections.append(Section(record_text(rec), f"table {t} row {r}", records=[rec]))
        if not sections:
            raise IngestError("DOCX has no text")
        return Document(self.kind, title or sections[0].text[:120], sections)


def _heading_level(style: str) -> int:
    if style == "Title":
        return 1
    if style.startswith("Heading"):
        digits = style.removeprefix("Heading").strip()
        return int(digits) if digits.isdigit() else 1
    return 0
