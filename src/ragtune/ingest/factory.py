"""File suffix → parser."""

from __future__ import annotations

from pathlib import Path

from ragtune.errors import IngestError
from ragtune.ingest.base import Parser
from ragtune.ingest.docx import DocxParser
from ragtune.ingest.html import HtmlParser
from ragtune.ingest.pdf import PdfParser
from ragtune.ingest.records import CsvParser, JsonlParser, JsonParser, SqliteParser, XlsxParser
from ragtune.ingest.text import MarkdownParser, TextParser

PARSERS: dict[str, type] = {
    ".md": MarkdownParser,
    ".markdown": MarkdownParser,
    ".txt": TextParser,
    ".text": TextParser,
    ".rst": TextParser,
    ".html": HtmlParser,
    ".htm": HtmlParser,
    ".pdf": PdfParser,
    ".docx": DocxParser,
    ".csv": CsvParser,
    ".tsv": CsvParser,
    ".xlsx": XlsxParser,
    ".json": JsonParser,
    ".jsonl": JsonlParser,
    ".ndjson": JsonlParser,
    ".sqlite": SqliteParser,
    ".sqlite3": SqliteParser,
    ".db": SqliteParser,
}


def supported(path: Path) -> bool:
    return path.suffix.lower() in PARSERS


def parser_for(path: Path) -> Parser:
    """The parser for a file, or IngestError naming the unsupported type."""
    try:
        return PARSERS[path.suffix.lower()]()
    except KeyError:
        raise IngestError(f"unsupported file type '{path.suffix or path.name}'") from None
