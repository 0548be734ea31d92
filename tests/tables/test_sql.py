"""SQL over the table store on tiny tables: column profiles, the row label, join keys, and plans written as SQL."""

from __future__ import annotations

import pytest

from ragtune.tables.base import Table, quote
from ragtune.tables.sql import Columns, Plan, literal, write
from ragtune.tables.store import TableStore


def _table(name: str, columns: list[str], types: list[str], rows: list[tuple]) -> Table:
    records = [(f"row {i}", dict(zip(columns, r, strict=True))) for i, r in enumerate(rows, 2)]
    return Table(name, columns, types, len(rows), records)


@pytest.fixture
def columns(tmp_path) -> Columns:
    store = TableStore(tmp_path / "tables.duckdb")
    products = _table(
        "products",
        ["sku", "name", "warranty_years"],
        ["text", "text", "integer"],
        [("A-1", "Summit 45", 10), ("A-2", "Polar bag", 5), ("A-3", "Trail lamp", 10)],
    )
    stock = _table("stock", ["sku", "store"], ["text", "text"], [("A-1", "Oslo"), ("A-2", "Bergen"), ("A-1", "Bergen")])
    store.replace([("d1", "products.csv", [products]), ("d2", "stock.csv", [stock])])
    return Columns(store)


def _named(columns: Columns, name: str):
    return next(t for t in columns.store.catalog() if t.name == name)


def test_profiles_label_and_join_key(columns):
    products, stock = _named(columns, "products"), _named(columns, "stock")
    assert columns.unique(products, "sku") and not columns.unique(products, "warranty_years")
    assert columns.label(products) == "name"
    assert columns.join_key(stock, products) == "sku" and columns.join_key(products, stock) is None


def test_plans_become_sql_that_answers_them(columns):
    products, stock = _named(columns, "products"), _named(columns, "stock")
    argmax, rows_sql = write(Plan("argmax", products, "warranty_years"), columns)
    assert {r[0] for r in columns.store.query(argmax).rows[:2]} == {"Summit 45", "Trail lamp"}  # tied at 10
    assert "ORDER BY" in rows_sql
    count, _ = write(Plan("count", stock, None, [(products, "name", "=", "Summit 45")]), columns)
    assert "JOIN" in count and columns.store.query(count).rows == [(2,)]  # joined on the SKU
    more, _ = write(Plan("count", products, None, [(products, "warranty_years", ">", 6)]), columns)
    assert columns.store.query(more).rows == [(2,)]


def test_literals_and_names_are_quoted():
    assert literal("O'Neil") == "'O''Neil'" and literal(3) == "3" and literal(True) == "'True'"
    assert quote('x"; DROP TABLE y; --') == '"x""; DROP TABLE y; --"'
