"""Everything about tables: the record shape, the DuckDB table store, its SQL guard, field matching, and the
reader that answers a question from one row or with SQL over whole tables."""
