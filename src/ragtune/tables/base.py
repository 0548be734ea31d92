"""The shape of a table everywhere in ragtune: its schema with its rows as records, and how a row is quoted."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    """A structured table: its schema (kept in the catalogue) and its rows as (locator, record) pairs."""

    name: str
    columns: list[str]
    types: list[str]
    rows: int
    records: list[tuple[str, dict]] = field(default_factory=list, repr=False)


def quote(name: str) -> str:
    """A SQL identifier, quoted (a name may hold quotes, semicolons or spaces)."""
    return '"' + name.replace('"', '""') + '"'


def record_text(record: dict) -> str:
    """`sku: A-100 | name: Desk lamp | price_eur: 49`; empty fields are left out."""
    return " | ".join(f"{k}: {v}" for k, v in record.items() if v not in (None, ""))


def row_quote(table: str, record: dict) -> str:
    """How a table row is quoted as evidence and in citations: `stores: city: Bergen | manager: Ingrid Solheim`."""
    return f"{table}: {' '.join(record_text(record).split())}"


def field_at(record: dict, offset: int) -> str | None:
    """The field whose value holds character `offset` of `record_text(record)` (None: a name or a separator)."""
    cursor = 0
    for k, v in record.items():
        if v in (None, ""):
            continue
        start = cursor + len(f"{k}: ")
        end = start + len(str(v))
        if start <= offset < end:
            return k
        cursor = end + len(" | ")
    return None


def answer_field(quote: str, value: str) -> tuple[str, str] | None:
    """The (field, value) of a quoted row (`row_quote`) that holds `value` ("118 EUR" is held by `price: 118`);
    None when no field does."""
    body = quote.split(": ", 1)[1] if ": " in quote else quote
    pairs = [p.split(": ", 1) for p in body.split(" | ") if ": " in p]
    value = value.strip()
    for exact in (True, False):
        for k, v in pairs:
            if v and (v == value if exact else value.startswith(v) or v.startswith(value)):
                return k, v
    return None
