"""OpenAI-compatible backends against a real HTTP server on loopback that serves the bundled models."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from ragtune.config import Settings
from ragtune.errors import ModelError
from ragtune.index.factory import create_embedder
from ragtune.models.factory import create_llm


@pytest.fixture(scope="module")
def endpoint(llm, embedder):
    """`/v1/chat/completions` and `/v1/embeddings` in OpenAI's wire format, backed by real models."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path == "/v1/chat/completions":
                prompt = body["messages"][-1]["content"]
                text = llm.complete([prompt], body.get("max_tokens", 16), body.get("stop"))[0]
                out = {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}
            elif self.path == "/v1/embeddings":
                vecs = embedder.embed(body["input"])
                out = {"data": [{"index": i, "embedding": v.tolist()} for i, v in enumerate(vecs)]}
            else:
                self.send_error(404)
                return
            data = json.dumps(out).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()


def test_chat_endpoint_gives_the_same_completion_as_the_local_model(endpoint, llm):
    remote = create_llm(f"openai:smollm2@{endpoint}", Settings())
    prompt = "Context: The Eiffel Tower is in Paris.\nQuestion: Where is the Eiffel Tower?\nAnswer:"
    assert remote.complete([prompt], 12, ["\n"]) == llm.complete([prompt], 12, ["\n"])
    assert not hasattr(remote, "score")


def test_embedding_endpoint_matches_the_local_embedder(endpoint, embedder):
    remote = create_embedder(f"openai:minilm@{endpoint}")
    assert remote.dim == 384
    texts = ["tents and backpacks", "annual leave"]
    assert np.allclose(remote.embed(texts), embedder.embed(texts), atol=1e-5)


def test_endpoint_answers_use_the_generate_reader(endpoint, demo_ws):

    answerer = demo_ws.reading_with(create_llm(f"openai:smollm2@{endpoint}", Settings()))
    assert answerer.extractive is False
    ans = answerer.ask("Who manages the Bergen store?")
    assert ans.abstained or any(ans.answer.split(" [")[0] in c.quote for c in ans.citations)


def test_unreachable_endpoint_is_a_clear_error_after_its_retries():
    remote = create_llm("openai:x@http://127.0.0.1:9/v1", Settings(endpoint={"max_retries": 1, "timeout_s": 2}))
    with pytest.raises(ModelError, match=r"endpoint http://127\.0\.0\.1:9/v1 is unreachable \(after retries\)"):
        remote.complete(["hi"])
