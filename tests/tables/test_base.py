"""How a row is quoted, and which field of a quoted row holds an answer."""

from __future__ import annotations

import pytest

from ragtune.tables.base import answer_field, row_quote


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("210", ("phone_ext", "210")),  # the exact value first, though "2" would start it too
        ("118 EUR", ("price", "118")),  # the answer gives the unit the field's name holds
        ("Church Street", ("site", "Church Street")),
        ("nowhere", None),
    ],
)
def test_the_field_holding_an_answer_is_found_in_the_quoted_row(value, field):
    quote = row_quote("staff", {"name": "Owen Pryce", "site": "Church Street", "room": "2", "phone_ext": "210"})
    quote += " | price: 118"
    assert answer_field(quote, value) == field
