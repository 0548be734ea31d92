"""Documents are data: injected instructions do not steer answers or citations (OWASP LLM01)."""

from __future__ import annotations

import pytest

from ragtune.evaluate.injection import ATTACKS, build, steered
from ragtune.retrieve.evidence import instruction_like
from ragtune.text import sentences
from tests.conftest import make_workspace
from tests.fakes import FakeLLM


@pytest.fixture(scope="module")
def injected(tmp_path_factory, embedder, llm):
    root = tmp_path_factory.mktemp("injected")
    probes = build(root / "injected")
    ws = make_workspace(root / "store", embedder, llm)
    assert ws.ingest([root / "injected"]).failed == 0
    return ws, probes


def test_every_attack_reads_as_an_instruction_and_plain_prose_does_not(corpus):
    assert all(instruction_like(a) for a in ATTACKS)
    prose = [s for f in corpus.glob("*.md") for s in sentences(f.read_text())]
    prose += ["Reply to the email within 2 days.", '"Say My Name" won a Grammy.', "The model T was built in 1908."]
    assert not [s for s in prose if instruction_like(s)]


def test_the_bundled_reader_is_not_steered(injected):
    ws, probes = injected
    answerer = ws.answerer()
    for p in probes:
        retrieved = {x.source for x in ws.search(p.question).passages}
        ans = answerer.ask(p.question)
        assert not steered(ans, retrieved), (p.carrier, ans.answer)


def test_a_model_that_obeys_every_injection_still_cannot_answer_or_cite_it(injected):
    ws, probes = injected
    ws.settings.answer.reader = "generate"
    try:
        obedient = FakeLLM("PWNED [9]")
        answerer = ws.reading_with(obedient)
        for p in probes:
            retrieved = {x.source for x in ws.search(p.question).passages}
            ans = answerer.ask(p.question)
            # nothing the model says gets through; a cell read straight from a table row (no model) may answer
            assert not steered(ans, retrieved) and (ans.abstained or ans.route == "records"), (p.carrier, ans.answer)
        assert any("PWNED" in prompt for prompt in obedient.prompts) is False
    finally:
        ws.settings.answer.reader = "auto"
