"""Writing many rows fast: COPY on PostgreSQL, one executemany on SQLite.

Django's bulk_create builds a model instance per row and a parameter list per
batch; for a million-row ledger that costs more than the database does. This
writes plain tuples straight to the table, so callers must have validated them.
"""

from collections.abc import Sequence

from django.db import connection


def bulk_insert(
    table: str, columns: Sequence[str], rows: Sequence[Sequence], *, skip_conflicts: str = ""
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; return the count inserted.

    ``skip_conflicts`` (SQLite only) is an ON CONFLICT target such as
    ``("id_number") WHERE "id_number" IS NOT NULL``: rows that would break that
    unique index are left out instead of failing the insert. COPY has no such clause.
    """
    if not rows:
        return 0
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if skip_conflicts:
                raise ValueError("COPY cannot skip conflicting rows")
            with cursor.cursor.copy(f"COPY {quote(table)} ({column_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return len(rows)
        placeholders = ", ".join(["%s"] * len(columns))
        conflict = f" ON CONFLICT {skip_conflicts} DO NOTHING" if skip_conflicts else ""
        cursor.executemany(
            f"INSERT INTO {quote(table)} ({column_sql}) VALUES ({placeholders}){conflict}", rows
        )
        # executemany sums the rows each execution changed; a skipped row changes none.
        return cursor.rowcount if skip_conflicts else len(rows)


def refresh_statistics(*models) -> None:
    """Let PostgreSQL's planner see the rows a bulk load just wrote.

    Until autovacuum gets round to the table, queries are planned on what it
    last saw (an empty table, a tenth of the rows), and an exact lookup may
    scan a million rows. ANALYZE reads a sample (a fraction of a second at a
    million rows) and may run inside a transaction. SQLite plans without
    statistics unless someone gathered them, so it is left alone.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
