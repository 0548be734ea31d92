"""The HTTP API over a real server on loopback: the official openai client, httpx, auth, the queue's 503."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from ragtune.serve.app import create_app
from tests.serve.server import Server

KEY = "sk-test-secret-4242"


@pytest.fixture(scope="module")
def server(demo_ws):
    s = Server(create_app(demo_ws))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def secured(demo_ws):
    s = Server(create_app(demo_ws, api_key=KEY, queue_limit=1))
    yield s
    s.stop()


def test_the_official_openai_client_works_unchanged(server):
    from openai import OpenAI

    client = OpenAI(base_url=f"{server.url}/v1", api_key="unused")
    assert {"ragtune-rag", "ragtune-base"} <= {m.id for m in client.models.list().data}
    resp = client.chat.completions.create(
        model="ragtune-rag",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Who manages the Bergen store?"},
        ],
    )
    message = resp.choices[0].message
    assert message.content == "Ingrid Solheim [1]"
    (cite,) = message.model_extra["citations"]
    assert cite["source"] == "corpus/stores.sqlite" and cite["locator"] == "table stores rowid 1"
    emb = client.embeddings.create(model="any", input=["annual leave", "warranty"])
    assert len(emb.data) == 2 and len(emb.data[0].embedding) == 384


def test_streaming_sends_the_text_then_the_citations(server):
    from openai import OpenAI

    client = OpenAI(base_url=f"{server.url}/v1", api_key="unused")
    stream = client.chat.completions.create(
        model="ragtune-rag",
        stream=True,
        messages=[{"role": "user", "content": "How long does delivery to Iceland take?"}],
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == "5 to 8 working days [1]"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"][0]["source"] == "corpus/faq.html"


def test_unknown_models_and_empty_messages_are_clear_errors(server):
    r = httpx.post(
        f"{server.url}/v1/chat/completions", json={"model": "gpt-9", "messages": [{"role": "user", "content": "hi"}]}
    )
    assert r.status_code == 404 and "unknown model 'gpt-9'" in r.json()["error"]["message"]
    r = httpx.post(f"{server.url}/v1/chat/completions", json={"model": "ragtune-rag", "messages": []})
    assert r.status_code == 422 and r.json()["error"]["message"].startswith("messages: ")  # the schema says min 1
    r = httpx.post(f"{server.url}/v1/chat/completions", json={"messages": [{"role": "system", "content": "x"}]})
    assert r.status_code == 400 and r.json()["error"]["message"] == "no user message with text"


def test_search_documents_health_and_the_openapi_spec(server):
    assert httpx.get(f"{server.url}/health").json()["status"] == "ok"
    hits = httpx.get(f"{server.url}/search", params={"q": "wholesale price", "k": 2}).json()
    assert len(hits["passages"]) == 2
    assert any(d["source"] == "corpus/faq.html" for d in httpx.get(f"{server.url}/documents").json())
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert spec["openapi"].startswith("3.") and "/v1/chat/completions" in spec["paths"]


def test_an_api_key_is_required_everywhere_but_health_and_never_echoed(secured):
    assert httpx.get(f"{secured.url}/health").status_code == 200
    for headers in ({}, {"Authorization": "Bearer guess-xyz"}, {"Authorization": KEY}):
        r = httpx.get(f"{secured.url}/v1/models", headers=headers)
        assert r.status_code == 401 and KEY not in r.text and "guess-xyz" not in r.text
    ok = httpx.get(f"{secured.url}/v1/models", headers={"Authorization": f"Bearer {KEY}"})
    assert ok.status_code == 200


def test_a_full_queue_answers_503_with_retry_after(secured):
    def ask(_):
        return httpx.post(
            f"{secured.url}/v1/chat/completions",
            headers={"Authorization": f"Bearer {KEY}"},
            json={
                "model": "ragtune-rag",
                "messages": [{"role": "user", "content": "How many days of paid annual leave do employees get?"}],
            },
            timeout=120,
        )

    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(ask, range(6)))
    codes = sorted(r.status_code for r in replies)
    assert codes[0] == 200 and 503 in codes
    assert all(r.headers["retry-after"] == "1" for r in replies if r.status_code == 503)


def test_ragtune_is_a_client_of_itself(server, demo_ws):
    from ragtune.models.factory import create_llm

    llm = create_llm(f"openai:ragtune-rag@{server.url}/v1", demo_ws.settings)
    assert llm.complete(["Who manages the Bergen store?"]) == ["Ingrid Solheim [1]"]


def test_serve_refuses_a_public_address_without_a_key(monkeypatch):
    from click.testing import CliRunner

    from ragtune.cli import main

    monkeypatch.delenv("RAGTUNE_API_KEY", raising=False)
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 3 and "without an API key" in result.output


def test_endpoint_backends_retry_a_busy_server_and_never_echo_the_key(secured):
    from ragtune.config import EndpointConfig
    from ragtune.errors import ModelError
    from ragtune.index.embedders import OpenAIEmbedder
    from ragtune.models.openai import OpenAIChat

    cfg = EndpointConfig(api_key=KEY, concurrency=4, max_retries=8)
    llm = OpenAIChat("ragtune-rag", f"{secured.url}/v1", cfg)  # queue of 1: three of four get 503 and retry
    replies = llm.complete(["Who manages the Bergen store?"] * 4)
    assert replies == ["Ingrid Solheim [1]"] * 4
    emb = OpenAIEmbedder("minilm", f"{secured.url}/v1", cfg)
    assert emb.dim == 384 and emb.embed(["a", "b", "c"]).shape == (3, 384)
    with pytest.raises(ModelError, match="answered 401") as err:
        OpenAIChat("ragtune-rag", f"{secured.url}/v1", EndpointConfig(api_key="wrong-key-77")).complete(["hi"])
    assert "wrong-key-77" not in str(err.value)


@pytest.fixture
def fake_client(ws):
    """The app over a fake-model workspace, in process (no model loads)."""
    from fastapi.testclient import TestClient

    with TestClient(create_app(ws)) as client:
        yield client


@pytest.mark.parametrize(
    ("extra", "code", "says"),
    [
        ({"n": 5}, 400, "n must be 1"),
        ({"temperature": -1}, 422, "temperature: Input should be greater than or equal to 0"),
        ({"max_tokens": -3}, 422, "max_tokens: Input should be greater than or equal to 1"),
    ],
)
def test_requests_ragtune_cannot_honour_are_refused_in_the_openai_error_shape(fake_client, extra, code, says):
    body = {"model": "ragtune-rag", "messages": [{"role": "user", "content": "secret-words-7781"}]} | extra
    resp = fake_client.post("/v1/chat/completions", json=body)
    assert resp.status_code == code and set(resp.json()) == {"error"}
    assert says in resp.json()["error"]["message"] and "secret-words-7781" not in resp.text


def test_a_malformed_body_is_one_error_that_does_not_echo_it(fake_client):
    resp = fake_client.post("/v1/chat/completions", json={"messages": "canary-9931"})
    assert resp.status_code == 422 and set(resp.json()) == {"error"} and "canary-9931" not in resp.text
    assert resp.json()["error"]["message"].startswith("messages:")


def test_the_api_description_needs_the_key_when_one_is_set(ws):
    from fastapi.testclient import TestClient

    with TestClient(create_app(ws, api_key=KEY)) as client:
        assert client.get("/openapi.json").status_code == 401 and client.get("/docs").status_code == 401
        assert client.get("/redoc").status_code == 404
        spec = client.get("/openapi.json", headers={"Authorization": f"Bearer {KEY}"}).json()
        assert "/v1/chat/completions" in spec["paths"] and "/openapi.json" not in spec["paths"]
        assert client.get("/health").status_code == 200


def test_a_comparison_is_refused_clearly_on_bad_input(fake_client):
    resp = fake_client.post("/compare", data={"shares": "50,abc"})
    assert resp.status_code == 422 and "not a comma list of percentages" in resp.json()["error"]["message"]
    resp = fake_client.post("/compare")  # the fake workspace's store is empty
    assert resp.status_code == 400 and "no documents to compare on" in resp.json()["error"]["message"]
    assert fake_client.get("/compare/nope").status_code == 404
