"""Property-based fuzzing of the whole ingest (#29): folders of generated files in every format, wide, deep,
huge-cell, oddly encoded and oddly named, beside one good file.

The property: every generated file gets exactly one outcome (ingested, possibly with warnings; skipped with a
reason; or failed with a one-line reason), the ingest itself never raises, and the good file beside them is
ingested and found. Each example runs under Hypothesis's deadline (a hang fails it). CI runs
`RAGTUNE_FUZZ_EXAMPLES` (default 40) examples; `bench/fuzz.sh` runs more.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_workspace
from tests.fakes import FakeEmbedder
from tests.ingest.test_malformed import json_values

EXAMPLES = int(os.environ.get("RAGTUNE_FUZZ_EXAMPLES", "40"))
SENTINEL = "zqanchorword"

cells = (
    st.text(max_size=20)
    | st.integers(-(10**30), 10**30).map(str)
    | st.floats(allow_nan=True, allow_infinity=True).map(repr)
    | st.just("x" * 6_000)  # longer than a cell may be
    | st.sampled_from(["", " ", "\x00", "crêpes", "Ærøskøbing", "=SUM(A1)", '"quoted, comma"', "\u202e"])
)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
stems = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1, max_size=40)


def grid(max_cols: int = 12):
    """A header and rows; sometimes a very wide one."""
    width = st.integers(1, max_cols) | st.just(300)
    return width.flatmap(lambda w: st.lists(st.lists(cells, min_size=0, max_size=w + 2), min_size=1, max_size=6))


def deep(n: int) -> str:
    return "[" * n + "1" + "]" * n


@st.composite
def files(draw) -> tuple[str, bytes]:
    """One generated file: (name, content)."""
    kind = draw(st.sampled_from(["csv", "json", "jsonl", "md", "txt", "html", "xlsx", "docx", "sqlite", "odd"]))
    stem = draw(stems).strip() or "f"
    if kind == "csv":
        buf = io.StringIO()
        csv.writer(buf).writerows(draw(grid()))
        return f"{stem}.csv", buf.getvalue().encode(draw(encodings), errors="replace")
    if kind == "json":
        body = draw(st.sampled_from([None, deep(5_000)])) or json.dumps(draw(json_values()))
        return f"{stem}.json", body.encode()
    if kind == "jsonl":
        lines = draw(st.lists(json_values().map(json.dumps) | st.text(max_size=30), max_size=6))
        return f"{stem}.jsonl", "\n".join(lines).encode()
    if kind in ("md", "txt"):
        text = draw(st.text(max_size=400) | st.just("word " * 5_000))
        return f"{stem}.{kind}", text.encode(draw(encodings), errors="replace")
    if kind == "html":
        parts = draw(st.lists(st.text(max_size=60), max_size=8))
        tags = draw(st.sampled_from(["p", "div", "table><tr><td", "script", "h1"]))
        return f"{stem}.html", "".join(f"<{tags}>{p}</{tags.split('>')[0]}>" for p in parts).encode()
    if kind == "xlsx":
        return f"{stem}.xlsx", xlsx(draw(grid()))
    if kind == "docx":
        return f"{stem}.docx", docx(draw(st.lists(st.text(max_size=80), max_size=5)), draw(grid(6)))
    if kind == "sqlite":
        return f"{stem}.sqlite", sqlite(
            draw(st.text(max_size=12)), draw(st.lists(st.text(max_size=8), min_size=1, max_size=5))
        )
    return draw(st.sampled_from(["notes.xyz", "image.png", "archive.md.zip"])), draw(st.binary(max_size=200))


def xlsx(rows: list[list[str]]) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append([ILLEGAL_CHARACTERS_RE.sub("", c)[:32_000] for c in row])  # what a worksheet can hold
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def docx(paragraphs: list[str], rows: list[list[str]]) -> bytes:
    import docx as python_docx

    def plain(s: str) -> str:  # what XML can hold
        return "".join(ch for ch in s if ch in "\t\n\r" or (ord(ch) >= 32 and not 0xD800 <= ord(ch) <= 0xDFFF))

    d = python_docx.Document()
    for p in paragraphs:
        d.add_paragraph(plain(p))
    width = max(len(r) for r in rows) or 1
    table = d.add_table(rows=len(rows), cols=min(width, 20))
    for i, row in enumerate(rows):
        for j, cell in enumerate(row[:20]):
            table.cell(i, j).text = plain(cell)[:200]
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def sqlite(table: str, columns: list[str]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "db.sqlite"
        con = sqlite3.connect(path)
        q = lambda n: '"' + n.replace('"', '""') + '"'  # noqa: E731
        names = list(dict.fromkeys(c.replace("\x00", "") or f"c{i}" for i, c in enumerate(columns)))
        try:
            con.execute(f"CREATE TABLE {q(table.replace(chr(0), '') or 't')} ({', '.join(map(q, names))})")
            con.execute(
                f"INSERT INTO {q(table.replace(chr(0), '') or 't')} VALUES ({', '.join('?' * len(names))})",
                [f"v{i}" for i in range(len(names))],
            )
            con.commit()
        except sqlite3.DatabaseError:
            pass  # a name SQLite itself refuses: the database is then empty, which is a case too
        con.close()
        return path.read_bytes()


def write(folder: Path, name: str, data: bytes) -> str:
    """Write a file under a name that may not be UTF-8 (the raw bytes of an odd name); returns its name."""
    raw = os.fsencode(name)
    if len(raw) > 200:
        raw = raw[:180] + raw[raw.rfind(b".") :] if b"." in raw[-10:] else raw[:200]
    target = os.path.join(os.fsencode(folder), raw)
    if os.path.exists(target):
        return ""
    with open(target, "wb") as fh:
        fh.write(data)
    return os.fsdecode(raw)


@settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=90),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(batch=st.lists(files(), min_size=1, max_size=6), bad_name=st.booleans())
def test_every_generated_file_gets_one_outcome_and_the_rest_is_ingested(batch, bad_name):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        names = [n for n in (write(folder, name, data) for name, data in batch) if n]
        if bad_name:
            names.append(
                write(folder, os.fsdecode(b"odd\xff name.md"), b"# Odd\n\nA file with a name that is not UTF-8.\n")
            )
        (folder / "anchor.md").write_text(f"# Anchor\n\nThe anchor file says {SENTINEL} once.\n")
        ws = make_workspace(Path(tmp) / "store", FakeEmbedder())
        report = ws.ingest([folder])
        outcomes: dict[str, list[str]] = {}
        for source, (status, reason) in report.files.items():
            outcomes.setdefault(source, []).append(status)
            if status == "failed":
                assert reason and "\n" not in reason, (source, reason)
        for source, reason in report.skipped:
            outcomes.setdefault(source, []).append("skipped")
            assert reason and "\n" not in reason
        visible = [n for n in names if not n.startswith(".")]
        assert len(outcomes) == len(visible) + 1, (sorted(outcomes), visible)
        assert all(len(v) == 1 for v in outcomes.values()), outcomes
        assert outcomes["docs/anchor.md"] == ["ingested"]
        assert any(SENTINEL in p.text for p in ws.search(SENTINEL, top_k=3, mode="bm25").passages)
