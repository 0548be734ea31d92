"""The span reader's span boundaries (the reader itself runs in tests/finetune/test_span.py)."""

from __future__ import annotations

import pytest

from ragtune.models.span import whole_words


@pytest.mark.parametrize(
    ("text", "span", "widened"),
    [
        ("The Kestrel pickup", "Ke", "Kestrel"),  # never inside a word
        ("It costs 2,480 DKK per month.", "480 DKK", "2,480 DKK"),  # never inside a number
        ("It costs 2,480 DKK per month.", "2,4", "2,480"),
        ("The lane is 3.5 km long.", "5 km", "3.5 km"),
        ("A budget of 1,200,000 euros.", "200", "1,200,000"),
        ("In 2019, the firm moved.", "2019", "2019"),  # a comma after a number ends it
        ("Ends 1,200.", "1,200", "1,200"),  # so does a full stop
        ("Oslo, Bergen", "Bergen", "Bergen"),
    ],
)
def test_a_span_is_widened_to_whole_words_and_numbers(text, span, widened):
    a = text.index(span)
    a, b = whole_words(text, a, a + len(span))
    assert text[a:b] == widened
