"""The Lanterne Arts Centre: an invented community theatre and arts centre in Galway (a second TEST organisation,
written in the twenty-second session after the code of that session was final, and run once on it; nothing fitted
or trained may read it). Every fact here is made up."""

HANDBOOK = """# Lanterne Arts Centre: staff and volunteer handbook

The Lanterne Arts Centre is a community theatre and arts centre on Dominick Street in Galway. It has a 240-seat main
auditorium, a 60-seat studio theatre, two rehearsal rooms and a gallery.

## Front of house

Ushers arrive 45 minutes before the curtain goes up. The house opens 30 minutes before each performance.
Latecomers are seated at a suitable break in the performance.
Volunteer ushers may watch the performance they usher for free from a seat held at the back of the auditorium.

## Volunteer shifts and perks

Volunteers sign up for shifts through the volunteer rota app at least one week ahead.
After ten shifts a volunteer receives two complimentary tickets for any in-house production.
Volunteers get 20 percent off in the café.

## Pay

Staff are paid monthly, on the last working day of the month.
Technicians working a get-out after midnight are paid time and a half for the hours after midnight.

## Leave

Full-time staff have 25 days of annual leave plus public holidays.
Annual leave cannot be taken during the Christmas panto run without the director's approval.

## Keys and alarms

The stage door is the only entrance after 19:00. The last person out sets the alarm; the code changes on the first
Monday of each month.
"""

FAQ = """<!doctype html><html><head><title>Visiting us - Lanterne Arts Centre</title></head><body>
<header><a href="/">Lanterne</a> <a href="/whats-on">What's on</a> <a href="/tickets">Tickets</a> <a href="/visit">Visit</a></header>
<main>
<h1>Visiting the Lanterne</h1>
<h2>When is the box office open?</h2>
<p>The box office is open Tuesday to Saturday from 12:00 to 18:00, and until the start of the show on performance
evenings. You can also book by phone on 091 555 7710.</p>
<h2>Do you offer concessions?</h2>
<p>Students, people over 65 and jobseekers pay 12 euros for any seat at weekday performances. Under-16s pay half
price.</p>
<h2>Can I exchange my tickets?</h2>
<p>Tickets can be exchanged for another performance of the same show up to 24 hours before the performance, for a
fee of 2 euros per ticket. We do not give refunds unless a performance is cancelled.</p>
<h2>Is the building accessible?</h2>
<p>There is step-free access through the Dominick Street entrance, and the main auditorium has six wheelchair
spaces. A hearing loop is fitted in the main auditorium only.</p>
<h2>Where can I park?</h2>
<p>We have no car park of our own. The nearest car park is the Jury's car park on Bridge Street, two minutes'
walk away.</p>
<h2>Can I bring food into the auditorium?</h2>
<p>Drinks from the café bar may be taken into the auditorium in plastic cups. Hot food is not allowed.</p>
</main>
<footer>Lanterne Arts Centre CLG · Registered charity · Privacy</footer>
</body></html>
"""

NOTES = """Board meeting, 18 November 2026

Siobhán Keane, the chair of the board, chaired the meeting.
Ticket sales for the autumn season reached 14,200, against a target of 13,000.
The main auditorium seats will be replaced between 6 January and 2 February 2027; shows in that period move to the
studio theatre.
The Arts Council has awarded the centre a grant of 85,000 euros for 2027.
The board approved a new youth theatre programme for 13 to 18 year olds, starting in March 2027.
The next board meeting is on 20 January 2027.
"""

POLICY = [
    "Safeguarding policy. Every staff member and volunteer who works with under-18s is Garda vetted before their "
    "first session, and vetting is renewed every three years. Children's workshops always have at least two adults "
    "present. The designated safeguarding officer is Declan Moran.",
    "Access and inclusion policy. Every production has at least one captioned performance and one relaxed "
    "performance. Large-print programmes are available at the box office on request. Assistance dogs are welcome in "
    "every part of the building. A companion of a wheelchair user gets a free ticket.",
]

CONTRACT = [
    ("Title", "Café concession agreement between the Lanterne Arts Centre and Wildthyme Catering Ltd"),
    ("Heading 1", "The concession"),
    (None, "Wildthyme Catering runs the café bar and provides interval drinks on every performance evening."),
    (
        None,
        "The café opens from 10:00 to 17:00 on weekdays and stays open until the end of the interval on show nights.",
    ),
    ("Heading 1", "Payments"),
    (
        None,
        "Wildthyme Catering pays the centre a fee of 1,500 euros a month plus 8 percent of bar takings on show nights.",
    ),
    ("Heading 1", "Term"),
    (None, "The agreement runs from 1 September 2026 to 31 August 2029."),
    (None, "Wildthyme Catering may end it with six months' written notice."),
]

TEAM = [
    ("name", "role", "department", "extension", "email"),
    ("Aoife Brennan", "Artistic director", "Programming", "201", "aoife.brennan@lanterne.ie"),
    ("Ciarán Walsh", "Technical manager", "Production", "214", "ciaran.walsh@lanterne.ie"),
    ("Nuala Daly", "Box office manager", "Front of house", "220", "nuala.daly@lanterne.ie"),
    ("Rory Tierney", "Volunteer coordinator", "Front of house", "223", "rory.tierney@lanterne.ie"),
    ("Maeve Quinn", "Learning officer", "Learning", "231", "maeve.quinn@lanterne.ie"),
]

HIRE = {
    "Room hire": [
        ("space", "hourly_rate_eur", "capacity", "minimum_hours"),
        ("Main auditorium", 180, 240, 4),
        ("Studio theatre", 75, 60, 2),
        ("Rehearsal room A", 30, 25, 2),
        ("Rehearsal room B", 25, 15, 2),
        ("Gallery", 40, 80, 3),
    ],
    "Equipment": [
        ("item", "price_per_day_eur"),
        ("Projector and screen", 60),
        ("Radio microphone", 15),
        ("Upright piano", 50),
    ],
}

COURSES = [
    {"course": "Adult acting for beginners", "tutor": "Gráinne Fahy", "day": "Monday", "weeks": 8, "fee_eur": 140},
    {"course": "Stage lighting basics", "tutor": "Ciarán Walsh", "day": "Wednesday", "weeks": 4, "fee_eur": 90},
    {"course": "Life drawing", "tutor": "Tomás Ó Briain", "day": "Thursday", "weeks": 10, "fee_eur": 160},
    {"course": "Youth theatre taster", "tutor": "Maeve Quinn", "day": "Saturday", "weeks": 6, "fee_eur": 60},
]

PRODUCTIONS = (
    "productions",
    "title TEXT, company TEXT, venue TEXT, opening_night TEXT, performances INTEGER, ticket_price_eur INTEGER",
    [
        ("The Salt Road", "Lanterne Players", "Main auditorium", "2026-09-17", 12, 24),
        ("Bread and Roses", "Corrib Theatre Company", "Studio theatre", "2026-10-08", 6, 18),
        ("Cinderella", "Lanterne Players", "Main auditorium", "2026-12-05", 28, 20),
        ("Night Ferry", "Claddagh Dance Collective", "Main auditorium", "2027-02-25", 4, 22),
    ],
)

FILES = {
    "staff-handbook.md": HANDBOOK,
    "visiting.html": FAQ,
    "board-meeting.txt": NOTES,
    "safeguarding-and-access.pdf": POLICY,
    "cafe-agreement.docx": CONTRACT,
    "team.csv": TEAM,
    "hire-rates-2027.xlsx": HIRE,
    "courses.json": COURSES,
    "productions.sqlite": PRODUCTIONS,
}
