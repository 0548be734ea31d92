"""A fuzz of key handling (Hypothesis): whatever Authorization header and query string a client sends, the server
answers as exactly the principal whose live key it is, or refuses (401 for a missing, wrong or revoked key, 400
for a key in the URL); a key never opens another principal's view; every comparison is `hmac.compare_digest`."""

from __future__ import annotations

import hmac

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ragtune.access import key_hash, new_key
from ragtune.serve.app import create_app
from tests.conftest import make_workspace
from tests.fakes import FakeEmbedder, FakeLLM
from tests.serve.test_api_fuzz import EXAMPLES

ADMIN_KEY = "sk-fuzz-admin-0001"
PRINTABLE = st.characters(min_codepoint=32, max_codepoint=126)  # what an HTTP header may carry


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("keys") / "store", FakeEmbedder(), FakeLLM())
    keys = {}
    for name, groups in (("ann", ["hr"]), ("bob", ["sales"]), ("gone", ["hr"])):
        keys[name] = new_key()
        ws.catalog.add_key(name, key_hash(keys[name]), groups)
    ws.catalog.revoke_key("gone")
    with TestClient(create_app(ws, api_key=ADMIN_KEY)) as client:
        yield client, keys


def owner(token: str, keys: dict[str, str]) -> str | None:
    """Whose live key `token` is (None: nobody's)."""
    if token == ADMIN_KEY:
        return "admin"
    return next((name for name, key in keys.items() if key == token and name != "gone"), None)


def mutations(keys: dict[str, str]):
    """A real key as sent, cut, grown, with a character changed or its case flipped, or another's key."""
    real = st.sampled_from([ADMIN_KEY, *keys.values()])
    return st.one_of(
        real,
        real.map(lambda k: k[:-1]),
        real.map(lambda k: k + "x"),
        st.tuples(real, st.integers(0, 40), PRINTABLE).map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + 1 :]),
        real.map(str.swapcase),
        st.text(PRINTABLE, max_size=60),
    )


def test_any_header_opens_exactly_its_owners_view_or_nothing(world):
    client, keys = world

    @settings(max_examples=EXAMPLES * 4, deadline=None, suppress_health_check=list(HealthCheck))
    @given(token=mutations(keys), scheme=st.sampled_from(["Bearer ", "bearer ", "Bearer  ", "Basic ", "", "Token "]))
    def check(token, scheme):
        r = client.get("/whoami", headers={"Authorization": f"{scheme}{token}".strip()})
        who = owner(token.strip(), keys) if scheme.lower().startswith("bearer") else None
        if who is None:
            assert r.status_code == 401, (scheme, token, r.text)
            assert len(token.strip()) < 8 or token.strip() not in r.text  # a refusal never echoes the key
        else:
            assert r.status_code == 200 and r.json()["name"] == who

    check()


def test_keys_in_the_query_string_are_refused_in_any_spelling(world):
    client, keys = world

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(name=st.sampled_from(["api_key", "API_KEY", "key", "Token", "access_token", "apikey", "auth"]))
    def check(name):
        r = client.get("/documents", params={name: keys["ann"]}, headers={"Authorization": f"Bearer {keys['ann']}"})
        assert r.status_code == 400 and keys["ann"] not in r.text

    check()


def test_every_key_check_is_a_constant_time_comparison(world, monkeypatch):
    client, keys = world
    calls = []
    original = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append(1) or original(a, b))
    for token in (ADMIN_KEY, keys["ann"], keys["ann"][:-1] + "?", keys["gone"]):
        before = len(calls)
        client.get("/whoami", headers={"Authorization": f"Bearer {token}"})
        assert len(calls) > before, token


def test_without_an_admin_key_a_keyless_caller_sees_public_documents_only(tmp_path):
    """Once keys exist, a server without an admin key no longer opens everything to everyone."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "menu.md").write_text("# Menu\n\nSoup on Mondays.\n")
    (docs / "pay.md").write_text("# Pay\n\nThe pay rise is 3 percent.\n")
    (docs / ".ragtune-access").write_text("pay.md  hr\n")
    ws = make_workspace(tmp_path / "store", FakeEmbedder(), FakeLLM())
    ws.ingest([docs])
    with TestClient(create_app(ws)) as client:
        assert len(client.get("/documents").json()) == 2  # no keys yet: open, as before
        key = new_key()
        ws.catalog.add_key("ann", key_hash(key), ["hr"])
        assert [d["source"] for d in client.get("/documents").json()] == ["docs/menu.md"]
        assert client.get("/whoami").json()["name"] == "anonymous"
        assert len(client.get("/documents", headers={"Authorization": f"Bearer {key}"}).json()) == 2
        assert client.get("/documents", headers={"Authorization": "Bearer wrong"}).status_code == 401
