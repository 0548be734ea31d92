"""ragtune's own routes on a real server over a private store: uploads (limits, sniffing, traversal), delete,
background evaluation with progress, batching, and readers during writes."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from ragtune.config import Settings
from ragtune.serve.app import create_app
from tests.conftest import make_workspace
from tests.serve.server import Server

KEY = "sk-routes-secret-9191"
AUTH = {"Authorization": f"Bearer {KEY}"}
POLICY = (
    "# Parking policy\n\nStaff parking at the Tromsø office costs 45 NOK per day.\n"
    "Visitors park free for the first two hours.\n"
)


@pytest.fixture(scope="module")
def store(tmp_path_factory, embedder, llm):
    ws = make_workspace(tmp_path_factory.mktemp("served") / "store", embedder, llm)
    ws.settings.serve.max_upload_mb = 0.05  # 50 KiB: small enough to test the limit
    return ws


@pytest.fixture(scope="module")
def served(store):
    s = Server(create_app(store, api_key=KEY))
    yield s
    s.stop()


def upload(server, *files: tuple[str, bytes], auth=AUTH) -> httpx.Response:
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files]
    return httpx.post(f"{server.url}/ingest", files=parts, headers=auth, timeout=120)


def ask(server, question: str, model: str = "ragtune-rag") -> dict:
    body = {"model": model, "messages": [{"role": "user", "content": question}]}
    r = httpx.post(f"{server.url}/v1/chat/completions", json=body, headers=AUTH, timeout=120)
    assert r.status_code == 200, r.text
    return r.json()["choices"][0]["message"]


def test_an_uploaded_file_is_answered_from_cited_and_deleted(served, store):
    r = upload(served, ("parking.md", POLICY.encode()))
    assert r.status_code == 200
    (result,) = r.json()["files"]
    assert result["status"] == "ingested" and result["source"] == "uploads/parking.md"
    message = ask(served, "How much does staff parking cost per day?")
    assert message["content"].startswith("45 NOK") and message["citations"][0]["source"] == "uploads/parking.md"
    assert upload(served, ("parking.md", POLICY.encode())).json()["files"][0]["status"] == "unchanged"
    docs = httpx.get(f"{served.url}/documents", headers=AUTH).json()
    (doc,) = [d for d in docs if d["source"] == "uploads/parking.md"]
    assert "path" not in doc and doc["summary"]
    assert httpx.delete(f"{served.url}/documents/{doc['doc_id']}", headers=AUTH).status_code == 200
    assert not (store.settings.store / "uploads" / "parking.md").exists()
    assert httpx.delete(f"{served.url}/documents/{doc['doc_id']}", headers=AUTH).status_code == 404
    assert ask(served, "How much does staff parking cost per day?")["abstained"]


def test_concurrent_uploads_each_report_their_own_new_file(served, store):
    names = [f"depot-{k}.md" for k in range(6)]
    texts = [f"# Depot {k}\n\nDepot {k} opens at {k + 6} o'clock and stores item zq{k}depot.\n" for k in range(6)]
    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda nt: upload(served, (nt[0], nt[1].encode())), zip(names, texts, strict=True)))
    statuses = {r.json()["files"][0]["file"]: r.json()["files"][0]["status"] for r in replies}
    assert statuses == dict.fromkeys(names, "ingested")  # not "unchanged" because another request stored it first
    for k, name in enumerate(names):
        hit = store.search(f"zq{k}depot", top_k=1).passages[0]
        assert hit.source == f"uploads/{name}"


@pytest.mark.parametrize(
    ("name", "data", "code", "reason"),
    [
        ("big.txt", b"word " * 20_000, 413, "upload limit"),
        ("tool.exe", b"MZ\x90\x00", 415, "unsupported file type"),
        ("report.pdf", b"just text pretending to be a PDF", 415, "not a PDF"),
        ("sheet.xlsx", b"PK\x03\x04 not really a zip", 415, "XLSX"),
        ("notes.txt", b"\x7fELF\x02\x01\x01" + bytes(64), 415, "binary content"),
        ("empty.md", b"", 400, "empty file"),
        ("..", b"x", 400, "not a usable file name"),
    ],
)
def test_bad_uploads_are_refused_with_the_reason(served, store, name, data, code, reason):
    r = upload(served, (name, data))
    assert r.status_code == code
    (result,) = r.json()["files"]
    assert result["status"] == "rejected" and reason in result["reason"]
    assert not [p for p in (store.settings.store / "uploads").glob("*") if p.name.startswith(".")]


def test_a_traversal_name_is_written_inside_the_store_only(served, store, tmp_path_factory):
    root = store.settings.store.parent
    before = {p for p in root.rglob("*") if "uploads" not in p.parts}
    r = upload(served, ("../../../etc/evil.md", b"# Evil\n\nThe evil file says the launch code is 7731.\n"))
    (result,) = r.json()["files"]
    assert result["source"] == "uploads/evil.md"
    assert (store.settings.store / "uploads" / "evil.md").exists()
    new_outside = {p for p in root.rglob("*") if "uploads" not in p.parts} - before
    assert all(p.is_relative_to(store.settings.store) for p in new_outside)


def test_two_different_files_of_one_name_never_become_one_document(served, store):
    first = upload(served, ("../../etc/rota.md", b"# Rota\n\nThe night rota starts at 22:00 in hall zqrota.\n"))
    assert first.json()["files"][0]["status"] == "ingested"
    other = b"# Rota\n\nThe day rota starts at 06:00 in hall zqrota.\n"
    second = upload(served, ("..\\..\\rota.md", other))  # another client's file, the same name once cleaned
    assert second.status_code == 409
    (result,) = second.json()["files"]
    assert result["status"] == "conflict" and "uploads/rota.md already holds a different file" in result["reason"]
    assert store.search("rota zqrota", top_k=1).passages[0].text.startswith("The night rota")
    parts = [("files", ("rota.md", other, "text/markdown"))]
    replaced = httpx.post(f"{served.url}/ingest", files=parts, data={"replace": "true"}, headers=AUTH, timeout=120)
    assert replaced.status_code == 200 and replaced.json()["files"][0]["status"] == "updated"
    both = upload(served, ("a/memo.md", b"# Memo\n\nMemo one.\n"), ("b/memo.md", b"# Memo\n\nMemo two.\n"))
    assert [f["status"] for f in both.json()["files"]] == ["ingested", "conflict"]  # one request, one name


def test_every_route_but_health_and_the_page_needs_the_key(served):
    assert httpx.get(f"{served.url}/health").status_code == 200
    assert httpx.get(f"{served.url}/").status_code == 200
    for method, path in [
        ("POST", "/ingest"),
        ("DELETE", "/documents/x"),
        ("POST", "/eval"),
        ("GET", "/eval/x"),
        ("GET", "/report"),
        ("GET", "/documents"),
        ("GET", "/search?q=x"),
    ]:
        r = httpx.request(method, f"{served.url}{path}", headers={"Authorization": "Bearer nope"})
        assert r.status_code == 401, path
        assert KEY not in r.text


def test_an_evaluation_runs_in_the_background_with_progress_and_a_report(served, tmp_path):
    upload(served, ("parking.md", POLICY.encode()))
    qs = [
        {"question": "How much does staff parking cost per day?", "answers": ["45 NOK"]},
        {"question": "How long do visitors park free?", "answers": ["the first two hours", "two hours"]},
    ]
    data = "\n".join(json.dumps(q) for q in qs).encode()
    files = {"questions": ("qs.jsonl", data, "application/json")}
    bad = httpx.post(f"{served.url}/eval", files=files, data={"arms": "rag,nonsense"}, headers=AUTH)
    assert bad.status_code == 400 and "nonsense" in bad.json()["error"]["message"]
    r = httpx.post(f"{served.url}/eval", files=files, data={"arms": "base,rag"}, headers=AUTH)
    assert r.status_code == 202
    job = r.json()
    seen = set()
    deadline = time.time() + 180
    while job["status"] not in ("done", "failed") and time.time() < deadline:
        time.sleep(0.2)
        job = httpx.get(f"{served.url}/eval/{job['id']}", headers=AUTH).json()
        seen.add(job["done"])
    assert job["status"] == "done", job
    assert job["done"] == job["total"] == 4 and job["progress"] == 1.0
    assert job["summary"]["rag"]["f1"] > job["summary"]["base"]["f1"]
    report = httpx.get(f"{served.url}/report", headers=AUTH)
    assert report.status_code == 200 and "<table" in report.text


def test_a_refused_evaluation_leaves_no_file_and_shows_no_server_path(served, store):
    incoming = store.settings.store / "evals" / "incoming"
    cases = [("broken.jsonl", b"not json at all\n", "rag"), ("fine.jsonl", b'{"question": "q?"}\n', "x")]
    for name, data, arms in cases:
        r = httpx.post(f"{served.url}/eval", files={"questions": (name, data)}, data={"arms": arms}, headers=AUTH)
        assert r.status_code == 400, r.text
        message = r.json()["error"]["message"]
        assert str(store.settings.store) not in r.text and str(store.settings.store.resolve()) not in r.text, message
        assert not list(incoming.glob(f"{Path(name).stem}*")), f"{name} was left in {incoming}"


def test_concurrent_questions_share_one_batch(served):
    upload(served, ("parking.md", POLICY.encode()))
    queue = served.app.state.queue
    queue.batches.clear()
    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda _: ask(served, "How much does staff parking cost per day?"), range(6)))
    assert all(r["content"].startswith("45 NOK") for r in replies)
    assert sum(queue.batches) == 6 and max(queue.batches) > 1


def test_a_second_writer_process_is_refused_while_serving(served, store, tmp_path):
    (tmp_path / "a.md").write_text("# A\n\nSome text.\n")
    cmd = [sys.executable, "-m", "ragtune.cli", "ingest", str(tmp_path), "--store", str(store.settings.store)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 3
    assert "being written by ragtune serve" in done.stderr and "POST /ingest" in done.stderr


def test_readers_never_see_a_write_batch_half_done(tmp_path, embedder, llm):
    """Searches run while an ingest writes in small batches: every document a reader can see is whole."""
    ws = make_workspace(tmp_path / "store", embedder, llm)
    ws.settings.chunk.batch = 8
    corpus = tmp_path / "docs"
    corpus.mkdir()
    for i in range(40):
        body = "\n\n".join(f"Item {i}.{j}: the depot in town {i} stocks {j * 7 + i} crates." for j in range(6))
        (corpus / f"d{i:02d}.md").write_text(f"# Depot {i}\n\n{body}\n")
    problems: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            with ws.guard.read():
                docs = {d["doc_id"]: d["chunks"] for d in ws.catalog.documents()}
                rows = ws.store.rows([])
            chunks: dict[str, int] = {}
            for r in rows:
                if r["kind"] == "chunk":
                    chunks[r["doc_id"]] = chunks.get(r["doc_id"], 0) + 1
            if chunks != docs:
                problems.append(f"{len(chunks)} documents in the index, {len(docs)} in the manifest")
            ws.search("crates in town 7")

    reader = threading.Thread(target=read)
    reader.start()
    try:
        report = ws.ingest([corpus])
    finally:
        stop.set()
        reader.join()
    assert report.ingested == 40 and not problems, problems[:3]


def test_serve_settings_are_validated():
    with pytest.raises(ValueError):
        Settings(serve={"max_upload_mb": 0})


def test_a_follow_up_is_answered_with_the_conversation_and_says_how_it_read_it(served, store):
    offices = b"office,manager,desks\nBergen,Kari Dahl,40\nOslo,Per Holm,120\n"
    assert upload(served, ("offices.csv", offices)).status_code == 200
    first = "Who manages the Bergen office?"
    reply = ask(served, first)
    assert "Kari Dahl" in reply["content"] and reply["standalone_question"] == first
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": reply["content"]}]
    body = {"model": "ragtune-rag", "messages": [*history, {"role": "user", "content": "And the one in Oslo?"}]}
    r = httpx.post(f"{served.url}/v1/chat/completions", json=body, headers=AUTH, timeout=120)
    message = r.json()["choices"][0]["message"]
    assert message["standalone_question"] == "Who manages the Oslo office?"
    assert "Per Holm" in message["content"] and message["citations"][0]["source"].endswith("offices.csv")
