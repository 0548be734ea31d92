"""Synthetic table-row examples that teach a span reader to read records: which field of which row answers.

A context is a few rows of an invented table, each rendered as ragtune renders a record for retrieval
(`field: value | field: value`). The question names one row's entity in everyday words and asks about one
attribute ("how deep can …", "how long does … take", "what does … fix"); the answer is that field's value in
that row. Field names vary the way real schemas do (units and abbreviations in the name, snake_case, Title Case,
camelCase) and so does the wording, so the reader learns meaning, not names. No-answer examples ask about an
attribute the table lacks, or about an entity that is not in it. Given `near` (`confusable`), half the
attribute misses ask about an attribute that is asked about the way one of the table's own is (its top speed
where the table has a range, its email where it has a phone): the misses a reader gets wrong.

Nothing here comes from a benchmark: the attribute bank is generic and the entities are made up at random.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import numpy as np

from ragtune.finetune.span_examples import SpanExample
from ragtune.retrieve.evidence import field_phrase
from ragtune.tables.base import record_text

# attribute: (field names, value maker, question wordings with {e} for the entity)
BANK: dict[str, tuple[list[str], str, list[str]]] = {
    "price": (
        ["price_eur", "price", "cost_usd", "Price (GBP)", "unit_price", "fee_dkk", "priceNok", "list_price_chf"],
        "money",
        [
            "How much does {e} cost?",
            "What is the price of {e}?",
            "What does {e} cost?",
            "How much is {e}?",
            "What do you charge for {e}?",
            "What's {e} priced at?",
            "How expensive is {e}?",
            "What would {e} cost me?",
        ],
    ),
    "duration": (
        [
            "turnaround_days",
            "lead_time_days",
            "processing_days",
            "Duration (h)",
            "transit_days",
            "build_weeks",
            "durationMin",
            "time_to_complete_days",
        ],
        "small",
        [
            "How long does {e} take?",
            "How many days does {e} take?",
            "How long do I wait for {e}?",
            "What's the turnaround for {e}?",
            "How quickly is {e} done?",
            "How soon is {e} ready?",
            "How long will {e} take to finish?",
        ],
    ),
    "depth": (
        ["depth_rating_m", "max_depth_m", "Depth (m)", "rated_depth", "diveDepthFt", "water_resist_m"],
        "depth",
        [
            "How deep can {e} go?",
            "What depth is {e} rated to?",
            "How far down can {e} dive?",
            "What's the deepest {e} can be used?",
            "To what depth does {e} work?",
        ],
    ),
    "weight": (
        ["weight_kg", "wt_lb", "Mass (kg)", "net_weight_g", "weightKg", "gross_wt"],
        "weight",
        ["How heavy is {e}?", "What does {e} weigh?", "How much does {e} weigh?", "What's the weight of {e}?"],
    ),
    "height": (
        ["height_cm", "Height (m)", "tall_mm", "heightIn"],
        "small",
        ["How tall is {e}?", "How high is {e}?", "What is the height of {e}?"],
    ),
    "capacity": (
        ["capacity", "seats", "max_guests", "capacity_l", "pallet_capacity", "maxOccupancy", "beds"],
        "count",
        [
            "How many people fit in {e}?",
            "How many does {e} hold?",
            "What is the capacity of {e}?",
            "How many seats does {e} have?",
            "How big a group can {e} take?",
            "How much can {e} hold?",
        ],
    ),
    "manager": (
        ["manager", "head", "owner", "contact_person", "account_manager", "principal", "lead", "supervisor", "mgr"],
        "person",
        [
            "Who manages {e}?",
            "Who runs {e}?",
            "Who is in charge of {e}?",
            "Who heads {e}?",
            "Who looks after {e}?",
            "Who is the boss of {e}?",
            "Who is responsible for {e}?",
        ],
    ),
    "phone": (
        ["phone", "tel", "phone_ext", "hotline", "contact_number", "Phone No.", "telephone"],
        "phone",
        [
            "What number do I call for {e}?",
            "What is {e}'s phone number?",
            "How do I ring {e}?",
            "What's the extension of {e}?",
            "Which number reaches {e}?",
        ],
    ),
    "email": (
        ["email", "e_mail", "contact_email", "Email Address"],
        "email",
        ["What is the email address of {e}?", "How do I email {e}?", "Where do I write to {e}?"],
    ),
    "place": (
        ["city", "location", "site", "based_in", "branch", "depot", "building", "region", "town"],
        "place",
        [
            "Where is {e}?",
            "Where is {e} based?",
            "Which city is {e} in?",
            "Where does {e} work?",
            "Where can I find {e}?",
            "In which town is {e} located?",
            "Where is {e} kept?",
        ],
    ),
    "room": (
        ["room", "office_no", "Room Number", "desk", "bay", "shelf", "bin_location"],
        "code",
        ["Which room is {e} in?", "Where is {e}'s office?", "Which shelf holds {e}?", "Where do I find {e}?"],
    ),
    "year": (
        [
            "founded",
            "opened_year",
            "year_built",
            "joined_year",
            "since",
            "release_yr",
            "established",
            "Year Opened",
            "startYear",
        ],
        "year",
        [
            "When was {e} founded?",
            "What year did {e} open?",
            "When did {e} join?",
            "When was {e} built?",
            "When did {e} come out?",
            "Since when has {e} been around?",
            "In what year did {e} start?",
        ],
    ),
    "date": (
        [
            "last_serviced",
            "delivery_date",
            "expiry_date",
            "start_date",
            "end_date",
            "due",
            "inspected_on",
            "Renewal Date",
            "releasedOn",
        ],
        "date",
        [
            "When was {e} last serviced?",
            "When does {e} expire?",
            "When does {e} start?",
            "When does {e} end?",
            "When is {e} due?",
            "When was {e} last checked?",
            "When was {e} released?",
        ],
    ),
    "count": (
        [
            "qty_in_stock",
            "stock",
            "units_available",
            "pupils",
            "employees",
            "staff_count",
            "members",
            "doses",
            "Headcount",
            "numberOfStudents",
        ],
        "count",
        [
            "How many of {e} do we have left?",
            "How many {e} are in stock?",
            "How many pupils attend {e}?",
            "How many people work at {e}?",
            "How many members does {e} have?",
            "How big is {e}?",
            "What's the headcount of {e}?",
        ],
    ),
    "supplier": (
        ["supplier", "vendor", "manufacturer", "brand", "made_by", "serviced_by", "contractor", "maker"],
        "company",
        [
            "Who supplies {e}?",
            "Who makes {e}?",
            "Which company services {e}?",
            "Which firm makes {e}?",
            "Who built {e}?",
            "Where do we buy {e}?",
            "Who does the work on {e}?",
        ],
    ),
    "role": (
        ["role", "job_title", "position", "Job", "function"],
        "job",
        ["What does {e} do?", "What is {e}'s job?", "What is {e}'s role?", "What position does {e} hold?"],
    ),
    "category": (
        ["category", "type", "kind", "genre", "class", "segment"],
        "category",
        ["What kind of thing is {e}?", "Which category is {e} in?", "What type is {e}?", "What sort of item is {e}?"],
    ),
    "notes": (
        ["notes", "description", "changes", "summary", "fixes", "comment", "Release Notes"],
        "note",
        [
            "What does {e} fix?",
            "What changed in {e}?",
            "What is {e} about?",
            "What problem does {e} solve?",
            "What's new in {e}?",
            "Why was {e} released?",
        ],
    ),
    "range": (
        ["range_km", "max_range_mi", "Range (km)", "reach_km"],
        "distance",
        ["How far can {e} go on one charge?", "What is the range of {e}?", "How far does {e} get?"],
    ),
    "speed": (
        ["max_speed_kmh", "top_speed", "Speed (mph)", "speedKnots"],
        "small",
        ["How fast is {e}?", "What top speed does {e} reach?", "How quick is {e}?"],
    ),
    "power": (
        ["power_w", "output_kw", "Power (hp)", "wattage"],
        "money",
        ["How powerful is {e}?", "What is the power output of {e}?", "How many watts does {e} draw?"],
    ),
    "battery": (
        ["battery_mah", "battery_life_h", "Battery (hours)", "runtime_h"],
        "small",
        ["How long does {e}'s battery last?", "What battery life does {e} have?", "How long does {e} run?"],
    ),
    "warranty": (
        ["warranty_years", "guarantee_months", "Warranty (yrs)", "warrantyYears"],
        "small",
        ["How long is {e} guaranteed for?", "What warranty does {e} have?", "How long is the warranty on {e}?"],
    ),
    "rating": (
        ["rating", "stars", "score", "Review Score"],
        "rating",
        ["How is {e} rated?", "What rating does {e} have?", "How many stars does {e} get?"],
    ),
    "terms": (
        ["payment_terms_days", "net_days", "Payment Terms (days)", "credit_days"],
        "small",
        ["What are {e}'s payment terms?", "How long does {e} have to pay?", "Within how many days does {e} pay?"],
    ),
    "temperature": (
        ["temp_c", "max_temp_c", "storage_temp", "Temperature (°F)"],
        "small",
        ["How hot does {e} get?", "At what temperature is {e} stored?", "How warm can {e} be?"],
    ),
    "frequency": (
        ["frequency", "interval_weeks", "every_n_days", "Runs Every (min)"],
        "small",
        ["How often does {e} run?", "How often is {e} collected?", "How frequently does {e} happen?"],
    ),
    "origin": (
        ["country", "origin", "country_of_origin", "made_in"],
        "country",
        ["Where does {e} come from?", "Which country is {e} from?", "Where is {e} made?"],
    ),
    "rate": (
        ["hourly_rate_eur", "daily_rate", "rent_month", "Rate per Hour (USD)"],
        "money",
        ["What does {e} cost per hour?", "How much is {e} to rent?", "What is the hire rate for {e}?"],
    ),
    "hours": (
        ["opening_hours", "hours", "open", "Opening Times"],
        "hours",
        ["When is {e} open?", "What are {e}'s hours?", "What time does {e} open?"],
    ),
    "percent": (
        ["discount_pct", "tax_rate_pct", "interest_pct", "Discount (%)"],
        "percent",
        ["What discount does {e} get?", "What is the tax rate on {e}?", "What interest does {e} carry?"],
    ),
    "author": (
        ["author", "written_by", "director", "composer", "Author Name"],
        "person",
        ["Who wrote {e}?", "Who directed {e}?", "Who is the author of {e}?", "Who composed {e}?"],
    ),
    "pages": (
        ["pages", "episodes", "chapters", "page_count"],
        "count",
        ["How many pages does {e} have?", "How many episodes does {e} have?", "How long is {e}?"],
    ),
    "distance": (
        ["distance_km", "km_from_hq", "Distance (mi)"],
        "distance",
        ["How far away is {e}?", "How far is {e} from the office?", "What distance is {e}?"],
    ),
    "reorder": (
        ["reorder_level", "min_stock", "Reorder Point"],
        "count",
        ["At what level is {e} reordered?", "When do we reorder {e}?", "What is the reorder point for {e}?"],
    ),
}
KEYS = ["name", "product", "model", "item", "service", "customer", "site_name", "title", "Name", "entity", "unit"]
_SYLLABLES = "ka lo ve ri tan mor sel qu ba den fi ro ul na tor vik sa le mi dra pol hes gar nu ost bre cal zen".split()
_WORDS = (
    "pump sonar logger drone cabin hall clinic depot school route scanner boiler trailer kettle harness valve "
    "router tablet course package test inspection licence permit report survey audit service plan kit lamp"
).split()
_FIRST = "Anna Omar Lucia Kenji Ines Tomasz Aisha Pieter Ruth Mateo Sigrid Kwame Yara Felix Nora Ivan".split()
_LAST = "Berg Okafor Lindqvist Moreau Haddad Novak Brennan Sato Costa Jensen Walsh Petrov Amini Duarte".split()
_CITIES = "Tromsø Lyon Graz Porto Aarhus Leeds Gdańsk Bergen Utrecht Cork Turku Malmö Brno Basel".split()
_COMPANIES = "Nordvik Axelco Brightline Helix Corvan Tidewater Ostmark Vantor Kestrel Meridian".split()


def _pseudo(rng: random.Random) -> str:
    return "".join(rng.sample(_SYLLABLES, rng.randint(2, 3))).capitalize()


def entity(rng: random.Random) -> str:
    """A made-up entity name: a product, a person, a place-like name, a service, a code or a version."""
    kind = rng.random()
    if kind < 0.25:
        return f"{_pseudo(rng)} {rng.choice(_WORDS).capitalize()}" + (
            f" {rng.randint(2, 900)}" if rng.random() < 0.3 else ""
        )
    if kind < 0.45:
        return f"{rng.choice(['', 'Dr ', 'Dr. '])}{rng.choice(_FIRST)} {rng.choice(_LAST)}".strip()
    if kind < 0.6:
        return f"{_pseudo(rng)} {rng.choice(['North', 'Harbour', 'East', 'Central', 'Park', 'Hill'])}"
    if kind < 0.8:
        words = rng.sample(_WORDS, rng.randint(2, 3))
        return " ".join(words).capitalize()
    if kind < 0.9:
        return f"{rng.choice('ABCDEFGHKLMNPRSTVX')}{rng.choice('ABCDEFGHKLMNPRSTVX')}-{rng.randint(100, 999)}"
    version = f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
    return f"{rng.choice(['firmware', 'release', 'version', 'build'])} {version}"


def value(kind: str, rng: random.Random) -> str:
    """A plausible value of one kind, as a cell would hold it."""
    makers = {
        "money": lambda: str(rng.choice([rng.randint(5, 99), rng.randint(100, 9999), round(rng.uniform(1, 500), 2)])),
        "small": lambda: str(rng.randint(1, 60)),
        "depth": lambda: str(rng.choice([30, 50, 100, 200, 300, 500, 1000, 2000, 4200])),
        "weight": lambda: str(round(rng.uniform(0.2, 900), rng.choice([0, 1]))).removesuffix(".0"),
        "count": lambda: str(rng.randint(2, 2000)),
        "person": lambda: f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
        "phone": lambda: rng.choice(
            [
                f"+{rng.randint(30, 49)} {rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                str(rng.randint(100, 999)),
                f"0{rng.randint(1000, 9999)} {rng.randint(100000, 999999)}",
            ]
        ),
        "email": lambda: f"{_pseudo(rng).lower()}@{rng.choice(_COMPANIES).lower()}.example",
        "place": lambda: rng.choice(_CITIES + [f"{_pseudo(rng)} {w}" for w in ("Street", "Centre", "Hall")]),
        "code": lambda: rng.choice(
            [str(rng.randint(1, 40)), f"{rng.choice('ABCD')}{rng.randint(1, 9)}", f"Room {rng.randint(1, 30)}"]
        ),
        "year": lambda: str(rng.randint(1950, 2026)),
        "date": lambda: f"20{rng.randint(18, 29)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "company": lambda: f"{rng.choice(_COMPANIES)} {rng.choice(['Ltd', 'AS', 'GmbH', 'Services', 'Supply'])}",
        "job": lambda: rng.choice(
            ["Nurse", "Technician", "Head of sales", "Driver", "Engineer", "Receptionist", "Lead analyst", "Caretaker"]
        ),
        "category": lambda: rng.choice(["tools", "outdoor", "medical", "office", "marine", "kitchen", "safety"]),
        "note": lambda: rng.choice(
            [
                "Fixes the battery drain on standby",
                "Adds support for USB-C charging",
                "Corrects the depth alarm offset",
                "Removes the old login screen",
                "Improves GPS accuracy near harbours",
            ]
        ),
        "distance": lambda: str(rng.randint(5, 900)),
        "rating": lambda: str(rng.choice([3, 4, 5, 3.5, 4.5, 4.2])),
        "country": lambda: rng.choice(["Norway", "Japan", "Portugal", "Canada", "Poland", "Kenya"]),
        "hours": lambda: f"{rng.randint(6, 10):02d}:00-{rng.randint(16, 22):02d}:00",
        "percent": lambda: str(rng.choice([5, 10, 12.5, 15, 20, 25])),
    }
    return makers[kind]()


def _mention(name: str, rng: random.Random) -> str:
    """How a person refers to an entity: as named, lower-cased, or with "the"."""
    if re.match(r"^(Dr\.? )?[A-Z][a-z]+ [A-Z][a-z]+$", name) or not name[0].isalpha():
        return name
    return rng.choice([name, name.lower(), f"the {name}", f"the {name.lower()}"])


def confusable(embed: Callable[[list[str]], np.ndarray], k: int = 3, same: float = 0.85) -> dict[str, list[str]]:
    """Each attribute's `k` nearest others by how people ask about them: the cosine of their wordings' mean
    embedding (`embed` returns unit vectors). The attributes a reader most easily takes for one another; a pair
    where one's wording is a paraphrase of the other's (cosine ≥ `same`: "where can I find" a place or a room)
    is left out, since there a question of one is a question of the other."""
    names = list(BANK)
    vecs = [embed([w.format(e="it") for w in BANK[name][2]]) for name in names]
    means = np.stack([v.mean(axis=0) / np.linalg.norm(v.mean(axis=0)) for v in vecs])
    sims = means @ means.T
    out = {}
    for i, name in enumerate(names):
        order = [j for j in np.argsort(-sims[i]) if j != i and float((vecs[i] @ vecs[j].T).max()) < same]
        out[name] = [names[j] for j in order[:k]]
    return out


def _missing_attribute(rng: random.Random, attrs: list[str], near: dict[str, list[str]] | None) -> str:
    """An attribute the table lacks: half the time (given `near`) one asked about like one it has."""
    close = [b for a in attrs for b in (near or {}).get(a, []) if b not in attrs]
    if close and rng.random() < 0.5:
        return rng.choice(close)
    return rng.choice([a for a in BANK if a not in attrs])


def record_example(
    rng: random.Random, answerable: bool = True, near: dict[str, list[str]] | None = None
) -> SpanExample:
    """One context of 2–5 rows and 3–6 attributes, and a question about one row's attribute (or a miss)."""
    attrs = rng.sample(list(BANK), rng.randint(3, 6))
    asked = attrs[0]
    key = rng.choice(KEYS)
    fields = {a: rng.choice(BANK[a][0]) for a in attrs}
    rows = []
    names = set()
    for _ in range(rng.randint(2, 5)):
        name = entity(rng)
        while name in names:
            name = entity(rng)
        names.add(name)
        rows.append({key: name} | {fields[a]: value(BANK[a][1], rng) for a in rng.sample(attrs, len(attrs))})
    target = rng.randrange(len(rows))
    name = rows[target][key]
    miss = None if answerable else rng.choice(["attribute", "entity"])
    if miss == "attribute":  # ask about an attribute the table does not have
        asked = _missing_attribute(rng, attrs, near)
    if miss == "entity":  # a similar entity that is not in the table
        name = _near(name, rng, names)
    question = rng.choice(BANK[asked][2]).format(e=_mention(name, rng))
    lines = [record_text(r) for r in rows]
    context = "\n".join(lines)
    if miss:
        return SpanExample(question, context)
    answer = rows[target][fields[asked]]
    at = sum(len(line) + 1 for line in lines[:target]) + lines[target].index(f"{fields[asked]}: {answer}")
    return SpanExample(question, context, answer, at + len(fields[asked]) + 2)


def _near(name: str, rng: random.Random, taken: set[str]) -> str:
    """A name like `name` that is none of `taken`: one word changed or added."""
    words = name.split()
    for _ in range(20):
        i = rng.randrange(len(words))
        changed = list(words)
        changed[i] = rng.choice([_pseudo(rng), rng.choice(_LAST), str(rng.randint(2, 99)), rng.choice(_CITIES)])
        out = " ".join(changed)
        if out not in taken and out != name:
            return out
    return f"{name} {_pseudo(rng)}"


def record_examples(
    n: int, no_answer: float = 0.3, seed: int = 0, near: dict[str, list[str]] | None = None
) -> list[SpanExample]:
    """`n` examples, a `no_answer` share of them asking what the rows do not hold (see `confusable`)."""
    rng = random.Random(seed)
    return [record_example(rng, rng.random() >= no_answer, near) for _ in range(n)]


def kind_pairs(
    n: int, seed: int = 0, near: dict[str, list[str]] | None = None, attrs: list[str] | None = None
) -> list[tuple[str, str, int]]:
    """`n` (question, `field words: value`, fits) triples for the answer-fit model (retrieve/answerfit.py): a
    question about one attribute of a made-up entity, and a field of the same attribute (fits: 1, 40 %), of one
    asked about alike (`near`, 30 %) or of any other (0). `attrs`: the attributes to draw from (default: all)."""
    rng = random.Random(seed)
    pool = list(attrs or BANK)
    out = []
    for _ in range(n):
        asked = rng.choice(pool)
        question = rng.choice(BANK[asked][2]).format(e=_mention(entity(rng), rng))
        close = [b for b in (near or {}).get(asked, []) if b in pool]
        draw = rng.random()
        if draw < 0.4:
            given = asked
        elif draw < 0.7 and close:
            given = rng.choice(close)
        else:
            given = rng.choice([a for a in pool if a != asked])
        name = rng.choice(BANK[given][0])
        out.append((question, field_phrase(name, value(BANK[given][1], rng)), int(given == asked)))
    return out
