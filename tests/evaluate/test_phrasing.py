"""The phrasing metric: chrF (sacrebleu) and the recall of the reference's domain terms."""

from __future__ import annotations

from ragtune.evaluate import phrasing

REFERENCE = "Per our policy, a hull pressure test takes 3 working days at the Stavanger dock."


def test_chrf_prefers_the_house_phrasing_to_a_bare_span():
    house = phrasing.chrf("Per our policy, a hull pressure test takes 3 working days.", REFERENCE)
    bare = phrasing.chrf("3 working days", REFERENCE)
    assert 0 < bare < house <= 1
    assert phrasing.chrf("", REFERENCE) == 0.0


def test_domain_terms_are_the_reference_numbers_and_rare_words():
    terms = phrasing.terms(REFERENCE)
    assert {"hull", "stavanger", "3"} <= set(terms)
    assert "policy" not in terms and "our" not in terms
    assert phrasing.term_recall("The hull test at Stavanger takes 3 days.", REFERENCE) > phrasing.term_recall(
        "Three days.", REFERENCE
    )
    assert phrasing.term_recall("anything", "It is what it is.") is None


def test_score_gives_means_intervals_and_the_pairs():
    s = phrasing.score([("3 working days", REFERENCE), (REFERENCE, REFERENCE)])
    assert s["n"] == 2 and len(s["chrf_each"]) == 2 and s["chrf_ci"][0] <= s["chrf"] <= s["chrf_ci"][1]
    assert s["chrf_each"][1] == 1.0
