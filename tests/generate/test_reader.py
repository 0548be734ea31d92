"""Span completion: a number read from a sentence becomes the whole answer (its range, its unit, its currency)."""

from __future__ import annotations

import pytest

from ragtune.generate.reader import complete, trim


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


@pytest.mark.parametrize(
    ("span", "question", "answer"),
    [
        ("45 days of purchase for a full refund", "Within how many days can items be returned?", "45 days"),
        ("27 days of paid annual leave", "How many days of leave do employees get?", "27 days"),
        ("5 to 8 working days", "How long does delivery take?", "5 to 8 working days"),  # a range stays whole
        ("45 days of purchase", "Who signed the contract?", "45 days of purchase"),  # not a count question
        ("four paid study days a year", "How many study days do nurses get?", "four paid study days a year"),
    ],
)
def test_a_count_is_its_number_and_unit(span, question, answer):
    assert trim(span, question) == answer
