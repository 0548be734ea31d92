"""Skylark Brewing Co.: an invented craft brewery with a taproom (written in the sixteenth session and run once,
before any change, as a fresh organisation; dev part since). Every fact here is made up."""

HANDBOOK = """# Skylark Brewing Co. - team handbook

Skylark Brewing Co. brews cask and keg beer at Unit 4, Harrow Mill Estate, and runs a taproom next to the brewhouse.

## Shifts

Brewing shifts start at 06:00 and finish at 14:30. Taproom staff work a late shift from 16:00 until close.
Shift swaps must be agreed with the taproom manager at least 48 hours in advance.

## Staff beer

After a completed shift, every team member may take two pints of any core beer free of charge.
Staff get a 25% discount on bottles and cans in the brewery shop.

## Holidays and absence

Full-time staff have 25 days of holiday a year plus bank holidays.
If you are ill, phone the duty manager before 07:00 for a brewing shift, or before noon for a taproom shift.

## Safety gear

Steel-toe boots and safety glasses must be worn in the brewhouse at all times.
Caustic cleaning chemicals may only be handled by staff who have completed the COSHH course.

## Training

New brewers shadow the head brewer for their first six weeks.
The brewery pays for the Certified Cicerone exam once an employee has worked here for a year.
"""

FAQ = """<!doctype html><html><head><title>Visiting the taproom - Skylark Brewing Co.</title></head><body>
<nav><a href="/">Home</a> | <a href="/beers">Our beers</a> | <a href="/tours">Tours</a> | <a href="/shop">Shop</a></nav>
<main>
<h1>Visiting the taproom</h1>
<h2>When are you open?</h2>
<p>The taproom opens Wednesday to Friday from 16:00 to 23:00, and Saturday from 12:00 to 23:00. We are closed on
Sunday, Monday and Tuesday.</p>
<h2>Can I bring my dog?</h2>
<p>Well-behaved dogs on a lead are welcome in the beer garden, but not inside the taproom.</p>
<h2>Are children allowed?</h2>
<p>Under-18s are welcome with an adult until 20:00.</p>
<h2>Do you take cash?</h2>
<p>We are card only. We accept all major debit and credit cards and phone payments.</p>
<h2>Is there parking?</h2>
<p>There are 12 free parking spaces in front of Unit 4. The 27 bus from the town centre stops at Harrow Mill.</p>
<h2>Can I get a refund on a tour ticket?</h2>
<p>Tour tickets are refunded in full if you cancel at least 72 hours before the tour.</p>
<h2>Can I book the taproom for a private party?</h2>
<p>The mezzanine can be hired for private parties of up to 40 guests on Wednesdays and Thursdays.</p>
</main>
<footer>Skylark Brewing Co. · Please drink responsibly · Privacy</footer>
</body></html>
"""

NOTES = """Production meeting - 3 September 2026

Present: Ruth Calder (head brewer, chair), Dev Malhotra, Joe Finch, Amira Haddad.
The new canning line from Wexford Packaging will be installed in the week of 12 October.
The canning line can fill 1,500 cans an hour.
Ruth reported that the grain mill repair cost £3,200.
The collaboration brew with Tidewater Ales is planned for 19 November at our site.
Joe will trial a gluten-free pale ale in fermenter FV5 next month.
Spent grain now goes to Hollins Farm, which collects it twice a week for cattle feed.
The next production meeting is on 1 October 2026.
"""

POLICY = [
    "Responsible alcohol service policy. Taproom staff follow Challenge 25: anyone who looks under 25 is asked for "
    "photo ID. A customer may buy at most two pints of any beer stronger than 8% ABV per visit. Staff must refuse "
    "service to anyone who appears drunk and record the refusal in the refusals book behind the bar.",
    "Hygiene and cleaning policy. Fermenters are cleaned in place after every batch with caustic solution at 80 "
    "degrees Celsius. The taproom's beer lines are cleaned every seven days. Pest control visits are carried out by "
    "Keystone Pest Services every eight weeks. Allergen information for every beer is kept in the green folder at "
    "the bar.",
]

AGREEMENT = [
    ("Title", "Malt supply agreement between Skylark Brewing Co. and Thornfield Maltings Ltd"),
    ("Heading 1", "Supply"),
    (None, "Thornfield Maltings delivers pale malt to the brewery every second Monday."),
    (None, "The minimum order is 2 tonnes per delivery."),
    ("Heading 1", "Price and payment"),
    (None, "The price of Maris Otter pale malt is fixed at £740 per tonne for the term of this agreement."),
    (None, "Skylark pays each invoice within 45 days of the delivery date."),
    ("Heading 1", "Quality"),
    (None, "Malt that arrives with a moisture content above 4.5% may be rejected by the brewery."),
    ("Heading 1", "Term and termination"),
    (None, "This agreement runs from 1 January 2026 to 31 December 2027."),
    (None, "Either party may terminate it by giving three months' written notice."),
]

TOURS = [
    ("tour", "day", "start_time", "duration_min", "price_gbp", "max_guests", "guide"),
    ("Brewhouse tour", "Saturday", "13:00", "60", "15", "20", "Dev Malhotra"),
    ("Brewhouse tour", "Friday", "17:30", "60", "15", "20", "Amira Haddad"),
    ("Tour and tasting", "Saturday", "15:00", "90", "25", "16", "Ruth Calder"),
    ("Hop growers' walk", "Sunday", "10:30", "120", "30", "12", "Joe Finch"),
    ("Meet the brewer", "Thursday", "18:30", "45", "20", "10", "Ruth Calder"),
]

BEERS = {
    "Core range": [
        ("beer", "style", "abv_pct", "ibu", "pint_price_gbp"),
        ("Skylark Pale", "Pale ale", 4.2, 35, 4.60),
        ("Hollow Oak", "Best bitter", 3.9, 30, 4.40),
        ("Night Heron", "Stout", 5.6, 40, 5.20),
        ("Kestrel IPA", "West coast IPA", 6.5, 65, 5.80),
        ("Millrace Lager", "Helles", 4.5, 20, 5.00),
    ],
    "Seasonal": [
        ("beer", "style", "abv_pct", "season"),
        ("Ember Porter", "Smoked porter", 6.0, "Winter"),
        ("Wildflower Saison", "Saison", 5.2, "Summer"),
        ("Harvest Red", "Red ale", 4.8, "Autumn"),
        ("Old Ledger", "Barley wine", 9.5, "Winter"),
    ],
}

STOCKISTS = [
    {"stockist": "The Drovers Arms", "town": "Kelby", "type": "pub", "since": 2019, "account_manager": "Amira Haddad"},
    {
        "stockist": "Bottle & Barrel",
        "town": "Harrowgate",
        "type": "bottle shop",
        "since": 2021,
        "account_manager": "Joe Finch",
    },
    {
        "stockist": "The Lamplighter",
        "town": "Harrowgate",
        "type": "pub",
        "since": 2022,
        "account_manager": "Amira Haddad",
    },
    {
        "stockist": "Fenwick Farm Shop",
        "town": "Stoneley",
        "type": "farm shop",
        "since": 2024,
        "account_manager": "Joe Finch",
    },
]

BATCHES = (
    "brew_log",
    "batch_no TEXT, beer TEXT, brewed_on TEXT, fermenter TEXT, volume_hl REAL, original_gravity REAL",
    [
        ("B-2611", "Skylark Pale", "2026-08-04", "FV2", 20.0, 1.042),
        ("B-2612", "Night Heron", "2026-08-06", "FV3", 15.0, 1.058),
        ("B-2613", "Kestrel IPA", "2026-08-11", "FV1", 20.0, 1.064),
        ("B-2614", "Millrace Lager", "2026-08-13", "FV4", 25.0, 1.046),
        ("B-2615", "Old Ledger", "2026-08-20", "FV5", 10.0, 1.095),
        ("B-2616", "Hollow Oak", "2026-08-25", "FV2", 20.0, 1.040),
    ],
)

FILES = {
    "team-handbook.md": HANDBOOK,
    "taproom-faq.html": FAQ,
    "production-meeting.txt": NOTES,
    "service-and-hygiene-policy.pdf": POLICY,
    "malt-supply-agreement.docx": AGREEMENT,
    "tours.csv": TOURS,
    "beer-list.xlsx": BEERS,
    "stockists.json": STOCKISTS,
    "brew-log.sqlite": BATCHES,
}
