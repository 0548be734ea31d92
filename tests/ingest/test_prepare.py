"""One file → its store rows: sentences and chunks are embedded with the document's title and section heading."""

from __future__ import annotations

from ragtune.config import ChunkConfig
from ragtune.index.embedders import approximate_tokenizer
from ragtune.ingest.base import Document, Section
from ragtune.ingest.prepare import Job, context, prepare, real_title
from ragtune.samples import write_docx


def test_a_contract_sentence_is_embedded_with_the_parties_the_title_names(tmp_path):
    path = tmp_path / "agreement.docx"
    write_docx(
        path,
        [
            ("Title", "Supply agreement between Alder AS and Nordhavn Polymers"),
            ("Heading 1", "Term"),
            (None, "The contract runs until 31 March 2029."),
        ],
    )
    job = Job(str(path), str(path), path.name, "sha")
    rows = prepare(job, approximate_tokenizer(), ChunkConfig()).rows
    (sentence,) = [r for r in rows if r["kind"] == "sentence" and "2029" in r["text"]]
    assert sentence["text"] == "The contract runs until 31 March 2029."
    assert sentence["search_text"].startswith("Supply agreement between Alder AS and Nordhavn Polymers")
    assert sentence["search_text"].endswith(": The contract runs until 31 March 2029.")


def test_only_a_real_title_is_context():
    long_line = "Infection prevention and control policy. Hand hygiene audits are carried out every month by the"
    assert real_title(Document("pdf", long_line, [Section(long_line + " lead nurse.", "page 1")])) == ""
    cut = "The Super Bowl was played in Santa Clara on February 7, 2016, and the Denver Broncos won the game"
    assert real_title(Document("text", cut[:40], [Section(cut, "line 1")])) == ""
    notes = Document(
        "text", "Practice meeting notes, 14 October 2026", [Section("Practice meeting notes, 14 October 2026", "l1")]
    )
    assert real_title(notes) == "Practice meeting notes, 14 October 2026"
    assert context("Handbook", "Handbook > Leave") == "Handbook > Leave"
    assert context("Agreement", "Term") == "Agreement — Term"
