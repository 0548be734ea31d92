"""Hybrid retrieval over the demo corpus: right source first, filters, summaries, modes."""

from __future__ import annotations

import pytest

from ragtune.index.base import Filter
from ragtune.retrieve.retriever import record_match, rrf, store_filters


@pytest.mark.parametrize(
    ("query", "source"),
    [
        ("How many days of annual leave do employees get?", "corpus/handbook.md"),
        ("returning unused items for a refund", "corpus/returns-policy.pdf"),
        ("invoice payment term for the fabric supplier", "corpus/supplier-agreement.docx"),
        ("Who is the manager in Bergen?", "corpus/stores.sqlite"),
        ("delivery time to Iceland", "corpus/faq.html"),
        ("warranty years of the Polar down sleeping bag", "corpus/products.csv"),
    ],
)
def test_hybrid_finds_the_right_source_first(demo_ws, query, source):
    result = demo_ws.search(query)
    assert result.passages[0].source == source
    assert result.summaries[0]["source"] == source


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_every_mode_returns_scored_located_passages(demo_ws, mode):
    result = demo_ws.search("Summit 45 backpack price", top_k=3, mode=mode)
    assert 0 < len(result.passages) <= 3
    scores = [p.score for p in result.passages]
    assert scores == sorted(scores, reverse=True)
    assert all(p.locator and p.source for p in result.passages)


def test_summaries_are_returned_for_the_matching_documents(demo_ws):
    result = demo_ws.search("sick leave doctor's note")
    summary = next(s for s in result.summaries if s["source"] == "corpus/handbook.md")
    assert summary["summary"].startswith("Alderbrook Outfitters employee handbook")
    schema = demo_ws.search("price list", filters={"type": "xlsx"}).summaries[0]["summary"]
    assert "Table price-list / Wholesale: 3 rows; columns sku, name, price_eur, min_quantity." in schema


def test_filters_on_columns_and_record_fields(demo_ws):
    by_type = demo_ws.search("price", filters={"type": "xlsx"})
    assert {p.source for p in by_type.passages} == {"corpus/price-list.xlsx"}
    by_field = demo_ws.search("tent", filters={"category": "tents"})
    assert by_field.passages and all(record_match(p.records, {"category": "tents"}) for p in by_field.passages)
    assert demo_ws.search("tent", filters={"category": "no-such-category"}).passages == []


def test_unknown_mode_is_a_clear_error(demo_ws):
    with pytest.raises(ValueError, match="unknown search mode 'fuzzy'"):
        demo_ws.search("x", mode="fuzzy")


def test_rrf_rewards_agreement_and_respects_weights():
    fused = rrf({"a": ["x", "y", "z"], "b": ["y", "x"]}, {"a": 1.0, "b": 1.0}, 60)
    assert [i for i, _ in fused][:2] in (["x", "y"], ["y", "x"])
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    weighted = rrf({"a": ["x"], "b": ["y"]}, {"a": 1.0, "b": 2.0}, 60)
    assert weighted[0][0] == "y"


def test_filters_are_structured():
    filters, fields = store_filters({"source": "it's.md", "sku": "A_1"})
    assert filters == [Filter.eq("source", "it's.md"), Filter("records", "has", "sku")] and fields == {"sku": "A_1"}


def test_coverage_names_a_rival_value_in_the_evidence(demo_ws):
    cov = demo_ws.retriever.coverage(
        "What does delivery to Norway cost on Sundays?", "Delivery costs 99 NOK on weekdays."
    )
    assert cov.rivals == [["Sundays", "weekdays"]] and cov.as_dict()["rivals"] == cov.rivals
    assert demo_ws.retriever.coverage("What does delivery cost?", "Delivery costs 99 NOK.").rivals == []


def test_coverage_reads_a_swapped_party_from_the_evidence(demo_ws):
    question = "Within how many days does Ravensburg pay Kittiwake's invoices?"
    cov = demo_ws.retriever.coverage(question, "Kittiwake Freight pays each invoice within 45 days.")
    assert cov.swapped == ["Ravensburg", "Kittiwake Freight"] and cov.as_dict()["swapped"] == cov.swapped
    assert demo_ws.retriever.coverage(question, "Ravensburg pays each invoice within 45 days.").swapped == []


def test_tied_hits_fuse_the_same_whatever_order_the_store_returns_them(tmp_path):
    from tests.conftest import make_workspace
    from tests.fakes import FakeEmbedder

    docs = tmp_path / "docs"
    docs.mkdir()
    for name in "abcdef":  # the same text: equal BM25 and dense scores
        (docs / f"{name}.md").write_text("The lantern depot opens at dawn.\n")
    ws = make_workspace(tmp_path / "store", FakeEmbedder())
    ws.ingest([docs])
    first = [p.id for p in ws.search("lantern depot", top_k=6).passages]
    store = ws.retriever.store
    dense, bm25 = store.dense, store.bm25
    store.dense = lambda *a, **k: dense(*a, **k)[::-1]  # ties in another order, as LanceDB returns them under load
    store.bm25 = lambda *a, **k: bm25(*a, **k)[::-1]
    assert [p.id for p in ws.search("lantern depot", top_k=6).passages] == first


def test_answer_fit_scores_each_answer_by_what_the_question_asks_for(demo_ws):
    late, time = demo_ws.retriever.answer_fit("What's the cut-off time for next-day delivery?", ["October", "16:00"])
    assert time > 0.5 > late
    assert demo_ws.retriever.answer_fit("What's the cut-off time?", []) == []


def test_answer_fit_is_one_where_the_model_does_not_read_the_embedders_vectors(ws):
    assert ws.retriever.answer_fit("What's the cut-off time?", ["October", "16:00"]) == [1.0, 1.0]
