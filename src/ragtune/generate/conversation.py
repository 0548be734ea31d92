"""Follow-up questions made standalone from the earlier turns, before retrieval.

"And the one in Stavanger?" after "Who manages the Bodø warehouse?" asks "Who manages the Stavanger warehouse?";
"How long does it take?" after "What does a hull pressure test cost?" asks "How long does the hull pressure test
take?". With a small model there is no rewriting model to ask, so the entity and the attribute are carried over:

- a **fragment** ("And X?", "What about X?", a few words without a verb of their own) replaces the part of the
  previous question that X stands for: a name by a name (names are what the tables hold as row values, and runs of
  capitalised words), else the words X shares its head word with, else the noun phrase of the previous question's
  word most like X's head (by the embedder), with X's own preposition ("at weekends" for "on weekdays"); a
  follow-up that opens with the previous question's own question words ("And how many charging points?") is
  such a fragment after them;
- a **reference** ("it", "its", "they", "that department", "the one") in a question of its own is replaced by the
  previous question's topic: its name, else its subject as a part-of-speech tagger reads it (ragtune/grammar.py;
  what a what-question asks an attribute of, in the reference's number), else its longest run of content words,
  with the place the previous question gave it ("at the main campus") unless the follow-up gives its own;
  after a who-question, or a which-question whose question word is the subject, a person ("they", "she") is its
  answer when that is a name ("Who supplies our paper?" → "Harlow Office Supplies"); "one" is one of the topic
  ("Where can I get one?" → "… a replacement key card").

- a question that **names nothing** and does not say whose its thing is ("Is there a deposit?", "How much is a
  ticket?") is asked of the previous topic ("… a deposit for a locker at the Eastgate gym?") only when the store's
  evidence says so: the question alone finds nothing that answers it, and with the topic finds better.

A name that only says where the topic is ("at the Eastgate gym"), a day or a month is not the topic. A question
with nothing to resolve is left as it is. The previous question is itself first made standalone, so that a third
turn follows the second.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from ragtune.grammar import AUXILIARY, BE, PLURAL_TAGS, Span, after_determiners, located, parts, spans, tag_at
from ragtune.retrieve.evidence import value_kind
from ragtune.text import CITATION, LEAD, NAME_WORD, STOPWORDS, capitalised, stem

_WH = re.compile(r"\b(who|whom|whose|what|which|when|where|why|how)\b", re.I)
_VERB_HINT = re.compile(
    r"\b(is|are|was|were|be|been|do|does|did|can|could|will|would|should|may|might|must|has|have|had)\b", re.I
)
_REFERENCE = re.compile(
    r"\b(it|its|it's|they|them|their|theirs|he|him|his|she|her|hers)\b"
    r"|\b(that|this|these|those|the same) (\w+)\b|\bthe (one|ones)\b"
    r"|(?<!\bthe )(?<!\bno )(?<!\beach )(?<!\bevery )(?<!\bany )(?<!\bwhich )\bone\b(?!\s+of\b)",  # "get one"
    re.I,
)
_DUMMY_IT = re.compile(r"\bit (takes?|took|is|was|costs?) [\w\s]{0,30}\bto \w+ \w+ \w+|\bis it (true|possible)\b", re.I)
_BARE_VERB_AUX = re.compile(r"\b(do|does|did|will|can|could|would|should|may|might|must)\b", re.I)
_QUESTION_WORDS = frozenset("who whom whose what which when where why how much many long often".split())
_QUANTITY = re.compile(r"[\d.,:]+\s*(am|pm|h|hrs?|kg|km|cm|mm|m|ml|l|%|st|nd|rd|th|s)?", re.I)  # "6pm", "18:30"
_PERSONAL = re.compile(r"they|them|their|theirs|he|him|his|she|her|hers", re.I)
_WHO = re.compile(r"\W*(who|whom)\b", re.I)
_ASKS_WHAT = re.compile(r"\s*(what|which)\b", re.I)
_WHAT_DO = re.compile(r"\s*what\s+(do|does|did)\b", re.I)  # "what" is the object: the verb follows the subject
_PLURAL = re.compile(r"they|them|their|theirs|these|those", re.I)
_ONE_AFTER = re.compile(r"\b([\w'’-]+)\s+ones?$")  # "the Riverside one"
_OBJECT = re.compile(r"\b(them|it)\b", re.I)  # after a subject that is a person: the previous question's thing


def _length(span: Span) -> int:
    return span[1] - span[0]


def _named_answer(answer: str) -> str:
    """The answer to a who-question when it is a name ("Dunmore Engineering", "Professor Ana Ruiz"): what "they"
    or "she" then refers to. "" for a sentence, an abstention or nothing."""
    answer = CITATION.sub("", answer).strip(" .")
    words = answer.split()
    capital = all(w[:1].isupper() or w.lower() in STOPWORDS or w == "&" for w in words)  # "Crumb & Co"
    return answer if 0 < len(words) <= 5 and capital and not re.search(r"[,;:!?]", answer) else ""


@dataclass
class Turn:
    """One earlier exchange: the user's question and the reply it got."""

    question: str
    answer: str = ""


def turns(history: list[dict]) -> list[Turn]:
    """OpenAI-style messages (`role`, `content`) → the user's turns, each with the assistant reply after it."""
    out: list[Turn] = []
    for m in history:
        content = m.get("content") or ""
        if isinstance(content, list):  # content parts: keep the text ones
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        if m.get("role") == "user" and content.strip():
            out.append(Turn(content.strip()))
        elif m.get("role") == "assistant" and out:
            out[-1].answer = content.strip()
    return out


class Rewriter:
    """Makes follow-ups standalone. `names(text)` finds the spans of `text` that name things the store knows (a
    table's row values); `closest(word, words)` is the index of the word most like `word` (None if none is);
    `likelihood(prefix, rest)` is a language model's log-probability of `rest` after `prefix` (None from a model
    that gives none)."""

    def __init__(
        self,
        names: Callable[[str], list[Span]] | None = None,
        closest: Callable[[str, list[str]], int | None] | None = None,
        likelihood: Callable[[str, str], float | None] | None = None,
        relevance: Callable[[list[str]], list[float]] | None = None,
        weak: float = 0.5,
    ):
        self.known = names or (lambda text: [])
        self.closest = closest or (lambda word, words: None)
        self.likelihood = likelihood
        self.relevance = relevance  # how well the store's best evidence answers each question (None: not weighed)
        self.weak = weak  # below this, a question alone finds nothing that answers it

    def standalone(self, question: str, history: list[Turn]) -> str:
        """The question as it would be asked without the conversation."""
        if not history:
            return question.strip()
        previous = self.standalone(history[-1].question, history[:-1])
        return self.resolve(question.strip(), previous, history[-1].answer)

    def resolve(self, question: str, previous: str, answer: str = "") -> str:
        rest = LEAD.sub("", question).strip()
        if self.fragment(rest) and rest:
            return self.fill(previous, rest.rstrip(" ?.!"))
        if (asked := _same_question_word(rest, previous)) is not None:  # "And how many charging points?"
            return self.refill(previous, asked, rest[len(asked) :].strip(" ?.!"))
        if (ref := self.reference(rest)) is not None:
            said = rest[ref[0] : ref[1]]
            person = _PERSONAL.fullmatch(said) and (_WHO.match(previous) or _asks_subject(previous))
            plural = bool(_PLURAL.fullmatch(said.split()[0]))
            named = person and _named_answer(answer)
            weighed = self.referent(previous, plural, rest[: ref[0]], rest[ref[1] :], ref[2])
            topic = named or weighed or self.topic(previous, plural)
            if topic:
                a, b, possessive = ref
                placed = named or possessive or _place_phrases(rest)  # "… at the Eastgate gym": its own place
                place = "" if placed else _place(previous, topic)
                topic = _indefinite(topic) if said.lower() == "one" else topic
                said = topic + (f" {place}" if place else "") + ("'s" if possessive else "")
                after = rest[b:]
                if named and (thing := _OBJECT.search(after)) and (found := _object(previous)):
                    after = after[: thing.start()] + found + after[thing.end() :]  # "inspect them": not "they"
                return _sentence(rest[:a] + said + after)
        if (bridged := self.bridged(rest, previous)) is not None:
            return bridged
        return _sentence(rest) if rest != question else question

    def bridged(self, question: str, previous: str) -> str | None:
        """A question that names nothing and says nothing of whose its thing is ("Is there a deposit?", "How much
        is a ticket?") about the previous question's topic ("… a deposit for a locker at the Eastgate gym?"), when
        the store's evidence says so: the question alone finds nothing that answers it, and with the topic finds
        better. None otherwise, and without a store to weigh it."""
        if self.relevance is None or any(_own_name(question[a:b]) for a, b in self.names(question)):
            return None
        if (at := _unowned_end(question)) is None:
            return None
        topic = self.topic(previous)
        if not topic or topic.lower() in question.lower():
            return None
        if place := _place(previous, topic):
            topic = f"{topic} {place}"
        candidate = _sentence(f"{question[:at]} for {topic}{question[at:]}")
        alone, together = self.relevance([question, candidate])
        return candidate if alone < self.weak and together > alone else None

    def referent(self, previous: str, plural: bool, before: str, after: str, possessive: bool = False) -> str:
        """After a question for an attribute of something ("What is the deposit for a locker?"), what a reference
        means: the attribute ("Is it refundable?") or the thing ("When does it open?"). Of the two that agree in
        number, the one after which the language model finds the rest of the follow-up likelier; the thing when
        it is a name ("What's the ABV of Harvest Red?"), and with no model or nothing after the reference to
        weigh. "" when the previous question is of another form."""
        found = _attribute_of(previous)
        options = [(said, alone) for said, alone, many in found or [] if many == plural]
        if len(options) < 2:
            return options[0][0] if options else ""
        rest, thing = after.strip(), options[1][1]
        head = _PREPOSITIONAL.split(thing, maxsplit=1)[0]  # "a studio" of "a studio at Crane Court": a place's name
        named = any(not _QUANTITY.fullmatch(head[a:b]) for a, b in self.names(head))  # does not make it a name
        if named or self.likelihood is None or not NAME_WORD.search(rest):  # a name is what is talked about
            return thing
        owns = "'s" if possessive else ""  # "What are the finance team's opening hours?"
        scores = [self.likelihood(f"{before}{alone}{owns}", rest) for _, alone in options]  # each without the other
        if None in scores:  # a model that gives no likelihood
            return thing
        return options[max(range(len(options)), key=lambda k: scores[k])][0]

    def refill(self, previous: str, asked: str, remainder: str) -> str:
        """A follow-up that opens with the previous question's own question words and has no verb ("And how many
        charging points?", "And how much for children?"): a noun phrase after them replaces the previous
        question's ("How many parking spaces does …" → "How many charging points does …"); anything else is a
        fragment."""
        if not remainder:
            return _sentence(previous)
        theirs = _asked_phrase(previous, len(asked)) if _bare_noun_phrase(remainder) else None
        if theirs is not None:
            return _sentence(_join(previous[: theirs[0]], remainder, previous[theirs[1] :]))
        return self.fill(previous, remainder)

    # -- what the question is -------------------------------------------------------------------------------
    @staticmethod
    def fragment(text: str) -> bool:
        """A few words without a question word or verb of their own ("And Dr Tom Ellery?", "the one in Venlo?")."""
        words = NAME_WORD.findall(text)
        return 0 < len(words) <= 8 and not _WH.search(text) and not _VERB_HINT.search(text)

    def reference(self, text: str) -> tuple[int, int, bool] | None:
        """Where the question refers back (start, end, possessive), unless it names things of its own."""
        own = [text[a:b] for a, b in self.names(text)]
        if _DUMMY_IT.search(text) or any(_own_name(n) for n in own):
            return None  # "Is it open on Sundays?" names no thing of its own; "Does it serve Leeds?" does
        m = _REFERENCE.search(text)
        if m is None:
            return None
        if m.group(3) and tag_at(text, m.start(3)).startswith("VB"):  # "Does that include …": "that" alone
            return m.start(), m.start() + len(m.group(2)), False
        word = m.group().lower()
        possessive = word in ("its", "their", "theirs", "his", "hers") or (word == "her" and m.end() < len(text))
        return m.start(), m.end(), possessive

    def names(self, text: str, fragment: bool = False) -> list[Span]:
        """Named spans: the store's row values and capitalised runs, merged, longest first where they overlap."""
        found = set(self.known(text)) | set(capitalised(text, fragment))
        spans = sorted(found, key=lambda s: (s[0], -(s[1] - s[0])))
        merged: list[Span] = []
        for a, b in spans:
            if merged and a < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((a, b))
        return merged

    # -- what carries over ----------------------------------------------------------------------------------
    def likest(self, name: str, previous: str, theirs: list[Span]) -> Span:
        """The name of `previous` that `name` stands for: the one most like it by the embedder ("Mondays" for
        "Sundays", not "Harbour Museum"), else the longest."""
        k = self.closest(name, [previous[a:b] for a, b in theirs]) if len(theirs) > 1 else None
        return theirs[k] if k is not None else max(theirs, key=_length)

    def topic(self, question: str, plural: bool = False) -> str:
        """What the question is about: its (longest) name, else its subject (the tagger's), else its longest run of
        content words (less a final verb-like word: "the waiting room refurbishment" of "… the waiting room
        refurbishment cost?"). For a `plural` reference ("they", "them"), a subject in the singular is not it."""
        verb_last = bool(_BARE_VERB_AUX.search(question)) and not _main_verb(question)  # "… does the X cost?"
        named = [(a, b) for a, b in self.names(question) if _own_name(question[a:b])]  # not "Fridays", "March"
        runs = _content_runs(question)
        subject = _subject(question, plural) or _asked_subject(question)
        if named and subject and _says(subject, question[slice(*max(named, key=_length))]):
            return subject  # "the warranty on the Vento 3 blender", "the ferry to Orkney", not the name alone
        places = _place_phrases(question)
        if named and subject and all(any(p <= a and b <= q for p, q in places) for a, b in named):
            return subject  # every name is where the thing is ("a locker" … "at the Eastgate gym"), not the thing
        if named:
            a, b = max(named, key=_length)
            if question[a].isupper():  # a proper name with the noun it modifies: "the Skolevej roadworks"
                run = next((r for r in runs if r[0].start() <= a < r[-1].end()), [])
                after = [m for m in run if m.start() >= b]
                if after and _at_end(question, after[-1]) and _asked_last(question, a, after[-1]):
                    after = after[:-1]  # the last word is the verb or the asked-for thing
                phrase = (_modifiers_before(question, a), after[-1].end() if after else b)  # "beginners' … course"
                the = re.search(r"\bthe\s+$", question[: phrase[0]], re.I)  # a phrase, not a bare name, keeps it
                a, b = (the.start() if the and phrase != (a, b) else phrase[0]), phrase[1]
            return question[a:b]
        if subject:  # the tagger's subject ("the ceramics workshop" of "… is … held?"), or what a which-question
            return subject  # asks for ("the bus to the airport" of "Which bus goes to the airport?")
        if not runs:
            return ""
        run = max(runs, key=len)
        if len(run) > 1 and verb_last and _at_end(question, run[-1]):
            run = run[:-1]
        article = re.search(r"\b(the|a|an)\s+$", question[: run[0].start()], re.I)  # "a private party"
        return question[article.start() if article else run[0].start() : run[-1].end()]

    def fill(self, previous: str, fragment: str) -> str:
        """The previous question with the part that `fragment` stands for replaced by it."""
        one = _ONE_AFTER.search(fragment)
        if one and (one.group(1)[:1].isupper() or tag_at(fragment, one.start(1)) == "JJ"):  # "the Riverside one" is
            fragment = fragment[: one.end(1)]  # "the Riverside" of the same thing; "the large one", "the large"
        own = self.names(fragment, fragment=True)
        theirs = self.names(previous)
        words = [m for m in NAME_WORD.finditer(fragment) if m.group().lower() not in STOPWORDS]
        if not words:
            return _sentence(f"{previous.rstrip(' ?')} {fragment}")
        describes = all(tag_at(fragment, w.start()) == "JJ" for w in words)  # "short-stay": a kind of the same thing
        head = words[-1].group()
        prep = _PREPOSITION.match(fragment)  # "at weekends" for "on weekdays": its own preposition comes along
        join = _join if prep is None else lambda b, p, a: _join(_with_preposition(b, prep.group(1)), p, a)
        article = re.search(r"\b(a|an)\s+$", fragment[: words[0].start()], re.I)  # its own article comes along
        phrase = fragment[article.start() if article else words[0].start() : words[-1].end()]
        runs = _content_runs(previous)
        modifier = bool(own) and words[-1].start() >= max(b for _, b in own)  # "NHS patients": a name, then a noun
        if own and theirs and not modifier:  # a name for a name: "And Dr Tom Ellery?", "And the one in Venlo?"
            fa, fb = max(own, key=_length)
            a, b = self.likest(fragment[fa:fb], previous, theirs) if len(own) == 1 else max(theirs, key=_length)
            return _sentence(_join(previous[:a], _after_preposition(previous, a, fragment[fa:fb]), previous[b:]))
        for run in runs:  # the run ending in the same head word: "nursery place" → "kindergarten place"
            for k, m in enumerate(run):
                if stem(m.group().lower()) == stem(head.lower()):
                    start = run[0].start()
                    return _sentence(join(previous[:start], phrase, previous[run[k].end() :]))
        if own and theirs:
            a, b = max(theirs, key=_length)
            return _sentence(_join(previous[:a], phrase, previous[b:]))
        candidates = [m for run in runs for m in run]
        k = self.closest(head, [m.group() for m in candidates]) if candidates else None
        if k is not None and prep and _other_preposition(previous, candidates[k], prep.group(1), head):
            return _sentence(f"{previous.rstrip(' ?')} {fragment}")  # "for a family" is not "to the castle"
        if k is not None:  # the most similar word: "a pensioner" for "an adult"
            m = candidates[k]
            run = next(r for r in runs if m in r)
            if describes and m is not run[-1]:  # a modifier for a modifier: "long-stay parking" → "short-stay parking"
                said = " ".join(w.group() for w in words)
                return _sentence(previous[: m.start()] + said + previous[m.end() :])
            if phrase_at := _noun_phrase_at(previous, m.start()):  # the whole phrase: "library books" for "DVDs"
                return _sentence(join(previous[: phrase_at[0]], phrase, previous[phrase_at[1] :]))
            i, many = run.index(m), len(words) > 1
            start, end = (run[0].start() if i > 0 and many else m.start()), m.end()
            if i == 0 and many:  # as many words as the phrase has: "opening hours" for "phone number"
                end = run[min(len(words), len(run)) - 1].end()
            return _sentence(join(previous[:start], phrase, previous[end:]))
        if theirs:
            a, b = max(theirs, key=_length)
            return _sentence(_join(previous[:a], phrase, previous[b:]))
        return _sentence(f"{previous.rstrip(' ?')} {fragment}")


_PLACING = frozenset({"at", "in"})  # "on", "after", "during": mostly a time
_TIMES = frozenset(  # besides months and days (`evidence.value_kind`)
    "morning afternoon evening night day days week weeks month months year years summer winter spring autumn time "
    "term season".split()
)


def _main_verb(question: str) -> bool:
    """Does the tagger read a verb of the question's own, besides its auxiliaries ("have" of "How many guests can
    we have for a private party?")? Then its last word is no verb read as a noun."""
    return any(
        t.tag.startswith("VB") and t.word.lower() not in AUXILIARY | BE
        for _, toks in located(question)
        for t, _ in toks
    )


def _own_name(said: str) -> bool:
    """A name that is a thing of the follow-up's own: not a quantity or a time ("6pm", "Sundays")."""
    return not _QUANTITY.fullmatch(said) and not _is_time(said.lower())


_UNOWNED_AFTER = frozenset({"of", "for", "at", "on", "to", "from", "with", "about"})  # "the fee *for* X": owned


def _unowned_end(question: str) -> int | None:
    """Where the question's first noun phrase ends when it is a common noun whose owner the question does not say
    ("a deposit" of "Is there a deposit?", "the fees" of "Can I pay the fees in instalments?"); None when it has
    one ("the boiling point of mercury"), holds a question word ("how many days") or there is none."""
    found = located(question)
    for k, (chunk, toks) in enumerate(found):
        if chunk.kind != "NP":
            continue
        kept = after_determiners(toks)
        if kept and kept[-1][0].tag in ("PRP", "EX"):  # "I", "there": no thing
            continue
        if not kept or not kept[-1][0].tag.startswith("NN") or any(t.word.lower() in _QUESTION_WORDS for t, _ in kept):
            return None
        after = found[k + 1] if k + 1 < len(found) else None
        if after and after[0].kind == "PP" and after[1][0][0].word.lower() in _UNOWNED_AFTER:
            return None
        return kept[-1][1][1]
    return None


def _place_phrases(text: str) -> list[Span]:
    """Where `text` places something: "at" or "in" and a noun phrase that is not a time ("at the main campus",
    "in Leeds"; not "at 6pm", "in March", "in the evening"), each (start, end) from the preposition."""
    found = []
    for (pp, pt), (np_, nt) in itertools.pairwise(located(text)):
        if pp.kind != "PP" or np_.kind != "NP" or not pt or not nt or pt[-1][0].word.lower() not in _PLACING:
            continue
        if not any(t.tag == "CD" or _is_time(t.word.lower()) for t, _ in nt):
            found.append((pt[-1][1][0], nt[-1][1][1]))
    return found


def _is_time(word: str) -> bool:
    return word in _TIMES or value_kind(word) in ("month", "day")


def _place(previous: str, topic: str) -> str:
    """Where the previous question placed its topic, after it ("at the main campus" of "How much does parking
    cost at the main campus?"): a reference carries it along with the topic, as a fragment keeps the rest of
    the question. "" when it placed nothing after the topic, or the topic holds the place."""
    at = previous.find(topic)
    if at < 0:
        return ""
    after = [(a, b) for a, b in _place_phrases(previous) if a >= at + len(topic)]
    return previous[after[0][0] : after[0][1]] if after else ""


_PREPOSITIONAL = re.compile(r"\s+(?:at|on|in|for|from|of|with|near|by)\s+", re.I)  # where a phrase's head ends
_PREPOSITION = re.compile(r"(at|on|in|for|from|to|with|by|during|before|after|under|over|without)\s", re.I)
_OPENING = re.compile(r"(how (?:many|much|long|often|far|old)|which|what|when|where|who)\b", re.I)


def _other_preposition(previous: str, word: re.Match, prep: str, head: str) -> bool:
    """Is `word` of the previous question in a phrase of another preposition than the fragment's `prep`, and not
    a time as the fragment's `head` is ("to the castle" against "for a family"; not "on weekdays" against "at
    weekends")? Then the fragment adds to the question rather than replacing it."""
    if _is_time(word.group().lower()) and _is_time(head.lower()):
        return False
    found = [(chunk, toks) for chunk, toks in located(previous) if toks]
    at = next((i for i, (_, toks) in enumerate(found) if toks[0][1][0] <= word.start() < toks[-1][1][1]), None)
    if not at or found[at - 1][0].kind != "PP":
        return False
    return found[at - 1][1][-1][0].word.lower() != prep.lower()


def _with_preposition(before: str, prep: str) -> str:
    """`before` with the preposition that ends it made `prep` ("… open on " → "… open at ")."""
    m = re.search(r"\b(\w+)\s+$", before)
    if m is None or not _PREPOSITION.fullmatch(m.group(1) + " "):
        return before
    return before[: m.start(1)] + prep + before[m.end(1) :]


def _same_question_word(text: str, previous: str) -> str | None:
    """The question words that open both the follow-up and the previous question, as the follow-up has them
    ("how many"), when the follow-up has no verb of its own; None otherwise."""
    mine, theirs = _OPENING.match(text), _OPENING.match(previous)
    if mine is None or theirs is None or mine.group(1).lower() != theirs.group(1).lower():
        return None
    rest = text[mine.end() :]
    return mine.group(1) if not _VERB_HINT.search(rest) and not _verb_in(rest) else None


def _verb_in(text: str) -> bool:
    """Does the tagger read a finite verb in `text`?"""
    return any(t.tag in ("VBZ", "VBP", "VBD", "MD") for chunk, toks in located(text) for t, _ in toks)


def _bare_noun_phrase(text: str) -> bool:
    """Is `text` a noun phrase and nothing else: determiners, modifiers (a gerund too: "charging points") and a
    noun last; no preposition, no finite verb?"""
    tags = [t.tag for _, toks in located(text) for t, _ in toks if t.tag not in (".", ",")]
    modifiers = ("DT", "PRP$", "JJ", "JJR", "JJS", "VBG", "VBN", "CD", "POS")
    return bool(tags) and tags[-1].startswith("NN") and all(t.startswith("NN") or t in modifiers for t in tags)


def _asked_phrase(question: str, after: int) -> Span | None:
    """The noun phrase right after a question's opening question words ("parking spaces" of "How many parking
    spaces does …"); None when a verb comes first ("How much is …")."""
    for chunk, toks in located(question):
        kept = [(t, at) for t, at in toks if at[0] >= after and t.word.lower() not in _QUESTION_WORDS]
        if not kept:
            continue
        return (kept[0][1][0], kept[-1][1][1]) if chunk.kind == "NP" else None
    return None


def _indefinite(topic: str) -> str:
    """ "one" of a topic: "a replacement key card" of "the replacement key card"."""
    bare = re.sub(r"^(the|a|an|this|that|our|your|my)\s+", "", topic, flags=re.I)
    return ("an " if bare[:1].lower() in "aeiou" else "a ") + bare


_NOT_MAIN = AUXILIARY | BE | {"has", "have", "had"}


def _which_clause(question: str) -> tuple[str, list] | None:
    """A question whose question word is its subject ("Which supplier delivers our coffee beans?", "Who runs the
    depot?"): the noun after the question word ("supplier", "" after "who") and the tagger's phrases after the
    finite verb; None for any other question. A plural noun closing the first phrase after a singular one is read
    as the verb ("Which ferry sails to Orkney?": the tagger's "ferry sails")."""
    found = [(chunk, toks) for chunk, toks in located(question) if toks and chunk.kind != "O"]
    if not found or found[0][0].kind != "NP" or found[0][1][0][0].tag not in ("WDT", "WP"):
        return None
    first = found[0][1]
    inner = next((k for k, (t, _) in enumerate(first) if k > 1 and t.tag in ("DT", "PRP$")), None)
    if inner is not None:  # "Which bakery supplies our bread" read as one phrase: "our" starts the next
        found = [found[0], (found[0][0], first[inner:]), *found[1:]]
        first = first[:inner]
    if len(found) > 1 and found[1][0].kind == "VP":
        verb = found[1][1][0][0]
        if verb.tag in ("VBZ", "VBD", "VBP") and verb.word.lower() not in _NOT_MAIN:
            return " ".join(t.word for t, _ in first[1:]), found[2:]
        return None
    if len(first) > 2 and first[-1][0].tag == "NNS" and first[-2][0].tag == "NN":
        return " ".join(t.word for t, _ in first[1:-1]), found[1:]
    return None


def _asks_subject(question: str) -> bool:
    """Does the question ask who or which does something, its question word the subject?"""
    return _which_clause(question) is not None


def _asked_subject(question: str) -> str:
    """What a which-question asks for when its question word is the subject, as a noun phrase: "the bus to the
    airport" of "Which bus goes to the airport?", "the company that maintains our lifts" of "Which company
    maintains our lifts?"; "" for any other question."""
    clause = _which_clause(question)
    if clause is None or not clause[0]:
        return ""
    noun, rest = clause
    if len(rest) > 1 and rest[0][0].kind == "PP" and rest[1][0].kind == "NP":  # "goes to the airport"
        return f"the {noun} {question[rest[0][1][0][1][0] : rest[1][1][-1][1][1]]}"
    verb = question.find(" ", question.lower().find(noun.lower()) + len(noun))
    return f"the {noun} that {question[verb:].strip(' ?.!')}"


def _object(question: str) -> str:
    """What a who- or which-question's verb acts on, as written ("our lifts" of "Which company maintains our
    lifts?"): the words after its verb, up to a preposition; "" when there are none."""
    clause = _which_clause(question)
    if clause is None or not clause[1] or clause[1][0][0].kind != "NP":
        return ""
    rest = clause[1]
    end = next((toks[0][1][0] for chunk, toks in rest if chunk.kind == "PP"), len(question))
    return question[rest[0][1][0][1][0] : end].strip(" ?.!")


def _subject(question: str, plural: bool = False) -> str:
    """What a reference in the next question stands for, read from the tagger's phrases: the subject of a
    question with an auxiliary or copula ("the deluxe room" of "How much does the deluxe room cost per night?");
    but where a what-question asks for an attribute of something, that thing ("the new cycle bridge" of "What is
    the budget for the new cycle bridge?"). A `plural` reference ("them") wants a plural phrase, "it" a singular
    one. "" when there is none (a pronoun, a question word)."""
    found = parts(question, loose=True)
    words = found.subject if found else []
    where = spans(question, words) if any(w.lower() not in STOPWORDS | _QUESTION_WORDS for w in words) else []
    copula = where and found.aux in BE and not found.verb
    if copula and _ASKS_WHAT.match(question) and (owner := _owner(question, where[-1][1], plural)):
        return owner
    if plural and (not where or tag_at(question, where[-1][0]) not in PLURAL_TAGS):
        return _plural_phrase(question)
    if not where:
        return ""
    end = _placed_end(question, where[-1][1], owned=not _WHO.match(question)) if copula else where[-1][1]
    return question[where[0][0] : end]


_OWNING = frozenset({"of", "for"})  # "the budget for the bridge": the bridge is what has it
_ON = frozenset({"on", "in", "at"})  # "the speed limit on the site roads": where the thing itself applies
_FOR = frozenset({"for", "from", "to", "with"})  # "the waiting time for a hip operation": what it is of


def _placed_end(question: str, after: int, owned: bool = True) -> int:
    """Where a copula question's subject ends with the place phrases right after it ("the warranty on the Vento 3
    blender", "the speed limit in the car park", "the warranty on a new car from Fenwick Motors"); `after` itself
    when none follows or it is a time ("on Sundays"). `owned`: a phrase of what it is for or from counts too ("the
    waiting time for a hip operation at St Anne's"); not in a who-question, whose subject is the person asked for
    and the rest whom they serve ("the account manager" for Brouwer Electronics)."""
    found = located(question)
    rest = [(chunk, toks) for chunk, toks in found if toks and toks[0][1][0] >= after]
    end, joins = after, _ON | _FOR if owned else _ON
    while len(rest) > 1 and rest[0][0].kind == "PP" and rest[0][1][-1][0].word.lower() in joins:
        nouns = list(itertools.takewhile(lambda c: c[0].kind == "NP", rest[1:]))  # "the Vento" "3 blender"
        last = nouns[-1][1][-1][0] if nouns else None
        if last is None or last.tag == "CD" or _is_time(last.word.lower()):
            break
        end, rest, joins = nouns[-1][1][-1][1][1], rest[1 + len(nouns) :], _ON | _FOR
    owns = re.match(r"['’]s\b", question[end:]) if end > after else None  # "at St Anne's", "at Leith's office"
    if owns is None:
        return end
    noun = next((toks for chunk, toks in found if toks and toks[0][1][0] > end and chunk.kind != "O"), None)
    close = noun and not question[end + owns.end() : noun[0][1][0]].strip() and noun[0][0].tag.startswith("NN")
    return noun[-1][1][1] if close else end + owns.end()


def _says(phrase: str, name: str) -> bool:
    """Does `phrase` hold `name` as whole words?"""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", phrase) is not None


def _owner(question: str, after: int, plural: bool) -> str:
    """The noun phrase after the preposition that follows position `after` ("the new cycle bridge" of "… the
    budget for the new cycle bridge?"), when its number is the one wanted; "" otherwise."""
    found = _owner_phrase(question, after)
    return question[found[0] : found[1]] if found and found[2] == plural else ""


def _owner_phrase(question: str, after: int) -> tuple[int, int, bool] | None:
    """Where the noun phrase after an "of" or "for" right after position `after` stands, and whether it is
    plural; None when there is none."""
    rest = [(chunk, toks) for chunk, toks in located(question) if toks and toks[0][1][0] >= after]
    if len(rest) < 2 or rest[0][0].kind != "PP" or rest[0][1][-1][0].word.lower() not in _OWNING:
        return None
    toks: list = []
    for chunk, ts in rest[1:]:  # "the climbing wall" reads as "the" / "climbing" (a verb) / "wall"
        if chunk.kind == "NP":
            toks += ts
            break
        if not all(t.tag in ("DT", "PRP$", "VBG", "JJ") for t, _ in ts):
            return None
        toks += ts
    if not toks or not toks[-1][0].tag.startswith("NN"):
        return None
    return toks[0][1][0], toks[-1][1][1], toks[-1][0].tag in PLURAL_TAGS


_ATTRIBUTE_OF = re.compile(
    r"\s*what(?:['’]s|\s+is|\s+are|\s+was|\s+were)\s+(?P<attribute>(?:the|a|an|our|your|its|their)\s.+?)"
    r"\s+(?:of|for)\s+(?P<owner>.+?)\s*[?.!]*$",
    re.I,
)


def _attribute_of(question: str) -> list[tuple[str, str, bool]] | None:
    """A what-question asking for an attribute of something ("What is the deposit for a locker?"): the attribute
    and that thing, each as it is said standalone ("the deposit for a locker", "a locker"), as it is alone ("the
    deposit", "a locker") and whether it is plural; None for any other question. Read from the words, not the
    tagger's phrases ("the waiting time", "the fine" are read as a verb and an adjective), but a finite verb after
    "of" or "for" makes it another question ("… for staff to apply")."""
    m = _ATTRIBUTE_OF.match(question)
    if m is None or " to " in f" {m['owner']} " or _verb_in(m["owner"]):
        return None
    plural = lambda group: tag_at(question, m.end(group) - 1) in PLURAL_TAGS  # noqa: E731
    whole = question[m.start("attribute") : m.end("owner")]
    return [(whole, m["attribute"], plural("attribute")), (m["owner"], m["owner"], plural("owner"))]


def _plural_phrase(question: str) -> str:
    """The question's last noun phrase in the plural ("job applications"), as written; "" if none."""
    found = [after_determiners(toks) for chunk, toks in located(question) if chunk.kind == "NP"]
    found = [t for t in found if t and t[-1][0].tag in PLURAL_TAGS]
    found = [t for t in found if not {tok.word.lower() for tok, _ in t} & _QUESTION_WORDS]
    if not found:
        return ""
    start = found[-1][0][1][0]
    mine = re.search(r"\b(our|your|my)\s+$", question[:start], re.I)  # "our lifts": whose they are stays
    return question[mine.start() if mine else start : found[-1][-1][1][1]]


def _noun_phrase_at(text: str, at: int) -> Span | None:
    """The noun phrase of `text` holding position `at`, after its determiners ("library books" of "… for library
    books?", "full-time staff" of "do full-time staff get"); None when the word there is in no noun phrase or
    the phrase holds a question word ("many days")."""
    for chunk, toks in located(text):
        if toks and toks[0][1][0] <= at < toks[-1][1][1]:
            kept = after_determiners(toks)
            if chunk.kind != "NP" or not kept or any(t.word.lower() in _QUESTION_WORDS for t, _ in kept):
                return None
            return kept[0][1][0], kept[-1][1][1]
    return None


def _join(before: str, phrase: str, after: str) -> str:
    """`before` + `phrase` + `after`, with the article before the phrase made to fit it ("an adult" → "a
    pensioner"), or dropped when the phrase brings its own, and a copula just before it made to agree with it
    ("What's the phone number" → "What are the opening hours")."""
    before = _agree(before, phrase)
    if re.match(r"(a|an|the)\s", phrase, re.I) and (the := re.search(r"\bthe\s+$", before, re.I)):
        before = before[: the.start()]  # never "the a family"
    article = re.search(r"\b(a|an)\s+$", before, re.I)
    if article:
        if re.match(r"(a|an|the)\s", phrase, re.I):
            before = before[: article.start()]
        elif not re.match(r"[A-Z]{2}", phrase):  # "an HGV …" keeps its article: an acronym is said by letters
            fit = "an" if phrase[:1].lower() in "aeiou" else "a"
            before = before[: article.start()] + fit + " "
    return before + phrase + after


_COPULA = re.compile(r"(?:\s+(is|are)|['’]s)(\s+(?:the\s+)?)$", re.I)


def _agree(before: str, phrase: str) -> str:
    """`before` with a copula that ends it ("What's the ", "Where are ") in the number of the noun phrase that
    follows: the tagger's tag of the phrase's last word."""
    m = _COPULA.search(before)
    words = phrase.split()
    if m is None or not words:
        return before
    plural = tag_at(phrase, phrase.rfind(words[-1])) in PLURAL_TAGS
    said = (m.group(1) or "is").lower()
    if plural == (said == "are"):
        return before
    return before[: m.start()] + (" are" if plural else " is") + m.group(2)


def _content_runs(text: str) -> list[list[re.Match]]:
    """Runs of consecutive content words (not stopwords, not question words)."""
    runs: list[list[re.Match]] = []
    last_end = -1
    for m in NAME_WORD.finditer(text):
        w = re.sub(r"['’]s$", "", m.group().lower())  # "what's" is "what"
        if w in STOPWORDS or w in _QUESTION_WORDS:
            last_end = -1
            continue
        if runs and last_end >= 0 and text[last_end : m.start()].strip() == "":
            runs[-1].append(m)
        else:
            runs.append([m])
        last_end = m.end()
    return runs


def _asked_last(question: str, at: int, last: re.Match) -> bool:
    """Is the word that ends the question, after a name at `at`, its verb or what it asks for, not the name's
    noun? It is when the tagger reads it as a verb ("When do the Skolevej roadworks start?"), in a question with
    an auxiliary, and in one with a copula and no verb when no preposition comes before the name ("What is the
    Skolevej roadworks budget?", not "What is the speed limit on the Skolevej road?"); not after a question word
    that is the subject ("Who manages the Stavanger warehouse?")."""
    if tag_at(question, last.start()).startswith("VB"):
        return True
    found = parts(question, loose=True)
    if found is None:  # "Who manages the Stavanger warehouse?": its object
        return False
    if found.verb and _WHAT_DO.match(question) and question.find(f" {found.verb} ") in range(at):
        return False  # "What does the school charge for the beginners' Spanish course?": "what" is the object, so
        # the verb came before the name and the last word is a noun
    if found.aux not in BE or found.verb:  # "When does the bus agreement with Nordlys end?", which the tagger reads
        return True  # as a noun: a do-question's verb comes last more often than a noun does
    return not any(
        t.tag == "IN" and b <= at for chunk, toks in located(question) for t, (_, b) in toks if chunk.kind == "PP"
    )


_NOMINAL = frozenset({"NN", "NNS", "JJ", "POS"})


def _modifiers_before(question: str, at: int) -> int:
    """Where the nouns and adjectives right before a name at position `at` begin ("beginners' " before "Spanish
    course"): they belong to its noun phrase; `at` when there are none."""
    toks = [(t, span) for _, ts in located(question) for t, span in ts if span[1] <= at]
    start = at
    for t, (a, b) in reversed(toks):
        if t.tag not in _NOMINAL or question[b:start].strip(" '’"):
            break
        start = a
    return start


def _at_end(text: str, m: re.Match) -> bool:
    return not text[m.end() :].strip(" ?.!")


def _after_preposition(previous: str, at: int, name: str) -> str:
    """A fragment's name without a preposition the previous question already has before the name it replaces
    ("from Venlo to Hamburg" in "… from Venlo to Munich")."""
    before = previous[:at].split()[-1:] or [""]
    first, _, rest = name.partition(" ")
    return rest if rest and first.lower() == before[0].lower() else name


def _sentence(text: str) -> str:
    text = " ".join(text.split()).strip()
    text = text[0].upper() + text[1:] if text else text
    return text if text.endswith("?") else text.rstrip(".!") + "?"
