"""Ingest end to end: every format into LanceDB, incremental re-runs, bad files, interruption and resume."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ragtune.errors import RagtuneError
from ragtune.index.base import Filter
from ragtune.integrity import problems
from tests.conftest import make_workspace


def consistent(ws) -> None:
    """The store holds exactly the manifest's documents: one summary and `chunks` chunks each, no strays."""
    assert problems(ws) == []


def test_every_format_is_ingested_with_locators(demo_ws):
    docs = {d["source"]: d for d in demo_ws.catalog.documents()}
    assert set(docs) == {
        f"corpus/{n}"
        for n in (
            "handbook.md",
            "products.csv",
            "price-list.xlsx",
            "returns-policy.pdf",
            "supplier-agreement.docx",
            "stores.sqlite",
            "faq.html",
        )
    }
    consistent(demo_ws)
    locators = {r["locator"] for r in demo_ws.store.rows([Filter.eq("kind", "chunk")])}
    assert "page 2" in locators
    assert any(loc.startswith("sheet Wholesale rows 2") for loc in locators)
    assert any(loc.startswith("table stores rowids 1") for loc in locators)
    schemas = {s["name"]: s for s in demo_ws.catalog.schemas()}
    assert schemas["stores"]["columns"] == ["store_id", "city", "manager", "opened"]


def test_large_tables_are_chunked_by_rows_with_the_header(ws, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("id,city,notes\n" + "".join(f"{i},City {i},note number {i} about things\n" for i in range(300)))
    ws.ingest([path])
    chunks = ws.store.rows([Filter.eq("kind", "chunk")])
    assert len(chunks) > 10
    for c in chunks:
        assert c["heading"] == "big — columns: id, city, notes"
        assert c["search_text"].startswith("big — columns: id, city, notes\nid: ")
        assert ws.embedder.count_tokens(c["search_text"]) <= ws.settings.chunk.record_size
    assert sum(len(__import__("json").loads(c["records"])) for c in chunks) == 300


def test_prose_chunks_fit_the_embedder_and_overlap(ws, tmp_path):
    path = tmp_path / "long.md"
    path.write_text("# Long\n\n" + " ".join(f"Sentence number {i} says something rather specific." for i in range(200)))
    ws.ingest([path])
    chunks = sorted(ws.store.rows([Filter.eq("kind", "chunk")]), key=lambda r: r["ordinal"])
    assert len(chunks) > 3
    assert all(ws.embedder.count_tokens(c["text"]) <= ws.settings.chunk.size for c in chunks)
    assert chunks[0]["text"][-40:] in chunks[1]["text"] or chunks[1]["text"][:40] in chunks[0]["text"]


def test_reingest_skips_unchanged_updates_changed_removes_deleted(ws, corpus_copy):
    first = ws.ingest([corpus_copy])
    assert (first.ingested, first.failed) == (7, 0)
    again = ws.ingest([corpus_copy])
    assert again.line() == "ingested 0, unchanged 7, updated 0, removed 0, failed 0"

    handbook = corpus_copy / "handbook.md"
    handbook.write_text(handbook.read_text().replace("27 days", "30 days"))
    (corpus_copy / "faq.html").unlink()
    (corpus_copy / "new.txt").write_text("The canteen opens at 11:30 on weekdays.")
    third = ws.ingest([corpus_copy])
    assert third.line() == "ingested 1, unchanged 5, updated 1, removed 1, failed 0"
    consistent(ws)
    texts = " ".join(r["text"] for r in ws.store.rows([Filter.eq("kind", "chunk")]))
    assert "30 days" in texts and "27 days" not in texts
    assert "Iceland" not in texts and "canteen" in texts


def test_a_batch_deletes_old_rows_only_of_documents_it_updates(ws, corpus_copy):
    """A delete scans the table: a first ingest has nothing to delete, a re-ingest deletes what it updates."""
    deleted: list[list[str]] = []
    replace = ws.store.replace

    def recording(doc_ids, rows):
        deleted.append(list(doc_ids))
        replace(doc_ids, rows)

    ws.store.replace = recording
    ws.ingest([corpus_copy])
    assert deleted and all(ids == [] for ids in deleted)
    deleted.clear()
    handbook = corpus_copy / "handbook.md"
    handbook.write_text(handbook.read_text().replace("27 days", "30 days"))
    (corpus_copy / "new.txt").write_text("The canteen opens at 11:30 on weekdays.")
    ws.ingest([corpus_copy])
    assert deleted == [[ws.doc_id(str(handbook.resolve()))]]
    consistent(ws)


def test_a_file_named_twice_is_one_document(ws, corpus_copy):
    report = ws.ingest([corpus_copy, corpus_copy / "handbook.md"])
    assert (report.ingested, report.failed) == (7, 0)
    consistent(ws)


def test_reingest_keeps_the_sql_tables_in_step(ws, corpus_copy):
    ws.ingest([corpus_copy])
    products = corpus_copy / "products.csv"
    row = "AO-300,Polar down sleeping bag,sleeping,1.2,"
    products.write_text(products.read_text().replace(row + "10", row + "12"))
    (corpus_copy / "stores.sqlite").unlink()
    report = ws.ingest([corpus_copy])
    assert (report.updated, report.removed) == (1, 1)
    consistent(ws)
    assert ws.tables.query("SELECT MAX(warranty_years) FROM products").rows == [(12,)]
    assert "stores" not in {t.sql_name for t in ws.tables.catalog()}
    assert ws.ask("Which product has the longest warranty?").text == "Polar down sleeping bag"


def test_bad_tables_are_ingested_with_one_warning_line_each(ws, tmp_path):
    import openpyxl

    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "ragged.csv").write_text("sku,name,price\nA-1,Lamp,10\nA-2,Desk\nA-3,Chair,30,extra\n")
    (folder / "headers.csv").write_text("sku,,name,name\nA-1,x,Lamp,Lampe\n")
    (folder / "mixed.csv").write_text("sku,price\nA-1,10\nA-2,ten\nA-3,30\n")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Wide"
    sheet.append([f"field_{i}" for i in range(200)])
    for r in range(3):
        sheet.append([r * 1000 + i for i in range(200)])
    book.save(folder / "wide.xlsx")
    warnings: list[tuple[str, str]] = []
    report = ws.ingest([folder], on_warning=lambda s, w: warnings.append((s, w)))
    assert (report.ingested, report.failed) == (4, 0)
    said = {s.split("/")[-1]: [w for src, w in warnings if src == s] for s, _ in warnings}
    assert said["ragged.csv"] == [
        "1 row(s) have more fields than the header (first: row 4); extra fields dropped",
        "1 row(s) have fewer fields than the header (first: row 3); left empty",
    ]
    assert said["headers.csv"] == [
        "column 2 has no header; named it 'column_2'",
        "duplicate header 'name' in columns 3 and 4; renamed 'name_4'",
    ]
    assert said["mixed.csv"] == ["table 'mixed': column 'price' mixes numbers and text; stored as text"]
    assert all("\n" not in w for _, w in warnings)
    wide = next(t for t in ws.tables.catalog() if t.source.endswith("wide.xlsx"))
    assert len(wide.columns) == 200 and ws.tables.query("SELECT SUM(field_199) FROM wide_wide").rows == [(3597,)]
    consistent(ws)


def test_bad_files_are_reported_and_the_rest_ingested(ws, corpus_copy):
    (corpus_copy / "empty.md").write_text("")
    (corpus_copy / "broken.json").write_text("{oops")
    (corpus_copy / "fake.docx").write_bytes(b"not a zip")
    (corpus_copy / "truncated.pdf").write_bytes((corpus_copy / "returns-policy.pdf").read_bytes()[:300])
    (corpus_copy / "binary.txt").write_bytes(os.urandom(2048))
    errors = []
    report = ws.ingest([corpus_copy, corpus_copy / "missing.md"], on_error=lambda s, r: errors.append((s, r)))
    assert report.ingested == 7
    assert report.failed == 6
    reasons = dict(errors)
    assert reasons["corpus/broken.json"].startswith("invalid JSON at line 1")
    assert reasons["corpus/empty.md"] == "empty file"
    assert reasons[str(corpus_copy / "missing.md")] == "no such file or folder"
    consistent(ws)


@pytest.mark.slow
def test_cli_ingest_prints_counts_one_line_per_error_and_exit_status(tmp_path, corpus_copy):
    (corpus_copy / "broken.json").write_text("[1, 2")
    cmd = [sys.executable, "-m", "ragtune.cli", "--store", str(tmp_path / "s"), "ingest", "--quiet", str(corpus_copy)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert proc.stdout.strip() == "ingested 7, unchanged 0, updated 0, removed 0, failed 1"
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: corpus/broken.json: invalid JSON at line 1 column 6: Expecting ',' delimiter"]
    (corpus_copy / "broken.json").unlink()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert (proc.returncode, proc.stdout.strip()) == (0, "ingested 0, unchanged 7, updated 0, removed 0, failed 0")


def test_interrupted_between_store_and_manifest_resumes_cleanly(ws, corpus_copy, monkeypatch):
    ws.settings.chunk.batch = 4
    calls = {"n": 0}
    record = type(ws.catalog).record

    def crash_on_second(self, docs, tables):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # killed after the store write, before the manifest commit
        return record(self, docs, tables)

    monkeypatch.setattr(type(ws.catalog), "record", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        ws.ingest([corpus_copy])
    monkeypatch.setattr(type(ws.catalog), "record", record)
    done = len(ws.catalog.documents())
    assert 0 < done < 7
    report = ws.ingest([corpus_copy])
    assert (report.unchanged, report.ingested, report.failed) == (done, 7 - done, 0)
    consistent(ws)
    assert ws.search("Who manages the Bergen store?").passages


def test_killed_ingest_process_resumes_without_corruption(tmp_path, embedder):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(150):
        (folder / f"note{i:03d}.txt").write_text(f"Note {i}. Item {i} is stored on shelf {i % 17} in aisle {i % 5}.")
    store = tmp_path / "store"
    env = dict(os.environ, RAGTUNE_CHUNK__BATCH="12")
    cmd = [sys.executable, "-m", "ragtune.cli", "--store", str(store), "ingest", "--quiet", str(folder)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if _documents(store / "manifest.sqlite") >= 20:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < _documents(store / "manifest.sqlite") < 150
    time.sleep(1)
    assert _processes_naming(store) == []  # its parsing processes died with it
    ws = make_workspace(store, embedder)
    report = ws.ingest([folder])
    assert report.failed == 0 and report.unchanged + report.ingested == 150
    consistent(ws)


def _processes_naming(path: Path) -> list[int]:
    """Pids of live processes whose command line names `path`."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(path).encode() in cmdline.read_bytes():
                pids.append(int(cmdline.parent.name))
        except OSError:
            continue
    return pids


def _documents(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db) as con:
            return con.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_slm_written_summaries_are_an_option(real_ws, corpus):
    ws = real_ws
    ws.settings.chunk.summarizer = "llm"
    ws.ingest([corpus / "handbook.md"])
    (summary,) = ws.store.rows([Filter.eq("kind", "summary")])
    assert summary["text"].startswith("Alderbrook Outfitters employee handbook. ")
    assert len(summary["text"]) > len("Alderbrook Outfitters employee handbook. ")
    assert ws.catalog.documents()[0]["summary"] == summary["text"]


def test_a_second_writer_is_refused_with_a_clear_message(ws, corpus_copy):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from ragtune.lock import write_lock\n"
            "with write_lock(Path(sys.argv[1]), 'ingest'):\n    print('held', flush=True); time.sleep(30)",
            str(ws.settings.store),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RagtuneError, match=rf"is being written by ingest \(pid {holder.pid}\); ingest again when"):
            ws.ingest([corpus_copy])
    finally:
        holder.kill()
        holder.wait()
    assert ws.ingest([corpus_copy]).ingested == 7  # the lock dies with its process
    consistent(ws)


def test_a_batch_cut_off_midway_is_skipped_by_readers_and_undone_on_open(tmp_path, embedder, llm, corpus_copy):
    ws = make_workspace(tmp_path / "store", embedder)
    ws.ingest([corpus_copy / "handbook.md"])
    (corpus_copy / "handbook.md").write_text("# Handbook\n\nEmployees get 31 days of paid annual leave.\n")

    def die(*args):  # the process dies after the vector store was written, before tables and manifest
        raise SystemExit("killed")

    ws.tables.replace = die
    with pytest.raises(SystemExit):
        ws.ingest([corpus_copy])
    assert ws.catalog.pending()
    assert not [p for p in ws.search("31 days of paid annual leave").passages if p.doc_id in ws.catalog.pending()]
    reopened = make_workspace(tmp_path / "store", embedder, llm)  # opening undoes the dead writer's batch
    assert not reopened.catalog.pending() and problems(reopened) == []
    report = reopened.ingest([corpus_copy])
    assert report.failed == 0 and len(reopened.catalog.documents()) == 7
    consistent(reopened)
    assert "31 days" in reopened.ask("How many days of paid annual leave do employees get?").answer


def test_a_file_name_that_is_not_utf8_is_ingested_shown_escaped_and_kept_in_step(ws, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    bad = os.fsdecode(b"bad\xff.md")
    (docs / bad).write_text("# Notes\n\nThe hull test takes four days.\n")
    report = ws.ingest([docs])
    assert (report.ingested, report.failed) == (1, 0)
    assert [d["source"] for d in ws.catalog.documents()] == ["docs/bad\\xff.md"]
    assert ws.ingest([docs]).unchanged == 1
    (docs / bad).unlink()
    assert ws.ingest([docs]).removed == 1 and ws.catalog.documents() == []


def test_files_of_an_unknown_type_in_a_folder_each_get_a_line_in_the_report(ws, corpus_copy):
    (corpus_copy / "logo.png").write_bytes(b"\x89PNG\r\n")
    (corpus_copy / "notes.xyz").write_text("not a format ragtune reads")
    (corpus_copy / ".hidden.bin").write_bytes(b"x")  # hidden files stay out of it, as before
    seen: list[tuple[str, str]] = []
    report = ws.ingest([corpus_copy], on_warning=lambda src, why: seen.append((src, why)))
    assert report.ingested == 7 and report.failed == 0
    assert report.skipped == [
        ("corpus/logo.png", "skipped: no reader for '.png' files (not ingested)"),
        ("corpus/notes.xyz", "skipped: no reader for '.xyz' files (not ingested)"),
    ]
    assert seen == report.skipped and report.line().endswith(", skipped 2")


def test_links_out_of_the_folder_are_refused_and_links_inside_read_once(ws, tmp_path):
    secret = tmp_path / "outside" / "passwd.md"
    secret.parent.mkdir()
    secret.write_text("# Secret\n\nroot:x:0:0:zqsecret:/root:/bin/bash\n")
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "handbook.md").write_text("# Handbook\n\nLunch is served at noon in the zqcanteen.\n")
    (docs / "passwd.md").symlink_to(secret)
    (docs / "elsewhere").symlink_to(secret.parent, target_is_directory=True)
    (docs / "sub" / "again.md").symlink_to(docs / "handbook.md")  # inside: the same file, read once
    seen: list[tuple[str, str]] = []
    report = ws.ingest([docs], on_warning=lambda src, why: seen.append((src, why)))
    assert (report.ingested, report.failed) == (1, 0)
    assert dict(report.skipped) == {
        "docs/elsewhere": "refused: a link to outside the ingested folder (not followed)",
        "docs/passwd.md": "refused: a link to outside the ingested folder (not followed)",
    }
    assert seen == report.skipped
    assert [d["source"] for d in ws.catalog.documents()] == ["docs/handbook.md"]
    assert all("zqsecret" not in p.text for p in ws.search("zqsecret root", top_k=5).passages)


def test_a_sqlite_database_with_hostile_names_is_read_whole(ws, tmp_path):
    import sqlite3

    docs = tmp_path / "docs"
    docs.mkdir()
    con = sqlite3.connect(docs / "stock.sqlite")
    con.execute('CREATE TABLE "x""; DROP TABLE y; --" ("__locator" TEXT, "bin no" INTEGER)')
    con.execute('INSERT INTO "x""; DROP TABLE y; --" VALUES (?, ?)', ("aisle zq7", 41))
    con.execute("CREATE TABLE y (item TEXT, shelf INTEGER)")
    con.execute("INSERT INTO y VALUES ('Kestrel valve', 12)")
    con.commit()
    con.close()
    report = ws.ingest([docs])
    assert (report.ingested, report.failed) == (1, 0), report.failures
    tables = {t.name: t for t in ws.tables.catalog()}
    assert set(tables) == {'x"; DROP TABLE y; --', "y"}
    assert "__locator" in tables['x"; DROP TABLE y; --'].columns  # the user's column, beside the internal one
    assert "aisle zq7" in " ".join(p.text for p in ws.search("aisle zq7 bin", top_k=3).passages)


def test_a_file_of_more_chunks_than_the_limit_keeps_the_first_with_a_warning(ws, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "long.md").write_text("# Long\n\n" + "\n\n".join(f"Paragraph {i} says zq{i}." * 60 for i in range(12)))
    ws.settings.chunk.max_chunks = 3
    warned: list[tuple[str, str]] = []
    report = ws.ingest([docs], on_warning=lambda src, why: warned.append((src, why)))
    assert (report.ingested, report.failed) == (1, 0)
    ((source, why),) = warned
    assert source == "docs/long.md" and why.endswith("chunks; only the first 3 are kept (limit)")
    assert ws.catalog.documents()[0]["chunks"] == 3
