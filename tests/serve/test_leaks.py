"""The leak suite: canaries in restricted prose, a restricted table's cells and column names, a restricted
document's title and summary, and a restricted adapter's training data; every route driven by a key without
the group (no canary comes back, no count changes) and by a key with it (the canaries do come back), on every
vector store backend, over a real server. Fake models: what is tested is who sees which rows."""

from __future__ import annotations

import json
import re
import time
import uuid

import httpx
import pytest

from ragtune.access import ADMIN, Principal
from ragtune.serve.app import create_app
from tests.conftest import make_workspace
from tests.fakes import FakeEmbedder, FakeLLM, FakeSpanReader
from tests.retrieve.test_backends import store_spec
from tests.serve.server import Server

ADMIN_KEY = "sk-leak-admin-5150"
CANARY = re.compile(r"canary", re.IGNORECASE)
PUBLIC = {
    "handbook.md": "# Staff handbook\n\nStaff parking costs 45 NOK per day. The salary review happens in March.\n",
    "products.csv": "product,price\nKestrel,120\nOsprey,95\nPetrel,80\n",
}
RESTRICTED = {  # under hr/, which the corpus's rules file gives to the group hr
    "hr/salaries.md": "# Canarytitle salary bands\n\nThe salary band for engineers is Canaryprose 98765 kroner.\n",
    "hr/staff.csv": "employee,canarycol_grade\nAsta,canarycell-1\nBirk,canarycell-2\nCora,canarycell-3\nDag,x\n",
}
QUESTIONS = [
    "What is the salary band for engineers?",
    "How many staff are there?",
    "How many products are there?",
    "What is the grade of Asta?",
    "canarytitle canaryprose canarycell canarycol_grade",
]


def write_corpus(folder):
    for name, text in {**PUBLIC, **RESTRICTED}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    (folder / ".ragtune-access").write_text("# who may see what\nhr  hr\n")


@pytest.fixture(scope="module", params=["lancedb", "postgresql", "milvus"])
def served(request, tmp_path_factory):
    """A store of public and hr documents on one backend, a restricted adapter, two keys, and a server."""
    tmp = tmp_path_factory.mktemp(f"leaks-{request.param}")
    corpus = tmp / "corpus"
    write_corpus(corpus)
    spec = store_spec(request.param, request, tmp)
    reader = FakeSpanReader("Canaryprose 98765")
    ws = make_workspace(tmp / "store", FakeEmbedder(), FakeLLM("I do not know."), reader=reader, vector_store=spec)
    report = ws.ingest([corpus])
    assert report.ingested == 4 and not report.failures, report.failures
    add_restricted_adapter(ws)
    keys = {name: add_key(ws, name, groups) for name, groups in (("outsider", ["sales"]), ("insider", ["hr"]))}
    server = Server(create_app(ws, api_key=ADMIN_KEY))
    yield server, ws, keys
    server.stop()


def add_key(ws, name: str, groups: list[str]) -> str:
    from ragtune.access import key_hash, new_key

    key = new_key()
    ws.catalog.add_key(name, key_hash(key), groups)
    return key


def add_restricted_adapter(ws) -> None:
    """A dataset generated from the hr documents and an adapter recorded as trained on it (no weights: only
    who may list and call it is tested)."""
    rows = [r | {"answer": "canarytrain"} for r in ws.generate_data() if r["access"] == "hr"]
    assert rows, "the generated data holds the hr table's records"
    meta = ws.datasets.add(rows, source="corpus", kind="generated")
    assert meta["groups"] == ["hr"]
    record = {"name": "hr-tuned", "parent": None, "base": "smollm2", "data": json.dumps([meta["version"]])}
    record |= {"params": "{}", "metrics": json.dumps({"final_loss": 0.1}), "path": "/nonexistent"}
    ws.catalog.record_adapter(record | {"created_at": "2026-12-03T00:00:00+00:00", "groups": meta["groups"]})
    ws._tuned["hr-tuned"] = FakeLLM("canarytrain")  # what the adapter learnt, as a model that says it


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def chat(server, key: str, question: str, model: str = "ragtune-rag", stream: bool = False, history=()) -> str:
    messages = [*history, {"role": "user", "content": question}]
    body = {"model": model, "messages": messages, "stream": stream}
    r = httpx.post(f"{server.url}/v1/chat/completions", json=body, headers=auth(key), timeout=60)
    assert r.status_code in (200, 404), r.text
    return r.text


def sweep(server, key: str) -> dict[str, str]:
    """Every route's reply to `key`, by route (the raw text a client would see)."""
    out: dict[str, str] = {}
    for n, q in enumerate(QUESTIONS):
        out[f"search {n}"] = httpx.get(f"{server.url}/search", params={"q": q, "k": 10}, headers=auth(key)).text
        for model in ("ragtune-rag", "ragtune-base", "ragtune-ft:hr-tuned", "ragtune-ft-rag:hr-tuned"):
            if "ft" not in model or n == 0:
                out[f"chat {model} {n}"] = chat(server, key, q, model)
        out[f"stream {n}"] = chat(server, key, q, stream=True)
    history = [{"role": "user", "content": "Tell me about Asta."}, {"role": "assistant", "content": "Asta works here."}]
    out["follow-up"] = chat(server, key, "What grade does she have?", history=history)
    out["documents"] = httpx.get(f"{server.url}/documents", headers=auth(key)).text
    out["models"] = httpx.get(f"{server.url}/v1/models", headers=auth(key)).text
    out["whoami"] = httpx.get(f"{server.url}/whoami", headers=auth(key)).text
    out["health"] = httpx.get(f"{server.url}/health").text
    body = {"input": ["canary-free text"], "model": "ragtune-embedder"}
    out["embeddings"] = httpx.post(f"{server.url}/v1/embeddings", json=body, headers=auth(key)).text[:200]
    out["report"] = httpx.get(f"{server.url}/report", headers=auth(key)).text
    return out


def leaks(replies: dict[str, str]) -> list[str]:
    """The routes whose reply holds a canary (beyond the echo of a question that names one, as a probe)."""
    return [route for route, text in replies.items() if CANARY.search(text.replace(QUESTIONS[-1], ""))]


def test_a_key_without_the_group_gets_no_canary_and_no_count_from_any_route(served):
    server, _, keys = served
    replies = sweep(server, keys["outsider"])
    assert leaks(replies) == []
    docs = json.loads(replies["documents"])
    assert sorted(d["source"] for d in docs) == ["corpus/handbook.md", "corpus/products.csv"]
    assert json.loads(replies["whoami"])["documents"] == 2 and "documents" not in json.loads(replies["health"])
    assert [m["id"] for m in json.loads(replies["models"])["data"]] == ["ragtune-rag", "ragtune-base"]
    for model in ("ragtune-ft:hr-tuned", "ragtune-ft-rag:hr-tuned"):
        assert json.loads(replies[f"chat {model} 0"])["error"]["code"] == 404
    counted = json.loads(replies["chat ragtune-rag 2"])["choices"][0]["message"]
    assert counted["route"] == "sql" and counted["content"].startswith("3"), counted  # its own table still counts
    employees = json.loads(replies["chat ragtune-rag 1"])["choices"][0]["message"]
    assert employees["route"] != "sql" and "4" not in employees["content"], employees  # the hidden table is no table


def test_a_key_with_the_group_gets_the_canaries_back(served):
    """The same sweep as a holder of `hr` does find them: the check above can fail."""
    server, _, keys = served
    replies = sweep(server, keys["insider"])
    found = set(leaks(replies))
    assert {"documents", "search 0", "search 4", "chat ragtune-rag 3", "chat ragtune-ft:hr-tuned 0"} <= found, found
    employees = json.loads(replies["chat ragtune-rag 1"])["choices"][0]["message"]
    assert employees["route"] == "sql" and employees["content"].startswith("4"), employees
    assert "ragtune-ft:hr-tuned" in [m["id"] for m in json.loads(replies["models"])["data"]]
    assert json.loads(replies["whoami"])["documents"] == 4


def test_writes_as_a_key_without_the_group(served):
    """It can neither delete a hidden or a public document nor upload into a group it does not hold; its uploads go
    to its own groups, and no other key replaces them; its evaluation runs over what it sees, and only its own
    report is shown to it."""
    server, ws, keys = served
    key = keys["outsider"]
    hidden = next(d for d in ws.documents() if d["groups"] == "hr")
    r = httpx.delete(f"{server.url}/documents/{hidden['doc_id']}", headers=auth(key))
    assert r.status_code == 404 and any(d["doc_id"] == hidden["doc_id"] for d in ws.documents())
    note = ("note.md", b"# Sales note\n\nThe sales target is 12 boats.\n", "text/markdown")
    r = httpx.post(f"{server.url}/ingest", files=[("files", note)], data={"groups": "hr"}, headers=auth(key))
    assert r.status_code == 403
    r = httpx.post(f"{server.url}/ingest", files=[("files", note)], headers=auth(key), timeout=60)
    assert r.status_code == 200 and r.json()["files"][0]["status"] == "ingested"
    mine = next(d for d in ws.documents() if d["source"] == "uploads/note.md")
    assert mine["groups"] == "sales"
    assert "uploads/note.md" not in httpx.get(f"{server.url}/documents", headers=auth(keys["insider"])).text
    other = ("note.md", b"# Note\n\nOverwritten by hr.\n", "text/markdown")  # hr may not replace what it cannot see
    r = httpx.post(
        f"{server.url}/ingest", files=[("files", other)], data={"replace": "true"}, headers=auth(keys["insider"])
    )
    assert r.status_code == 409 and "12 boats" in (ws.settings.store / "uploads" / "note.md").read_text()
    public = next(d for d in ws.documents() if d["source"].endswith("handbook.md"))
    r = httpx.delete(f"{server.url}/documents/{public['doc_id']}", headers=auth(key))  # public: the admin's to change
    assert r.status_code == 404 and any(d["doc_id"] == public["doc_id"] for d in ws.documents())

    questions = "\n".join(json.dumps({"question": q, "answers": ["x"]}) for q in QUESTIONS)
    for who in (ADMIN_KEY, key):  # the admin's report (over everything) is never the outsider's
        if who == key:
            assert httpx.get(f"{server.url}/report", headers=auth(key)).status_code == 404
        files = [("questions", ("q.jsonl", questions.encode(), "application/json"))]
        r = httpx.post(f"{server.url}/eval", files=files, data={"arms": "rag"}, headers=auth(who))
        assert r.status_code == 202, r.text
        job = r.json()["id"]
        for _ in range(300):
            status = httpx.get(f"{server.url}/eval/{job}", headers=auth(who)).json()
            if status["status"] in ("done", "failed"):
                break
            time.sleep(0.1)
        assert status["status"] == "done", status
    assert httpx.get(f"{server.url}/eval/{job}", headers=auth(keys["insider"])).status_code == 404
    mine = httpx.get(f"{server.url}/report", headers=auth(key))
    assert mine.status_code == 200 and not CANARY.search(mine.text)
    r = httpx.post(f"{server.url}/compare", data={"changes": "1"}, headers=auth(key))
    assert r.status_code == 403


def test_the_audit_log_names_principals_and_refusals_never_keys(served):
    server, ws, keys = served
    httpx.get(f"{server.url}/search", params={"q": "parking"}, headers=auth(keys["outsider"]))
    httpx.get(f"{server.url}/documents", headers=auth("rt-not-a-key"))
    text = (ws.settings.store / "audit" / "audit.jsonl").read_text()
    entries = [json.loads(line) for line in text.splitlines()]
    assert any(e["principal"] == "outsider" and e["route"] == "GET /search" and e["documents"] for e in entries)
    assert any(e["principal"] == "unknown" and "wrong" in e.get("refused", "") for e in entries)
    assert not any(k in text for k in (ADMIN_KEY, *keys.values(), "rt-not-a-key"))


@pytest.mark.parametrize("backend", ["lancedb", "postgresql", "milvus"])
def test_a_restricted_topk_is_not_starved_by_hidden_rows(backend, tmp_path, request):
    """Filtered inside the store query: with 60 hidden chunks closer to the query than the public ones, a key
    without their group still gets its full top-k (a filter after the search would leave it nothing)."""
    docs = tmp_path / "docs"
    (docs / "hr").mkdir(parents=True)
    for i in range(60):
        (docs / "hr" / f"h{i}.md").write_text(f"# Bonus {i}\n\nThe bonus pool rule number {i} pays bonus pool money.\n")
    for i in range(8):
        (docs / f"p{i}.md").write_text(f"# Note {i}\n\nA note about the canteen menu, item {i}, and the bonus.\n")
    (docs / ".ragtune-access").write_text("hr  hr\n")
    spec = store_spec(backend, request, tmp_path)
    ws = make_workspace(tmp_path / "store", FakeEmbedder(), FakeLLM(), vector_store=spec)
    ws.settings.retrieve.candidates = 10  # fewer candidates than hidden rows that outrank every public one
    ws.ingest([docs])
    outsider = Principal("o", frozenset({"sales"}))
    for mode in ("dense", "bm25", "hybrid"):
        got = ws.search("bonus pool rule money", top_k=5, mode=mode, principal=outsider).passages
        assert len(got) == 5 and all("/hr/" not in p.source for p in got), mode
        assert all("/hr/" in p.source for p in ws.search("bonus pool rule money", top_k=5, mode=mode).passages)


@pytest.mark.parametrize("backend", ["lancedb", "postgresql", "milvus"])
def test_changing_groups_takes_effect_on_reingest_without_reembedding(backend, tmp_path, request):
    docs = tmp_path / "docs"
    write_corpus(docs)
    embedder = FakeEmbedder()
    spec = store_spec(backend, request, tmp_path)
    ws = make_workspace(tmp_path / "store", embedder, FakeLLM(), vector_store=spec)
    ws.ingest([docs])
    finance = Principal("f", frozenset({"finance"}))
    assert not ws.search("salary band engineers", principal=finance).passages[0].source.endswith("salaries.md")
    (docs / ".ragtune-access").write_text("hr  hr, finance\n")
    embedded = len(embedder.texts)
    report = ws.ingest([docs])
    assert (report.regrouped, report.ingested, report.updated) == (2, 0, 0) and len(embedder.texts) == embedded
    assert ws.search("salary band engineers", principal=finance).passages[0].source.endswith("salaries.md")
    assert {d["source"]: d["groups"] for d in ws.documents(finance)}["docs/hr/salaries.md"] == "finance,hr"
    (docs / ".ragtune-access").write_text("hr  hr\n")
    ws.ingest([docs])
    assert not any(p.source.endswith("salaries.md") for p in ws.search("salary", principal=finance).passages)
    assert ws.search("salary band engineers", principal=ADMIN).passages


def test_the_leak_check_catches_a_missing_filter(tmp_path, monkeypatch):
    """Remove the filter (the retriever's and the tables') and the same sweep finds canaries: the suite can fail."""
    from ragtune.retrieve.retriever import Retriever
    from ragtune.tables.reader import TableReader

    monkeypatch.setattr(Retriever, "scoped", lambda self, labels: self)
    monkeypatch.setattr(TableReader, "scoped", lambda self, ids: self)
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    ws = make_workspace(tmp_path / "store", FakeEmbedder(), FakeLLM(), reader=FakeSpanReader("Canaryprose 98765"))
    ws.ingest([corpus])
    key = add_key(ws, "outsider", ["sales"])
    server = Server(create_app(ws, api_key=ADMIN_KEY))
    try:
        found = leaks(
            {
                f"search {n}": httpx.get(f"{server.url}/search", params={"q": q}, headers=auth(key)).text
                for n, q in enumerate(QUESTIONS)
            }
            | {"chat": chat(server, key, QUESTIONS[1])}
        )
    finally:
        server.stop()
    assert found, "without the filter the hidden rows come back"


def test_keys_in_the_url_and_bad_keys_are_refused(served):
    server, ws, keys = served
    r = httpx.get(f"{server.url}/documents", params={"api_key": keys["insider"]})
    assert r.status_code == 400 and "Authorization header" in r.json()["error"]["message"]
    for sent in ("", "Bearer", "Bearer wrong", f"Basic {keys['insider']}", f"Bearer {keys['insider']}x"):
        headers = {"Authorization": sent} if sent else {}
        assert httpx.get(f"{server.url}/documents", headers=headers).status_code == 401, sent
    name = f"temp-{uuid.uuid4().hex[:6]}"
    temp = add_key(ws, name, ["hr"])
    assert httpx.get(f"{server.url}/documents", headers=auth(temp)).status_code == 200
    assert ws.catalog.revoke_key(name)
    assert httpx.get(f"{server.url}/documents", headers=auth(temp)).status_code == 401
