"""The span reader's span boundaries (the reader itself runs in tests/finetune/test_span.py)."""

from __future__ import annotations

import pytest

from ragtune.models.span import best_spans, whole_words


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


def test_best_spans_are_the_highest_start_plus_end_logits_inside_the_context_best_first():
    start = [9.0, 0.0, 3.0, 1.0, 2.0]  # token 0 is [CLS] (no context): never a span
    end = [9.0, 0.0, 1.0, 4.0, 0.5]
    offsets = [(0, 0), (0, 0), (0, 3), (4, 9), (10, 12)]
    sequence_ids = [None, 0, 1, 1, 1]
    found = best_spans(start, end, offsets, sequence_ids, 3)
    assert found == [
        (7.0, 0, 9),
        (5.0, 4, 9),
        (4.0, 0, 3),
    ]  # tokens 2 → 3, 3 → 3, 2 → 2 (an end before its start: none)
    assert best_spans(start, end, offsets, sequence_ids, 1) == found[:1]
    assert best_spans(start, end, offsets, [None, 0, 0, 0, 0], 3) == []
