"""Harbour Deli: prices and the people on duty change every week (three weekly versions of the documents are
ingested, 7 days apart). Expected verdict: RAG. Every fact is made up."""

WEEKS = [  # (week, shift lead, baker's delivery time, prices of the week)
    (
        "week 44",
        "Jonas Berg",
        "06:30",
        {
            "Sourdough loaf": 4.2,
            "Fish soup": 9.5,
            "Cinnamon bun": 3.1,
            "Shrimp sandwich": 8.9,
            "Filter coffee": 2.4,
            "Smoked salmon plate": 14.5,
        },
    ),
    (
        "week 45",
        "Amira Haddad",
        "06:15",
        {
            "Sourdough loaf": 4.4,
            "Fish soup": 9.9,
            "Cinnamon bun": 3.1,
            "Shrimp sandwich": 9.4,
            "Filter coffee": 2.6,
            "Smoked salmon plate": 15.2,
        },
    ),
    (
        "week 46",
        "Ola Nygaard",
        "06:45",
        {
            "Sourdough loaf": 4.6,
            "Fish soup": 10.5,
            "Cinnamon bun": 3.3,
            "Shrimp sandwich": 9.8,
            "Filter coffee": 2.6,
            "Smoked salmon plate": 16.0,
        },
    ),
]


def files(week: int) -> dict:
    """The documents as they stood in one week."""
    name, lead, bread, prices = WEEKS[week]
    rota = f"""# Harbour Deli rota, {name}

This week the shift lead is {lead}. Fresh bread is delivered at {bread} every morning.
The fish market order is placed by the shift lead before 10:00.
"""
    rows = [("item", "price_eur")] + [(item, f"{p:.2f}") for item, p in prices.items()]
    return {"rota.md": rota, "prices.csv": rows}


FILES = files(len(WEEKS) - 1)
VERSIONS = [files(w) for w in range(len(WEEKS))]
_, LEAD, BREAD, PRICES = WEEKS[-1]
LOG = [
    {"question": q, "answer": a}
    for q, a in [
        ("Who is the shift lead this week?", LEAD),
        ("Who leads the shift?", LEAD),
        ("Which colleague is shift lead now?", LEAD),
        ("When does the bread arrive?", BREAD),
        ("What time is fresh bread delivered?", BREAD),
        ("At what time does the baker deliver?", BREAD),
        ("Who places the fish market order?", "the shift lead"),
        ("By when must the fish order be placed?", "10:00"),
    ]
    + [
        (q.format(item=item.lower()), f"{price:.2f} EUR")
        for item, price in PRICES.items()
        for q in ("What does a {item} cost?", "How much is the {item}?", "Price of a {item}?")
    ]
]
EXPECTED = "rag"
