"""Document summaries written by the model (the `llm` summarizer); the extractive default is in ingest/chunking."""

from __future__ import annotations

from ragtune.ingest.base import Document
from ragtune.ingest.chunking import summarize
from ragtune.prompts import render


def summarize_with(llm, doc: Document, n_sentences: int) -> str:
    """A summary written by the model from the document's opening, prefixed by the extractive one's title."""
    opening = " ".join(s.text for s in doc.sections)[:1500]
    (written,) = llm.complete([render("summary", title=doc.title, text=opening)], 60, ["\n"], chat=True)
    return f"{doc.title.strip()}. {written.strip()}" if written.strip() else summarize(doc, n_sentences)
