"""Synthetic prose examples: answers at their offsets, the asked qualifier's value, misses that name what is absent."""

from __future__ import annotations

import random
import re

import pytest

from ragtune.finetune.prose_examples import _GROUPS, ASKED, FRAMES, prices, prose_examples


def test_answers_sit_at_their_offsets_and_a_share_are_near_misses():
    examples = prose_examples(400, seed=5)
    answered = [e for e in examples if e.answer is not None]
    assert 0.5 < len(answered) / len(examples) < 0.8
    for e in answered:
        assert e.context[e.start : e.start + len(e.answer)] == e.answer


def test_the_same_seed_draws_the_same_examples():
    assert prose_examples(30, seed=1) == prose_examples(30, seed=1)
    assert prose_examples(30, seed=1) != prose_examples(30, seed=2)


def test_a_price_is_the_asked_groups_not_another_groups():
    rng = random.Random(0)
    for _ in range(200):
        fact = prices(rng, "Harbour Pool")
        (question, answer), _ = fact.questions
        (group,) = [g for g in _GROUPS if re.search(rf"\b{g}\b", question)]
        assert f"{answer} for {group}" in fact.sentence or f"{group} pay {answer}" in fact.sentence


@pytest.mark.parametrize("frame", sorted(ASKED))
def test_every_frame_answers_from_its_sentence_and_its_miss_asks_for_something_it_lacks(frame):
    rng = random.Random(1)
    for _ in range(100):
        fact = ASKED[frame](rng, "Kestrel Supply")
        (question, answer), (miss, none) = fact.questions
        assert answer and answer in fact.sentence and none is None
        assert miss != question
        words = set(re.findall(r"[\w'-]+", fact.sentence.lower()))
        asked = set(re.findall(r"[\w'-]+", miss.lower())) - set(re.findall(r"[\w'-]+", question.lower()))
        reordered = sorted(re.findall(r"[\w'-]+", miss.lower())) == sorted(re.findall(r"[\w'-]+", question.lower()))
        assert asked - words or reordered or frame in ("period", "direction"), (frame, miss, fact.sentence)


def test_an_allowance_answer_ends_at_its_unit():
    from ragtune.finetune.prose_examples import entitlement

    rng = random.Random(3)
    answers = [entitlement(rng, "Kestrel Supply").questions[0][1] for _ in range(200)]
    assert all(" of " not in a for a in answers)  # "25 days", never "25 days of annual leave"
    assert any(a.endswith("days") and not a.split()[0].isalpha() for a in answers)


def test_a_fact_is_stated_in_its_fields_words_and_asked_in_everyday_ones():
    from ragtune.finetune.prose_examples import fact
    from ragtune.finetune.record_examples import BANK

    rng = random.Random(4)
    for _ in range(200):
        made = fact(rng, "Kestrel Supply")
        (question, answer), (miss, _) = made.questions
        asked = [a for a, (_, _, wordings) in BANK.items() if any(_fits(w, question) for w in wordings)]
        missed = [a for a, (_, _, wordings) in BANK.items() if any(_fits(w, miss) for w in wordings)]
        assert asked and missed and not set(asked) & set(missed), (question, miss)  # the miss asks another attribute
        assert made.sentence.count(answer) == 1


def _fits(wording: str, question: str) -> bool:
    pattern = re.escape(wording).replace(re.escape("{e}"), ".+")
    return re.fullmatch(pattern, question) is not None


def test_the_shipped_readers_paragraphs_draw_only_from_its_frames():
    assert "fact" in ASKED and "fact" not in FRAMES  # `--prose N` still makes the shipped reader's examples


def test_a_focus_asks_every_question_of_that_frame():
    from ragtune.finetune.record_examples import BANK

    wordings = [w for _, _, ws in BANK.values() for w in ws]
    focused = prose_examples(60, seed=2, focus="fact")
    assert all(any(_fits(w, e.question) for w in wordings) for e in focused)
    anyframe = prose_examples(60, seed=2)
    assert sum(any(_fits(w, e.question) for w in wordings) for e in anyframe) < 30


def test_an_organisations_own_rule_is_asked_without_its_name_and_missed_by_another_party_or_goods():
    from ragtune.finetune.prose_examples import voiced

    rng = random.Random(6)
    for _ in range(200):
        made = voiced(rng, "Kestrel Supply")
        (question, answer), (miss, _) = made.questions
        assert "Kestrel" not in question  # "we", "our" or the passive: never the organisation's name
        assert made.sentence.count(answer) == 1
        theirs = re.search(r"\bdoes (\w+) have to pay our\b", miss)  # the counterparty given the organisation's rule
        assert theirs or set(re.findall(r"[\w'-]+", miss.lower())) - set(re.findall(r"[\w'-]+", made.sentence.lower()))
