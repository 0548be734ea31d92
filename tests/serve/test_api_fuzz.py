"""Schemathesis fuzzes the HTTP API from its own OpenAPI schema against a real server on loopback (#29).

For every operation it generates requests (valid and invalid) and checks: no 5xx, every response matches the
schema (status codes, content types, bodies), invalid requests are refused, errors come in the one OpenAI-style
shape `{"error": {...}}`, and no body holds the key or a server path. (Not checked: that every schema-valid
request is accepted: a chat with no user message, or a document id that does not exist, is valid by the schema
and refused with its reason.) Fake models keep it fast; `RAGTUNE_FUZZ_EXAMPLES` (default 25) sets
the examples per operation, and `bench/fuzz.sh` runs more.
"""

from __future__ import annotations

import os

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from ragtune.serve.app import create_app
from tests.conftest import make_workspace
from tests.fakes import FakeEmbedder, FakeLLM
from tests.serve.server import Server

KEY = "sk-fuzz-secret-5150"
AUTH = {"Authorization": f"Bearer {KEY}"}
EXAMPLES = int(os.environ.get("RAGTUNE_FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzzed")
    docs = root / "docs"
    docs.mkdir()
    (docs / "parking.md").write_text("# Parking\n\nStaff parking costs 45 NOK per day.\n")
    llm = FakeLLM("45 NOK")
    ws = make_workspace(root / "store", FakeEmbedder(), llm, reader=llm)
    ws.ingest([docs])
    server = Server(create_app(ws, api_key=KEY))
    server.paths = [str(ws.settings.store), str(ws.settings.store.resolve()), str(ws.settings.home)]
    yield server
    server.stop()


def test_the_api_answers_every_request_by_its_schema_without_leaks(served):
    spec = httpx.get(f"{served.url}/openapi.json", headers=AUTH).json()
    operations = [r.ok() for r in schemathesis.openapi.from_dict(spec).get_all_operations()]
    checked = []
    for operation in operations:
        if operation.label == "POST /compare":  # starts minutes of training per call
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def one(case):
            response = case.call(base_url=served.url, headers=AUTH, timeout=60)
            case.validate_response(response, excluded_checks=[positive_data_acceptance])
            body = response.text
            assert KEY not in body
            assert not any(p in body for p in served.paths), body[:300]
            if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
                error = response.json()
                assert set(error) <= {"error", "files"} and error["error"]["message"], error  # files: /ingest's

        one()
        checked.append(operation.label)
    assert len(checked) >= 10, checked  # every route of the schema, not an empty one
