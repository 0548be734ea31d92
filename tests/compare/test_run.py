"""The comparison's bookkeeping: the documents' history, and per-arm scores from one evaluation's rows."""

from __future__ import annotations

from ragtune.compare.run import knowledge, versions
from ragtune.evaluate.testset import Item


def test_versions_count_changed_documents_and_the_days_between_them():
    history = {
        "a.md": [{"hash": "1", "at": "2026-11-01T00:00:00+00:00"}, {"hash": "2", "at": "2026-11-08T00:00:00+00:00"}],
        "b.csv": [{"hash": "1", "at": "2026-11-01T00:00:00+00:00"}],
    }
    assert versions(history) == {"documents": 2, "changed": 1, "versions": 3, "median_days_between": 7.0}
    assert versions({})["median_days_between"] is None


def test_knowledge_counts_a_stated_answer_right_and_an_abstained_near_miss_right():
    test = [
        Item("w1", "How long?", ["27 days"], "h.md", "test", "wording"),
        Item("w2", "How far?", ["12 km"], "h.md", "test", "wording"),
        Item("m1", "Fake: weight?", [], None, "test", "near-miss"),
    ]
    rows = [
        {"arm": "rag", "id": "w1", "prediction": "Staff get 27 days a year.", "abstained": False},
        {"arm": "rag", "id": "w2", "prediction": "", "abstained": True},
        {"arm": "rag", "id": "m1", "prediction": "", "abstained": True},
    ]
    k = knowledge({"arms": {"rag": {}}, "rows": rows}, test)["rag"]
    assert k["wording"]["right"] == 0.5 and k["wording"]["each"] == [1.0, 0.0]
    assert k["near-miss"]["right"] == 1.0
