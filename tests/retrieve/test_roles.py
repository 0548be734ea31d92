"""Role swaps on tiny data: who the question asks about, who its evidence speaks of, and when they differ."""

from __future__ import annotations

import pytest

from ragtune.retrieve import roles


@pytest.mark.parametrize(
    ("sentence", "doer"),
    [
        ("The landlord pays the deposit back within 14 days.", ["The", "landlord"]),
        ("The buyer is refunded by the seller within 10 days.", ["the", "seller"]),  # passive: the agent
        ("The deposit is paid within 14 days.", None),  # an agentless passive does not say
        ("Rent is due on the 5th.", None),  # no such verb
    ],
)
def test_the_doer_is_the_subject_before_the_verb_or_the_agent_of_a_passive(sentence, doer):
    assert roles.doer(sentence, "pay" if "refund" not in sentence else "refund") == doer


@pytest.mark.parametrize(
    ("question", "evidence", "swap"),
    [
        (
            "How soon must the tenant pay the landlord?",
            "The landlord pays the deposit back to the tenant within 14 days.",
            ["the tenant", "The landlord"],
        ),
        (
            "When does Harbour Bank send statements to Lindqvist AB?",
            "Lindqvist AB sends its statements to Harbour Bank on the first of each month.",
            ["Harbour Bank", "Lindqvist AB"],
        ),
        ("How soon must the tenant pay the landlord?", "The tenant pays the rent to the landlord by the 5th.", []),
        ("When does Harbour Bank send statements to Lindqvist AB?", "Harbour Bank sends statements monthly.", []),
        ("What fee does Acme pay for a late delivery?", "The supplier pays 200 EUR for each late delivery.", []),
        ("How many days do I get?", "Staff get 25 days.", []),  # a pronoun: the reader is the party
        ("How often does the caretaker clean the windows?", "The windows are cleaned every month.", []),
    ],
)
def test_a_swap_is_called_only_when_the_evidence_doer_is_the_question_other_party(question, evidence, swap):
    """Another subject alone is no swap: "the supplier" may be what the documents call Acme."""
    assert roles.swapped(question, evidence) == swap
