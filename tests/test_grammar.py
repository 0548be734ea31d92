"""A question's subject and main verb, read from its phrase chunks."""

from __future__ import annotations

from ragtune.grammar import Parts, after_determiners, chunks, located, parts, spans, tag_at


def test_chunks_cover_every_word_in_order():
    found = chunks("Kittiwake Freight pays each invoice within 45 days.")
    assert [w for c in found for w in c.words()] == "Kittiwake Freight pays each invoice within 45 days .".split()
    assert found[0].kind == "NP" and found[0].words() == ["Kittiwake", "Freight"] and found[1].kind == "VP"


def test_the_subject_and_verb_are_read_around_the_auxiliary():
    assert parts("How soon must the tenant pay the landlord?") == Parts(
        "must", ["the", "tenant"], "pay", ["the", "landlord", "?"]
    )
    assert parts("Where is the ceramics workshop held?").subject == ["the", "ceramics", "workshop"]
    assert parts("Which floor is the radiology department on?").verb == ""  # a copula: no main verb
    assert parts("Who pays the deposit?") is None  # the subject is what is asked


def test_a_verb_the_tagger_reads_as_a_noun_or_adjective_is_the_verb_after_an_auxiliary():
    assert parts("Within how many days does the buyer refund the seller?").verb == "refund"
    assert parts("How often does the caretaker clean the windows?").verb == "clean"
    assert parts("How much does the deluxe room cost per night?", loose=True).subject == ["the", "deluxe", "room"]
    assert parts("How much does the deluxe room cost per night?") is None  # strictly, "cost" may be a noun


def test_the_parser_loads_without_textblob_package_or_nltk():
    """A cold `ragtune ask` reads roles: TextBlob's package would import nltk (about a second) for nothing."""
    import subprocess
    import sys

    code = "import sys; from ragtune.grammar import chunks; chunks('Who pays?'); print('nltk' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_tokens_are_located_in_the_text_and_tagged_there():
    text = "Does that include breakfast?"
    assert tag_at(text, text.index("include")).startswith("VB") and tag_at(text, 100) == ""
    for _, toks in located(text):
        assert all(text[a:b] == t.word for t, (a, b) in toks)


def test_a_determiner_inside_a_chunk_starts_the_noun_phrase():
    (repairs,) = [toks for chunk, toks in located("Who repairs our forklifts?") if chunk.kind == "NP"]
    assert [t.word for t, _ in after_determiners(repairs)] == ["forklifts"]


def test_words_are_located_as_whole_words():
    assert spans("What does a hull test cost?", ["a", "hull"]) == [(10, 11), (12, 16)]  # not the "a" of "What"


def test_two_bare_verbs_after_the_subject_are_its_noun_and_the_verb():
    assert parts("When does the fun run start?") == Parts("does", ["the", "fun", "run"], "start", ["?"])
    assert parts("Can the caretaker help move chairs?").verb == "help"  # a verb that takes a bare verb


def test_a_determiner_then_an_ing_word_then_a_noun_is_one_noun_phrase():
    found = [(c.kind, c.words()) for c in chunks("How long is the waiting list for the allotments?")]
    assert ("NP", ["the", "waiting", "list"]) in found  # the tagger reads "waiting" as a verb
    assert parts("Are they building a new school?").subject[0] == "they"  # no determiner: left as the tagger reads


def test_a_subject_keeps_its_own_place_before_the_verb():
    assert parts("When does the bakery on Queen Street close?") == Parts(
        "does", ["the", "bakery", "on", "Queen", "Street"], "close", ["?"]
    )
    assert parts("Does the train to Leeds stop at York?").subject == ["the", "train", "to", "Leeds"]
    assert parts("Did Frédéric move to Warsaw?", loose=True).subject == ["Frédéric"]  # no verb after the place
