"""PDF: one section per page (pypdf)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from ragtune.errors import IngestError
from ragtune.ingest.base import Document, Section

logging.getLogger("pypdf").setLevel(logging.ERROR)


def unwrap(text: str) -> str:
    """Join the hard line breaks of PDF text; keep paragraph breaks and hyphenated words whole."""
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    return re.sub(r"(?<!\n)\n(?!\n)", " ", text)


class PdfParser:
    kind = "pdf"

    def parse(self, path: Path) -> Document:
        if path.stat().st_size == 0:
            raise IngestError("empty file")
        try:
            reader = PdfReader(path, strict=False)
            pages = [(page.extract_text() or "").strip() for page in reader.pages]
            title = (reader.metadata.title if reader.metadata else None) or ""
        except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
            raise IngestError(f"unreadable PDF ({type(exc).__name__}: {exc})") from exc
        sections = [Section(unwrap(text), f"page {i}") for i, text in enumerate(pages, 1) if text]
        if not sections:
            raise IngestError("PDF has no extractable text (scanned image? OCR is not supported)")
        return Document(self.kind, title or sections[0].text.splitlines()[0][:120], sections)
