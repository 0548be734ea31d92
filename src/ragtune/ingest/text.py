"""Plain text and Markdown."""

from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes
from markdown_it import MarkdownIt

from ragtune.errors import IngestError
from ragtune.ingest.base import Document, Section
from ragtune.ingest.sniff import check_text
from ragtune.text import word_evidence


def read_text(path: Path) -> str:
    """Read a text file in whatever encoding it is in; refuse binary and empty files."""
    raw = path.read_bytes()
    if not raw.strip():
        raise IngestError("empty file")
    check_text(raw[:8192])
    text = decode(raw)
    if text is None:
        raise IngestError("binary content, not text (no text encoding fits)")
    if not text.strip():
        raise IngestError("empty file (no text once decoded)")
    return text


def decode(raw: bytes) -> str | None:
    """The text of `raw` in the encoding charset-normalizer finds least garbled; where several single-byte code
    pages tie (short texts: cp1252 and cp1250 both read "crêpes" cleanly, one as "crępes"), the one whose words
    are real words in some language (`text.word_evidence`)."""
    matches = list(from_bytes(raw))
    if not matches:
        return None
    low = min(m.chaos for m in matches)
    tied = [m for m in matches if m.chaos == low]
    if len(tied) > 1 and len({str(m) for m in tied[:8]}) > 1:
        sample = raw[:65_536]
        return str(max(tied[:8], key=lambda m: word_evidence(sample.decode(m.encoding, errors="ignore"))))
    return str(tied[0])


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, stripped."""
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


class TextParser:
    kind = "text"

    def parse(self, path: Path) -> Document:
        text = read_text(path)
        paras = paragraphs(text)
        title = paras[0].splitlines()[0][:120]
        lines = _line_numbers(text, paras)
        return Document(self.kind, title, [Section(p, f"line {n}") for p, n in zip(paras, lines, strict=True)])


def _line_numbers(text: str, paras: list[str]) -> list[int]:
    """1-based line number where each paragraph starts."""
    out, pos = [], 0
    for p in paras:
        pos = text.find(p, pos)
        out.append(text.count("\n", 0, max(pos, 0)) + 1)
    return out


def markdown_sections(text: str) -> tuple[str, list[Section]]:
    """Split Markdown at headings; each section carries its heading path."""
    tokens = MarkdownIt().parse(text)
    lines = text.splitlines()
    heads: list[tuple[int, int, str]] = []  # (start line, level, title)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map:
            heads.append((tok.map[0], int(tok.tag[1]), tokens[i + 1].content.strip()))
    bounds = [h[0] for h in heads] + [len(lines)]
    sections: list[Section] = []
    if not heads or heads[0][0] > 0:
        body = "\n".join(lines[: bounds[0] if heads else len(lines)]).strip()
        if body:
            sections.append(Section(body, "line 1"))
    path: list[tuple[int, str]] = []
    for (start, level, title), end in zip(heads, bounds[1:], strict=True):
        path = [p for p in path if p[0] < level] + [(level, title)]
        body = "\n".join(lines[start + 1 : end]).strip()
        if body:
            heading = " > ".join(t for _, t in path)
            sections.append(Section(body, f"{heading} (line {start + 1})", heading=heading))
    title = heads[0][2] if heads else (sections[0].text.splitlines()[0][:120] if sections else "")
    return title, sections


class MarkdownParser:
    kind = "markdown"

    def parse(self, path: Path) -> Document:
        title, sections = markdown_sections(read_text(path))
        if not sections:
            raise IngestError("no text content")
        return Document(self.kind, title, sections)
