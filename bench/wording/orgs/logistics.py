"""Kittiwake Freight: an invented Dutch logistics firm (dev part since the tenth session; the test part before, until
every session had read its failures). Every fact here is made up."""

HANDBOOK = """# Kittiwake Freight driver handbook

Kittiwake Freight moves palletised goods between the Netherlands, Belgium and Germany from three depots.

## Driving and rest

Drivers take a break of at least 45 minutes after four and a half hours of driving.
The daily driving limit is 9 hours, which may be extended to 10 hours twice a week.

## Allowances

Drivers on domestic trips longer than 10 hours receive a meal allowance of 32 euros per day.
An overnight stay in the cab is paid at 48 euros per night.

## Vehicle checks

Every driver completes a walk-around check before the first trip of the day and records it in the FleetLog app.
Tyres are replaced when the tread depth falls below 3 millimetres.

## Fuel cards

Fuel cards are issued by the depot manager and must be returned when a driver leaves the company.
"""

FAQ = """<!doctype html><html><head><title>Customer FAQ - Kittiwake Freight</title></head><body>
<nav><a href="/">Home</a> | <a href="/track">Track a shipment</a> | <a href="/quote">Get a quote</a></nav>
<main>
<h1>Customer FAQ</h1>
<h2>What is the latest time to book next-day delivery?</h2>
<p>Orders booked before 16:00 on a working day are delivered the next working day within the Netherlands.</p>
<h2>How big can a pallet be?</h2>
<p>A standard pallet may be at most 120 by 100 cm and 180 cm high, and weigh no more than 1,000 kg.</p>
<h2>How do I report damage?</h2>
<p>Damage must be reported within 7 days of delivery, with photos, through the claims form.</p>
<h2>How can I reach customer service?</h2>
<p>Customer service answers on +31 10 555 0142 from 07:00 to 19:00 on weekdays.</p>
<h2>Do you deliver on Saturdays?</h2>
<p>Saturday delivery is available in the Randstad area for a surcharge of 35 euros per pallet.</p>
</main>
<footer>Kittiwake Freight B.V. · Terms of carriage · Privacy</footer>
</body></html>
"""

NOTES = """Operations meeting, 2 November 2026

Anouk de Vries chaired the meeting.
The Venlo depot will get four new loading docks by the end of January 2027.
Twelve electric trucks have been ordered for city deliveries in Rotterdam; the first arrive in April 2027.
On-time delivery in October was 96.2 percent.
The winter tyre change for the whole fleet must be finished by 1 December.
The next operations meeting is on 7 December 2026.
"""

POLICY = [
    "Dangerous goods policy. Only drivers with a valid ADR certificate may carry dangerous goods. Class 1 "
    "explosives are never accepted. Lithium batteries are accepted in quantities up to 333 kg per pallet, packed "
    "by the shipper according to UN 3480.",
    "Cold chain policy. Chilled goods are kept between 2 and 8 degrees Celsius. The temperature in each reefer "
    "trailer is logged every 15 minutes. A deviation longer than 30 minutes must be reported to the customer the "
    "same day.",
]

AGREEMENT = [
    ("Title", "Supply agreement between Kittiwake Freight and Ravensburg Packaging GmbH"),
    ("Heading 1", "Goods"),
    (None, "The supplier delivers stretch wrap and wooden pallets to the Venlo and Antwerp depots."),
    (None, "Orders are delivered within 5 working days."),
    ("Heading 1", "Price and payment"),
    (None, "Prices are fixed for 2027. Kittiwake Freight pays each invoice within 45 days."),
    ("Heading 1", "Term and termination"),
    (None, "The agreement runs until 30 June 2029."),
    (None, "It can be ended by either party with six months' notice."),
]

DEPOTS = [
    ("depot", "city", "manager", "loading_docks", "phone"),
    ("Rotterdam Waalhaven", "Rotterdam", "Sven Bakker", "24", "+31 10 555 0100"),
    ("Venlo Trade Port", "Venlo", "Fenna Jansen", "16", "+31 77 555 0200"),
    ("Antwerp Noord", "Antwerp", "Lucas Peeters", "12", "+32 3 555 0300"),
]

RATES = {
    "Pallet rates": [
        ("lane", "price_per_pallet_eur", "transit_days"),
        ("Rotterdam to Antwerp", 68, 1),
        ("Rotterdam to Duisburg", 84, 1),
        ("Venlo to Hamburg", 112, 2),
        ("Antwerp to Lyon", 175, 3),
        ("Venlo to Munich", 149, 2),
    ],
    "Surcharges": [
        ("surcharge", "amount_eur"),
        ("Tail lift delivery", 25),
        ("Time slot delivery", 18),
        ("Dangerous goods", 40),
    ],
}

FLEET = [
    {"plate": "BX-421-K", "type": "tractor unit", "depot": "Rotterdam Waalhaven", "year": 2022, "fuel": "diesel"},
    {"plate": "VK-118-T", "type": "reefer trailer", "depot": "Venlo Trade Port", "year": 2020, "fuel": "none"},
    {
        "plate": "EL-007-R",
        "type": "electric rigid truck",
        "depot": "Rotterdam Waalhaven",
        "year": 2025,
        "fuel": "electric",
    },
    {"plate": "AN-562-B", "type": "curtainsider trailer", "depot": "Antwerp Noord", "year": 2019, "fuel": "none"},
]

CUSTOMERS = (
    "customers",
    "customer TEXT, city TEXT, account_manager TEXT, pallets_per_month INTEGER, payment_terms_days INTEGER",
    [
        ("Dijkstra Foods", "Utrecht", "Mila Visser", 340, 30),
        ("Brouwer Electronics", "Eindhoven", "Daan Smit", 120, 45),
        ("Hoekstra Garden Supplies", "Zwolle", "Mila Visser", 85, 30),
        ("Van Leeuwen Pharma", "Leiden", "Daan Smit", 60, 14),
        ("Maas Paper", "Nijmegen", "Eva Mulder", 210, 60),
    ],
)

FILES = {
    "driver-handbook.md": HANDBOOK,
    "customer-faq.html": FAQ,
    "operations-meeting.txt": NOTES,
    "dangerous-goods-and-cold-chain.pdf": POLICY,
    "packaging-agreement.docx": AGREEMENT,
    "depots.csv": DEPOTS,
    "rates-2027.xlsx": RATES,
    "fleet.json": FLEET,
    "customers.sqlite": CUSTOMERS,
}
