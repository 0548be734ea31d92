"""PostgreSQL + pgvector: a server store any team with a PostgreSQL can reach (`RAGTUNE_VECTOR_STORE=postgresql://…`).

One table per row kind (`<collection>_chunks`, `_sentences`, `_summaries`), like the embedded store. Dense search
is pgvector's cosine distance, through an HNSW index once a table has `ann_threshold` rows (pgvector keeps it up
to date on every insert: no rebuilds); keyword search is PostgreSQL full text (`tsvector`, GIN index, `ts_rank`);
a row's structured records are also kept as JSONB for the `has` filter. A `replace` is one transaction, so
readers see a document's old rows or its new ones, never neither.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from ragtune.errors import RagtuneError
from ragtune.index.base import KEYWORD_KINDS, KINDS, ROW, Columns, Filter, Hit, check_filter, split_kinds

HNSW = "CREATE INDEX IF NOT EXISTS {} ON {} USING hnsw (vector vector_cosine_ops) WITH (m = 16, ef_construction = 200)"
EF_SEARCH = 400  # HNSW candidate list (`?ef_search=` in the URL). Recall@10 on 100k real embeddings, 2 cores
# (bench/scale.py's data): 0.84 at 100 (2.7 ms a search), 0.92 at 200 (5.1 ms), 0.97 at 400 (8.5 ms)
LOOKUPS = ("id", "doc_id", "parent", "source", "access")


def split_url(url: str) -> tuple[str, str, int]:
    """`postgresql://…?collection=NAME&ef_search=N` → (the URL psycopg connects to, NAME, N); ragtune's own
    parameters are optional (default "ragtune" and `EF_SEARCH`), the others go to PostgreSQL."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    ours = dict(query)
    name = ours.get("collection", "ragtune")
    if not name.isidentifier():
        raise RagtuneError(f"vector store collection {name!r} must be a plain identifier (letters, digits, _)")
    ef = ours.get("ef_search", str(EF_SEARCH))
    if not ef.isdigit() or not 1 <= int(ef) <= 1000:
        raise RagtuneError(f"ef_search={ef!r} in the vector store URL must be a whole number from 1 to 1000")
    rest = urlencode([(k, v) for k, v in query if k not in ("collection", "ef_search")])
    return urlunsplit(parts._replace(scheme="postgresql", query=rest)), name.lower(), int(ef)


def where(filters: list[Filter]) -> sql.Composable:
    """Filters → a SQL predicate with every value a quoted literal."""
    parts: list[sql.Composable] = []
    for f in filters:
        check_filter(f)
        if f.op == "has":  # some record has this field
            path = "$[*]." + json.dumps(str(f.value))
            parts.append(sql.SQL("record_data @? {}::jsonpath").format(sql.Literal(path)))
        elif f.op == "=":
            parts.append(sql.SQL("{} = {}").format(sql.Identifier(f.field), sql.Literal(str(f.value))))
        else:
            values = [str(v) for v in f.value]
            parts.append(sql.SQL("{} = ANY({}::text[])").format(sql.Identifier(f.field), sql.Literal(values)))
    return sql.SQL(" AND ").join(parts) if parts else sql.SQL("TRUE")


class PgVectorStore:
    """Tables in one PostgreSQL database (pgvector ≥ 0.7), reached through a small connection pool."""

    def __init__(self, url: str, dim: int, ann_threshold: int = 10_000):
        self.dim = dim
        self.ann_threshold = ann_threshold
        conninfo, name, self.ef_search = split_url(url)
        self.host = urlsplit(conninfo).hostname or "localhost"
        self.tables = {kind: f"{name}_{table}" for kind, table in KINDS.items()}
        self._create(conninfo)
        self.pool = ConnectionPool(
            conninfo, min_size=1, max_size=4, kwargs={"autocommit": True}, configure=self._configure, open=True
        )

    def _create(self, conninfo: str) -> None:
        try:
            conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as e:
            raise RagtuneError(f"cannot reach PostgreSQL at {self.host}: {str(e).strip().splitlines()[-1]}") from e
        with conn:
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
            except psycopg.Error as e:
                raise RagtuneError(f"PostgreSQL at {self.host} has no pgvector ({e.diag.message_primary})") from e
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [self.tables["chunk"]])
                for kind, table in self.tables.items():
                    self._create_table(conn, kind, table)

    def _create_table(self, conn: psycopg.Connection, kind: str, table: str) -> None:
        t = sql.Identifier(table)
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (id text NOT NULL, doc_id text NOT NULL, source text, type text, "
                "kind text, parent text, ordinal integer, locator text, heading text, text text, search_text text, "
                "records text, access text NOT NULL DEFAULT '', "
                "record_data jsonb GENERATED ALWAYS AS (COALESCE(NULLIF(records, ''), '[]')::jsonb) "
                "STORED, tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', COALESCE(search_text, ''))) "
                "STORED, vector vector({}) NOT NULL)"
            ).format(t, sql.Literal(self.dim))
        )
        stored = conn.execute(
            "SELECT atttypmod FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'vector'", [table]
        ).fetchone()[0]
        if stored != self.dim:
            raise RagtuneError(f"table {table} at {self.host} holds {stored}-dim vectors, not {self.dim}")
        conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS access text NOT NULL DEFAULT ''").format(t))
        for column in LOOKUPS:
            conn.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} ({})").format(
                    sql.Identifier(f"{table}_{column}"), t, sql.Identifier(column)
                )
            )
        conn.execute(
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING gin (record_data jsonb_path_ops)").format(
                sql.Identifier(f"{table}_records"), t
            )
        )
        if kind in KEYWORD_KINDS:
            conn.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING gin (tsv)").format(sql.Identifier(f"{table}_tsv"), t)
            )

    def _configure(self, conn: psycopg.Connection) -> None:
        register_vector(conn)
        conn.execute(sql.SQL("SET hnsw.ef_search = {}").format(sql.Literal(self.ef_search)))
        conn.execute("SET hnsw.iterative_scan = strict_order")  # filtered searches still fill k (pgvector 0.8)

    def close(self) -> None:
        self.pool.close()

    def _select(self, query: sql.Composable, params: list | None = None) -> list[dict]:
        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(query, params).fetchall()
        for row in rows:
            if "vector" in row:
                row["vector"] = row["vector"].to_numpy()
        return rows

    def replace(self, doc_ids: list[str], rows: list[dict]) -> None:
        with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            for kind, table in self.tables.items():
                if doc_ids:
                    cur.execute(
                        sql.SQL("DELETE FROM {} WHERE doc_id = ANY(%s)").format(sql.Identifier(table)), [doc_ids]
                    )
                if mine := [r for r in rows if r["kind"] == kind]:
                    self._copy(cur, table, mine)

    def relabel(self, doc_ids: list[str], access: str) -> None:
        with self.pool.connection() as conn, conn.transaction():
            for table in self.tables.values():
                conn.execute(
                    sql.SQL("UPDATE {} SET access = %s WHERE doc_id = ANY(%s)").format(sql.Identifier(table)),
                    [access, doc_ids],
                )

    def _copy(self, cur: psycopg.Cursor, table: str, rows: list[dict]) -> None:
        columns = [*ROW, "vector"]
        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with cur.copy(copy_sql) as copy:
            copy.set_types(["int4" if c == "ordinal" else "text" for c in ROW] + ["vector"])
            for r in rows:
                copy.write_row([*(r[c] for c in ROW), np.asarray(r["vector"], dtype=np.float32)])

    def refresh(self) -> None:
        """HNSW indexes for tables that reached `ann_threshold` rows, and fresh planner statistics."""
        with self.pool.connection() as conn:
            conn.execute("SET maintenance_work_mem = '1GB'")
            for table in self.tables.values():
                t = sql.Identifier(table)
                if not conn.execute("SELECT to_regclass(%s)", [f"{table}_hnsw"]).fetchone()[0]:  # count until built
                    n = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(t)).fetchone()[0]
                    if n >= self.ann_threshold and n:
                        conn.execute(sql.SQL(HNSW).format(sql.Identifier(f"{table}_hnsw"), t))
                conn.execute(sql.SQL("ANALYZE {}").format(t))

    def _columns(self, columns: Columns) -> sql.Composable:
        return sql.SQL(", ").join(map(sql.Identifier, columns or ROW))

    def dense(self, vector: np.ndarray, k: int, filters: list[Filter] = (), columns: Columns = None) -> list[Hit]:
        kinds, rest = split_kinds(filters)
        q = np.asarray(vector, dtype=np.float32)
        hits = []
        for kind in kinds:
            query = sql.SQL(
                "SELECT {}, vector <=> %(q)s AS _distance FROM {} WHERE {} ORDER BY vector <=> %(q)s LIMIT %(k)s"
            ).format(self._columns(columns), sql.Identifier(self.tables[kind]), where(rest))
            hits += [Hit(r, 1.0 - r.pop("_distance")) for r in self._select(query, {"q": q, "k": k})]
        return sorted(hits, key=lambda h: -h.score)[:k]

    def bm25(self, query: str, k: int, filters: list[Filter] = (), columns: Columns = None) -> list[Hit]:
        """Rows holding any of the query's words (stemmed, stop words dropped), ranked by `ts_rank`."""
        kinds, rest = split_kinds(filters)
        hits = []
        for kind in (k_ for k_ in kinds if k_ in KEYWORD_KINDS):
            sql_ = sql.SQL(
                "WITH q AS (SELECT websearch_to_tsquery('simple', string_agg(w, ' or ')) AS q "
                "FROM unnest(tsvector_to_array(to_tsvector('english', %(text)s))) w) "
                "SELECT {}, ts_rank(t.tsv, q.q, 1) AS _score FROM {} t, q WHERE t.tsv @@ q.q AND {} "
                "ORDER BY _score DESC LIMIT %(k)s"
            ).format(self._columns(columns), sql.Identifier(self.tables[kind]), where(rest))
            hits += [Hit(r, r.pop("_score")) for r in self._select(sql_, {"text": query, "k": k})]
        return sorted(hits, key=lambda h: -h.score)[:k]

    def rows(self, filters: list[Filter] = (), columns: Columns = None) -> list[dict]:
        kinds, rest = split_kinds(filters)
        out = []
        for kind in kinds:
            query = sql.SQL("SELECT {} FROM {} WHERE {}").format(
                self._columns(columns), sql.Identifier(self.tables[kind]), where(rest)
            )
            out += self._select(query)
        return out

    def count(self, filters: list[Filter] = ()) -> int:
        kinds, rest = split_kinds(filters)
        query = "SELECT count(*) AS n FROM {} WHERE {}"
        return sum(
            self._select(sql.SQL(query).format(sql.Identifier(self.tables[kind]), where(rest)))[0]["n"]
            for kind in kinds
        )
