"""Vesterby Municipality: an invented Danish municipality (dev part). Every fact here is made up."""

HANDBOOK = """# Vesterby Municipality: a guide for residents

## Waste and recycling

Household waste is collected every 14 days. Glass and metal are collected every 8 weeks.
Residents can book a bulky waste collection online; it is free up to 4 times a year.
The recycling centre on Kløvervej 12 is open every day from 07:00 to 18:00.

## Parking

A residents' parking permit for zone A costs 300 DKK per year.
Visitors may park for 2 hours free of charge with a parking disc.

## Building work

The municipality decides on a building permit for a detached house within 40 days.
Carports and sheds smaller than 50 square metres need no building permit.

## Snow clearing

Main roads are cleared within 4 hours after the snow stops falling. Residential roads are cleared within 24 hours.
Homeowners must clear the pavement in front of their property by 07:00.
"""

FAQ = """<!doctype html><html><head><title>Library and pool - Vesterby Municipality</title></head><body>
<header><a href="/">Vesterby.dk</a> | <a href="/en">English</a> | <a href="/login">MitID login</a></header>
<main>
<h1>Library and swimming pool: questions and answers</h1>
<h2>When is Vesterby Library open?</h2>
<p>Staffed hours are 10:00 to 20:00 on weekdays. With your library card you can use the self-service library from 07:00 to 22:00 every day.</p>
<h2>How long can I borrow a book?</h2>
<p>The loan period is 30 days. A loan can be renewed up to 3 times if nobody has reserved the item.</p>
<h2>What does a swim cost at Strandparken?</h2>
<p>A single swim at the Strandparken pool costs 45 DKK for adults and 25 DKK for children under 16.</p>
<h2>How do I contact the municipality?</h2>
<p>Call Citizens' Service on 72 36 40 00, Monday to Friday from 09:00 to 15:00.</p>
</main>
<footer>Vesterby Municipality · Rådhustorvet 1 · Cookie policy</footer>
</body></html>
"""

NOTES = """Minutes of the city council meeting, 9 September 2026

The council approved the new cycle bridge over Vester Å. The bridge has a budget of 18.4 million DKK.
Construction of the cycle bridge starts in March 2027.
The harbour bath will open on 15 June every year and close on 31 August.
The council agreed to plant 2,000 new trees along Ringvejen over the next three years.
Councillor Jens Mørk asked for a report on the bus service to Engdal.
"""

POLICY = [
    "Childcare fees and rules. A nursery place for children aged 0 to 2 costs 4,210 DKK per month. A kindergarten "
    "place for children aged 3 to 5 costs 2,480 DKK per month. Families with two children in childcare get a 50 "
    "percent sibling discount on the cheaper place. Kindergartens are open from 06:30 to 17:00 on weekdays.",
    "Parents must give one month's notice to end a childcare place. Children are guaranteed a place within four "
    "months of the application. Meals are included in the kindergarten fee.",
]

AGREEMENT = [
    ("Title", "Agreement between Vesterby Municipality and Nordlys Bus A/S on the local bus service"),
    ("Heading 1", "Service"),
    (None, "The operator runs routes 3, 4 and 7. On Sundays route 4 runs once an hour."),
    ("Heading 1", "Penalties"),
    (None, "The operator pays a penalty of 2,000 DKK for each cancelled departure."),
    ("Heading 1", "Payment"),
    (None, "The operator invoices monthly. The municipality pays each invoice within 30 days."),
    ("Heading 1", "Term"),
    (None, "The agreement starts on 1 January 2024 and runs until 31 December 2031."),
]

DEPARTMENTS = [
    ("department", "head", "building", "phone"),
    ("Technical Services", "Mette Lund", "Town Hall B", "72 36 41 10"),
    ("Children and Schools", "Anders Holm", "Town Hall A", "72 36 42 20"),
    ("Elderly Care", "Birgitte Krogh", "Sølyst Centre", "72 36 43 30"),
    ("Culture and Leisure", "Jonas Vinther", "Vesterby Library", "72 36 44 40"),
    ("Citizens' Service", "Sara Nielsen", "Town Hall A", "72 36 40 00"),
    ("Environment", "Peter Dahl", "Town Hall B", "72 36 45 50"),
]

FEES = {
    "Fees": [
        ("service", "fee_dkk", "processing_days"),
        ("Adult passport", 669, 10),
        ("Child passport", 171, 10),
        ("Driving licence renewal", 280, 14),
        ("Building permit for a house", 3900, 40),
        ("Civil wedding ceremony", 700, 30),
    ],
    "Halls": [
        ("hall", "capacity", "hourly_rate_dkk"),
        ("Sølyst Hall", 120, 450),
        ("Library auditorium", 80, 300),
        ("Harbour pavilion", 60, 250),
    ],
}

ROADWORKS = [
    {"road": "Havnegade", "work": "resurfacing", "start": "2026-09-01", "end": "2026-10-15", "contractor": "Vejbyg"},
    {"road": "Skolevej", "work": "new pavement", "start": "2026-10-05", "end": "2026-11-20", "contractor": "Kantsten"},
    {
        "road": "Bredgade",
        "work": "water main renewal",
        "start": "2026-11-02",
        "end": "2027-01-29",
        "contractor": "AquaNet",
    },
]

SCHOOLS = (
    "schools",
    "school TEXT, pupils INTEGER, principal TEXT, founded INTEGER, district TEXT",
    [
        ("Vesterby School", 612, "Louise Bak", 1958, "Centre"),
        ("Engdal School", 344, "Rasmus Friis", 1974, "North"),
        ("Søndermark School", 287, "Ida Sand", 1969, "South"),
        ("Fjordskolen", 198, "Karl Vang", 2004, "West"),
    ],
)

FILES = {
    "residents-guide.md": HANDBOOK,
    "library-and-pool.html": FAQ,
    "council-minutes.txt": NOTES,
    "childcare-policy.pdf": POLICY,
    "bus-agreement.docx": AGREEMENT,
    "departments.csv": DEPARTMENTS,
    "fees-2027.xlsx": FEES,
    "roadworks.json": ROADWORKS,
    "schools.sqlite": SCHOOLS,
}
