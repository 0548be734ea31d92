"""Structure-aware, token-bounded chunking: prose split with semchunk, table rows packed with their header."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import semchunk
from tokenizers import Tokenizer

from ragtune.config import ChunkConfig
from ragtune.ingest.base import Document, Section
from ragtune.tables.base import row_quote
from ragtune.text import sentences


@dataclass
class Chunk:
    """A unit of retrieval: its text, where it came from, and the records it holds (for filters)."""

    text: str
    locator: str
    heading: str = ""
    records: list[dict] = field(default_factory=list)
    locators: list[str] = field(default_factory=list)  # one per record: where that row is


def chunk_document(doc: Document, tokenizer: Tokenizer, cfg: ChunkConfig) -> list[Chunk]:
    """Cut a document into chunks that fit the embedder, keeping locators."""

    def count(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    chunks: list[Chunk] = []
    rows: list[Section] = []
    for section in doc.sections:
        if section.records:
            if rows and (rows[0].heading != section.heading or _rows_tokens([*rows, section], count) > cfg.record_size):
                chunks.append(_pack_rows(rows))
                rows = []
            rows.append(section)
            continue
        if rows:
            chunks.append(_pack_rows(rows))
            rows = []
        chunks += _split_prose(section, tokenizer, count, cfg)
    if rows:
        chunks.append(_pack_rows(rows))
    return chunks


def _rows_tokens(rows: list[Section], count) -> int:
    return count(rows[0].heading + "\n" + "\n".join(r.text for r in rows))


def _pack_rows(rows: list[Section]) -> Chunk:
    locator = rows[0].locator
    if len(rows) > 1:
        locator = re.sub(r"\brow(id)? (\d+)$", rf"row\1s \2–{rows[-1].locator.split()[-1]}", locator)
        if locator == rows[0].locator:
            locator = f"{rows[0].locator} – {rows[-1].locator}"
    records = [rec for r in rows for rec in r.records]
    locators = [r.locator for r in rows for _ in r.records]
    return Chunk("\n".join(r.text for r in rows), locator, rows[0].heading, records, locators)


def _split_prose(section: Section, tokenizer: Tokenizer, count, cfg: ChunkConfig) -> list[Chunk]:
    budget = max(32, cfg.size - (count(section.heading) if section.heading else 0))
    if count(section.text) <= budget:
        return [Chunk(section.text, section.locator, section.heading)]
    chunker = semchunk.chunkerify(tokenizer, budget)
    parts = chunker(section.text, overlap=min(cfg.overlap, budget // 2))
    return [Chunk(p.strip(), section.locator, section.heading) for p in parts if p.strip()]


def units(chunk: Chunk) -> list[tuple[str, str]]:
    """What evidence is made of, with locators: sentences of prose, or one line per table row (its record)."""
    if chunk.records:
        table = chunk.heading.split(" — ")[0]
        lines = [row_quote(table, rec) for rec in chunk.records]
        return list(zip(lines, chunk.locators or [chunk.locator] * len(lines), strict=True))
    return [(s, chunk.locator) for s in sentences(chunk.text)]


def summarize(doc: Document, n_sentences: int) -> str:
    """Extractive summary: the title, the first sentences, and table schemas."""
    title = doc.title.strip()
    opening = doc.sections[0].text.lstrip() if doc.sections else ""
    parts = [title] if title and not opening.startswith(title) else []  # a title cut from the first line repeats it
    if doc.tables:
        for t in doc.tables[:5]:
            parts.append(f"Table {t.name}: {t.rows} rows; columns {', '.join(t.columns[:20])}.")
    else:
        prose = [s for sec in doc.sections for s in sentences(sec.text) if len(s.split()) >= 4]
        parts += prose[:n_sentences]
    return " ".join(dict.fromkeys(parts))[:1200]
