"""English phrases: the chunks a question or sentence is made of, and a question's subject and main verb.

Read by the Brill tagger and chunker that TextBlob bundles (Pattern's English lexicon, from the Penn Treebank):
fast (~0.1 ms a question) and often wrong on a word that is both a noun and a verb ("shadow", "visit", "cost").
Where the grammar of a question forces a verb, `parts` takes the word in its place for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from ragtune.text import sentences

AUXILIARY = frozenset("do does did must can could may might will would shall should".split())
BE = frozenset("is are was were be been being".split())
PLURAL_TAGS = ("NNS", "NNPS")
Span = tuple[int, int]  # a (start, end) of a text
_TOKEN = re.compile(r"\w+(?:[-.,]\w+)*(?:['’](?!s\b)\w+)*|['’]s\b|[^\w\s]")  # "What's" → "What", "'s"


@dataclass(frozen=True)
class Token:
    word: str
    tag: str  # Penn Treebank part of speech


@dataclass(frozen=True)
class Chunk:
    kind: str  # NP, VP, PP, ADVP … or O
    tokens: tuple[Token, ...]

    def words(self) -> list[str]:
        return [t.word for t in self.tokens]


@dataclass(frozen=True)
class Parts:
    """A question's subject (its words), main verb ("" after a copula: "Where is the workshop?") and the words
    after the verb; `aux` is the auxiliary or copula before the subject."""

    aux: str
    subject: list[str]
    verb: str
    rest: list[str]


@cache
def _parser():
    """Pattern's English parser as TextBlob bundles it, loaded without TextBlob's package, whose import pulls in
    nltk (a second of a cold `ragtune ask`) for nothing the parser uses; the package is left unimported."""
    import importlib
    import importlib.util
    import sys
    import types

    if "textblob" in sys.modules:
        return importlib.import_module("textblob.en").parse
    package = types.ModuleType("textblob")
    package.__path__ = list(importlib.util.find_spec("textblob").submodule_search_locations)
    sys.modules["textblob"] = package
    try:
        return importlib.import_module("textblob.en").parse
    finally:
        for name in ("textblob", "textblob.en", "textblob._text"):
            sys.modules.pop(name, None)


@lru_cache(maxsize=4096)
def chunks(text: str) -> tuple[Chunk, ...]:
    """The text's phrase chunks, in order, over all its sentences."""
    out: list[Chunk] = []
    tokenised = "\n".join(" ".join(_TOKEN.findall(s)) for s in sentences(text))  # its own tokenizer splits "'s"
    for sentence in _parser()(tokenised, tokenize=False, chunks=True).split("\n"):
        for item in sentence.split(" "):
            word, tag, label, _ = item.rsplit("/", 3) if item.count("/") >= 3 else (item, "", "O", "")
            kind = label[2:] if label != "O" else "O"
            token = Token(word.replace("&slash;", "/"), tag)
            if label.startswith("I-") and out and out[-1].kind == kind:
                out[-1] = Chunk(kind, (*out[-1].tokens, token))
            else:
                out.append(Chunk(kind, (token,)))
    return _gerund_nouns(out)


_DETERMINER_TAGS = frozenset({"DT", "PRP$"})


def _gerund_nouns(found: list[Chunk]) -> tuple[Chunk, ...]:
    """The chunks with a determiner, an -ing or -ed word and a noun phrase made one noun phrase: after "the" or
    "our", "waiting" or "used" modifies a noun and is no verb ("the waiting list", "a used bike"), though the tagger
    reads it as one."""
    out: list[Chunk] = []
    for chunk in found:
        last = out[-1].tokens if out else ()
        gerund = len(out) > 1 and out[-1].kind == "VP" and len(last) == 1 and last[0].tag in ("VBG", "VBN")
        owned = gerund and out[-2].tokens[-1].tag in _DETERMINER_TAGS and out[-2].kind in ("O", "NP")
        if owned and chunk.kind == "NP" and chunk.tokens[0].tag.startswith(("NN", "JJ")):
            out[-2:] = [Chunk("NP", (*out[-2].tokens, *last, *chunk.tokens))]  # an O chunk is one word
            continue
        out.append(chunk)
    return tuple(out)


def _closing(loose: bool) -> tuple[str, ...]:
    """What may follow a subject whose last noun is its verb: another noun phrase, the end, (loosely) a
    preposition."""
    return ("NP", "O", "PP") if loose else ("NP", "O")


def parts(question: str, loose: bool = False) -> Parts | None:
    """The subject and main verb of a question with an auxiliary or copula before its subject ("Within how many
    days does Ravensburg pay Kittiwake's invoices?" → "does", ["Ravensburg"], "pay", ["Kittiwake", …]); None for
    any other form. An auxiliary's clause has a main verb: where the tagger read it as a noun closing the subject
    ("does the buyer refund the seller") or as a lone adjective after it ("does the caretaker clean the windows"),
    it is that word. `loose`: so is a noun closing the subject before a preposition ("does the deluxe room cost per
    night"), which is as often a noun ("did Frédéric move to Warsaw" chunks as one noun phrase, then "to")."""
    cs = chunks(question)
    for k, chunk in enumerate(cs[:-1]):
        aux = chunk.words()[-1].lower()
        if chunk.kind != "VP" or aux not in AUXILIARY | BE:
            continue
        if cs[k + 1].kind != "NP":
            return None
        subject, after = list(cs[k + 1].tokens), cs[k + 2 :]
        following = after[0] if after else Chunk("O", ())
        verbs = [t.word for t in following.tokens if t.tag.startswith("VB")] if following.kind == "VP" else []
        if aux in AUXILIARY and _noun_then_verb(following):  # "does the penguin talk start": "talk" is a noun
            subject.append(following.tokens[0])
            verbs = verbs[1:]
        if aux in AUXILIARY and (placed := _placed_verb(after)):  # "does the bakery on Queen Street close"
            subject += [t for c in after[:2] for t in c.tokens]
            verbs, after = [placed.word], after[2:]
        if verbs:
            verb, rest = verbs[0], after[1:]
        elif aux in BE:
            verb, rest = "", after
        elif following.kind == "ADJP" and len(following.tokens) == 1:
            verb, rest = following.tokens[0].word, after[1:]
        elif len(subject) > 1 and subject[-1].tag.startswith("NN") and following.kind in _closing(loose):
            verb, rest = subject.pop().word, after
        else:
            return None
        return Parts(aux, [t.word for t in subject], verb, [w for c in rest for w in c.words()])
    return None


def _placed_verb(after: tuple[Chunk, ...]) -> Token | None:
    """The verb after a subject's own place ("on Queen Street" in "does the bakery on Queen Street close"): a
    preposition, a noun phrase, then a verb or a lone word the tagger reads as an adjective ("open"); None when
    the clause goes on otherwise."""
    if len(after) < 3 or after[0].kind != "PP" or after[1].kind != "NP":
        return None
    last = after[2]
    if last.kind == "VP" and last.tokens[0].tag.startswith("VB"):
        return last.tokens[0]
    return last.tokens[0] if last.kind == "ADJP" and len(last.tokens) == 1 else None


_SERIAL = frozenset("help let make go come".split())  # verbs that take a bare verb: "does it help pay"


def _noun_then_verb(chunk: Chunk) -> bool:
    """Two bare verbs after an auxiliary's subject, where the first is the subject's last noun read as a verb
    ("talk start" of "When does the penguin talk start?")."""
    toks = chunk.tokens
    return (
        chunk.kind == "VP"
        and len(toks) == 2
        and all(t.tag == "VB" for t in toks)
        and toks[0].word.lower() not in _SERIAL
    )


def spans(text: str, words: list[str]) -> list[Span]:
    """Where each of `words` (the tagger's tokens of `text`, in order) stands in `text`, each a whole word ("a" is
    not the end of "What")."""
    out, at = [], 0
    for w in words:
        edge = (r"(?<!\w)" if w[:1].isalnum() else "") + re.escape(w) + (r"(?!\w)" if w[-1:].isalnum() else "")
        m = re.compile(edge).search(text, at) or re.compile(re.escape(w)).search(text, at)  # else anywhere
        if m is None:
            return []
        out.append(m.span())
        at = m.end()
    return out


def located(text: str) -> list[tuple[Chunk, list[tuple[Token, Span]]]]:
    """The tagger's chunks of `text`, each token with where it stands in `text`."""
    found = chunks(text)
    where = spans(text, [w for c in found for w in c.words()])
    out, i = [], 0
    for chunk in found:
        out.append((chunk, list(zip(chunk.tokens, where[i : i + len(chunk.tokens)], strict=False))))
        i += len(chunk.tokens)
    return out


def tag_at(text: str, at: int) -> str:
    """The tagger's part of speech of the word at position `at` of `text` ("" where it read none)."""
    return next((t.tag for _, toks in located(text) for t, (a, b) in toks if a <= at < b), "")


def after_determiners(toks: list[tuple[Token, Span]]) -> list[tuple[Token, Span]]:
    """A noun phrase's tokens after its last determiner or possessive: a determiner starts a phrase, so one
    inside a chunk ("repairs our forklifts") marks where the tagger ran two together."""
    last = max((i for i, (t, _) in enumerate(toks) if t.tag in ("DT", "PRP$", "POS")), default=-1)
    return toks[last + 1 :]
