"""The DuckDB table store: typed tables per document, atomic replace, read-only queries with a timeout."""

from __future__ import annotations

import duckdb
import pytest

from ragtune.errors import RagtuneError
from ragtune.tables.base import Table
from ragtune.tables.sqlguard import UnsafeSQL
from ragtune.tables.store import TableStore, sql_name


def _table(name: str, rows: list[dict]) -> Table:
    columns = list(rows[0])
    types = ["integer" if all(isinstance(r[c], int) for r in rows) else "text" for c in columns]
    return Table(name, columns, types, len(rows), [(f"row {i}", r) for i, r in enumerate(rows, 2)])


@pytest.fixture
def store(tmp_path) -> TableStore:
    s = TableStore(tmp_path / "tables.duckdb", timeout_s=0.5)
    prices = _table("price-list / Retail", [{"SKU": "A-1", "Price (EUR)": 10}, {"SKU": "A-2", "Price (EUR)": 30}])
    s.replace([("d1", "prices.xlsx", [prices]), ("d2", "stores.csv", [_table("stores", [{"city": "Oslo"}])])])
    return s


def test_tables_are_typed_named_plainly_and_carry_row_locators(store):
    (prices,) = [t for t in store.catalog() if t.doc_id == "d1"]
    assert prices.sql_name == "price_list_retail" and prices.sql_columns == ["sku", "price_eur"]
    assert prices.columns == ["SKU", "Price (EUR)"] and prices.types == ["text", "integer"] and prices.rows == 2
    result = store.query("SELECT __locator, SUM(price_eur) AS total FROM price_list_retail GROUP BY __locator")
    assert sorted(result.rows) == [("row 2", 10), ("row 3", 30)] and result.sql.endswith("LIMIT 100")


def test_replace_and_remove_keep_the_catalog_in_step(store):
    store.replace([("d1", "prices.xlsx", [_table("price-list / Retail", [{"SKU": "B-9", "Price (EUR)": 5}])])])
    assert store.query("SELECT sku FROM price_list_retail").rows == [("B-9",)]
    store.remove(["d1"])
    assert [t.sql_name for t in store.catalog()] == ["stores"]
    with pytest.raises(UnsafeSQL, match="unknown table"):
        store.query("SELECT sku FROM price_list_retail")


def test_a_failed_write_leaves_the_old_tables(store, monkeypatch):
    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(TableStore, "_arrow", staticmethod(broken))
    with pytest.raises(RuntimeError):
        store.replace([("d1", "stores.csv", [_table("stores", [{"city": "Bergen"}])])])
    assert store.query("SELECT city FROM stores").rows == [("Oslo",)]


def test_values_their_column_type_cannot_hold_keep_the_table_as_text(store):
    odd = Table("odd", ["n"], ["integer"], 2, [("row 2", {"n": "not a number"}), ("row 3", {"n": 10**30})])
    store.replace([("d3", "odd.csv", [odd])])
    assert sorted(store.query("SELECT n FROM odd").rows) == [("1000000000000000000000000000000",), ("not a number",)]
    assert next(t for t in store.catalog() if t.name == "odd").types == ["text"]


def test_same_names_from_two_documents_stay_apart(tmp_path):
    s = TableStore(tmp_path / "t.duckdb")
    s.replace([("a", "a.csv", [_table("data", [{"x": 1}])]), ("b", "b.csv", [_table("data", [{"x": 2}])])])
    assert sorted(t.sql_name for t in s.catalog()) == ["data", "data_2"]


def test_the_connection_cannot_touch_files_or_write_during_a_query(store, tmp_path):
    con = store._connect()
    with pytest.raises(duckdb.Error):
        con.execute(f"COPY stores TO '{tmp_path / 'leak.csv'}'")
    assert not (tmp_path / "leak.csv").exists()
    con.execute("BEGIN TRANSACTION READ ONLY")
    with pytest.raises(duckdb.Error):
        con.execute("DELETE FROM stores")
    con.execute("ROLLBACK")


def test_a_runaway_query_is_stopped(tmp_path):
    s = TableStore(tmp_path / "t.duckdb", timeout_s=0.3)
    s.replace([("a", "a.csv", [_table("n", [{"v": i} for i in range(3000)])])])
    with pytest.raises(RagtuneError, match=r"longer than 0\.3 s"):
        s.query("SELECT COUNT(*) FROM n a, n b, n c WHERE hash(a.v, b.v, c.v) % 1000003 = 17")
    assert s.query("SELECT COUNT(*) FROM n").rows == [(3000,)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("price-list / Retail", "price_list_retail"),
        ("2024 Sales", "t_2024_sales"),
        ("Range (km)", "range_km"),
        ("", "x"),
    ],
)
def test_sql_names(text, name):
    assert sql_name(text) == name
