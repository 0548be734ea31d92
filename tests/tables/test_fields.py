"""Field names read as words with units; columns matched to questions by words and meaning (real MiniLM)."""

from __future__ import annotations

import pytest

from ragtune.tables.fields import FieldMatcher, field_name, format_value, profile


@pytest.mark.parametrize(
    ("column", "words", "unit"),
    [
        ("price_eur", ("price",), "EUR"),
        ("depth_rating_m", ("depth", "rating"), "m"),
        ("Range (km)", ("range",), "km"),
        ("avgWaitMin", ("average", "wait"), "min"),
        ("min_quantity", ("minimum", "quantity"), None),
        ("qty_in_stock", ("quantity", "in", "stock"), None),
        ("pub_yr", ("published", "year"), None),
        ("Purchase Year", ("purchase", "year"), None),
        ("warranty_years", ("warranty",), "years"),
        ("headDoctor", ("head", "doctor"), None),
    ],
)
def test_field_names(column, words, unit):
    name = field_name(column)
    assert (name.words, name.unit) == (words, unit)


def test_values_are_formatted_with_the_unit_their_field_implies():
    assert format_value(118, "EUR") == "118 EUR"
    assert format_value(4.5, "years") == "4.5 years"
    assert format_value(2483.3333, None) == "2483.33"  # a computed average
    assert [format_value(1.095), format_value(4.60)] == ["1.095", "4.6"]  # values as stored, not rounded away
    assert format_value(12.0, "%") == "12%"
    assert [format_value(1, "days"), format_value(1.0, "years")] == ["1 day", "1 year"]  # one, not "1 days"
    assert format_value(2, "days") == "2 days"
    assert format_value("Oslo", "km") == "Oslo"


@pytest.fixture(scope="module")
def matcher(embedder):
    return FieldMatcher(embedder)


def _best(matcher, question: str, columns: list[str], values: dict | None = None) -> str | None:
    profiles = [
        profile(c, "text" if values and c in values else "integer", (values or {}).get(c, [2011, 2014]), 2, 2)
        for c in columns
    ]
    score, best = matcher.rank(question, matcher.words(question), profiles)[0]
    return best.column if score >= 0.5 else None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What does it cost?", "price_eur"),  # synonym through the embedder
        ("How heavy is it?", "weight_kg"),
        ("What is the depth rating?", "depth_rating_m"),
        ("How many copies are in stock?", "qty_in_stock"),
        ("When was it published?", "pub_yr"),
    ],
)
def test_columns_are_matched_by_name_and_meaning(matcher, question, expected):
    columns = ["sku", "price_eur", "weight_kg", "depth_rating_m", "qty_in_stock", "pub_yr"]
    assert _best(matcher, question, columns) == expected


def test_a_rate_is_named_by_what_it_counts(matcher):
    """`pallets_per_month` is about pallets: the word after "per" says by what, and weighs less."""
    assert _best(matcher, "Which customer ships the most pallets?", ["payment_terms_days", "pallets_per_month"]) == (
        "pallets_per_month"
    )
    assert matcher.score(["pallets"], "pallets_per_month") > matcher.score(["month"], "pallets_per_month")


def test_who_and_when_questions_prefer_people_and_years(matcher):
    people = {"manager": ["Ingrid Solheim", "Magnus Berg"], "city": ["Bergen", "Oslo"]}
    assert _best(matcher, "Who manages it?", ["city", "manager", "opened"], people) == "manager"
    assert (
        _best(
            matcher,
            "Who wrote it?",
            ["title", "author"],
            {"title": ["Salt Road", "Tidal"], "author": ["Maren Holt", "Ruth Abara"]},
        )
        == "author"
    )
    assert _best(matcher, "When did it open?", ["city", "opened"], {"city": ["Bergen", "Oslo"]}) == "opened"


@pytest.mark.parametrize("question", ["What colour is it?", "What is its top speed?", "How many nurses work there?"])
def test_unrelated_fields_do_not_match(matcher, question):
    assert _best(matcher, question, ["sku", "category", "Range (km)", "bedCount", "warranty_years"]) is None
