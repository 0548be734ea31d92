"""Every format parses into located sections; structured data keeps its field names."""

from __future__ import annotations

import json

import pytest

from ragtune.errors import IngestError
from ragtune.ingest.factory import parser_for


def parse(path):
    return parser_for(path).parse(path)


def test_markdown_sections_carry_heading_paths(corpus):
    doc = parse(corpus / "handbook.md")
    annual = next(s for s in doc.sections if "27 days" in s.text)
    assert annual.heading == "Alderbrook Outfitters employee handbook > Leave > Annual leave"
    assert "line" in annual.locator
    assert doc.title == "Alderbrook Outfitters employee handbook"


def test_text_detects_encoding(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(
        "Smørbrød og blåbærsyltetøy er på menyen i kantinen hver fredag.\n\nNeste avsnitt.".encode("latin-1")
    )
    doc = parse(path)
    assert "Smørbrød" in doc.sections[0].text
    assert [s.locator for s in doc.sections] == ["line 1", "line 3"]


def test_html_keeps_main_text_and_drops_boilerplate(corpus):
    doc = parse(corpus / "faq.html")
    text = "\n".join(s.text for s in doc.sections)
    assert "5 to 8 working days" in text
    assert "Log in" not in text and "Cookies" not in text
    assert any(s.heading.endswith("Do you ship to Iceland?") for s in doc.sections)


def test_pdf_is_page_aware_and_unwrapped(corpus):
    doc = parse(corpus / "returns-policy.pdf")
    assert [s.locator for s in doc.sections] == ["page 1", "page 2"]
    assert "within 45 days of purchase" in doc.sections[0].text
    assert "within 14 days" in doc.sections[1].text


def test_docx_is_heading_aware(corpus):
    doc = parse(corpus / "supplier-agreement.docx")
    payment = next(s for s in doc.sections if "60 days" in s.text)
    assert payment.heading == "Payment"
    assert doc.title.startswith("Supplier agreement")


def test_csv_rows_keep_column_names_and_schema(corpus):
    doc = parse(corpus / "products.csv")
    row = next(s for s in doc.sections if "AO-300" in s.text)
    assert row.text.startswith("sku: AO-300 | name: Polar down sleeping bag")
    assert row.locator == "row 6"
    assert row.records == [
        {
            "sku": "AO-300",
            "name": "Polar down sleeping bag",
            "category": "sleeping",
            "weight_kg": "1.2",
            "warranty_years": "10",
        }
    ]
    (table,) = doc.tables
    assert table.columns[:2] == ["sku", "name"] and table.rows == 6
    assert table.types == ["text", "text", "text", "real", "integer"]


def test_xlsx_reads_every_sheet(corpus):
    doc = parse(corpus / "price-list.xlsx")
    assert [t.name for t in doc.tables] == ["price-list / Retail", "price-list / Wholesale"]
    wholesale = next(s for s in doc.sections if "118" in s.text)
    assert wholesale.locator == "sheet Wholesale row 3"
    assert wholesale.records[0]["min_quantity"] == 20


def test_sqlite_reads_every_table_with_rowids(corpus):
    doc = parse(corpus / "stores.sqlite")
    bergen = next(s for s in doc.sections if "Bergen" in s.text)
    assert bergen.locator == "table stores rowid 1"
    assert doc.tables[0].types == ["integer", "text", "text", "integer"]


def test_json_records_get_json_paths(tmp_path):
    path = tmp_path / "team.json"
    path.write_text(json.dumps({"team": [{"name": "Ada", "role": {"title": "CTO"}}, {"name": "Linus"}], "year": 2026}))
    doc = parse(path)
    assert [s.locator for s in doc.sections] == ["$.team[0]", "$.team[1]", "$.year"]
    assert doc.sections[0].text == "name: Ada | role.title: CTO"


def test_jsonl_records_get_line_numbers(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text('{"id": 1, "what": "launch"}\n\n{"id": 2, "what": "recall"}\n')
    assert [s.locator for s in parse(path).sections] == ["line 1", "line 3"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "empty file"),
        ("blank.txt", b"  \n\n ", "empty file"),
        ("binary.txt", bytes(range(256)) * 8, "binary content"),
        ("broken.json", b'{"a": [1, 2,', "invalid JSON at line 1"),
        ("broken.jsonl", b'{"ok": 1}\n{"bad": \n', "invalid JSON on line 2"),
        ("fake.docx", b"this is not a zip file", "not a valid DOCX"),
        ("fake.xlsx", b"PK\x03\x04 truncated", "not a valid XLSX"),
        ("fake.sqlite", b"hello world, not a database", "not a SQLite database"),
        ("header-only.csv", b"a,b,c\n", "header row and at least one data row"),
        ("empty.pdf", b"", "empty file"),
        ("notes.xyz", b"some text", "unsupported file type '.xyz'"),
    ],
)
def test_bad_files_raise_one_clear_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError, match=reason.replace("(", r"\(").replace("[", r"\[")):
        parse(path)


def test_truncated_pdf_is_rejected(tmp_path, corpus):
    path = tmp_path / "truncated.pdf"
    path.write_bytes((corpus / "returns-policy.pdf").read_bytes()[:400])
    with pytest.raises(IngestError, match="PDF"):
        parse(path)


def test_a_json_number_of_100000_digits_is_read_and_cut_at_the_cell_limit(tmp_path):
    from ragtune.ingest.records import MAX_CELL

    big = "9" * 100_000
    (tmp_path / "big.json").write_text(f'[{{"name": "pi-ish", "digits": {big}, "n": 7}}]')
    (tmp_path / "big.jsonl").write_text(f'{{"name": "row", "digits": {big}}}\n')
    for name in ("big.json", "big.jsonl"):
        doc = parse(tmp_path / name)
        text = " ".join(s.text for s in doc.sections)
        assert "9" * MAX_CELL in text and "9" * (MAX_CELL + 1) not in text, name
        assert any(f"longer than {MAX_CELL:,} characters; cut there (limit)" in w for w in doc.warnings), name
    assert "n: 7" in " ".join(s.text for s in parse(tmp_path / "big.json").sections)  # small numbers stay numbers


def test_single_byte_code_pages_are_told_apart_by_their_words(tmp_path):
    """#29: a cp1252 file was read as cp1250 ("crêpes" → "crępes"): both decode it without garbage."""
    cases = {
        "menu.txt": ("Our café serves crêpes, crème brûlée and naïve façades every day.", "cp1252"),
        "short.txt": ("crêpes", "cp1252"),
        "polish.txt": ("Zażółć gęślą jaźń, miły człowiek.", "cp1250"),
        "russian.txt": ("Привет, как дела?", "cp1251"),
    }
    for name, (text, encoding) in cases.items():
        (tmp_path / name).write_bytes((text + "\n").encode(encoding))
        assert parse(tmp_path / name).sections[0].text == text, name
