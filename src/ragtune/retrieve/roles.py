"""Who does what the question asks about: a role swap between the question and its evidence.

"Within how many days does Ravensburg pay Kittiwake's invoices?" is not answered by "Kittiwake Freight pays each
invoice within 45 days": the evidence's payer is the question's other party. Every word of the question is in the
evidence's passage, and a reader or a check model takes the sentence for the answer. The roles are read by a
tagger and chunker (ragtune/grammar.py): the question's subject is the noun phrase between its auxiliary and its
main verb ("does Ravensburg pay"); the evidence's is the noun phrase before the same verb, or after "by" in a
passive. A swap is only called when the evidence's subject is one that the question names after its verb, in
another role.
"""

from __future__ import annotations

from ragtune.grammar import BE, Token, chunks, parts
from ragtune.retrieve.evidence import same_word
from ragtune.text import STOPWORDS

_PRONOUNS = frozenset("i you we they he she it this that these those one someone anyone everyone who which".split())
_FINITE = frozenset("VB VBZ VBP VBD VBN".split())  # not VBG: "… campaign donating her song" has no subject


def _same(a: str, b: str) -> bool:
    return same_word(a.lower(), b.lower())


def _content(words: list[str]) -> list[str]:
    return [w for w in words if w.lower() not in STOPWORDS and any(c.isalnum() for c in w)]


def _verb_at(tokens: list[Token], i: int, verb: str) -> bool:
    """Is token i `verb`, finite, or read as a noun where only a verb fits (a noun before "the": "shadow the")?"""
    t = tokens[i]
    if not _same(t.word, verb):
        return False
    if t.tag in _FINITE:
        return True
    follows = tokens[i + 1].tag if i + 1 < len(tokens) else ""
    return t.tag.startswith("NN") and i > 0 and tokens[i - 1].tag.startswith("NN") and follows in ("DT", "PRP$")


def doer(sentence: str, verb: str) -> list[str] | None:
    """Who does `verb` in `sentence`: the noun phrase before it, or after "by" when it is passive; None when the
    sentence does not say (an agentless passive, a verb with no subject before it)."""
    cs = chunks(sentence)
    for k, chunk in enumerate(cs):
        tokens = list(chunk.tokens)
        at = next((i for i in range(len(tokens)) if _verb_at(tokens, i, verb)), None)
        if at is None:
            continue
        if chunk.kind == "NP":  # the tagger took the verb into its subject: "New brewers shadow the head brewer"
            return [t.word for t in tokens[:at]]
        if chunk.kind != "VP":
            return None
        if any(t.word.lower() in BE for t in tokens):  # passive: "are carried out by Keystone"
            rest = cs[k + 1 : k + 4]
            by = next((i for i, c in enumerate(rest) if "by" in (w.lower() for w in c.words())), None)
            follows = cs[k + 2 + by] if by is not None and k + 2 + by < len(cs) else None
            return follows.words() if follows and follows.kind == "NP" else None
        return cs[k - 1].words() if k and cs[k - 1].kind == "NP" else None
    return None


def swapped(question: str, evidence: str) -> list[str]:
    """[asked, found] when the evidence says of another party what the question asks of its subject, and that
    party is one the question names after its verb ("does Ravensburg pay Kittiwake's invoices" / "Kittiwake Freight
    pays"); [] when the roles agree or either is unclear (a pronoun, no shared verb, an agentless passive)."""
    found = parts(question)
    if not found or found.aux in BE or not found.verb or found.verb.lower() in BE:
        return []
    subject, verb, rest = found.subject, found.verb, found.rest
    said = doer(evidence, verb)
    if not said or any(w.lower() in _PRONOUNS for w in [*subject, *said]):
        return []
    ours, theirs, others = _content(subject), _content(said), _content(rest)
    if not ours or not theirs or any(_same(a, b) for a in ours for b in theirs):
        return []
    if not any(_same(a, b) for a in theirs for b in others):
        return []  # another subject, but not the question's other party: a paraphrase ("the operator") may be it
    return [" ".join(subject), " ".join(said)]
