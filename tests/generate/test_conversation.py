"""Follow-up questions made standalone from the earlier turns (generate/conversation.py), on tiny fixed data."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from ragtune.generate.conversation import Rewriter, Turn, turns

KNOWN = ["Bodø", "Stavanger", "hull pressure test", "Skolevej", "MMR", "typhoid"]


def names(text: str) -> list[tuple[int, int]]:
    """The row values a store would hold: every known value the text contains."""
    return [m.span() for v in KNOWN for m in re.finditer(re.escape(v), text, re.I)]


def closest(word: str, words: list[str]) -> int | None:
    """Word likeness as an embedder would give it, for the words these tests need."""
    alike = {
        "pensioner": "adult",
        "Mondays": "Sundays",
        "hours": "phone",
        "magazines": "books",
        "café": "lockers",
        "toilets": "exit",
        "weekends": "weekdays",
        "short-term": "long-term",
        "large": "small",
        "student": "zoo",  # an embedder finds some likeness between any two nouns
    }
    return words.index(alike[word]) if alike.get(word) in words else None


@pytest.fixture
def rewriter() -> Rewriter:
    return Rewriter(names, closest)


@pytest.mark.parametrize(
    ("first", "follow_up", "standalone"),
    [
        ("Who manages the Bodø warehouse?", "And the one in Stavanger?", "Who manages the Stavanger warehouse?"),
        ("What does a hull pressure test cost?", "How long does it take?", "How long does a hull pressure test take?"),
        (
            "How many electric trucks were ordered?",
            "When will the first of them arrive?",
            "When will the first of electric trucks arrive?",
        ),
        ("What does a nursery place cost?", "And a kindergarten place?", "What does a kindergarten place cost?"),
        ("What does an adult pay for a swim?", "And a pensioner?", "What does a pensioner pay for a swim?"),
        (
            "Which fridge holds the MMR vaccine?",
            "What about the typhoid vaccine?",
            "Which fridge holds the typhoid vaccine?",
        ),
        ("When do the Skolevej roadworks start?", "And when do they end?", "When do the Skolevej roadworks end?"),
        (
            "Where is Van Leeuwen Pharma based?",
            "Who looks after their account?",
            "Who looks after Van Leeuwen Pharma's account?",
        ),
        ("What room is Dr Hannah Osei in?", "And Dr Mark Osei?", "What room is Dr Mark Osei in?"),
        # "it" is the subject the tagger reads ("the pottery class", not "pottery class held"), or what a
        # what-question asks an attribute of ("the new pier"), if singular; "them" is plural
        ("Where is the pottery class held?", "When does it start?", "When does the pottery class start?"),
        ("How much does the family room cost per night?", "Is it quiet?", "Is the family room quiet?"),
        (
            "What is the closing date for job applications?",
            "Where do I send them?",
            "Where do I send job applications?",
        ),
        ("What is the budget for the new pier?", "When does it open?", "When does the new pier open?"),
        (
            "What is the late fee for library books?",
            "When is it charged?",
            "When is the late fee for library books charged?",
        ),
        # the subject with the place it applies in, not the name inside it, nor the place alone
        (
            "How long is the guarantee on the Astra 5 kettle?",
            "Does it cover the lid?",
            "Does the guarantee on the Astra 5 kettle cover the lid?",
        ),
        (
            "What is the parking charge at the harbour?",
            "Does it apply on Sundays?",
            "Does the parking charge at the harbour apply on Sundays?",
        ),
        # a which-question's subject is what it asks for: with its place, else with its verb
        ("Which ferry sails to Orkney?", "When does it leave?", "When does the ferry to Orkney leave?"),
        ("Which shop sells stamps?", "Is it open on Sundays?", "Is the shop that sells stamps open on Sundays?"),
        # a day is no name of the follow-up's own
        ("Which building is the pharmacy in?", "Is it open on Saturdays?", "Is the pharmacy open on Saturdays?"),
        # "the Elm one" is the Elm ward
        ("How many beds does the Oak ward have?", "And the Elm one?", "How many beds does the Elm ward have?"),
        # a name's phrase: the nouns before it, and the noun after it that is no verb
        (
            "Who teaches the evening Python course?",
            "How long does it last?",
            "How long does the evening Python course last?",
        ),
        # "run" is the subject's noun, "start" its verb
        ("When does the fun run start?", "Where is it held?", "Where is the fun run held?"),
        # the subject's places and what it is for, each phrase after the last ("the swimming pool" is one phrase)
        (
            "How long is the guarantee on a used bike from Spoke Cycles?",
            "Does it cover the chain?",
            "Does the guarantee on a used bike from Spoke Cycles cover the chain?",
        ),
        (
            "How long is the queue for a passport at Leith's office?",
            "Can I skip it?",
            "Can I skip the queue for a passport at Leith's office?",
        ),
        (
            "Why is the swimming pool at Eastfield closed?",
            "When does it reopen?",
            "When does the swimming pool at Eastfield reopen?",
        ),
        (
            "When does the pharmacy on King Street open?",
            "Does it sell hearing aids?",
            "Does the pharmacy on King Street sell hearing aids?",
        ),
        # after "What does … charge for", the last word is the name's noun, not the verb
        (
            "What does the ferry company charge for the Arran day trip?",
            "How long does it take?",
            "How long does the Arran day trip take?",
        ),
        # but in a who-question the subject is the person asked for: "its" is whom they serve
        (
            "Who is the account manager for Dunmore Foods?",
            "What are its opening hours?",
            "What are Dunmore Foods's opening hours?",
        ),
    ],
)
def test_a_follow_up_carries_the_entity_or_the_attribute_over(rewriter, first, follow_up, standalone):
    assert rewriter.standalone(follow_up, [Turn(first, "some answer")]) == standalone


@pytest.mark.parametrize(
    "question",
    [
        "Who manages the Stavanger warehouse?",  # names its own entity
        "How long does it take to get a decision on a building permit?",  # "it" refers to nothing
    ],
)
def test_a_question_that_stands_alone_is_left_as_it_is(rewriter, question):
    assert rewriter.standalone(question, [Turn("What does a hull pressure test cost?")]) == question


@pytest.mark.parametrize(
    ("answer", "standalone"),
    [
        ("Dunmore Engineering", "How often do Dunmore Engineering visit?"),  # a name: "they" is who answered
        ("Dunmore Engineering [1]", "How often do Dunmore Engineering visit?"),  # its citation mark dropped
        ("I could not find this in the documents.", None),  # no name: the previous question's topic
    ],
)
def test_after_a_who_question_a_person_is_its_answer(rewriter, answer, standalone):
    first = "Who repairs our forklifts?"
    topic = f"How often do {rewriter.topic(first, plural=True)} visit?"
    assert rewriter.standalone("How often do they visit?", [Turn(first, answer)]) == (standalone or topic)


def test_that_before_a_verb_is_the_reference_alone(rewriter):
    history = [Turn("How much does the family room cost per night?")]
    assert rewriter.standalone("Does that include parking?", history) == "Does the family room include parking?"


def test_a_fragment_replaces_the_whole_noun_phrase_of_the_likest_word(rewriter):
    history = [Turn("What is the loan period for library books?")]
    assert rewriter.standalone("How about magazines?", history) == "What is the loan period for magazines?"


def test_a_time_is_no_name_of_the_follow_ups_own(rewriter):
    history = [Turn("When does the Bodø warehouse open?")]
    assert rewriter.standalone("Is it open after 6pm?", history) == "Is the Bodø warehouse open after 6pm?"


def test_a_name_stands_for_the_likest_of_the_previous_names(rewriter):
    history = [Turn("When does the Harbour Museum open on Sundays?")]
    assert rewriter.standalone("And on Mondays?", history) == "When does the Harbour Museum open on Mondays?"


def test_an_attribute_replaces_as_many_words_as_it_has(rewriter):
    history = [Turn("What's the phone number of the Bodø depot?")]
    assert rewriter.standalone("And its opening hours?", history) == "What are the opening hours of the Bodø depot?"


@pytest.mark.parametrize(
    ("first", "follow_up", "standalone"),
    [
        ("Where are the lockers?", "And the café?", "Where is the café?"),
        ("Where's the exit?", "And the toilets?", "Where are the toilets?"),
    ],
)
def test_a_copula_agrees_with_the_phrase_put_after_it(rewriter, first, follow_up, standalone):
    assert rewriter.standalone(follow_up, [Turn(first)]) == standalone


@pytest.mark.parametrize(
    ("first", "follow_up", "standalone"),
    [
        (
            "How much does parking cost at the main campus?",
            "Is it free after 6pm?",
            "Is parking at the main campus free after 6pm?",
        ),  # a place carries over with the topic; a time of the follow-up's own does not stop it
        ("How much does parking cost in the evening?", "Is it free?", "Is parking free?"),  # a time is no place
        (
            "How much does parking cost at the main campus?",
            "Is it free at the north campus?",
            "Is parking free at the north campus?",
        ),  # the follow-up's own place wins
    ],
)
def test_a_reference_carries_the_place_of_its_topic(rewriter, first, follow_up, standalone):
    assert rewriter.standalone(follow_up, [Turn(first)]) == standalone


def test_without_history_the_question_is_only_trimmed(rewriter):
    assert rewriter.standalone("  And the one in Stavanger?  ", []) == "And the one in Stavanger?"


def test_a_third_turn_follows_the_second(rewriter):
    history = [Turn("Who manages the Bodø warehouse?"), Turn("And the one in Stavanger?")]
    assert rewriter.standalone("When did it open?", history) == "When did the Stavanger warehouse open?"


def test_turns_pair_each_user_message_with_the_reply_after_it():
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "Who manages Bodø?"},
        {"role": "assistant", "content": "Kari Dahl [1]"},
        {"role": "user", "content": [{"type": "text", "text": "And Stavanger?"}]},
    ]
    assert turns(messages) == [Turn("Who manages Bodø?", "Kari Dahl [1]"), Turn("And Stavanger?")]


@pytest.mark.parametrize(
    ("first", "answer", "follow_up", "standalone"),
    [
        (  # the follow-up's own preposition replaces the previous one
            "When does the swimming pool open on weekdays?",
            "",
            "What about at weekends?",
            "When does the swimming pool open at weekends?",
        ),
        (  # the same question words and a noun phrase: that phrase is what is asked now
            "How many parking spaces does the Northside depot have?",
            "",
            "And how many charging points?",
            "How many charging points does the Northside depot have?",
        ),
        (  # "one" is one of the previous question's topic
            "How much does a replacement key card cost?",
            "",
            "Where can I get one?",
            "Where can I get a replacement key card?",
        ),
        (  # a which-question whose question word is the subject: "they" is its named answer
            "Which supplier delivers our coffee beans?",
            "Ridgeway Roasters",
            "What do they charge per kilo?",
            "What do Ridgeway Roasters charge per kilo?",
        ),
        (  # the thing an attribute is asked of, though the tagger reads "climbing" as a verb
            "What is the minimum age for the climbing wall?",
            "",
            "Do children need a helmet on it?",
            "Do children need a helmet on the climbing wall?",
        ),
    ],
)
def test_follow_ups_of_other_forms_are_made_standalone(rewriter, first, answer, follow_up, standalone):
    assert rewriter.standalone(follow_up, [Turn(first, answer)]) == standalone


@pytest.mark.parametrize(
    ("first", "answer", "follow_up", "standalone"),
    [
        (  # "which rooms" is not the subject here: "they" is not the answer
            "Which rooms are the workshops in?",
            "Rooms 4 and 5",
            "Who runs them?",
            "Who runs the workshops?",
        ),
        ("How many rooms does the hotel have?", "", "Which one is the biggest?", "Which one is the biggest?"),
        ("How many complaints did the hotel get?", "", "Has no one complained?", "Has no one complained?"),
    ],
)
def test_what_the_new_rules_leave_alone(rewriter, first, answer, follow_up, standalone):
    assert rewriter.standalone(follow_up, [Turn(first, answer)]) == standalone


def test_after_a_named_person_an_object_pronoun_is_what_they_act_on(rewriter):
    history = [Turn("Which firm cleans our windows?", "Brightpane Ltd")]
    assert (
        rewriter.standalone("How often do they clean them?", history)
        == "How often do Brightpane Ltd clean our windows?"
    )


def test_a_company_name_with_an_ampersand_is_who_answered(rewriter):
    history = [Turn("Which firm supplies our paper?", "Dunn & Sons")]  # "supplies our paper": one phrase to the tagger
    assert rewriter.standalone("When do they deliver it?", history) == "When do Dunn & Sons deliver our paper?"


def test_a_fragment_of_another_preposition_adds_to_the_question(rewriter):
    history = [Turn("How much is a day ticket to the zoo?")]  # "for a student" is not "to the zoo"
    assert (
        rewriter.standalone("What about for a student?", history)
        == "How much is a day ticket to the zoo for a student?"
    )


def likelier_with(word: str, rest: str) -> Callable[[str, str], float]:
    """A language model that finds `rest` likely only after a prefix holding `word`; it records what it is asked."""

    def likelihood(prefix: str, after: str) -> float:
        likelihood.asked.append((prefix, after))
        return 0.0 if word in prefix and after == rest else -10.0

    likelihood.asked = []
    return likelihood


def test_the_model_weighs_whether_a_reference_means_the_attribute_or_its_thing():
    likelihood = likelier_with("deposit", "refundable?")
    rewriter = Rewriter(names, closest, likelihood)
    history = [Turn("What is the deposit for a locker?")]
    assert rewriter.standalone("Is it refundable?", history) == "Is the deposit for a locker refundable?"
    assert likelihood.asked == [("Is the deposit", "refundable?"), ("Is a locker", "refundable?")]  # each alone


def test_without_a_model_or_anything_after_the_reference_it_means_the_thing():
    history = [Turn("What is the deposit for a locker?")]
    assert Rewriter(names, closest).standalone("Is it refundable?", history) == "Is a locker refundable?"
    likelihood = likelier_with("deposit", "")
    rewriter = Rewriter(names, closest, likelihood)
    assert rewriter.standalone("Who refunds it?", history) == "Who refunds a locker?"
    assert likelihood.asked == []


def test_a_named_thing_is_what_the_reference_means_without_asking_the_model():
    likelihood = likelier_with("ABV", "sold?")
    rewriter = Rewriter(names, closest, likelihood)
    history = [Turn("What's the ABV of Night Heron?")]
    assert rewriter.standalone("When is it sold?", history) == "When is Night Heron sold?"
    assert likelihood.asked == []


def test_a_thing_placed_at_a_name_is_no_name_and_the_model_weighs_it():
    likelihood = likelier_with("deposit", "refundable?")
    rewriter = Rewriter(names, closest, likelihood)
    history = [Turn("What is the deposit for a berth at Ardmore Marina?")]
    standalone = rewriter.standalone("Is it refundable?", history)
    assert standalone == "Is the deposit for a berth at Ardmore Marina refundable?"
    assert likelihood.asked  # "a berth" is no name: the model was asked


@pytest.mark.parametrize(
    ("first", "follow_up", "standalone"),
    [
        (
            "How much is long-term storage at the depot per month?",
            "What about short-term?",
            "How much is short-term storage at the depot per month?",
        ),
        ("What's the top speed of the small boat?", "And the large one?", "What's the top speed of the large boat?"),
    ],
)
def test_a_fragment_that_only_describes_replaces_the_like_modifier(rewriter, first, follow_up, standalone):
    assert rewriter.standalone(follow_up, [Turn(first)]) == standalone


def relevance_of(scores: dict[str, float]) -> Callable[[list[str]], list[float]]:
    """A store whose best evidence answers each question as well as `scores` says (0.1 for any other)."""
    return lambda questions: [scores.get(q, 0.1) for q in questions]


def test_a_question_that_names_nothing_is_about_the_topic_when_the_evidence_says_so():
    bridged = "Is there a deposit for a locker at the Eastgate gym?"
    history = [Turn("How much does a locker cost at the Eastgate gym?")]
    rewriter = Rewriter(names, closest, relevance=relevance_of({"Is there a deposit?": 0.3, bridged: 0.8}))
    assert rewriter.standalone("Is there a deposit?", history) == bridged
    found_alone = Rewriter(names, closest, relevance=relevance_of({"Is there a deposit?": 0.7, bridged: 0.9}))
    assert found_alone.standalone("Is there a deposit?", history) == "Is there a deposit?"  # the store answers it
    no_better = Rewriter(names, closest, relevance=relevance_of({"Is there a deposit?": 0.3, bridged: 0.2}))
    assert no_better.standalone("Is there a deposit?", history) == "Is there a deposit?"
    assert Rewriter(names, closest).standalone("Is there a deposit?", history) == "Is there a deposit?"  # no store


@pytest.mark.parametrize(
    "question",
    [
        "What is the boiling point of mercury?",  # it says whose
        "Who manages the Stavanger warehouse?",  # it names its own thing
        "How many people can come?",  # its noun phrase is what it asks for
    ],
)
def test_a_question_that_says_what_it_is_about_is_never_bridged(question):
    rewriter = Rewriter(names, closest, relevance=lambda questions: [0.0, 1.0])
    assert rewriter.standalone(question, [Turn("How much does a locker cost at the Eastgate gym?")]) == question


def test_a_day_or_month_is_no_topic(rewriter):
    history = [Turn("When does the taproom open on Fridays?")]
    assert rewriter.standalone("Does it serve food?", history) == "Does the taproom serve food?"


def test_a_last_noun_is_kept_when_the_question_has_its_own_verb(rewriter):
    history = [Turn("How many guests can we have for a private party?")]
    assert rewriter.standalone("Is it free?", history) == "Is a private party free?"


def test_a_name_that_only_says_where_the_thing_is_is_not_the_topic(rewriter):
    history = [Turn("How much does a locker cost at the Eastgate gym?")]
    assert rewriter.standalone("Is it big?", history) == "Is a locker at the Eastgate gym big?"
