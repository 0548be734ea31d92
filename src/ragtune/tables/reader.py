"""Table questions answered from the tables: one field of one row, or SQL over whole tables.

The rule, in order (`TableReader.answer`):
1. **records** — the question names a row by a value of a column whose values are all different (a
   product name, a store's city, a book title): the answer is the value of the field of that row that
   matches the question, with the unit its name implies, cited to the row. A named row with no matching
   field, no field the reader reads and no count over it is a table abstention, not an aggregate, unless a
   chooser (a larger model, with `answer.check`) names a field with at least half its probability. A value
   that only one row holds, in a column that repeats (a tour's name, run on two days by another tour), names
   that row too when the field reader is sure of a field in it ("how many people can go on <the tour>" is its
   max_guests, not a count of one row).
2. **sql** — the question asks for a count, a total, an average, a minimum/maximum or the row with the
   highest/lowest value ("how many …", "average …", "which … has the most …"): a deterministic parser maps
   it onto one table (values it names become filters, "more than 3 years" a comparison, a value found
   only in a second table sharing a key column a join) and the SQL runs in the table store. With an
   endpoint model, a question the parser cannot map is written as SQL by the model and validated.
3. Otherwise no table answer: the caller answers from text (route **prose**), or abstains when the best
   evidence is itself a table row — a guessed field is never an answer.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ragtune.prompts import render
from ragtune.tables.base import field_at, quote, record_text, row_quote
from ragtune.tables.fields import FieldMatcher, field_name, format_value, same_word
from ragtune.tables.sql import Columns, Plan, literal, write
from ragtune.tables.store import LOCATOR, TableInfo
from ragtune.text import STOPWORDS, tokens

if TYPE_CHECKING:
    from ragtune.tables.store import TableStore

FIELD_MIN = 0.5  # a column must score this much to be "the field the question asks about"
NAMED_FIELD = 0.9  # a column whose name the question says outright ("the price eur of …") needs no reading; between
# two named as well ("the original gravity of the … brew" names `brewed_on` by "brew"), a sure reader chooses
NOUN_MIN = 0.5
MAX_TABLES = 20  # above this many tables, only likely ones are searched for the values a question names
_COUNT = re.compile(r"^\W*how many\b", re.I)
_SUM_WORDS = "total|sum|combined|altogether"
_SUM = re.compile(rf"\b({_SUM_WORDS})\b", re.I)
_EVERY = re.compile(rf"\b({_SUM_WORDS}|together|all|every|across|overall)\b", re.I)  # a sum over every row
_AVG = re.compile(r"\b(average|mean)\b", re.I)
_MAX = "highest largest biggest greatest most maximum longest heaviest tallest deepest latest newest last"
_MIN = "lowest smallest least fewest minimum shortest lightest cheapest earliest first oldest"
_WORDS = "|".join(f"{_MAX} {_MIN}".split())
_SUPERLATIVE = re.compile(rf"\b(most recently|most expensive|least expensive|{_WORDS})\b", re.I)
_CONCEPT = {"cheapest": "price cost", "most expensive": "price cost", "least expensive": "price cost"}
_CONCEPT |= {"heaviest": "weight", "lightest": "weight", "tallest": "height", "deepest": "depth"}
_TIME_WORDS = {"latest", "newest", "last", "most recently", "earliest", "first", "oldest"}
_COMPARE = re.compile(
    r"\b(more than|over|above|greater than|higher than|after|later than|since|deeper than|longer than|heavier than|"
    r"at least|fewer than|less than|under|below|before|earlier than|lighter than|shorter than|cheaper than|at most)"
    r"\s+(-?\d+(?:\.\d+)?)",
    re.I,
)
_OPS = {"at least": ">=", "since": ">=", "at most": "<="}
_LESS = set("fewer than|less than|under|below|before|earlier than|lighter than|shorter than|cheaper than".split("|"))


@dataclass
class CitedRow:
    source: str
    locator: str
    quote: str


@dataclass
class TableAnswer:
    """A table's answer (text None: the table was found but cannot answer), the rows it used, the SQL that ran."""

    route: str  # records | sql
    text: str | None
    rows: list[CitedRow] = field(default_factory=list)
    sql: str = ""
    reason: str = ""
    value: str = ""  # the value as stored (a lookup's "118" of "118 EUR")
    read: float | None = None  # the field reader's no-answer score, when the answer rests on it (its threshold)


@dataclass
class Match:
    """A value of a table column that the question names, at question[start:end]."""

    table: TableInfo
    column: str
    value: str
    count: int
    start: int
    end: int


class TableReader:
    """Answers table questions over a table store, matching fields with `matcher`; keeps what it learnt of the
    tables' columns until the store changes."""

    def __init__(
        self, store: TableStore, matcher: FieldMatcher, reader=None, threshold: float | None = None, chooser=None
    ):
        self.store, self.matcher, self.reader = store, matcher, reader
        self.threshold = threshold
        self.chooser = chooser  # a larger model asked which field holds the answer where the others find none
        self.columns = Columns(store)

    @property
    def reader_threshold(self) -> float:
        """The field reader's no-answer score above which it found no field: the one given, else the reader's
        fitted one (on the wording dev part by bench/fit_abstain_dev.py --route records)."""
        if self.threshold is not None:
            return self.threshold
        return getattr(self.reader, "record_threshold", None) or 0.0

    def has_tables(self) -> bool:
        return bool(self.store.catalog())

    def scoped(self, doc_ids: set[str] | None) -> TableReader:
        """This reader over only the tables of these documents (None: all); what it learnt of columns is shared."""
        if doc_ids is None:
            return self
        view = copy.copy(self)
        view.store = self.store.scoped(doc_ids)
        return view

    # -- what the tables hold -------------------------------------------------------------------------------
    def find_values(self, question: str, tables: list[TableInfo]) -> list[Match]:
        """Text values (3+ characters) that the question contains as whole words, longest first."""
        lowered = question.lower()
        found: list[Match] = []
        for table in tables:
            texts = [c for c, t in zip(table.columns, table.types, strict=True) if t in ("text", "unknown")]
            for col in texts:
                q = quote(table.sql_column(col))
                named = f"length({q}) >= 3 AND strpos({literal(lowered)}, lower({q})) > 0"
                sql = f"SELECT {q}, COUNT(*) FROM {quote(table.sql_name)} WHERE {named} GROUP BY {q}"
                for value, count in self.store.query(sql).rows:
                    for m in re.finditer(rf"(?<!\w){re.escape(str(value).lower())}(?!\w)", lowered):
                        found.append(Match(table, col, str(value), count, m.start(), m.end()))
        found.sort(key=lambda m: -(m.end - m.start))
        kept: list[Match] = []
        for m in found:  # a value inside a longer named value is not named itself ("Kestrel Pickup" in "… Hybrid")
            if not any(k.start <= m.start and m.end <= k.end and (k.end - k.start) > (m.end - m.start) for k in kept):
                kept.append(m)
        return kept

    def named(self, text: str) -> list[tuple[int, int]]:
        """Where `text` names a row value of a table (character spans), for resolving follow-up questions."""
        tables = self.candidates(text)
        return [(m.start, m.end) for m in self.find_values(text, tables)] if tables else []

    # -- the rule -------------------------------------------------------------------------------------------
    def answer(self, question: str, llm=None, doc_ids: set[str] | None = None) -> TableAnswer | None:
        """The table answer by the rule above; None when the question is not for the tables."""
        tables = self.candidates(question, doc_ids)
        if not tables:
            return None
        matches = self.find_values(question, tables)
        entities = [m for m in matches if m.count == 1 and self._unique(m)]
        if entities:
            looked_up = self.lookup(question, entities)
            if looked_up is not None:
                return looked_up
        once = [m for m in matches if m.count == 1 and not self._unique(m)]  # a row named by a value no other has
        read = self._by_reading(question, once) if once and self.reader is not None else None
        if read is not None and read[0] <= self.reader_threshold:  # "how many people can go on <a tour>": its field
            return self._field(read[1], read[2], read[0])
        plan = self.parse(question, tables, matches)  # "how many vehicles are based at <a depot>" counts rows
        if entities and plan is None:  # last, a chooser: a count after a named row is not that row's field
            chosen = self._by_choosing(question, entities)
            if chosen is not None:
                return chosen
            names = ", ".join(sorted({e.value for e in entities}))
            return TableAnswer("records", None, reason=f"a table row names {names}, but no field of it matches")
        if plan is not None:
            return self.run(plan)
        if llm is not None and not hasattr(llm, "score") and self.is_aggregate(question):
            return self.text_to_sql(question, tables, llm)
        return None

    def candidates(self, question: str, doc_ids: set[str] | None = None) -> list[TableInfo]:
        """Every table of a small store; in a large one, those of the retrieved documents and those whose
        name or columns share a word with the question (so each question costs a bounded number of queries)."""
        tables = self.store.catalog()
        if len(tables) <= MAX_TABLES:
            return tables
        words = set(self.matcher.words(question))
        named = [
            t for t in tables if any(same_word(w, n) for w in words for n in tokens(" ".join([t.name, *t.columns])))
        ]
        chosen = [t for t in tables if doc_ids and t.doc_id in doc_ids] + named
        return list({t.sql_name: t for t in chosen}.values())[:MAX_TABLES]

    def _unique(self, m: Match) -> bool:
        return self.columns.unique(m.table, m.column)

    @staticmethod
    def is_aggregate(question: str) -> bool:
        cues = (_COUNT.search(question), _SUM.search(question), _AVG.search(question), _SUPERLATIVE.search(question))
        return any(cues)

    # -- lookups --------------------------------------------------------------------------------------------
    def lookup(self, question: str, entities: list[Match]) -> TableAnswer | None:
        """The field of the named row that answers the question: read by the field reader (a span reader trained
        on records) over the row as `field: value` lines, unless the question says a field's name outright (then
        the reader, when sure, only chooses between fields named equally well); the word match of the field names
        when the reader is unsure and does not contradict it. None when neither finds a field (a table
        abstention)."""
        by_words = self._by_words(question, entities)
        read = self._by_reading(question, entities) if self.reader is not None else None
        words_agree = by_words is not None and by_words[0] >= FIELD_MIN and (read is None or read[2] == by_words[2])
        score = None  # the reader's score, when the answer rests on it alone
        sure = read is not None and read[0] <= self.reader_threshold
        if by_words is not None and by_words[0] >= NAMED_FIELD:  # the question names the field outright
            _, e, column, tied = by_words
            if sure and read[1] is e and read[2] in tied:  # …or two ("the original gravity of the … brew")
                column = read[2]
        elif sure:
            _, e, column = read
            score = None if words_agree else read[0]
        elif words_agree:
            _, e, column, _ = by_words
        else:
            return None
        return self._field(e, column, score)

    def _by_choosing(self, question: str, entities: list[Match]) -> TableAnswer | None:
        """The field the chooser names in the first named row ("How strong is Night Heron?" → `abv_pct`, which
        neither the words nor the span reader find), when it is sure; None without a chooser or when unsure."""
        if self.chooser is None:
            return None
        e = entities[0]
        record = self._record(e)
        chosen = self._choose(question, e.table.name, record, {e.column}) if record else None
        if chosen is None:
            return None
        found = self._field(e, chosen[1], None)
        found.reason = found.reason or chosen[2]
        return found

    def _choose(self, question: str, table: str, record: dict, given: set[str]) -> tuple[float, str, str] | None:
        """The chooser's field of `record` (−log P, field, why), None when it is unsure or names a field in `given`
        (the row's name: what the question gave, not what it asks)."""
        chosen = self.chooser.choose(question, table, record)
        if chosen is None or chosen[0] > self.chooser.field_doubt or chosen[1] in given:
            return None
        doubt, column = chosen
        return doubt, column, f"{self.chooser.name} chose {column} of the row (probability {math.exp(-doubt):.2f})"

    def _field(self, e: Match, column: str, score: float | None) -> TableAnswer:
        """The value of `column` in the row `e` names, with its unit, cited to that row."""
        t = e.table
        sql = f"SELECT {quote(t.sql_column(column))}, * FROM {quote(t.sql_name)} WHERE {_named_row(e)}"
        result = self.store.query(sql)
        if not result.rows or result.rows[0][0] in (None, ""):
            return TableAnswer("records", None, sql=result.sql, reason=f"{column} is empty for {e.value}")
        value = result.rows[0][0]
        text = format_value(value, field_name(column).unit)
        cited = self._cite(t, result.columns[1:], [r[1:] for r in result.rows[:1]], 1)
        return TableAnswer("records", text, cited, result.sql, value=format_value(value), read=score)

    def read_rows(self, question: str, rows: list[tuple[str, str, str, dict]]) -> TableAnswer | None:
        """The field reader over retrieved rows (source, locator, table, record) that the question does not name
        word for word ("the fee for renewing a driving licence" → the row "Driving licence renewal"): the row
        and field it is surest of, if it is sure enough; the caller checks that the row is the one asked about."""
        if self.reader is None or not rows:
            return None
        best: tuple[float, int, str] | None = None
        for k, (_, _, _, record) in enumerate(rows):
            read = self._read_field(question, record)
            if read is not None and (best is None or read[0] < best[0]):
                best = (read[0], k, read[1])
        if best is None or best[0] > self.reader_threshold:
            return self._choose_row(question, rows[0])
        score, k, column = best
        return _row_answer(rows[k], column, f"read {column} of the retrieved row", round(score, 3))

    def _choose_row(self, question: str, row: tuple[str, str, str, dict]) -> TableAnswer | None:
        """The chooser's field of the best retrieved row, when it is sure; None without a chooser."""
        if self.chooser is None:
            return None
        source, _, table, record = row
        info = next((t for t in self.store.catalog() if t.source == source and t.name == table), None)
        keys = {p.column for p in self.columns.profiles(info) if p.key} if info else set()
        chosen = self._choose(question, table, record, keys)
        return _row_answer(row, chosen[1], chosen[2]) if chosen else None

    def _by_words(self, question: str, entities: list[Match]) -> tuple[float, Match, str, set[str]] | None:
        """The field whose name best matches the question's other words: (score, entity, column, the columns
        named as well as it)."""
        best: tuple[float, Match, str, set[str]] | None = None
        for e in entities:
            rest = question[: e.start] + question[e.end :]
            named = {m.column for m in entities if m.table is e.table}
            all_words = self.matcher.words(rest)
            words = self._about_fields(all_words, e.table)
            candidates = [p for p in self.columns.profiles(e.table) if p.column not in named]
            ranked = self.matcher.rank(rest, words, candidates)
            if not ranked:
                continue
            score, prof = ranked[0]
            tied = {p.column for s, p in ranked if s >= score - 1e-6}
            score += 0.1 * self._table_match(all_words, e.table)
            if best is None or score > best[0]:
                best = (score, e, prof.column, tied)
        return best

    def _by_reading(self, question: str, entities: list[Match]) -> tuple[float, Match, str] | None:
        """The field the reader picks in the named row: (its no-answer score, entity, column); None when its best
        span is the row's name itself or lies in no field."""
        best: tuple[float, Match, str] | None = None
        for e in entities:
            t = e.table
            record = self._record(e)
            if record is None:
                continue
            read = self._read_field(question, record)
            keys = {p.column for p in self.columns.profiles(t) if p.key}
            if read is None or read[1] == e.column or read[1] in keys:
                continue  # the row's name or its number: what the question gave, not what it asks
            if best is None or read[0] < best[0]:
                best = (read[0], e, read[1])
        return best

    def _record(self, e: Match) -> dict | None:
        """The row `e` names as {column: formatted value} (None for an empty field); None when there is none."""
        t = e.table
        result = self.store.query(f"SELECT * FROM {quote(t.sql_name)} WHERE {_named_row(e)} LIMIT 1")
        if not result.rows:
            return None
        rec = dict(zip(result.columns, result.rows[0], strict=False))
        return {
            c: format_value(rec[s]) if rec[s] not in (None, "") else None
            for c, s in zip(t.columns, t.sql_columns, strict=True)
        }

    def _read_field(self, question: str, record: dict) -> tuple[float, str] | None:
        """The reader over one row as `field: value` lines: (its no-answer score, the field its best span lies
        in); None when its span lies in no field. Empty fields are left out of what it reads."""
        record = {c: v for c, v in record.items() if v not in (None, "")}
        spans = self.reader.read(question, [record_text(record)])
        column = field_at(record, spans[0].start) if spans else None
        return (spans[0].no_answer, column) if column is not None else None

    def _about_fields(self, words: list[str], table: TableInfo) -> list[str]:
        """The words left once those naming the table's rows are dropped ("store" in "the Oslo store")."""
        names = tokens(table.name.rsplit(" / ", 1)[-1])
        return [w for w in words if not any(same_word(w, n) for n in names)]

    def _table_match(self, words: list[str], table: TableInfo) -> float:
        """How many of the question's words name the table (its name, its sheet, its file), by similarity."""
        stem_of_file = table.source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        names = [w for w in tokens(f"{table.name} {stem_of_file}") if w not in STOPWORDS and not w.isdigit()]
        if not names or not words:
            return 0.0
        self.matcher.load(words + names)
        return sum(max(self.matcher.similarity(n, w) for n in names) for w in words)

    def _cite(self, table: TableInfo, columns: list[str], rows: list[tuple], limit: int = 10) -> list[CitedRow]:
        out = []
        for row in rows[:limit]:
            rec = dict(zip(columns, row, strict=True))
            pairs = zip(table.columns, table.sql_columns, strict=True)
            record = {c: format_value(rec[s]) if rec.get(s) is not None else None for c, s in pairs}
            out.append(CitedRow(table.source, rec.get(LOCATOR) or table.name, row_quote(table.name, record)))
        return out

    # -- aggregates -----------------------------------------------------------------------------------------
    def parse(self, question: str, tables: list[TableInfo], matches: list[Match]) -> Plan | None:
        """A count / total / average / min / max / arg-min / arg-max plan over one table, or None."""
        q = question.lower()
        sup = _SUPERLATIVE.search(q)
        op = None
        if _COUNT.search(q):
            op = "count"
        elif sup:
            op = sup.group(1).lower()
        elif _AVG.search(q):
            op = "avg"
        elif _SUM.search(q):
            op = "sum"
        if op is None:
            return None
        value_words = {w for m in matches for w in tokens(m.value)}
        comparisons = list(_COMPARE.finditer(question))
        plans = [p for t in tables if (p := self._plan(question, op, t, matches, value_words, comparisons))]
        return max(plans, key=lambda p: p.score) if plans else None

    def _plan(self, question, op, table, matches, value_words, comparisons) -> Plan | None:
        profiles = self.columns.profiles(table)
        numeric = [p for p in profiles if p.numeric]
        asked = [w for w in self.matcher.words(question) if w not in value_words]
        noun = self._table_match(asked, table)
        filters, filter_cols = self._filters(table, matches)
        found = self._comparisons(question, table, numeric, comparisons)
        if found is None:
            return None
        compared, compare_score = found
        conditions = len(filters) + compare_score
        filters += compared
        if op == "count":
            counted = self.matcher.words(_COUNT.sub("", question))  # "how many stores …" counts stores
            rows_named = self._table_match(counted[:1], table)
            summed = self._summed(question, counted, table, numeric, filters, rows_named)
            if summed is not None:
                return summed
            if rows_named < NOUN_MIN and all(o == "=" and self.columns.unique(t, c) for t, c, o, _ in filters):
                return None  # "how many nurses work at <a clinic>" counts no row of the clinics table
            if not filters and self._about_fields(counted, table):
                return None  # counting every row needs a question that asks for no more ("how many stores are there")
            return Plan("count", table, None, filters, 1.0 + conditions + noun)
        names_rows = op not in ("sum", "avg") and self._names_rows(question, op, table, numeric)
        agg, concept = self._aggregate(question.lower(), op, names_rows)
        used = set(filter_cols) | {c for _, c, _, _ in compared}
        keys = {p.column for p in numeric if p.key}
        candidates = [p for p in numeric if p.column not in used | keys]
        words = self._about_fields(asked, table)
        if concept == "time":
            candidates = [p for p in candidates if p.year]
            words = [w for w in words if w not in _TIME_WORDS]
        measure_words = concept.split() if concept not in (None, "time") else words
        ranked = self.matcher.rank(question, measure_words, candidates)
        if concept == "time" and len(candidates) == 1 and ranked:
            ranked = [(max(ranked[0][0], FIELD_MIN), ranked[0][1])]
        if not ranked or ranked[0][0] < FIELD_MIN:
            return None
        score, measure = ranked[0]
        measure_names = field_name(measure.column).words
        rest = [w for w in asked if not any(same_word(w, m) for m in measure_names)]  # a word names one thing
        return Plan(agg, table, measure.column, filters, score + conditions + 0.5 * self._table_match(rest, table))

    def _summed(self, question, counted, table, numeric, filters, rows_named) -> Plan | None:
        """ "How many <a numeric column's noun> …" adds that column up over the rows it is about ("how many pupils
        are there in all the schools" → SUM(pupils)), when the noun names the column better than the rows."""
        if not counted or (not filters and not _EVERY.search(question)):
            return None  # adding up every row needs a question that says so ("in all the schools", "in total")
        used = {c for _, c, _, _ in filters}
        ranked = self.matcher.rank("", counted, [p for p in numeric if p.column not in used and not p.year])
        if not ranked or self.matcher.score(counted[:1], ranked[0][1].column) <= rows_named:
            return None
        score, measure = ranked[0]
        if score < FIELD_MIN:
            return None
        return Plan("sum", table, measure.column, filters, score + len(filters))

    def _names_rows(self, question: str, op: str, table: TableInfo, numeric: list) -> bool:
        """Whether the noun after the superlative names the table's rows rather than one of its columns ("the
        oldest school in the town" asks for a school; "the highest price of any watch" for a price): it names
        no numeric column, or the rows better than any."""
        after = re.split(rf"\b{re.escape(op)}\b", question, maxsplit=1, flags=re.I)[-1]
        words = self.matcher.words(after)
        if not words:
            return False
        best_column = max((self.matcher.score(words[:2], p.column) for p in numeric), default=0.0)
        return best_column < NOUN_MIN or self._table_match(words[:1], table) > best_column  # "the newest vehicle"

    @staticmethod
    def _aggregate(q: str, op: str, names_rows: bool) -> tuple[str, str | None]:
        """(sum | avg | min | max | argmin | argmax, the concept an adjective implies: "cheapest" → price)."""
        if op in ("sum", "avg"):
            return op, None
        concept = _CONCEPT.get(op) or ("time" if op in _TIME_WORDS else None)
        low = op in _MIN.split() or op == "least expensive"
        arg = q.lstrip().startswith("which") or op in _CONCEPT or (op in _TIME_WORDS and "which" in q) or names_rows
        return ("argmin" if low else "argmax") if arg else ("min" if low else "max"), concept

    def _filters(self, table: TableInfo, matches: list[Match]) -> tuple[list, list[str]]:
        """Values the question names become equality filters: on this table, or on a table joined by a key."""
        filters, cols = [], []
        for m in matches:
            if m.table is table:
                filters.append((table, m.column, "=", m.value))
                cols.append(m.column)
            elif self.columns.join_key(table, m.table):
                filters.append((m.table, m.column, "=", m.value))
        return filters, cols

    def _comparisons(self, question, table, numeric, comparisons) -> tuple[list, float] | None:
        """ "more than 3 years" → (warranty_years > 3), with how well the words named the columns.

        None if a comparison names no column of this table; a year compared with the table's only year
        column counts, but less than a column its words name.
        """
        out, score = [], 0.0
        for c in comparisons:
            phrase, number = c.group(1).lower(), float(c.group(2))
            window = self.matcher.words(question[max(0, c.start() - 40) : c.start()]) + self.matcher.words(phrase)
            ranked = self.matcher.rank("", window, numeric)
            col = ranked[0][1] if ranked and ranked[0][0] >= FIELD_MIN else None
            score += ranked[0][0] if col else 0.25
            years = [p for p in numeric if p.year]
            if col is None and 1800 <= number <= 2100 and len(years) == 1:
                col = years[0]
            if col is None:
                return None
            op = _OPS.get(phrase, "<" if phrase in _LESS else ">")
            out.append((table, col.column, op, int(number) if number.is_integer() else number))
        return out, score

    def run(self, plan: Plan) -> TableAnswer:
        main_sql, rows_sql = write(plan, self.columns)
        result = self.store.query(main_sql)
        cited = self.store.query(rows_sql)
        unit = field_name(plan.measure).unit if plan.measure else None
        if plan.op in ("argmin", "argmax"):
            if not result.rows:
                return TableAnswer("sql", None, sql=result.sql, reason="no row matches the question's conditions")
            top = result.rows[0][1]
            winners = [r for r in result.rows if r[1] == top]
            text = " and ".join(str(r[0]) for r in winners)
            return TableAnswer("sql", text, self._cite(plan.table, cited.columns, cited.rows, len(winners)), result.sql)
        value = result.rows[0][0] if result.rows else None
        if value is None:
            return TableAnswer("sql", None, sql=result.sql, reason="no row matches the question's conditions")
        if plan.op == "count":
            text = str(value)
        else:
            text = format_value(float(value) if plan.op in ("avg", "sum") else value, unit)
            if plan.op == "sum" and float(value).is_integer():
                text = format_value(int(value), unit)
        limit = 1 if plan.op in ("min", "max") else 10
        return TableAnswer("sql", text, self._cite(plan.table, cited.columns, cited.rows, limit), result.sql)

    # -- endpoint models ------------------------------------------------------------------------------------
    def text_to_sql(self, question: str, tables: list[TableInfo], llm) -> TableAnswer | None:
        """The model writes one SELECT from the schemas; it runs only if the guard accepts it."""
        from ragtune.errors import RagtuneError

        schema = "\n".join(t.schema_line() for t in tables[:50])
        (raw,) = llm.complete([render("text-to-sql", schema=schema, question=question.strip())], 200, None, chat=True)
        sql = re.sub(r"^```(sql)?|```$", "", raw.strip(), flags=re.I | re.M).strip()
        try:
            result = self.store.query(sql)
        except RagtuneError as exc:
            return TableAnswer("sql", None, sql=sql, reason=f"the model's SQL was refused: {exc}")
        if not result.rows or result.rows[0][0] is None:
            return TableAnswer("sql", None, sql=result.sql, reason="the model's SQL returned nothing")
        used = [t for t in tables if re.search(rf"\b{re.escape(t.sql_name)}\b", result.sql)]
        cited = [CitedRow(t.source, f"table {t.name}", t.schema_line()) for t in used]
        return TableAnswer("sql", format_value(result.rows[0][0]), cited, result.sql)


def _row_answer(row: tuple[str, str, str, dict], column: str, why: str, read: float | None = None) -> TableAnswer:
    """The answer `column` gives in a retrieved row (source, locator, table, record), with its unit, cited to it."""
    source, locator, table, record = row
    value = record[column]
    text = format_value(_number(value), field_name(column).unit)
    cited = [CitedRow(source, locator, row_quote(table, record))]
    return TableAnswer("records", text, cited, value=str(value), reason=why, read=read)


def _number(value):
    """A cell as read back from a record: "118" → 118, "4.5" → 4.5, other text unchanged (for units)."""
    if isinstance(value, str):
        for cast in (int, float):
            try:
                return cast(value)
            except ValueError:
                continue
    return value


def _named_row(e: Match) -> str:
    """The SQL condition that picks the row the question names."""
    return f"lower({quote(e.table.sql_column(e.column))}) = {literal(e.value.lower())}"
