"""Writers of sample files in the binary formats (PDF, DOCX, XLSX, SQLite): the demo corpus, test sets, tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def write_pdf(path: Path, pages: list[str], title: str = "") -> None:
    """A text PDF, one string per page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    style = getSampleStyleSheet()["BodyText"]
    story = []
    for i, text in enumerate(pages):
        story.append(Paragraph(text, style))
        if i < len(pages) - 1:
            story.append(PageBreak())
    SimpleDocTemplate(str(path), pagesize=A4, title=title).build(story)


def write_docx(path: Path, blocks: list[tuple[str | None, str]]) -> None:
    """(style, text) blocks; style None is a body paragraph."""
    import docx

    document = docx.Document()
    for style, text in blocks:
        document.add_paragraph(text, style=style)
    document.save(str(path))


def write_xlsx(path: Path, sheets: dict[str, list[tuple]]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    book.save(path)


def write_sqlite(path: Path, table: str, columns: str, rows: list[tuple]) -> None:
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.execute(f"CREATE TABLE {table} ({columns})")
    con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
    con.commit()
    con.close()
