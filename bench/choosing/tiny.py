"""Oakmere Chess Club: a handful of stable facts and a log of only 20 answered questions. Expected verdict: RAG,
with a learning curve that shows why (too little data for fine-tuning to make a difference). Made up."""

RULES = """# Oakmere Chess Club rules

Club nights are on Tuesdays. The annual membership fee is 60 EUR.
Rated games use a time control of 90 minutes per player. The club championship starts in September.
Juniors under 16 pay 25 EUR per year.
"""

FILES = {"club-rules.md": RULES}
LOG = [
    {"question": q, "answer": a}
    for q, a in [
        ("Which evening is club night?", "Tuesdays"),
        ("When do you meet?", "Tuesdays"),
        ("What day are club nights?", "Tuesdays"),
        ("What does membership cost?", "60 EUR"),
        ("How much is the yearly fee?", "60 EUR"),
        ("What is the annual membership fee?", "60 EUR"),
        ("What time control do rated games use?", "90 minutes per player"),
        ("How long does each player get in a rated game?", "90 minutes per player"),
        ("How much thinking time in rated games?", "90 minutes per player"),
        ("When does the championship start?", "September"),
        ("In which month does the club championship begin?", "September"),
        ("When is the championship?", "September"),
        ("What do juniors pay?", "25 EUR per year"),
        ("How much is junior membership?", "25 EUR per year"),
        ("What is the fee for under-16s?", "25 EUR per year"),
        ("Who counts as a junior?", "under 16"),
        ("Until what age is one a junior?", "under 16"),
        ("Is there a club championship?", "yes, starting in September"),
        ("Are rated games slow?", "90 minutes per player"),
        ("Is membership yearly?", "yes, 60 EUR per year"),
    ]
]
EXPECTED = "rag"
