"""HTML: main content only (trafilatura drops navigation, footers and boilerplate)."""

from __future__ import annotations

from pathlib import Path

import trafilatura

from ragtune.errors import IngestError
from ragtune.ingest.base import Document
from ragtune.ingest.text import markdown_sections, read_text


class HtmlParser:
    kind = "html"

    def parse(self, path: Path) -> Document:
        html = read_text(path)
        text = trafilatura.extract(
            html, output_format="markdown", include_tables=True, include_comments=False, favor_recall=True
        )
        if not text or not text.strip():
            raise IngestError("no main text found in the HTML")
        meta = trafilatura.extract_metadata(html)
        title, sections = markdown_sections(text)
        return Document(self.kind, (meta.title if meta and meta.title else title) or path.stem, sections)
