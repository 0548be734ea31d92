"""What SQL may run against the table store: one read-only SELECT over known tables and columns, with a LIMIT.

This check is the first wall; the second is the store itself (a read-only transaction on a DuckDB
connection with file and network access switched off).
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from ragtune.errors import RagtuneError

_WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter, exp.Command)
_WRITES += (exp.Copy, exp.Attach, exp.Detach, exp.Pragma, exp.Set, exp.Use, exp.Transaction, exp.Commit)
# Functions that reach outside the tables, or describe the engine rather than the data.
_FORBIDDEN = "read_ scan_ parquet_ glob getenv duckdb_ pragma_ sniff_ query sql_ current_setting load install write"
_FORBIDDEN_PREFIXES = tuple(_FORBIDDEN.split())


class UnsafeSQL(RagtuneError):
    """SQL that the guard refuses to run; the message says why."""


def validate(sql: str, tables: dict[str, set[str]], limit: int = 100) -> str:
    """The statement as DuckDB SQL with a LIMIT of at most `limit`, or UnsafeSQL.

    `tables` maps each known table name to its column names.
    """
    tree = _one_select(sql)
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    used = _check_tables(tree, tables, ctes)
    _check_functions(tree)
    _check_columns(tree, tables, used, ctes)
    current = tree.args.get("limit")
    value = current.expression if isinstance(current, exp.Limit) else None
    if not (isinstance(value, exp.Literal) and value.is_int and int(value.name) <= limit):
        tree = tree.limit(limit, copy=False)
    return tree.sql(dialect="duckdb")


def _one_select(sql: str) -> exp.Query:
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except sqlglot.errors.SqlglotError as exc:
        raise UnsafeSQL(f"not valid SQL: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise UnsafeSQL(f"exactly one statement may run, got {len(statements)}")
    tree = statements[0]
    if not isinstance(tree, (exp.Select, exp.Union)):
        raise UnsafeSQL(f"only SELECT may run, not {tree.key.upper()}")
    if any(isinstance(node, _WRITES) for node in tree.walk()):
        raise UnsafeSQL("the statement contains a write or a command")
    return tree


def _check_tables(tree: exp.Expression, tables: dict[str, set[str]], ctes: set[str]) -> set[str]:
    used = set()
    for t in tree.find_all(exp.Table):
        if not isinstance(t.this, exp.Identifier) or t.args.get("db") or t.args.get("catalog"):
            raise UnsafeSQL(f"only ingested tables may be read, not {t.sql(dialect='duckdb')}")
        if t.name not in tables and t.name not in ctes:
            raise UnsafeSQL(f"unknown table {t.name!r} (known: {', '.join(sorted(tables)) or 'none'})")
        used.add(t.name)
    return used


def _check_functions(tree: exp.Expression) -> None:
    for f in tree.find_all(exp.Func):
        name = (f.name if isinstance(f, exp.Anonymous) else f.sql_name()).lower()
        if name.startswith(_FORBIDDEN_PREFIXES) or isinstance(f, exp.ReadCSV):
            raise UnsafeSQL(f"function {name}() is not allowed")


def _check_columns(tree: exp.Expression, tables: dict[str, set[str]], used: set[str], ctes: set[str]) -> None:
    known = {c.lower() for t in used if t in tables for c in tables[t]}
    known |= {a.alias.lower() for a in tree.find_all(exp.Alias)}
    if used & ctes:
        return  # columns of a CTE are its own select list; their sources were checked above
    for col in tree.find_all(exp.Column):
        if col.name and not isinstance(col.this, exp.Star) and col.name.lower() not in known:
            raise UnsafeSQL(f"unknown column {col.name!r}")
