"""Larchmont Family Clinic: an invented GP practice (dev part). Every fact here is made up."""

HANDBOOK = """# Larchmont Family Clinic staff handbook

Larchmont Family Clinic is a GP practice with a main surgery on Church Street and a branch at Northgate.

## Opening hours

The main surgery is open from 08:00 to 18:30 on weekdays and from 09:00 to 13:00 on Saturdays. It is closed on Sundays.
The Northgate branch opens on weekdays only, from 08:30 to 17:00.

## Leave

Full-time staff get 28 days of annual leave, including bank holidays.
Up to 3 unused days may be carried over into the next leave year, which starts on 1 April.

## On-call duty

Each GP is on call one weekend in six. The on-call allowance is £180 per weekend.

## Training

Every practice nurse gets 4 paid study days a year. The continuing professional development budget for each GP is £1,200 a year.

## Parking

Staff park in the rear car park on Mill Lane. Parking permits are issued by the practice manager.
"""

FAQ = """<!doctype html><html><head><title>Patient questions - Larchmont Family Clinic</title></head><body>
<nav><a href="/">Home</a> | <a href="/book">Book</a> | <a href="/contact">Contact</a></nav>
<main>
<h1>Patient questions</h1>
<h2>How do I book an appointment?</h2>
<p>Book online through the patient portal, or call the appointments line on 01632 960418 from 08:00.</p>
<h2>How long does a repeat prescription take?</h2>
<p>Repeat prescriptions are ready to collect two working days after you order them.</p>
<h2>When can I get my test results?</h2>
<p>Most blood test results arrive within five working days. Please call for results after 14:00.</p>
<h2>Can a doctor visit me at home?</h2>
<p>Home visits are for patients who are housebound. Requests for a same-day visit must reach us before 10:30.</p>
<h2>What happens if I miss appointments?</h2>
<p>Patients who miss three appointments within twelve months receive a warning letter.</p>
<h2>Who can register?</h2>
<p>We register patients who live within the practice boundary, postcodes LM1 to LM4.</p>
<h2>What if I need a doctor when you are closed?</h2>
<p>Call NHS 111 when the clinic is closed.</p>
</main>
<footer>Larchmont Family Clinic · Privacy notice · Accessibility</footer>
</body></html>
"""

NOTES = """Practice meeting notes, 14 October 2026

Dr Priya Nair chaired the meeting.
The flu clinic runs on Saturday mornings in October, from 09:00 to 12:00, at the main surgery.
The new phlebotomy room at Northgate opens on 2 November 2026.
The waiting room refurbishment will cost £14,500 and is paid for by the integrated care board grant.
From January, the practice will send appointment reminders by text message two days before each appointment.
The next practice meeting is on 11 November 2026.
"""

POLICY = [
    "Infection prevention and control policy. Hand hygiene audits are carried out every month by the lead nurse. "
    "Sharps bins must be closed when they are three-quarters full. Medisafe Waste Ltd collects clinical waste every "
    "Tuesday. A needlestick injury must be reported to the duty manager within one hour.",
    "Travel vaccination policy. Yellow fever vaccine is given only at the Northgate branch, which is a registered "
    "yellow fever vaccination centre. Private patients pay £45 for the typhoid vaccine. Travel appointments must "
    "be booked at least six weeks before departure.",
]

AGREEMENT = [
    ("Title", "Cleaning services agreement between Larchmont Family Clinic and Brightwell Cleaning Services"),
    ("Heading 1", "Services"),
    (None, "The contractor cleans both surgeries every weekday evening after 19:00."),
    (None, "The treatment rooms receive a deep clean once every quarter."),
    ("Heading 1", "Fees and payment"),
    (None, "The monthly fee is £2,350. The clinic pays each invoice within 30 days of receipt."),
    ("Heading 1", "Term"),
    (None, "The agreement starts on 1 April 2025 and runs until 31 March 2028."),
    (None, "Either party may end it with 90 days' written notice."),
]

STAFF = [
    ("name", "role", "site", "room", "phone_ext", "joined_year"),
    ("Dr Priya Nair", "GP partner", "Church Street", "3", "201", "2012"),
    ("Dr Tom Ellery", "GP", "Church Street", "4", "202", "2019"),
    ("Dr Hannah Osei", "GP", "Northgate", "1", "301", "2021"),
    ("Grace Whitfield", "Practice nurse", "Church Street", "7", "207", "2016"),
    ("Samuel Okafor", "Lead nurse", "Church Street", "8", "208", "2010"),
    ("Lena Marsh", "Healthcare assistant", "Northgate", "2", "302", "2023"),
    ("Owen Pryce", "Practice manager", "Church Street", "10", "210", "2015"),
]

PRICES = {
    "Private services": [
        ("service", "price_gbp", "turnaround_days"),
        ("HGV driving medical", 120, 3),
        ("Pre-employment medical", 150, 5),
        ("Private blood test", 60, 4),
        ("Private ECG", 85, 2),
        ("Ear wax microsuction", 70, 0),
    ],
    "Letters": [
        ("letter", "price_gbp"),
        ("Fitness to fly letter", 40),
        ("Insurance claim form", 30),
        ("Firearms licence report", 95),
    ],
}

EQUIPMENT = [
    {"item": "Defibrillator", "location": "Reception", "last_serviced": "2026-03-12", "serviced_by": "CardioCare"},
    {"item": "Autoclave", "location": "Treatment room 2", "last_serviced": "2026-06-30", "serviced_by": "SteriTech"},
    {"item": "Spirometer", "location": "Nurse room 7", "last_serviced": "2026-01-18", "serviced_by": "BreathWell"},
    {
        "item": "Vaccine fridge A",
        "location": "Pharmacy store",
        "last_serviced": "2026-08-05",
        "serviced_by": "ColdSafe",
    },
]

VACCINES = (
    "vaccine_stock",
    "vaccine TEXT, doses_in_stock INTEGER, reorder_level INTEGER, supplier TEXT, fridge TEXT",
    [
        ("Influenza adult", 420, 100, "Seqirus", "A"),
        ("Pneumococcal", 65, 20, "MSD", "A"),
        ("Shingles", 38, 15, "GSK", "B"),
        ("Hepatitis A", 24, 10, "GSK", "B"),
        ("Typhoid", 18, 10, "Sanofi", "B"),
        ("MMR", 30, 12, "MSD", "A"),
    ],
)

FILES = {
    "staff-handbook.md": HANDBOOK,
    "patient-faq.html": FAQ,
    "meeting-notes.txt": NOTES,
    "infection-and-travel-policy.pdf": POLICY,
    "cleaning-agreement.docx": AGREEMENT,
    "staff.csv": STAFF,
    "private-fees.xlsx": PRICES,
    "equipment.json": EQUIPMENT,
    "vaccines.sqlite": VACCINES,
}
