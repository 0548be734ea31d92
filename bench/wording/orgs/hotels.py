"""Brackenfield Hotels: an invented group of three Scottish hotels (the TEST part from the tenth session on: run only
when a change is final; nothing fitted or trained may read it). Every fact here is made up."""

HANDBOOK = """# Brackenfield Hotels staff handbook

Brackenfield Hotels runs three hotels in the Scottish Highlands: in Aviemore, Pitlochry and Ullapool.

## Shifts

Morning shifts run from 06:30 to 15:00 and evening shifts from 14:30 to 23:00.
Night porters work from 22:30 to 07:00, four nights on and four nights off.

## Pay and tips

Tips left on card payments are shared equally among all staff on shift and paid with the monthly salary.
Staff who work on Christmas Day are paid double time.

## Meals and discounts

Staff get one free meal per shift in the staff canteen.
Staff and their families get 30 percent off room rates, subject to availability.

## Uniform

Uniforms are provided and laundered by the hotel. Staff supply their own black shoes.

## Holidays

Full-time staff receive 31 days of paid holiday a year, which includes public holidays.
No holiday may be taken in August without the general manager's approval.
"""

FAQ = """<!doctype html><html><head><title>Guest questions - Brackenfield Hotels</title></head><body>
<nav><a href="/">Home</a> | <a href="/rooms">Rooms</a> | <a href="/offers">Offers</a> | <a href="/contact">Contact</a></nav>
<main>
<h1>Guest questions</h1>
<h2>When can I check in?</h2>
<p>Rooms are ready from 15:00. Check-out is by 11:00; a late check-out until 13:00 costs 25 pounds.</p>
<h2>Is breakfast included?</h2>
<p>A full Scottish breakfast is included in every room rate and served from 07:00 to 10:00.</p>
<h2>Can I bring my dog?</h2>
<p>Dogs are welcome in our ground-floor dog-friendly rooms for a fee of 15 pounds per night. Dogs are not allowed in
the restaurant.</p>
<h2>Is there parking?</h2>
<p>Parking is free for guests at Aviemore and Pitlochry. In Ullapool, guests park in the village car park.</p>
<h2>What is your cancellation policy?</h2>
<p>Bookings can be cancelled free of charge up to 48 hours before arrival. Later cancellations are charged the first
night.</p>
<h2>How do I get the Wi-Fi password?</h2>
<p>The Wi-Fi password is printed on your key card wallet.</p>
</main>
<footer>Brackenfield Hotels Ltd · Terms · Privacy · Cookie settings</footer>
</body></html>
"""

NOTES = """Management meeting, 9 November 2026

Callum Fraser, the operations director, chaired the meeting.
Occupancy across the group was 81 percent in October, up from 74 percent a year earlier.
The spa at the Aviemore hotel will close for refurbishment from 5 January to 20 February 2027.
Six electric vehicle chargers will be installed at Pitlochry in the spring.
The Ullapool hotel won the regional award for the best hotel breakfast.
The next management meeting is on 14 December 2026.
"""

POLICY = [
    "Fire safety policy. A fire drill is held in every hotel once a quarter, and the fire alarm is tested every "
    "Monday at 10:00. Every member of staff completes fire training within their first week. Fire doors must never "
    "be propped open.",
    "Food safety policy. Fridges are kept at or below 5 degrees Celsius and freezers at minus 18 degrees Celsius or "
    "colder. Fridge temperatures are checked and recorded twice a day. All kitchen staff complete allergen training "
    "every year. Hot food is held at 63 degrees Celsius or above.",
]

CONTRACT = [
    ("Title", "Laundry services agreement between Brackenfield Hotels and Lochside Linen Services Ltd"),
    ("Heading 1", "Services"),
    (None, "The contractor collects, washes and returns bed linen and towels for all three hotels."),
    (None, "Linen collected in the morning is returned within 24 hours."),
    ("Heading 1", "Charges"),
    (
        None,
        "Brackenfield Hotels pays 1.40 pounds per kilogram of laundry, invoiced monthly and payable within 30 days.",
    ),
    ("Heading 1", "Term"),
    (None, "The agreement started on 1 March 2025 and ends on 28 February 2028."),
    (None, "Brackenfield Hotels may end it early with three months' notice."),
]

HOTELS = [
    ("hotel", "town", "general_manager", "rooms", "phone"),
    ("Brackenfield Aviemore", "Aviemore", "Isla McLeod", "64", "01479 555 210"),
    ("Brackenfield Pitlochry", "Pitlochry", "Euan Grant", "42", "01796 555 330"),
    ("Brackenfield Ullapool", "Ullapool", "Morag Sinclair", "28", "01854 555 440"),
]

RATES = {
    "Room rates": [
        ("room", "price_per_night_gbp", "max_guests"),
        ("Standard double", 135, 2),
        ("Superior double", 165, 2),
        ("Family room", 195, 4),
        ("Loch view suite", 260, 3),
    ],
    "Extras": [
        ("extra", "price_gbp"),
        ("Three-course dinner", 42),
        ("Packed lunch", 12),
        ("Bike hire per day", 28),
    ],
}

EVENTS = [
    {"event": "Whisky tasting evening", "hotel": "Brackenfield Pitlochry", "date": "2027-01-22", "price_gbp": 45},
    {"event": "Burns Night supper", "hotel": "Brackenfield Aviemore", "date": "2027-01-25", "price_gbp": 65},
    {"event": "Seafood festival", "hotel": "Brackenfield Ullapool", "date": "2027-05-15", "price_gbp": 55},
    {"event": "Hogmanay ceilidh", "hotel": "Brackenfield Aviemore", "date": "2026-12-31", "price_gbp": 90},
]

ACCOUNTS = (
    "corporate_accounts",
    "company TEXT, city TEXT, account_manager TEXT, nights_per_year INTEGER, discount_percent INTEGER",
    [
        ("Cairngorm Surveys", "Inverness", "Rona Stewart", 220, 15),
        ("Tayside Engineering", "Dundee", "Neil Ross", 140, 10),
        ("Highland Film Office", "Fort William", "Rona Stewart", 95, 12),
        ("Moray Seafoods", "Elgin", "Kirsty Munro", 60, 8),
    ],
)

FILES = {
    "staff-handbook.md": HANDBOOK,
    "guest-faq.html": FAQ,
    "management-meeting.txt": NOTES,
    "fire-and-food-safety.pdf": POLICY,
    "laundry-agreement.docx": CONTRACT,
    "hotels.csv": HOTELS,
    "rates-2027.xlsx": RATES,
    "events.json": EVENTS,
    "accounts.sqlite": ACCOUNTS,
}
