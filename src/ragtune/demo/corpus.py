"""The demo's sample corpus: an invented company, Alderbrook Outfitters, in every supported format."""

from __future__ import annotations

import csv
from pathlib import Path

from ragtune.samples import write_docx, write_pdf, write_sqlite, write_xlsx

HANDBOOK = """# Alderbrook Outfitters employee handbook

Alderbrook Outfitters sells outdoor gear from six stores in Norway and Scotland and online.

## Working hours

The standard working week is 37.5 hours. Core hours are 10:00 to 15:00; outside them, staff plan their own time.

## Leave

### Annual leave

Every employee gets 27 days of paid annual leave per calendar year.
Up to 5 unused days may be carried over to the next year.

### Sick leave

Employees report sickness to their manager before 09:00 on the first day.
A doctor's note is needed after 4 consecutive days.

## Expenses

Travel is booked through the travel desk. Meals on business trips are reimbursed up to 45 EUR per day with receipts.
"""

PRODUCTS = [
    ("sku", "name", "category", "weight_kg", "warranty_years"),
    ("AO-100", "Trailblazer 2 tent", "tents", "2.1", "5"),
    ("AO-110", "Fjellheim 4 tent", "tents", "4.8", "5"),
    ("AO-200", "Summit 45 backpack", "backpacks", "1.4", "3"),
    ("AO-210", "Ridge 28 daypack", "backpacks", "0.8", "2"),
    ("AO-300", "Polar down sleeping bag", "sleeping", "1.2", "10"),
    ("AO-400", "Stormline rain jacket", "clothing", "0.4", "2"),
]

PRICES = {
    "Retail": [
        ("sku", "name", "price_eur"),
        ("AO-100", "Trailblazer 2 tent", 349),
        ("AO-110", "Fjellheim 4 tent", 529),
        ("AO-200", "Summit 45 backpack", 189),
        ("AO-300", "Polar down sleeping bag", 279),
    ],
    "Wholesale": [
        ("sku", "name", "price_eur", "min_quantity"),
        ("AO-100", "Trailblazer 2 tent", 231, 10),
        ("AO-200", "Summit 45 backpack", 118, 20),
        ("AO-300", "Polar down sleeping bag", 175, 10),
    ],
}

RETURNS_POLICY = [
    "Alderbrook Outfitters returns policy. Customers may return unused items within 45 days of purchase for a "
    "full refund. Items must be returned with the original receipt or order number.",
    "Used items with a manufacturing defect are repaired or replaced under warranty. Refunds are paid to the "
    "original payment method within 14 days of receiving the returned item.",
]

CONTRACT = [
    ("Title", "Supplier agreement between Alderbrook Outfitters and Nordtex Fabrics"),
    ("Heading 1", "Scope"),
    (None, "Nordtex Fabrics supplies waterproof fabric for the Stormline rain jacket and the Trailblazer tents."),
    ("Heading 1", "Payment"),
    (
        None,
        "Alderbrook Outfitters pays each invoice within 60 days of delivery. Late payments carry 2 percent "
        "interest per month.",
    ),
    ("Heading 1", "Term and termination"),
    (None, "The agreement runs for three years from 1 March 2025. Either party may end it with 6 months notice."),
]

STORES = [
    (1, "Bergen", "Ingrid Solheim", 2011),
    (2, "Oslo", "Magnus Berg", 2014),
    (3, "Tromsø", "Sara Nilsen", 2018),
    (4, "Edinburgh", "Fiona MacLeod", 2020),
    (5, "Inverness", "Callum Fraser", 2022),
    (6, "Trondheim", "Erik Lund", 2024),
]

FAQ = """<!doctype html><html><head><title>Alderbrook Outfitters FAQ</title></head><body>
<nav><a href="/">Home</a> | <a href="/shop">Shop</a> | <a href="/stores">Stores</a> | <a href="/login">Log in</a></nav>
<main><article>
<h1>Frequently asked questions</h1>
<h2>Do you ship to Iceland?</h2>
<p>Yes. We ship to Iceland, the Faroe Islands and all EU countries. Delivery to Iceland takes 5 to 8 working days.</p>
<h2>How much does shipping cost?</h2>
<p>Shipping is free for orders over 100 EUR. Smaller orders pay a flat shipping fee of 9 EUR.</p>
<h2>Can I rent a tent?</h2>
<p>The Bergen and Edinburgh stores rent out tents for 25 EUR per weekend.</p>
</article></main>
<footer>© 2026 Alderbrook Outfitters · Privacy · Cookies · Careers</footer>
</body></html>
"""

# (question, accepted answers, gold source file); no answers: not in the corpus, the right reply is to abstain
EVAL = [
    ("How many days of paid annual leave do employees get?", ["27", "27 days"], "handbook.md"),
    ("What is the warranty on the Polar down sleeping bag?", ["10", "10 years"], "products.csv"),
    ("What is the wholesale price of the Summit 45 backpack?", ["118", "118 EUR"], "price-list.xlsx"),
    ("Within how many days can customers return unused items?", ["45", "45 days"], "returns-policy.pdf"),
    ("Within how many days does Alderbrook pay supplier invoices?", ["60", "60 days"], "supplier-agreement.docx"),
    ("Who manages the Bergen store?", ["Ingrid Solheim"], "stores.sqlite"),
    ("What is the manager of Tromsø?", ["Sara Nilsen"], "stores.sqlite"),
    ("What is the price eur of Fjellheim 4 tent?", ["529", "529 EUR"], "price-list.xlsx"),
    ("How long does delivery to Iceland take?", ["5 to 8 working days"], "faq.html"),
    ("Which product has the longest warranty?", ["Polar down sleeping bag"], "products.csv"),
    ("How many stores opened after 2015?", ["4"], "stores.sqlite"),
    ("What is the boiling point of mercury?", [], None),
]

# Questions the support team already answered (three wordings of each fact; never the wording of EVAL): the
# demo fine-tunes on this log, so its ft arm is tested on new wordings of facts it was trained on.
SUPPORT_LOG = [
    ("How much paid holiday does a member of staff get each year?", "27 days"),
    ("How many annual leave days do we have per year?", "27 days"),
    ("What is our yearly paid vacation allowance?", "27 days"),
    ("How long is the Polar down sleeping bag guaranteed for?", "10 years"),
    ("How many years of warranty come with the Polar sleeping bag?", "10 years"),
    ("What warranty period does the Polar down bag have?", "10 years"),
    ("What do retailers pay for the Summit 45 backpack?", "118 EUR"),
    ("What is the trade price of a Summit 45?", "118 EUR"),
    ("How much is the Summit 45 backpack at wholesale?", "118 EUR"),
    ("How many days do customers have to send back an unused item?", "45 days"),
    ("What is the return window for unused gear?", "45 days"),
    ("How long can a customer wait before returning something unused?", "45 days"),
    ("How many days do we have to pay a supplier invoice?", "60 days"),
    ("What are our payment terms with suppliers?", "60 days"),
    ("How soon must Alderbrook settle an invoice from Nordtex?", "60 days"),
    ("Who is the manager of our Bergen shop?", "Ingrid Solheim"),
    ("Who runs the Bergen store?", "Ingrid Solheim"),
    ("Who is in charge of the store in Bergen?", "Ingrid Solheim"),
    ("Who runs the Tromsø store?", "Sara Nilsen"),
    ("Who is the store manager in Tromsø?", "Sara Nilsen"),
    ("Who is in charge of the Tromsø shop?", "Sara Nilsen"),
    ("What does the Fjellheim 4 tent cost in our shops?", "529 EUR"),
    ("How much is a Fjellheim 4 tent at retail?", "529 EUR"),
    ("What is the retail price of the Fjellheim 4?", "529 EUR"),
    ("How many days does shipping to Iceland take?", "5 to 8 working days"),
    ("When will an order to Iceland arrive?", "5 to 8 working days"),
    ("What is the delivery time for Iceland?", "5 to 8 working days"),
    ("Which of our products has the longest guarantee?", "Polar down sleeping bag"),
    ("What item comes with the most years of warranty?", "Polar down sleeping bag"),
    ("Which product is guaranteed the longest?", "Polar down sleeping bag"),
    ("How many of our stores have opened since 2016?", "4"),
    ("How many shops did we open after 2015?", "4"),
    ("How many stores are newer than 2015?", "4"),
    ("How much is the flat shipping fee?", "9 EUR"),
    ("What does shipping cost on a small order?", "9 EUR"),
    ("What do customers pay for delivery under 100 EUR?", "9 EUR"),
    ("How much does it cost to rent a tent?", "25 EUR per weekend"),
    ("What is the price of a tent rental?", "25 EUR per weekend"),
    ("What do the Bergen and Edinburgh stores charge for a tent?", "25 EUR per weekend"),
    ("Who manages the Oslo store?", "Magnus Berg"),
    ("Who runs our Oslo shop?", "Magnus Berg"),
    ("Who is the store manager in Oslo?", "Magnus Berg"),
]

QUESTIONS = [
    "How many days of paid annual leave do employees get?",
    "What is the warranty on the Polar down sleeping bag?",
    "What is the wholesale price of the Summit 45 backpack?",
    "Within how many days can customers return unused items?",
    "Within how many days does Alderbrook pay supplier invoices?",
    "Who manages the Bergen store?",
    "How long does delivery to Iceland take?",
    "Which product has the longest warranty?",
    "How many stores opened after 2015?",
    "What is the boiling point of mercury?",
]


# A conversation: a follow-up that only makes sense after the first question, then a near miss (a supplier the
# documents do not name: the payment term they give is Nordtex's). (question, accepted answers; none: abstain)
CONVERSATION = [
    ("Who manages the Bergen store?", ["Ingrid Solheim"]),
    ("And the one in Oslo?", ["Magnus Berg"]),
    ("Within how many days does Alderbrook pay invoices from Polartex?", []),
]


def build(folder: Path) -> Path:
    """Write the corpus into `folder` (overwriting) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "handbook.md").write_text(HANDBOOK)
    with (folder / "products.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows(PRODUCTS)
    write_xlsx(folder / "price-list.xlsx", PRICES)
    write_pdf(folder / "returns-policy.pdf", RETURNS_POLICY, "Returns policy")
    write_docx(folder / "supplier-agreement.docx", CONTRACT)
    columns = "store_id INTEGER PRIMARY KEY, city TEXT, manager TEXT, opened INTEGER"
    write_sqlite(folder / "stores.sqlite", "stores", columns, STORES)
    (folder / "faq.html").write_text(FAQ)
    return folder
