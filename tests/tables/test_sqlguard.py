"""The SQL guard: one read-only SELECT over known tables and columns, with a LIMIT, or a clear refusal."""

from __future__ import annotations

import pytest

from ragtune.tables.sqlguard import UnsafeSQL, validate

TABLES = {"products": {"sku", "name", "price_eur"}, "stores": {"city", "manager", "opened"}}


def test_a_select_passes_and_gets_a_limit():
    sql = validate("SELECT name, price_eur FROM products WHERE price_eur > 100 ORDER BY price_eur", TABLES, 50)
    assert sql.endswith("LIMIT 50")
    assert validate("SELECT COUNT(*) FROM stores LIMIT 5", TABLES).endswith("LIMIT 5")
    assert validate("SELECT city FROM stores LIMIT 100000", TABLES, 100).endswith("LIMIT 100")


def test_joins_aliases_and_ctes_pass():
    validate("SELECT p.name AS n FROM products p JOIN stores s ON p.name = s.city ORDER BY n", TABLES)
    validate("WITH cheap AS (SELECT name FROM products WHERE price_eur < 10) SELECT name FROM cheap", TABLES)


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("INSERT INTO products VALUES ('x', 'y', 1)", "only SELECT"),
        ("UPDATE products SET price_eur = 0", "only SELECT"),
        ("DELETE FROM products", "only SELECT"),
        ("DROP TABLE products", "only SELECT"),
        ("CREATE TABLE x AS SELECT * FROM products", "only SELECT"),
        ("SELECT 1; DROP TABLE products", "exactly one statement"),
        ("SELECT name FROM products; SELECT city FROM stores", "exactly one statement"),
        ("ATTACH 'other.db'", "only SELECT"),
        ("COPY products TO '/tmp/out.csv'", "only SELECT"),
        ("PRAGMA table_info(products)", "only SELECT"),
        ("SELECT * FROM read_csv('/etc/passwd')", "not"),
        ("SELECT * FROM '/etc/passwd.csv'", "unknown table"),
        ("SELECT * FROM glob('/tmp/*')", "not"),
        ("SELECT getenv('HOME')", "not allowed"),
        ("SELECT read_text('/etc/passwd')", "not allowed"),
        ("SELECT salary FROM stores", "unknown column 'salary'"),
        ("SELECT name FROM employees", "unknown table 'employees'"),
        ("SELECT name FROM other.products", "only ingested tables"),
        ("SELEC name FROM products", "SQL"),
    ],
)
def test_writes_files_unknown_names_and_several_statements_are_refused(sql, why):
    with pytest.raises(UnsafeSQL, match=why):
        validate(sql, TABLES)
