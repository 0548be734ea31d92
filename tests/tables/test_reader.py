"""Table questions end to end on real tables: lookups, every aggregate form, joins, routing, text-to-SQL."""

from __future__ import annotations

import csv
import json

import pytest

from tests.conftest import make_workspace

FLEET = [
    ("Vehicle ID", "Model", "Fuel Type", "Range (km)", "Seats"),
    ("V-1", "Volta Van", "electric", 240, 3),
    ("V-2", "Harbour Bus", "diesel", 780, 40),
    ("V-3", "Kestrel Pickup", "diesel", 610, 5),
    ("V-4", "Kestrel Pickup Hybrid", "hybrid", 900, 5),
]
BOOKS = [
    {"title": "The Salt Road", "author": "Maren Holt", "qty_in_stock": 0},
    {"title": "Tidal Engines", "author": "Ruth Abara", "qty_in_stock": 7},
]


@pytest.fixture(scope="module")
def tables_ws(tmp_path_factory, corpus, embedder, llm):
    import shutil

    root = tmp_path_factory.mktemp("tables")
    folder = shutil.copytree(corpus, root / "corpus")
    with (folder / "fleet.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows(FLEET)
    (folder / "books.json").write_text(json.dumps(BOOKS))
    ws = make_workspace(root / "store", embedder, llm)
    assert ws.ingest([folder]).failed == 0
    return ws


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("What is the wholesale price of the Summit 45 backpack?", "118 EUR"),  # the field the question names
        ("What is the warranty on the Polar down sleeping bag?", "10 years"),
        ("Who manages the Bergen store?", "Ingrid Solheim"),
        ("When did the Oslo store open?", "2014"),
        ("What is the range of the Harbour Bus?", "780 km"),  # "Title Case (unit)"
        ("What fuel type does the Kestrel Pickup use?", "diesel"),  # not the longer "Kestrel Pickup Hybrid"
        ("Which city is the store managed by Callum Fraser in?", "Inverness"),
    ],
)
def test_lookups_answer_the_field_of_the_named_row(tables_ws, question, answer):
    found = tables_ws.table_reader.answer(question)
    assert (found.route, found.text) == ("records", answer)
    assert len(found.rows) == 1 and found.rows[0].locator.startswith(("row", "sheet", "table", "$"))


@pytest.mark.parametrize(
    ("question", "answer", "sql_has"),
    [
        ("How many stores are there?", "6", "COUNT"),
        ("How many vehicles run on diesel?", "2", "= 'diesel'"),
        ("How many stores opened before 2015?", "2", "< 2015"),
        ("How many products have a warranty of more than 3 years?", "3", "> 3"),
        ("What is the total number of seats in the fleet?", "53", "SUM"),
        ("What is the average range of the diesel vehicles?", "695 km", "AVG"),
        ("What is the highest wholesale price?", "231 EUR", "MAX"),
        ("Which product is the heaviest?", "Fjellheim 4 tent", "DESC"),
        ("Which store opened first?", "Bergen", "ASC"),
        ("What is the newest store in the chain?", "Trondheim", "DESC"),  # the noun after it names rows: a row
        ("How many seats are there in all the vehicles together?", "53", "SUM"),  # a column's noun: its sum
        ("What is the average retail price of the tents?", "439 EUR", "JOIN"),  # category lives in products.csv
    ],
)
def test_aggregates_run_as_sql(tables_ws, question, answer, sql_has):
    found = tables_ws.table_reader.answer(question)
    assert (found.route, found.text) == ("sql", answer)
    assert sql_has in found.sql and found.rows


@pytest.mark.parametrize(
    ("question", "route", "abstained"),
    [
        ("Who manages the Bergen store?", "records", False),
        ("Which product has the longest warranty?", "sql", False),
        ("How long does delivery to Iceland take?", "prose", False),
        ("What is the colour of the Summit 45 backpack?", "records", True),  # the row, but no such field
        ("Who manages the Stavanger store?", "prose", True),  # no such row, nothing relevant: never another row
        ("How many employees work at the Oslo store?", "records", True),
    ],
)
def test_routing(tables_ws, question, route, abstained):
    ans = tables_ws.ask(question)
    assert (ans.route, ans.abstained) == (route, abstained), ans


def test_adding_up_every_row_needs_a_question_that_says_so(tables_ws):
    found = tables_ws.table_reader.answer("How many seats does the rabies van have?")
    assert found is None or "SUM" not in found.sql


def test_a_question_the_parser_cannot_map_falls_back_to_text_and_says_so(tables_ws):
    ans = tables_ws.ask("How many days of paid annual leave do employees get?")
    assert ans.route == "prose" and "27" in ans.text and "parser" in ans.reason


class FakeEndpoint:
    """An endpoint model (no log-probabilities) that writes the SQL it is given."""

    name = "fake-endpoint"

    def __init__(self, sql: str):
        self.sql, self.prompts = sql, []

    def complete(self, prompts, max_new_tokens=64, stop=None, chat=False):
        self.prompts += prompts
        return [self.sql for _ in prompts]


def test_endpoint_models_write_sql_from_the_schemas(tables_ws):
    model = FakeEndpoint("```sql\nSELECT COUNT(*) FROM books WHERE qty_in_stock = 0\n```")
    ans = tables_ws.reading_with(model).ask("How many books are out of stock?")
    assert (ans.route, ans.text) == ("sql", "1") and ans.sql.endswith("LIMIT 100")
    assert "books(title text, author text, qty_in_stock integer)" in model.prompts[0]


@pytest.mark.parametrize(
    "sql",
    [
        "DROP TABLE books",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT 1; DELETE FROM books",
        "SELECT price FROM books",
    ],
)
def test_unsafe_model_sql_is_refused_and_nothing_changes(tables_ws, sql):
    ans = tables_ws.reading_with(FakeEndpoint(sql)).ask("How many books are out of stock?")
    assert ans.abstained and ans.route == "sql" and "refused" in ans.reason
    assert tables_ws.tables.query("SELECT COUNT(*) FROM books").rows == [(2,)]


def test_a_large_store_searches_only_likely_tables(tables_ws, monkeypatch):
    from ragtune.tables import reader as structured

    monkeypatch.setattr(structured, "MAX_TABLES", 2)
    reader = tables_ws.table_reader
    assert [t.sql_name for t in reader.candidates("Who manages the Bergen store?")] == ["stores"]  # by a column word
    assert reader.candidates("What is the boiling point of mercury?") == []
    assert tables_ws.ask("What is the range of the Harbour Bus?").text == "780 km"  # by the retrieved document


# -- the learned field choice, on a tiny table with a fake reader (fast) ------------------------------------
def _reader_over(tmp_path, reader, chooser=None):
    from ragtune.tables.base import Table
    from ragtune.tables.fields import FieldMatcher
    from ragtune.tables.reader import TableReader
    from ragtune.tables.store import TableStore
    from tests.fakes import FakeEmbedder

    rows = [
        {"model": "Reefline Sonar", "depth_rating_m": 300, "price_usd": 1450},
        {"model": "Abyssal Logger", "depth_rating_m": 4200, "price_usd": 3900},
    ]
    table = Table(
        "gear", list(rows[0]), ["text", "integer", "integer"], 2, [(f"row {i}", r) for i, r in enumerate(rows, 2)]
    )
    tmp_path.mkdir(parents=True, exist_ok=True)
    store = TableStore(tmp_path / "tables.duckdb")
    store.replace([("d1", "gear.csv", [table])])
    return TableReader(store, FieldMatcher(FakeEmbedder()), reader, chooser=chooser)


class _Chooser:
    """A field chooser that names `field` with −log P = `doubt` (a check model's `choose`), recording its calls."""

    name, field_doubt = "chooser", 0.7

    def __init__(self, field: str, doubt: float):
        self.field, self.doubt, self.asked = field, doubt, []

    def choose(self, question: str, table: str, record: dict) -> tuple[float, str]:
        self.asked.append((question, table, record))
        return self.doubt, self.field


def test_where_the_span_reader_finds_no_field_a_sure_chooser_names_it(tmp_path):
    from tests.fakes import FakeSpanReader

    unsure = FakeSpanReader("1450", score=0.0, null=6.0)  # "no answer" far above its best span
    unsure.record_threshold = 1.0
    chooser = _Chooser("depth_rating_m", 0.1)
    found = _reader_over(tmp_path, unsure, chooser).answer("How deep can the Reefline Sonar go?")
    assert found.route == "records" and found.text == "300 m" and "Reefline Sonar" in found.rows[0].quote
    assert found.reason == "chooser chose depth_rating_m of the row (probability 0.90)" and found.read is None
    _, table, record = chooser.asked[0]
    assert table == "gear" and record["model"] == "Reefline Sonar" and record["depth_rating_m"] == "300"
    doubtful = _reader_over(tmp_path / "d", unsure, _Chooser("price_usd", 1.5)).answer("Is the Reefline Sonar blue?")
    assert doubtful.text is None and "Reefline Sonar" in doubtful.reason  # under half its probability: no field
    named = _reader_over(tmp_path / "n", unsure, _Chooser("model", 0.1)).answer("Is the Reefline Sonar blue?")
    assert named.text is None  # the row's own name is what the question gave, not what it asks


def test_a_retrieved_row_that_the_span_reader_finds_nothing_in_gets_the_choosers_field(tmp_path):
    from tests.fakes import FakeSpanReader

    unsure = FakeSpanReader("1450", score=0.0, null=6.0)
    unsure.record_threshold = 1.0
    record = {"model": "Reefline Sonar", "depth_rating_m": "300", "price_usd": "1450"}
    row = ("gear.csv", "row 2", "gear", record)
    tables = _reader_over(tmp_path, unsure, _Chooser("depth_rating_m", 0.2))
    found = tables.read_rows("How far down can the Reefline go?", [row])
    assert found.text == "300 m" and found.rows[0].locator == "row 2" and "chose depth_rating_m" in found.reason
    assert _reader_over(tmp_path / "w", unsure).read_rows("How far down can the Reefline go?", [row]) is None


def test_a_count_after_a_named_row_is_counted_before_a_chooser_is_asked(tmp_path):
    from tests.fakes import FakeSpanReader

    unsure = FakeSpanReader("1450", score=0.0, null=6.0)
    unsure.record_threshold = 1.0
    chooser = _Chooser("price_usd", 0.1)
    found = _reader_over(tmp_path, unsure, chooser).answer("How many gear items are Reefline Sonar?")
    assert found.route == "sql" and found.text == "1" and chooser.asked == []


def test_a_sure_span_reader_is_not_second_guessed_by_the_chooser(tmp_path):
    from tests.fakes import FakeSpanReader

    chooser = _Chooser("price_usd", 0.1)
    found = _reader_over(tmp_path, FakeSpanReader("300", score=6.0, null=0.0), chooser).answer(
        "How deep can the Reefline Sonar go?"
    )
    assert found.text == "300 m" and chooser.asked == []


def test_the_reader_picks_the_field_that_no_word_of_the_question_names(tmp_path):
    from tests.fakes import FakeSpanReader

    reader = FakeSpanReader("300", score=6.0, null=0.0)  # finds the depth in the row it reads
    found = _reader_over(tmp_path, reader).answer("How deep can the Reefline Sonar go?")
    assert found.route == "records" and found.text == "300 m" and "Reefline Sonar" in found.rows[0].quote
    assert reader.read_passages == [["model: Reefline Sonar | depth_rating_m: 300 | price_usd: 1450"]]
    words_only = _reader_over(tmp_path / "w", None).answer("How deep can the Reefline Sonar go?")
    assert words_only.text is None  # without the reader, no field name says "deep"


def test_a_row_the_reader_finds_no_answer_in_is_a_table_abstention(tmp_path):
    from tests.fakes import FakeSpanReader

    reader = FakeSpanReader("300", score=0.0, null=6.0)  # "no answer" scores far above its best span
    reader.record_threshold = 1.0
    found = _reader_over(tmp_path, reader).answer("What is the battery life of the Reefline Sonar?")
    assert found.route == "records" and found.text is None and "Reefline Sonar" in found.reason


def test_a_given_row_threshold_overrides_the_fitted_one_and_the_answer_keeps_the_readers_score(tmp_path):
    from ragtune.tables.reader import TableReader
    from tests.fakes import FakeSpanReader

    reader = FakeSpanReader("300", score=2.0, null=5.0)  # no-answer score 3.0: above the fitted 1.0, below 4.0
    reader.record_threshold = 1.0
    fitted = _reader_over(tmp_path, reader)
    assert fitted.answer("How deep can the Reefline Sonar go?").text is None
    given = TableReader(fitted.store, fitted.matcher, reader, threshold=4.0)
    found = given.answer("How deep can the Reefline Sonar go?")
    assert found.text == "300 m" and found.read == 3.0  # the answer rests on the reader alone: its score kept


def _tours_over(tmp_path, reader):
    """A tour table whose tour names repeat (one tour runs on two days): no text column but the start time is
    unique."""
    from ragtune.tables.base import Table
    from ragtune.tables.fields import FieldMatcher
    from ragtune.tables.reader import TableReader
    from ragtune.tables.store import TableStore
    from tests.fakes import FakeEmbedder

    rows = [
        {"tour": "Brewhouse tour", "start_time": "13:00", "price_gbp": 15, "max_guests": 20},
        {"tour": "Brewhouse tour", "start_time": "17:30", "price_gbp": 15, "max_guests": 20},
        {"tour": "Hop walk", "start_time": "10:30", "price_gbp": 30, "max_guests": 12},
    ]
    types = ["text", "text", "integer", "integer"]
    table = Table("tours", list(rows[0]), types, 3, [(f"row {i}", r) for i, r in enumerate(rows, 2)])
    tmp_path.mkdir(parents=True, exist_ok=True)
    store = TableStore(tmp_path / "tables.duckdb")
    store.replace([("d1", "tours.csv", [table])])
    return TableReader(store, FieldMatcher(FakeEmbedder()), reader)


def test_an_arg_max_names_its_row_by_a_column_of_words_before_a_unique_time(tmp_path):
    found = _tours_over(tmp_path, None).answer("Which tour has the highest price?")
    assert found.route == "sql" and found.text == "Hop walk"


def test_a_value_only_one_row_holds_names_that_row_when_the_reader_is_sure_of_a_field(tmp_path):
    from tests.fakes import FakeSpanReader

    sure = FakeSpanReader("12", score=6.0, null=0.0)
    sure.record_threshold = 1.0
    found = _tours_over(tmp_path, sure).answer("How many people can go on the Hop walk?")
    assert found.route == "records" and found.text == "12" and "Hop walk" in found.rows[0].quote
    unsure = FakeSpanReader("12", score=0.0, null=6.0)
    unsure.record_threshold = 1.0
    counted = _tours_over(tmp_path / "u", unsure).answer("How many people can go on the Hop walk?")
    assert counted.route == "sql" and counted.text == "1"  # the reader found no field: the question counts rows


def test_between_two_fields_the_question_names_equally_a_sure_reader_chooses(tmp_path):
    from ragtune.tables.base import Table
    from ragtune.tables.fields import FieldMatcher
    from ragtune.tables.reader import TableReader
    from ragtune.tables.store import TableStore
    from tests.fakes import FakeEmbedder, FakeSpanReader

    row = {"batch": "B-1", "brewed_on": "2026-08-20", "original_gravity": 1.095}
    table = Table("batches", list(row), ["text", "text", "real"], 1, [("row 2", row)])
    store = TableStore(tmp_path / "tables.duckdb")
    store.replace([("d1", "batches.csv", [table])])
    question = "What was the original gravity of the B-1 brew?"  # "brew" names brewed_on as well as the gravity
    sure = FakeSpanReader("1.095", score=6.0, null=0.0)
    sure.record_threshold = 1.0
    found = TableReader(store, FieldMatcher(FakeEmbedder()), sure).answer(question)
    assert found.text == "1.095"  # as stored, not rounded to 1.09
    words_only = TableReader(store, FieldMatcher(FakeEmbedder()), None).answer(question)
    assert words_only.text == "2026-08-20"  # the word match alone takes the first of the two
