"""What a parser produces: a document made of located sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ragtune.tables.base import Table


@dataclass
class Section:
    """A piece of a document with where it came from.

    `locator` says where in the file (page, heading path, sheet+rows, table+rowid, JSON path);
    `records` holds the field dicts of structured rows, so filters can match them.
    """

    text: str
    locator: str
    heading: str = ""
    records: list[dict] = field(default_factory=list)


@dataclass
class Document:
    """A parsed file: its kind, title, sections and, for structured data, table schemas."""

    kind: str
    title: str
    sections: list[Section]
    tables: list[Table] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # problems the parser worked around (one line each)


class Parser(Protocol):
    """Turns one file into a Document, or raises IngestError with the reason."""

    kind: str

    def parse(self, path: Path) -> Document: ...
