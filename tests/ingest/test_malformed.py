"""A malformed-input corpus, generated here: every file gets a clear outcome (ingested, or failed with a reason)
and one bad file never stops the others. Plus property-based fuzzing of the text, CSV, JSON and record loaders,
the JSONL dataset reader and question files: they either work or raise ragtune's one-line errors."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ragtune.errors import RagtuneError
from ragtune.ingest.factory import parser_for
from ragtune.integrity import problems
from ragtune.samples import write_pdf
from tests.conftest import make_workspace

GOOD = "# Good\n\nThe good file says the ferry leaves at 07:15.\n"


def zip_bomb(path: Path, member: str, size: int = 60 * 2**20) -> None:
    """A small Office-looking zip whose one member inflates to `size` bytes of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open(member, "w") as fh:
            block = bytes(2**20)
            for _ in range(size // 2**20):
                fh.write(block)


def encrypted_pdf(path: Path, source: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt("secret-pw")
    writer.write(path)


def imageonly_pdf(path: Path) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.rect(100, 100, 200, 200, fill=1)  # a drawing, no text layer
    c.save()


def malformed_corpus(folder: Path) -> dict[str, str | None]:
    """Write the corpus; returns file → expected words in the failure reason (None: it must be ingested)."""
    folder.mkdir()
    write_pdf(folder / "whole.pdf", ["A whole PDF about the ferry timetable."])
    data = (folder / "whole.pdf").read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 2])
    encrypted_pdf(folder / "encrypted.pdf", folder / "whole.pdf")
    imageonly_pdf(folder / "scanned.pdf")
    zip_bomb(folder / "bomb.docx", "word/document.xml")
    zip_bomb(folder / "bomb.xlsx", "xl/workbook.xml")
    (folder / "deep.json").write_text("[" * 10_000 + "]" * 10_000)
    (folder / "ragged.csv").write_text("a,b,c\n1,2\n3,4,5,6\n7,8,9\n")
    (folder / "nul.csv").write_bytes(b"a,b\n1,\x002\n")
    (folder / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me costs 4 euros at the kiosk.".encode("latin-1"))
    (folder / "mixed.txt").write_bytes("Smörgås at noon. ".encode() + "Gr\xfc\xdfe from Köln.".encode("latin-1"))
    (folder / "invalid-utf8.md").write_bytes(b"# Notes\n\nThe \xff\xfe\xfd parcel weighs 3 kg.\n")
    (folder / "corrupt.sqlite").write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    (folder / "fake.docx").write_text("not a zip at all")
    (folder / "good.md").write_text(GOOD)
    os.symlink("loop-b.md", folder / "loop-a.md")
    os.symlink("loop-a.md", folder / "loop-b.md")
    (folder / "sub").mkdir()
    os.symlink("..", folder / "sub" / "up")  # a folder loop: links to folders are not followed
    return {
        "whole.pdf": None,
        "truncated.pdf": "",
        "encrypted.pdf": "",
        "scanned.pdf": "no extractable text",
        "bomb.docx": "zip bomb",
        "bomb.xlsx": "zip bomb",
        "deep.json": "nested too deeply",
        "ragged.csv": None,
        "nul.csv": "NUL",
        "latin1.txt": None,
        "mixed.txt": None,
        "invalid-utf8.md": None,
        "corrupt.sqlite": "",
        "fake.docx": "not a zip",
        "good.md": None,
        "loop-a.md": "looping link",
        "loop-b.md": "looping link",
    }


def test_every_malformed_file_gets_a_clear_outcome_and_the_rest_is_ingested(tmp_path, embedder):
    folder = tmp_path / "bad"
    expected = malformed_corpus(folder)
    ws = make_workspace(tmp_path / "store", embedder)
    report = ws.ingest([folder])
    outcomes = {Path(source).name: status for source, status in report.files.items()}
    reasons = dict((Path(s).name, why) for s, why in report.failures)
    assert set(outcomes) == set(expected)
    for name, words in expected.items():
        if words is None:
            assert outcomes[name][0] == "ingested", (name, outcomes[name])
        else:
            assert outcomes[name][0] == "failed" and words in reasons[name] and "\n" not in reasons[name], name
    assert problems(ws) == []
    assert "07:15" in ws.search("When does the ferry leave?").passages[0].text


def test_a_locked_sqlite_file_fails_with_a_reason_not_a_hang(tmp_path, embedder):
    db = tmp_path / "locked.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (a TEXT)")
    con.execute("INSERT INTO t VALUES ('x')")
    con.commit()
    con.execute("PRAGMA locking_mode = EXCLUSIVE")
    con.execute("BEGIN EXCLUSIVE")
    try:
        report = make_workspace(tmp_path / "store", embedder).ingest([db])
    finally:
        con.close()
    assert report.failed == 1 and report.failures[0][1]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, embedder):
    big = tmp_path / "oneline.txt"
    with big.open("w") as fh:  # one 200 MB line
        for _ in range(200):
            fh.write("word " * (2**20 // 5))
    ws = make_workspace(tmp_path / "store", embedder)
    report = ws.ingest([big])
    assert report.failed == 1 and "over the 100 MiB limit" in report.failures[0][1]


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ALLOWED = (RagtuneError,)


def parse_bytes(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    try:
        doc = parser_for(path).parse(path)
    except ALLOWED:
        return
    assert isinstance(doc.title, str) and all(isinstance(s.text, str) for s in doc.sections)


@FUZZ
@given(data=st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
@pytest.mark.parametrize("name", ["x.txt", "x.md", "x.csv", "x.json", "x.jsonl", "x.html"])
def test_text_and_record_loaders_never_crash(tmp_path, name, data):
    parse_bytes(tmp_path, name, data)


def json_values():
    leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)

    def nest(kids):
        return st.lists(kids, max_size=5) | st.dictionaries(st.text(max_size=10), kids, max_size=5)

    return st.recursive(leaf, nest, max_leaves=40)


@FUZZ
@given(value=json_values())
def test_any_json_document_is_read_or_refused_with_a_reason(tmp_path, value):
    parse_bytes(tmp_path, "v.json", json.dumps(value).encode())


@FUZZ
@given(rows=st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=12))
def test_any_csv_is_read_or_refused_with_a_reason(tmp_path, rows):
    import csv

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    parse_bytes(tmp_path, "t.csv", buf.getvalue().encode())


@FUZZ
@given(lines=st.lists(json_values().map(json.dumps) | st.text(max_size=40), max_size=8))
def test_the_dataset_reader_accepts_or_names_the_bad_line(tmp_path, lines):
    from ragtune.finetune.data import read_jsonl

    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(lines))
    try:
        rows = read_jsonl(path)
    except ALLOWED as exc:
        assert "\n" not in str(exc)
        return
    assert all(isinstance(r, dict) for r in rows)


@FUZZ
@given(question=st.text(max_size=300) | st.just("") | st.just("x" * 100_000) | st.just("\x00\x07\x1b[31m"))
def test_question_files_with_odd_questions_load_or_are_refused(tmp_path, question):
    from ragtune.evaluate.questions import load

    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"question": question, "answers": ["a"]}) + "\n")
    try:
        qs = load(path)
    except ALLOWED:
        return
    assert len(qs) <= 1


def test_non_utf8_question_and_dataset_files_are_one_line_errors(tmp_path):
    from ragtune.evaluate.questions import load
    from ragtune.finetune.data import read_jsonl

    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"question": "caf\xe9?", "answers": ["x"]}\n')
    for reader in (load, read_jsonl):
        try:
            reader(path)
        except RagtuneError as exc:
            assert "bad.jsonl" in str(exc)
