"""Spokewise Cycles: a bicycle workshop whose facts are stable and whose support desk answers in a fixed house
style. Expected verdict: fine-tuning + RAG (it wins on phrasing at the same knowledge). Every fact is made up."""

HANDBOOK = """# Spokewise Cycles workshop handbook

Spokewise Cycles repairs and services bicycles in its workshop on Kanalgata.

## Opening hours

The workshop opens at 08:30 on weekdays. On Saturdays the counter closes at 14:00.

## Services

A ride-ready check takes 2 working days. A wheel truing costs 25 EUR.
A hydraulic brake bleed costs 40 EUR per brake. The e-bike diagnostic takes 45 minutes.

## Guarantees

The frame guarantee is 10 years. Work done in the workshop is guaranteed for 6 months.
Loan bikes are free for customers whose repair takes longer than 3 days.
"""

FAQ = """<!doctype html><html><head><title>Spokewise Cycles - questions</title></head><body><main>
<h1>Questions we hear a lot</h1>
<h2>Can I store my bike over winter?</h2><p>Winter storage costs 90 EUR for the season, from November to March.</p>
<h2>Do you collect bikes?</h2><p>Pick-up within the city ring costs 15 EUR each way.</p>
<h2>Do you fit child seats?</h2><p>Fitting a child seat takes 30 minutes and costs 20 EUR.</p>
</main></body></html>
"""

SERVICES = [
    ("service", "price_eur", "duration_hours"),
    ("Chain replacement", "35", "1"),
    ("Gear tune", "30", "1"),
    ("Puncture repair", "12", "0.5"),
    ("Tubeless set-up", "45", "1.5"),
    ("Suspension fork service", "120", "3"),
    ("Headset overhaul", "40", "1"),
]

FILES = {"workshop-handbook.md": HANDBOOK, "faq.html": FAQ, "services.csv": SERVICES}

OPEN, CLOSE = "Thanks for asking!", "Anything else? The service desk is happy to help."
FACTS = [  # (three ways customers asked, the fact in the house's words)
    (
        (
            "When do you open on weekdays?",
            "What time does the workshop open Monday to Friday?",
            "How early can I drop my bike off on a weekday?",
        ),
        "Our workshop opens its doors at 08:30 on weekdays.",
    ),
    (
        (
            "When does the counter close on Saturday?",
            "Until what time are you open on Saturdays?",
            "Can I come in on a Saturday afternoon?",
        ),
        "On Saturdays our counter closes at 14:00.",
    ),
    (
        (
            "How long does a ride-ready check take?",
            "How many days is my bike away for a ride-ready check?",
            "When will my ride-ready check be done?",
        ),
        "Your ride-ready check takes 2 working days in our workshop.",
    ),
    (
        ("What does a wheel truing cost?", "How much is it to true a wheel?", "Price for wheel truing?"),
        "Truing your wheel costs 25 EUR in our workshop.",
    ),
    (
        ("How much is a brake bleed?", "What do you charge to bleed hydraulic brakes?", "Cost of a brake bleed?"),
        "A hydraulic brake bleed costs 40 EUR per brake in our workshop.",
    ),
    (
        (
            "How long is the e-bike diagnostic?",
            "How much time does an e-bike diagnostic need?",
            "Is the e-bike diagnostic quick?",
        ),
        "Your e-bike diagnostic takes 45 minutes in our workshop.",
    ),
    (
        (
            "How long is the frame guarantee?",
            "For how many years is the frame guaranteed?",
            "What guarantee comes with the frame?",
        ),
        "Your frame is covered by our guarantee for 10 years.",
    ),
    (
        (
            "How long is workshop work guaranteed?",
            "What guarantee do repairs have?",
            "If a repair fails, how long am I covered?",
        ),
        "Work done in our workshop is covered by our guarantee for 6 months.",
    ),
    (
        ("When do I get a loan bike?", "Is a loan bike free?", "Can I borrow a bike while mine is repaired?"),
        "A loan bike is free when your repair takes longer than 3 days.",
    ),
    (
        ("What does winter storage cost?", "How much to store my bike for the winter?", "Price of winter storage?"),
        "Winter storage of your bike costs 90 EUR for the season.",
    ),
    (
        ("Do you pick up bikes?", "What does collection cost?", "How much is pick-up in the city?"),
        "Pick-up of your bike within the city ring costs 15 EUR each way.",
    ),
    (
        ("How much is fitting a child seat?", "What do you charge to mount a child seat?", "Child seat fitting price?"),
        "Fitting your child seat costs 20 EUR in our workshop.",
    ),
    (
        ("What does a chain replacement cost?", "How much for a new chain?", "Price to replace my chain?"),
        "A chain replacement costs 35 EUR in our workshop.",
    ),
    (
        ("How much is a gear tune?", "What do you charge for tuning gears?", "Gear tune price?"),
        "A gear tune costs 30 EUR in our workshop.",
    ),
    (
        ("What does a puncture repair cost?", "How much to fix a flat?", "Price of a puncture repair?"),
        "A puncture repair costs 12 EUR in our workshop.",
    ),
    (
        ("How much is a tubeless set-up?", "What do you charge to set up tubeless?", "Tubeless conversion price?"),
        "A tubeless set-up costs 45 EUR in our workshop.",
    ),
    (
        ("What does a suspension fork service cost?", "How much to service my fork?", "Fork service price?"),
        "A suspension fork service costs 120 EUR in our workshop.",
    ),
    (
        ("How much is a headset overhaul?", "What do you charge for a headset overhaul?", "Headset service price?"),
        "A headset overhaul costs 40 EUR in our workshop.",
    ),
]
LOG = [{"question": q, "answer": f"{OPEN} {a} {CLOSE}"} for asked, a in FACTS for q in asked]
EXPECTED = "ft+rag"
