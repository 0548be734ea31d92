"""The controlled change: facts changed exactly once in a copy, and answers counted new, stale or other."""

from __future__ import annotations

import random

from ragtune.evaluate import change
from ragtune.evaluate.testset import Item


def test_a_fact_whose_number_stands_once_is_changed_in_its_file(tmp_path):
    handbook = tmp_path / "handbook.md"
    handbook.write_text("Every employee gets 27 days of leave.\nThe week is 37.5 hours.\nRoom 5 and desk 5.\n")
    items = [
        Item("w1", "How many days of leave?", ["27 days"], "handbook.md", "test", "wording"),
        Item("w2", "How long is the week?", ["37.5 hours"], "handbook.md", "test", "wording"),
        Item("w3", "Which desk?", ["5"], "handbook.md", "test", "wording"),  # 5 stands twice: not changed
        Item(
            "u1", "Unseen?", ["27 days"], "handbook.md", "test", "unseen-fact"
        ),  # never trained: not a test of staleness
    ]
    files = {"handbook.md": handbook}
    changes = change.plan(items, files, k=5)
    assert sorted(c.id for c in changes) == ["w1", "w2"]
    change.apply(changes, files)
    text = handbook.read_text()
    for c in changes:
        assert c.new in text and c.old not in text
    assert "Room 5 and desk 5" in text


def test_answers_are_counted_new_stale_abstained_or_other():
    c = change.Change("w1", "How many days?", "handbook.md", "27 days", "35 days", "27", "35")
    said = [
        change.verdict("35 days [1]", False, c),
        change.verdict("27 days", False, c),
        change.verdict("", True, c),
        change.verdict("12 days", False, c),
        change.verdict("127 days", False, c),  # 27 inside another number is not the old value
    ]
    assert said == ["new", "stale", "abstained", "other", "other"]
    assert change.count(said) == {"new": 1, "stale": 1, "abstained": 1, "other": 2}
    price = change.Change("p", "Price?", "prices.csv", "4.60", "5.60", "4.60", "5.60")
    assert change.verdict("5.6 EUR", False, price) == "new" and change.verdict("4.6", False, price) == "stale"


def test_a_changed_value_keeps_its_shape():
    rng = random.Random(0)
    assert change.changed("09:00", rng).endswith(":00")
    assert change.changed("37.5", rng).endswith(".5") and change.changed("37.5", rng) != "37.5"
    assert int(change.changed("27", rng)) > 27
