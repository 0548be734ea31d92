"""Generate, then verify: a written answer is kept only when the cited evidence states its facts."""

from __future__ import annotations

from types import SimpleNamespace

from ragtune.config import AnswerConfig
from ragtune.generate.answer import Answer, Answerer, Citation
from ragtune.generate.verify import claims, unsupported
from tests.fakes import FakeLLM

ROW = "products: name: Polar down sleeping bag | warranty_years: 10"


def test_claims_are_numbers_names_and_rare_terms():
    found = claims("The Polar down sleeping bag has a 10-year warranty from Alderbrook, with a baffle.")
    assert "10" in found and "Polar" in " ".join(found) and "baffle" in found
    assert "warranty" not in found  # an everyday word is not a claim
    assert claims("Thanks for asking! It is 10 years. Anything else? Ask us.") == ["10"]  # sentence openers


def test_unsupported_claims_are_those_the_evidence_and_question_lack():
    assert unsupported("It carries a 10 year warranty.", ROW) == []
    assert unsupported("It carries a 12 year warranty.", ROW) == ["12"]
    assert unsupported("The Stormline jacket has 10 years.", ROW) == ["Stormline"]
    assert unsupported("The Stormline has 10 years.", ROW, "What about the Stormline?") == []
    assert unsupported("It has a 10 year warranty.", ROW, answer="10 years") == []
    assert unsupported("The bag weighs 10 kg.", ROW + " | weight_kg: 10", answer="10 years") == ["10 years"]


def answers() -> list[Answer]:
    cite = [Citation("products.csv", "row 5", ROW, 1.0)]
    return [
        Answer("10 [1]", False, list(cite), raw="10"),
        Answer("10 [1]", False, list(cite), raw="10"),
        Answer("I could not find this.", True),
    ]


def write(*replies: str) -> list[Answer]:
    writer = FakeLLM(*replies)
    answerer = Answerer(None, None, AnswerConfig(), None, writer=writer)
    out = answers()
    found = SimpleNamespace(passages=[], summaries=[])
    answerer.write(["What is the warranty on the Polar down sleeping bag?"] * 3, out, [found] * 3)
    assert len(writer.prompts) == 2 and all(ROW in p for p in writer.prompts)  # the abstention is not written
    return out


def test_a_verified_sentence_replaces_the_span_and_keeps_the_citation():
    kept, wrong, abstained = write("The Polar down sleeping bag carries a 10-year warranty [1].", "It has 12 years.")
    assert kept.written == "kept" and kept.text == "The Polar down sleeping bag carries a 10-year warranty."
    assert kept.citations and kept.raw == "10"
    assert wrong.written == "fell back" and wrong.text == "10" and "'12'" in wrong.reason
    assert abstained.written == "abstained" and abstained.abstained


def test_a_declining_writer_leaves_the_extracted_answer():
    first, _, _ = write("not found", "not found")
    assert first.written == "fell back" and first.text == "10"
