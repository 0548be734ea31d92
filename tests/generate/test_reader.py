"""Span completion: a number read from a sentence becomes the whole answer (its range, its unit, its currency)."""

from __future__ import annotations

import pytest

from ragtune.generate.reader import complete


@pytest.mark.parametrize(
    ("span", "sentence", "answer"),
    [
        ("5", "Delivery to Iceland takes 5 to 8 working days.", "5 to 8 working days"),
        ("8", "Delivery to Iceland takes 5 to 8 working days.", "5 to 8 working days"),
        ("8 working days", "Delivery to Iceland takes 5 to 8 working days.", "5 to 8 working days"),
        ("8", "A refund takes between 5 and 8 days.", "between 5 and 8 days"),
        ("8", "Repairs take 5-8 weeks.", "5-8 weeks"),
        ("45", "A consultation costs 45 EUR.", "45 EUR"),
        ("12", "A day pass is £12.", "£12"),
    ],
)
def test_a_number_takes_its_range_and_unit(span, sentence, answer):
    assert complete(span, sentence) == answer


@pytest.mark.parametrize(
    ("span", "sentence"),
    [
        ("10", "The score was 24–10 at half time."),  # no unit: a score, not a range
        ("15:00", "The phone line is open from 09:00 to 15:00."),  # the closing time, not the hours
        ("2019", "He led the club from 2015 to 2019."),
        ("Oslo", "The office moved from Bergen to Oslo."),
        ("3 loans", "Members may have 2 or 3 loans."),  # not a unit
    ],
)
def test_a_span_without_a_unit_stays_as_read(span, sentence):
    assert complete(span, sentence) == span
