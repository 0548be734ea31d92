"""Synthetic prose examples that teach a span reader to read qualifiers: which of several values answers.

Prose often states one attribute several times in one sentence, once per qualifier: opening hours on weekdays
and on Saturdays, a contract's start and its end, a price for adults and for children, leave for full-time and
for part-time staff, a rule for one party and not the other. A small reader tends to take the first value of
the right kind. Here each context is a short paragraph of such sentences about made-up entities; the question
asks for one qualifier in everyday words, and the answer is that qualifier's whole value (a range or a list
stays whole). No-answer examples ask about a qualifier, a party or an entity that the paragraph does not
cover, the near misses that look answerable.

Nothing here comes from a benchmark: the frames are generic, the entities and values are drawn at random.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from ragtune.finetune.record_examples import _CITIES, _COMPANIES, _FIRST, _LAST, BANK, _mention, _pseudo, entity, value
from ragtune.finetune.span_examples import SpanExample
from ragtune.tables.fields import field_name, format_value

_MONTHS = "January February March April May June July August September October November December".split()
_DAYS = [
    "on weekdays",
    "on Saturdays",
    "on Sundays",
    "on public holidays",
    "in summer",
    "in winter",
    "during school holidays",
    "on Fridays",
    "on Monday to Thursday",
]
_GROUPS = ["adults", "children", "students", "pensioners", "members", "residents", "visitors", "families", "staff"]
_STAFF = [
    "full-time staff",
    "part-time staff",
    "nurses",
    "drivers",
    "apprentices",
    "managers",
    "contractors",
    "new employees",
    "teachers",
    "volunteers",
]
_ENTITLEMENTS = [
    "days of annual leave",
    "paid study days",
    "free collections",
    "parking permits",
    "sick days",
    "hours of training",
    "days of remote work",
    "free tickets",
]
_AGREEMENTS = ["contract", "agreement", "lease", "licence", "service contract", "framework agreement", "warranty"]
_ITEMS = ["day pass", "swim", "season ticket", "guided tour", "locker", "course", "parking permit", "consultation"]
_LIMITS = ["load", "group size", "room temperature", "order value", "speed", "booking length", "water depth"]
_LIMIT_UNITS = {
    "load": "kg",
    "group size": "people",
    "room temperature": "°C",
    "order value": "EUR",
    "speed": "km/h",
    "booking length": "hours",
    "water depth": "metres",
}


@dataclass
class Fact:
    """One sentence of a paragraph and the questions it answers: (question, answer) pairs, answer None for a
    near miss. The answer is a substring of the sentence."""

    sentence: str
    questions: list[tuple[str, str | None]]


def _time(rng: random.Random, lo: int, hi: int) -> str:
    return f"{rng.randint(lo, hi):02d}:{rng.choice(['00', '00', '30', '15'])}"


def _dates(rng: random.Random, k: int, year: bool = True) -> list[str]:
    """`k` different dates in time order ("1 April 2025", or "1 April" without the year)."""
    days = sorted({(rng.randint(2015, 2034) if year else 0, rng.randrange(12), rng.randint(1, 28)) for _ in range(k)})
    if len(days) < k:
        return _dates(rng, k, year)
    return [f"{d} {_MONTHS[m]}" + (f" {y}" if year else "") for y, m, d in days]


def _money(rng: random.Random) -> str:
    n = rng.choice([rng.randint(2, 60), rng.randint(60, 900), round(rng.uniform(2, 80), 2)])
    return rng.choice([f"£{n}", f"{n} DKK", f"EUR {n}", f"${n}", f"{n} kroner", f"€{n}"])


def _distinct(rng: random.Random, make: Callable[[], str], k: int) -> list[str]:
    out: list[str] = []
    while len(out) < k:
        v = make()
        if all(v not in o and o not in v for o in out):
            out.append(v)
    return out


def _other(rng: random.Random, pool: list[str], used: list[str]) -> str:
    return rng.choice([p for p in pool if p not in used])


def _either(rng: random.Random, first: tuple[list[str], str], second: tuple[list[str], str]) -> tuple[str, str]:
    """(question, answer): one of two (wordings, answer) pairs, asked in one of its wordings."""
    wordings, answer = first if rng.random() < 0.5 else second
    return rng.choice(wordings), answer


def hours(rng: random.Random, e: str) -> Fact:
    """Opening hours for two kinds of day; asks when it opens, closes, or its hours on one kind of day. A third of
    the time the hours hold every day, and a question without a day asks for the whole range."""
    if rng.random() < 0.33:
        return _daily(rng, e)
    d = rng.sample(_DAYS, 2)
    o = _distinct(rng, lambda: _time(rng, 6, 11), 2)
    c = _distinct(rng, lambda: _time(rng, 12, 23), 2)
    form = rng.randrange(3)
    if form == 0:
        s = f"{e} is open from {o[0]} to {c[0]} {d[0]} and from {o[1]} to {c[1]} {d[1]}."
        span = [f"{o[i]} to {c[i]}" for i in range(2)]
    elif form == 1:
        s = f"{d[0].capitalize()} {e} opens at {o[0]} and closes at {c[0]}; {d[1]} it opens at {o[1]}"
        s += f" and closes at {c[1]}."
        span = [None, None]
    else:
        s = f"Opening hours at {e} are {o[0]}–{c[0]} {d[0]} and {o[1]}–{c[1]} {d[1]}."
        span = [f"{o[i]}–{c[i]}" for i in range(2)]
    i = rng.randrange(2)
    m, day = e.lower() if rng.random() < 0.3 else e, d[i]
    ask = [
        (
            rng.choice(
                [f"What time does {m} open {day}?", f"When does {m} open {day}?", f"How early is {m} open {day}?"]
            ),
            o[i],
        ),
        (
            rng.choice(
                [f"What time does {m} close {day}?", f"Until when is {m} open {day}?", f"How late is {m} open {day}?"]
            ),
            c[i],
        ),
    ]
    if span[i]:
        ask.append((rng.choice([f"What are the opening hours of {m} {day}?", f"When is {m} open {day}?"]), span[i]))
    q, a = rng.choice(ask)
    missing = _other(rng, _DAYS, d)
    miss = rng.choice([f"What time does {m} open {missing}?", f"When is {m} open {missing}?"])
    return Fact(s, [(q, a), (miss, None)])


def _daily(rng: random.Random, e: str) -> Fact:
    o, c = _time(rng, 6, 11), _time(rng, 12, 23)
    joint = rng.choice([" to ", "–", " until "])
    s = rng.choice([f"{e} is open from {o}{joint}{c}.", f"The opening hours of {e} are {o}{joint}{c}."])
    q, a = rng.choice(
        [
            (f"What are the opening hours of {e}?", f"{o}{joint}{c}"),
            (f"When is {e} open?", f"{o}{joint}{c}"),
            (f"What are {e}'s hours?", f"{o}{joint}{c}"),
            (f"What time does {e} open?", o),
            (f"What time does {e} close?", c),
        ]
    )
    other = f"{_pseudo(rng)} {rng.choice(['Library', 'Pool', 'Office', 'Depot', 'Clinic'])}"
    return Fact(s, [(q, a), (f"What time does {other} open?", None)])


def period(rng: random.Random, e: str) -> Fact:
    """An agreement's dates (signed, started, ends); asks one of them, or about a party it is not with."""
    thing, party = rng.choice(_AGREEMENTS), e
    d = _dates(rng, 3)
    d = [d[1], d[2], d[0]]  # started, ends, signed before both
    form = rng.randrange(4)
    signed = None
    if form == 0:
        s = f"The {thing} with {party} started on {d[0]} and runs until {d[1]}."
    elif form == 1:
        s = f"The {thing} with {party} runs from {d[0]} to {d[1]}."
    elif form == 2:
        s = f"{party}'s {thing} took effect on {d[0]}; it expires on {d[1]}."
    else:
        s = f"The {thing} with {party} was signed on {d[2]}, took effect on {d[0]} and ends on {d[1]}."
        signed = d[2]
    ref = rng.choice([f"the {thing} with {party}", f"{party}'s {thing}"])
    ask = [
        (
            rng.choice(
                [
                    f"When does {ref} end?",
                    f"When does {ref} expire?",
                    f"Until when does {ref} run?",
                    f"What is the end date of {ref}?",
                    f"When does {ref} run out?",
                ]
            ),
            d[1],
        ),
        (
            rng.choice(
                [
                    f"When did {ref} start?",
                    f"When did {ref} begin?",
                    f"From what date does {ref} apply?",
                    f"When did {ref} take effect?",
                    f"What is the start date of {ref}?",
                ]
            ),
            d[0],
        ),
    ]
    if signed:
        ask.append((f"When was {ref} signed?", signed))
    q, a = rng.choice(ask)
    rival = rng.choice([c for c in _COMPANIES if c not in party])
    other = rng.choice([f"the {thing} with {rival}", f"the {_other(rng, _AGREEMENTS, [thing])} with {party}"])
    miss = rng.choice(
        [f"When does {other} end?", f"When did {other} start?"] + ([] if signed else [f"When was {ref} signed?"])
    )
    return Fact(s, [(q, a), (miss, None)])


def season(rng: random.Random, e: str) -> Fact:
    """A yearly season's opening and closing dates."""
    d = _dates(rng, 2, year=False)
    s = rng.choice(
        [
            f"{e} opens on {d[0]} and closes on {d[1]} each year.",
            f"Each year {e} is open from {d[0]} until {d[1]}.",
            f"The season at {e} starts on {d[0]} and ends on {d[1]}.",
        ]
    )
    opens = [
        f"When does {e} open for the season?",
        f"On what date does {e} open each year?",
        f"When does the season at {e} start?",
    ]
    closes = [
        f"When does {e} close for the season?",
        f"On what date does {e} close each year?",
        f"When does the season at {e} end?",
    ]
    q, a = _either(rng, (opens, d[0]), (closes, d[1]))
    miss = f"When does the season at {_pseudo(rng)} {rng.choice(['Pool', 'Beach', 'Park', 'Camp'])} start?"
    return Fact(s, [(q, a), (miss, None)])


def prices(rng: random.Random, e: str) -> Fact:
    """A price per group of people; asks one group's, or a group it does not name."""
    item = rng.choice(_ITEMS)
    g = rng.sample(_GROUPS, rng.choice([2, 2, 3]))
    p = _distinct(rng, lambda: _money(rng), len(g))
    form = rng.randrange(3)
    if form == 0:
        parts = [f"{p[i]} for {g[i]}" for i in range(len(g))]
        s = f"A {item} at {e} costs {', '.join(parts[:-1])} and {parts[-1]}."
    elif form == 1:
        parts = [f"{g[i]} pay {p[i]}" for i in range(len(g))]
        s = f"For a {item} at {e}, {', '.join(parts[:-1])} and {parts[-1]}."
    else:
        s = f"At {e} a {item} is {p[0]} for {g[0]}; " + "; ".join(f"{g[i]} pay {p[i]}" for i in range(1, len(g))) + "."
    i = rng.randrange(len(g))
    q = rng.choice(
        [
            f"What do {g[i]} pay for a {item} at {e}?",
            f"How much is a {item} at {e} for {g[i]}?",
            f"What does a {item} at {e} cost {g[i]}?",
            f"What is the {item} price for {g[i]} at {e}?",
        ]
    )
    missing = _other(rng, _GROUPS, g)
    miss = rng.choice([f"What do {missing} pay for a {item} at {e}?", f"How much is a {item} at {e} for {missing}?"])
    return Fact(s, [(q, p[i]), (miss, None)])


def entitlement(rng: random.Random, e: str) -> Fact:
    """An allowance per kind of staff; asks one kind's, or a kind the rule does not name."""
    what = rng.choice(_ENTITLEMENTS)
    g = rng.sample(_STAFF, 2)
    n = _distinct(rng, lambda: str(rng.randint(1, 40)), 2)
    unit = next(w for w in what.split() if w in ("days", "collections", "permits", "hours", "tickets"))
    counted = what[: what.index(unit) + len(unit)]  # the answer ends at its unit: "25 days" of "… of annual leave"
    form = rng.randrange(3)
    if form == 0:
        s = f"At {e}, {g[0]} get {n[0]} {what} a year and {g[1]} get {n[1]}."
        ans = [f"{n[0]} {counted}", n[1]]
    elif form == 1:
        s = f"{g[0].capitalize()} at {e} are entitled to {n[0]} {what}; {g[1]} to {n[1]} {unit}."
        ans = [f"{n[0]} {counted}", f"{n[1]} {unit}"]
    else:
        s = f"{e} gives {g[1]} {n[1]} {what} a year, while {g[0]} receive {n[0]}."
        ans = [n[0], f"{n[1]} {counted}"]
    i = rng.randrange(2)
    q = rng.choice(
        [
            f"How many {what} do {g[i]} at {e} get?",
            f"How many {what} are {g[i]} at {e} entitled to?",
            f"What is the allowance of {what} for {g[i]} at {e}?",
        ]
    )
    miss = f"How many {what} do {_other(rng, _STAFF, g)} at {e} get?"
    return Fact(s, [(q, ans[i]), (miss, None)])


def limits(rng: random.Random, e: str) -> Fact:
    """A minimum and a maximum; asks one of them, or one the rule does not give (its average, a third kind)."""
    attr = rng.choice(_LIMITS)
    unit = _LIMIT_UNITS[attr]
    lo, hi = sorted(rng.sample(range(2, 400), 2))
    v = [f"{lo} {unit}", f"{hi} {unit}"]
    s = rng.choice(
        [
            f"At {e} the {attr} must be at least {v[0]} and no more than {v[1]}.",
            f"The minimum {attr} at {e} is {v[0]}; the maximum is {v[1]}.",
            f"At {e} the {attr} may range from {v[0]} up to {v[1]}.",
        ]
    )
    highest = [
        f"What is the maximum {attr} at {e}?",
        f"What is the highest {attr} allowed at {e}?",
        f"How high can the {attr} at {e} be at most?",
        f"What is the upper limit for the {attr} at {e}?",
    ]
    lowest = [
        f"What is the minimum {attr} at {e}?",
        f"What is the lowest {attr} allowed at {e}?",
        f"How low may the {attr} at {e} be?",
        f"What is the smallest {attr} at {e}?",
    ]
    q, a = _either(rng, (highest, v[1]), (lowest, v[0]))
    other = _other(rng, _LIMITS, [attr])
    miss = rng.choice([f"What is the average {attr} at {e}?", f"What is the maximum {other} at {e}?"])
    return Fact(s, [(q, a), (miss, None)])


def direction(rng: random.Random, e: str) -> Fact:
    """A rule that binds one party towards another; asks it as stated, or with the parties reversed."""
    a = e
    b = rng.choice([f"{c} {t}" for c in _COMPANIES if c not in e for t in ("Ltd", "AS", "Supply")])
    n = f"{rng.randint(5, 90)} days"
    form = rng.randrange(3)
    if form == 0:
        s = f"{a} pays invoices from {b} within {n}."
        q = rng.choice(
            [f"Within how many days does {a} pay invoices from {b}?", f"How quickly does {a} pay {b}'s invoices?"]
        )
        miss = f"Within how many days does {b} pay invoices from {a}?"
    elif form == 1:
        s = f"{b} must give {a} {n}' notice to end the contract."
        q = rng.choice(
            [
                f"How much notice must {b} give {a}?",
                f"How much notice does {b} need to give to end the contract with {a}?",
            ]
        )
        miss = f"How much notice must {a} give {b}?"
        n = f"{n}'"
    else:
        s = f"If {b} delivers late, it pays {a} a penalty after {n}."
        q = f"After how long does {b} pay {a} a penalty for late delivery?"
        miss = f"After how long does {a} pay {b} a penalty?"
    return Fact(s, [(q, n), (miss, None)])


def listing(rng: random.Random, e: str) -> Fact:
    """A list or a range that answers whole: routes, postcodes, cities, days."""
    form = rng.randrange(4)
    if form == 0:
        nums = sorted(rng.sample(range(1, 40), 3))
        ans = f"{nums[0]}, {nums[1]} and {nums[2]}"
        s = f"{e} runs bus routes {ans}."
        q = rng.choice([f"Which bus routes does {e} run?", f"What routes does {e} operate?"])
        miss = f"Which bus routes does {rng.choice([c for c in _COMPANIES if c not in e])} run?"
    elif form == 1:
        code = "".join(rng.sample("ABCDEFGHKLMNPRSTW", 2))
        lo = rng.randint(1, 5)
        ans = f"{code}{lo} to {code}{lo + rng.randint(2, 6)}"
        s = f"Residents of postcodes {ans} can register with {e}."
        q = rng.choice([f"Which postcodes can register with {e}?", f"Who can register with {e}?"])
        miss = f"Which postcodes can register with {_pseudo(rng)} Clinic?"
    elif form == 2:
        c = rng.sample(_CITIES, 3)
        ans = f"{c[0]}, {c[1]} and {c[2]}"
        s = f"{e} delivers to {ans}."
        q = rng.choice([f"Which cities does {e} deliver to?", f"Where does {e} deliver?"])
        miss = f"Which cities does {rng.choice([c for c in _COMPANIES if c not in e])} deliver to?"
    else:
        ans = rng.choice(
            ["Monday to Friday", "Tuesday and Thursday", "Saturday mornings in October", "every second Wednesday"]
        )
        event = rng.choice(["drop-in clinic", "repair café", "market", "study group"])
        s = f"The {event} at {e} is held {ans}."
        q = f"When is the {event} at {e} held?"
        miss = f"When is the {event} at {_pseudo(rng)} Hall held?"
    return Fact(s, [(q, ans), (miss, None)])


_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday".split()
# attribute: (value maker, statement fragments with {v}, questions with {e})
_TRAITS: dict[str, tuple[Callable[[random.Random], str], list[str], list[str]]] = {
    "duration": (
        lambda r: f"{r.randint(2, 40)} {r.choice(['days', 'weeks', 'hours', 'working days'])}",
        ["takes {v}", "lasts {v}"],
        ["How long does {e} take?", "How long does {e} last?", "How much time does {e} need?"],
    ),
    "price": (
        _money,
        ["costs {v}", "is priced at {v}"],
        ["How much does {e} cost?", "What is the price of {e}?", "What do I pay for {e}?"],
    ),
    "capacity": (
        lambda r: f"{r.randint(4, 300)} people",
        ["has room for {v}", "takes up to {v}"],
        ["How many people can {e} take?", "How big a group fits in {e}?", "What is the capacity of {e}?"],
    ),
    "renewals": (
        lambda r: f"{r.randint(2, 9)} times",
        ["can be renewed {v}", "may be extended {v}"],
        ["How many times can {e} be renewed?", "How often may {e} be extended?"],
    ),
    "notice": (
        lambda r: f"{r.randint(2, 12) * 7} days' notice",
        ["can be cancelled with {v}", "ends after {v}"],
        ["How much notice is needed to cancel {e}?", "What notice period applies to {e}?"],
    ),
    "start": (
        lambda r: _dates(r, 1)[0],
        ["starts on {v}", "begins on {v}"],
        ["When does {e} start?", "When does {e} begin?", "What is the start date of {e}?"],
    ),
    "end": (
        lambda r: _dates(r, 1)[0],
        ["runs until {v}", "ends on {v}"],
        ["When does {e} end?", "Until when does {e} run?", "When is the last day of {e}?"],
    ),
    "person": (
        lambda r: f"{r.choice(_FIRST)} {r.choice(_LAST)}",
        ["is run by {v}", "is led by {v}"],
        ["Who runs {e}?", "Who is in charge of {e}?", "Who leads {e}?"],
    ),
    "place": (
        lambda r: r.choice([*_CITIES, f"{_pseudo(r)} Hall", f"{_pseudo(r)} Centre"]),
        ["is held in {v}", "takes place at {v}"],
        ["Where is {e} held?", "Where does {e} take place?", "In which place is {e}?"],
    ),
    "age": (
        lambda r: f"{r.choice([12, 16, 18, 21, 60, 65])}",
        ["is open to people aged {v} and over", "admits people from age {v}"],
        ["From what age can people join {e}?", "How old must you be for {e}?", "What is the minimum age for {e}?"],
    ),
    "frequency": (
        lambda r: f"every {r.choice(_WEEKDAYS)}",
        ["meets {v}", "runs {v}"],
        ["How often does {e} meet?", "On which day does {e} run?", "When does {e} take place each week?"],
    ),
}


def traits(rng: random.Random, e: str) -> Fact:
    """One entity with three attributes of different kinds in one sentence; asks one of them, or one it lacks."""
    kinds = rng.sample(list(_TRAITS), 4)
    values = [_TRAITS[k][0](rng) for k in kinds[:3]]
    parts = [rng.choice(_TRAITS[k][1]).format(v=v) for k, v in zip(kinds[:3], values, strict=True)]
    s = f"{e} {parts[0]}, {parts[1]} and {parts[2]}."
    i = rng.randrange(3)
    q = rng.choice(_TRAITS[kinds[i]][2]).format(e=e)
    miss = rng.choice(_TRAITS[kinds[3]][2]).format(e=e)
    return Fact(s, [(q, values[i]), (miss, None)])


_FACT_FORMS = (
    "The {w} of {e} is {v}.",
    "{e} has a {w} of {v}.",
    "For {e}, the {w} is {v}.",
    "{e}'s {w} is {v}.",
    "{e} is listed with a {w} of {v}.",
)


def fact(rng: random.Random, e: str) -> Fact:
    """One attribute of the table-row bank (record_examples.BANK) stated in a sentence with its field's words
    ("The depth rating of X is 300 m") and asked in everyday words ("How deep can X go?"): the question shares
    few words with its sentence, as people's questions do. The miss asks the same entity for an attribute the
    sentence does not give."""
    attr = rng.choice(list(BANK))
    columns, kind, wordings = BANK[attr]
    name = field_name(rng.choice(columns))
    shown = value(kind, rng)
    if re.fullmatch(r"\d+(\.\d+)?", shown):  # a number takes its field's unit ("300 m", "1 day", "15%")
        shown = format_value(float(shown) if "." in shown else int(shown), name.unit)
    s = rng.choice(_FACT_FORMS).format(w=name.phrase, e=e, v=shown)
    q = rng.choice(wordings).format(e=_mention(e, rng))
    other = rng.choice([a for a in BANK if a != attr and BANK[a][1] != kind] or [a for a in BANK if a != attr])
    miss = rng.choice(BANK[other][2]).format(e=_mention(e, rng))
    return Fact(s[0].upper() + s[1:], [(q, shown), (miss, None)])


_GOODS = ["pale malt", "hops", "printer paper", "diesel", "flour", "coffee beans", "steel sheet", "cleaning supplies"]
_PER = ["tonne", "kilo", "litre", "box", "pallet", "sack", "case"]
_OFTEN = ["every second Monday", "every Tuesday", "twice a week", "once a month", "every Friday morning"]


def voiced(rng: random.Random, e: str) -> Fact:
    """An organisation's own rule about a counterparty, stated with the organisation as its doer ("Kestrel Supply
    pays each invoice from Axelco Ltd within 45 days") and asked as its staff ask it: in the first person ("How
    long do we have to pay Axelco's invoices?"), in the passive ("Within how many days are invoices from Axelco
    paid?"), or per unit ("What do we pay per tonne for hops?"). The miss gives the rule to the counterparty or
    asks about another counterparty or other goods."""
    b = rng.choice([c for c in _COMPANIES if c not in e])
    rival = rng.choice([c for c in _COMPANIES if c not in e and c != b])
    goods, unit = rng.sample(_GOODS, 2), rng.choice(_PER)
    form = rng.randrange(4)
    if form == 0:
        n = f"{rng.randint(10, 90)} days"
        s = rng.choice(
            [f"{e} pays each invoice from {b} within {n}.", f"{e} pays {b}'s invoices within {n} of delivery."]
        )
        q = rng.choice(
            [
                f"How many days do we have to pay {b}'s invoices?",
                f"How long do we have to pay invoices from {b}?",
                f"Within how many days are {b}'s invoices paid?",
                f"How quickly are invoices from {b} paid?",
                f"How long have we got to pay {b}?",
            ]
        )
        miss = rng.choice([f"How many days does {b} have to pay our invoices?", f"How long do we have to pay {rival}?"])
        return Fact(s, [(q, n), (miss, None)])
    if form == 1:
        n = rng.choice(_OFTEN)
        s = rng.choice([f"{b} delivers {goods[0]} to {e} {n}.", f"{e} receives {goods[0]} from {b} {n}."])
        q = rng.choice(
            [
                f"How often is {goods[0]} delivered?",
                f"How often do we get {goods[0]} from {b}?",
                f"How often does the {goods[0]} arrive?",
                f"When do we receive {goods[0]}?",
            ]
        )
        miss = rng.choice([f"How often is {goods[1]} delivered?", f"How often do we get {goods[0]} from {rival}?"])
        return Fact(s, [(q, n), (miss, None)])
    if form == 2:
        price = _money(rng)
        s = rng.choice(
            [
                f"The price of {goods[0]} is fixed at {price} per {unit} for the term of the agreement.",
                f"{e} pays {b} {price} per {unit} of {goods[0]}.",
            ]
        )
        q = rng.choice(
            [
                f"What do we pay per {unit} for {goods[0]}?",
                f"What is the price per {unit} of {goods[0]}?",
                f"How much does a {unit} of {goods[0]} cost us?",
                f"How much is {goods[0]} per {unit}?",
            ]
        )
        miss = rng.choice(
            [f"What do we pay per {unit} for {goods[1]}?", f"What is the price per {unit} of {goods[1]}?"]
        )
        return Fact(s, [(q, price), (miss, None)])
    d = _dates(rng, 1)[0]
    thing = rng.choice(_AGREEMENTS)
    s = rng.choice([f"The {thing} between {e} and {b} ends on {d}.", f"{e}'s {thing} with {b} runs until {d}."])
    q = rng.choice([f"When does our {thing} with {b} end?", f"Until when are we bound by the {thing} with {b}?"])
    miss = f"When does our {thing} with {rival} end?"
    return Fact(s, [(q, d), (miss, None)])


FRAMES: dict[str, Callable[[random.Random, str], Fact]] = {
    "hours": hours,
    "period": period,
    "season": season,
    "prices": prices,
    "entitlement": entitlement,
    "limits": limits,
    "direction": direction,
    "listing": listing,
    "traits": traits,
}  # the shipped reader's paragraphs draw from these (`--prose`); keep them so its recipe reproduces
ASKED = FRAMES | {"fact": fact, "voiced": voiced}  # frames a question can be focused on (`--facts`, `--voiced`)


def _name(rng: random.Random, frame: str) -> str:
    if frame in ("period", "direction", "listing") and rng.random() < 0.6:
        return f"{rng.choice(_COMPANIES)} {rng.choice(['Ltd', 'AS', 'Supply', 'Services', 'Transport'])}"
    name = entity(rng)
    return name if name[0].isupper() else name.capitalize()


def prose_example(rng: random.Random, answerable: bool = True, focus: str | None = None) -> SpanExample:
    """A paragraph of 2–4 facts about different entities, and a question about one of them (or a near miss);
    `focus`: the frame the question's fact comes from (default: any). A draw whose answer could be read at two
    places of its sentence is drawn again."""
    while (ex := _draw(rng, answerable, focus)) is None:
        pass
    return ex


def _draw(rng: random.Random, answerable: bool, focus: str | None = None) -> SpanExample | None:
    frames = rng.choices(list(FRAMES), k=rng.randint(2, 4))
    facts = [FRAMES[f](rng, _name(rng, f)) for f in frames]
    target = rng.randrange(len(facts))
    if focus:
        facts[target] = ASKED[focus](rng, _name(rng, focus))
    question, answer = facts[target].questions[0 if answerable else 1]
    starts, at = [], 0
    for fact in facts:
        starts.append(at)
        at += len(fact.sentence) + 1
    context = " ".join(f.sentence for f in facts)
    if answer is None:
        return SpanExample(question, context)
    found = [m.start() for m in re.finditer(rf"(?<![\w.]){re.escape(answer)}(?![\w])", facts[target].sentence)]
    if len(found) != 1:
        return None
    return SpanExample(question, context, answer, starts[target] + found[0])


def prose_examples(n: int, no_answer: float = 0.35, seed: int = 0, focus: str | None = None) -> list[SpanExample]:
    """`n` examples, a `no_answer` share of them near misses that the paragraph does not answer; `focus`: every
    question from this frame."""
    rng = random.Random(seed)
    return [prose_example(rng, rng.random() >= no_answer, focus) for _ in range(n)]
