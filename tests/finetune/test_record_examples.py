"""Synthetic record examples: answers at their offsets, misses that the rows do not hold, confusable misses."""

from __future__ import annotations

import random
import re
from collections import Counter

import numpy as np

from ragtune.finetune.record_examples import BANK, _missing_attribute, confusable, kind_pairs, record_examples
from ragtune.retrieve.evidence import field_words


def bag_of_words(texts: list[str]) -> np.ndarray:
    """A fake embedder: hashed words, unit length; "Where …" questions all land on one vector."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for i, text in enumerate(texts):
        if text.startswith("Where"):
            out[i, 0] = 1.0
            continue
        for word in re.findall(r"\w+", text.lower()):
            out[i, 1 + sum(map(ord, word)) % 63] += 1.0
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_answers_sit_at_their_offsets_and_misses_have_none():
    examples = record_examples(300, seed=3, near=confusable(bag_of_words))
    answered = [e for e in examples if e.answer is not None]
    assert answered and len(answered) < len(examples)
    for e in answered:
        assert e.context[e.start : e.start + len(e.answer)] == e.answer


def test_confusable_lists_other_attributes_and_leaves_out_paraphrases():
    near = confusable(bag_of_words, k=3)
    assert set(near) == set(BANK)
    for name, others in near.items():
        assert len(others) == 3 and name not in others and set(others) <= set(BANK)
    wheres = {a for a, (_, _, wordings) in BANK.items() if any(w.startswith("Where") for w in wordings)}
    for a in wheres:  # one wording the same as another's: a question of one is a question of the other
        assert not wheres & set(near[a]), (a, near[a])


def test_a_miss_is_never_an_attribute_the_table_has_and_often_a_near_one():
    rng = random.Random(0)
    attrs = ["price", "speed", "email"]
    near = {"speed": ["range", "price"], "email": ["phone"]}
    asked = Counter(_missing_attribute(rng, attrs, near) for _ in range(2000))
    assert not set(asked) & set(attrs)
    assert (asked["range"] + asked["phone"]) / 2000 > 0.45  # half the misses, plus their share of the rest
    plain = Counter(_missing_attribute(random.Random(0), attrs, None) for _ in range(2000))
    assert (plain["range"] + plain["phone"]) / 2000 < 0.15


def test_kind_pairs_fit_only_when_the_field_is_of_the_asked_attribute():
    pairs = kind_pairs(400, seed=5, near=confusable(bag_of_words), attrs=list(BANK)[:12])
    wordings = {a: [re.escape(w).replace(re.escape("{e}"), ".+") for w in BANK[a][2]] for a in list(BANK)[:12]}
    names = {a: {field_words(n) for n in BANK[a][0]} for a in list(BANK)[:12]}
    share = sum(f for _, _, f in pairs) / len(pairs)
    assert 0.3 < share < 0.5
    for question, said, fits in pairs:
        asked = {a for a, forms in wordings.items() if any(re.fullmatch(f, question) for f in forms)}
        given = {a for a, ns in names.items() if said.split(": ")[0] in ns}
        assert asked and given
        assert bool(asked & given) == bool(fits), (question, said, fits)
