"""SQL over the table store: what its columns hold (`Columns`), and a question's plan (`Plan`: an aggregate over
one table, with filters and joins) written as SQL (`write`). `tables/reader.py` makes the plans."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ragtune.tables.base import quote
from ragtune.tables.fields import ColumnProfile, field_name, profile
from ragtune.tables.store import LOCATOR, TableInfo, TableStore

_LABEL_WORDS = {"name", "title", "model", "label"}


@dataclass
class Plan:
    op: str  # count | sum | avg | min | max | argmin | argmax
    table: TableInfo
    measure: str | None = None
    filters: list[tuple[TableInfo, str, str, object]] = field(default_factory=list)  # (table, column, op, value)
    score: float = 0.0


def literal(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


class Columns:
    """What a table store's columns hold (kind, distinct values, a sample), profiled once per table and store
    version, and what follows from it: which column names a row, which joins two tables."""

    def __init__(self, store: TableStore):
        self.store = store
        self._profiles: dict[tuple[str, int], list[ColumnProfile]] = {}

    def profiles(self, table: TableInfo) -> list[ColumnProfile]:
        key = (table.sql_name, self.store.version)
        if key not in self._profiles:
            out = []
            for col, sql_col, kind in zip(table.columns, table.sql_columns, table.types, strict=True):
                q = quote(sql_col)
                stats = self.store.query(f"SELECT COUNT(DISTINCT {q}), COUNT({q}) FROM {quote(table.sql_name)}")
                sample = self.store.query(f"SELECT DISTINCT {q} FROM {quote(table.sql_name)} LIMIT 50")
                distinct, filled = stats.rows[0]
                out.append(profile(col, kind, [r[0] for r in sample.rows], distinct, filled))
            self._profiles[key] = out
        return self._profiles[key]

    def unique(self, table: TableInfo, column: str) -> bool:
        return next(p for p in self.profiles(table) if p.column == column).unique

    def join_key(self, a: TableInfo, b: TableInfo) -> str | None:
        """A column both tables have whose values are all different in `b` (e.g. a SKU)."""
        unique = {p.column for p in self.profiles(b) if p.unique}
        shared = [c for c in a.columns if c in b.columns and c in unique]
        return shared[0] if shared else None

    def label(self, table: TableInfo) -> str:
        """The column that names a row: a unique name/title/model column, else the first unique text column of
        words, else the first text column of words (a tour's name, repeated on two days, names it better than its
        unique start time), else the first unique text column."""
        texts = [p for p in self.profiles(table) if p.kind == "text"]
        profiles = [p for p in texts if p.unique]
        named = [p for p in profiles if _LABEL_WORDS & set(field_name(p.column).words)]
        worded = [p for p in texts if any(re.search(r"[a-z]{3}", v) for v in p.sample[:5])]
        unique_worded = [p for p in worded if p.unique]
        return (named or unique_worded or worded or profiles or self.profiles(table))[0].column


def write(plan: Plan, columns: Columns) -> tuple[str, str]:
    """(answer SQL, SQL for the rows to cite) of a plan."""
    t = plan.table
    joins, where = [], []
    for ft, col, op, value in plan.filters:
        alias = "a"
        if ft is not t:
            key = columns.join_key(t, ft)
            alias = f"j{len(joins)}"
            on = f"a.{quote(t.sql_column(key))} = {alias}.{quote(ft.sql_column(key))}"
            joins.append(f"JOIN {quote(ft.sql_name)} {alias} ON {on}")
        ref = f"{alias}.{quote(ft.sql_column(col))}"
        if op == "=":
            where.append(f"lower(CAST({ref} AS VARCHAR)) = {literal(str(value).lower())}")
        else:
            where.append(f"TRY_CAST({ref} AS DOUBLE) {op} {literal(value)}")
    m = f"TRY_CAST(a.{quote(t.sql_column(plan.measure))} AS DOUBLE)" if plan.measure else None
    if m:
        where.append(f"{m} IS NOT NULL")
    body = f"FROM {quote(t.sql_name)} a {' '.join(joins)}" + (f" WHERE {' AND '.join(where)}" if where else "")
    rows = f"SELECT a.* {body}"
    if plan.op == "count":
        return f"SELECT COUNT(DISTINCT a.{LOCATOR}) {body}", rows
    if plan.op in ("sum", "avg", "min", "max"):
        func = plan.op.upper()
        order = f" ORDER BY {m} {'DESC' if plan.op == 'max' else 'ASC'}" if plan.op in ("min", "max") else ""
        return f"SELECT {func}({m}) {body}", rows + order
    label = quote(t.sql_column(columns.label(t)))
    direction = "DESC" if plan.op == "argmax" else "ASC"
    return f"SELECT a.{label}, {m} {body} ORDER BY {m} {direction}", rows + f" ORDER BY {m} {direction}"
