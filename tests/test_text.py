"""Shared text helpers: tokens, stop words, stems, SQuAD normalisation, token F1, sentences."""

from __future__ import annotations

from ragtune.text import content, normalize, sentences, stem, token_f1, tokens


def test_tokens_keep_numbers_whole_and_content_drops_stop_words():
    assert tokens("The Summit 45 costs 1,250.50 EUR.") == ["the", "summit", "45", "costs", "1,250.50", "eur"]
    assert content(tokens("How many days of leave do the staff get?")) == ["many", "days", "leave", "staff", "get"]


def test_stems_agree_on_plurals_and_normalisation_drops_articles():
    assert stem("tents") == stem("tent") and stem("opened") == stem("open") and stem("days") == stem("day")
    assert normalize("The  Polar, down sleeping-bag!") == "polar down sleepingbag"


def test_token_f1():
    assert token_f1(["27", "days"], ["27", "days"]) == 1.0
    assert token_f1(["27"], ["27", "days"]) == 2 / 3
    assert token_f1([], ["x"]) == 0.0


def test_sentences_split_at_ends_but_not_abbreviations():
    text = "Dr. Solheim manages Bergen. It opened in 2016! Does it sell tents? Yes."
    assert sentences(text) == ["Dr. Solheim manages Bergen.", "It opened in 2016!", "Does it sell tents?", "Yes."]
