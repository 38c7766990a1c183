"""Writing many rows fast: COPY on PostgreSQL, one executemany on SQLite.

Django's bulk_create builds a model instance per row and a parameter list per
batch; for a million-row ledger that costs more than the database does. This
writes plain tuples straight to the table, so callers must have validated them.
"""

from collections.abc import Iterable, Sequence

from django.db import connection


def bulk_insert(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    skip_conflicts: str = "",
    types: Sequence[str] = (),
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; return the count inserted.

    ``rows`` may be a generator: on PostgreSQL the server then takes in one
    chunk of the COPY while the generator makes the next.

    ``skip_conflicts`` (SQLite only) is an ON CONFLICT target such as
    ``("id_number") WHERE "id_number" IS NOT NULL``: rows that would break that
    unique index are left out instead of failing the insert. COPY has no such clause.

    ``types`` (PostgreSQL type names in ``columns`` order) make the COPY binary:
    the driver writes each value in the server's own form, which costs both
    sides half what writing and parsing text does.
    """
    if isinstance(rows, Sequence) and not rows:
        return 0
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if skip_conflicts:
                raise ValueError("COPY cannot skip conflicting rows")
            written = 0
            binary = " (FORMAT BINARY)" if types else ""
            copy_sql = f"COPY {quote(table)} ({column_sql}) FROM STDIN{binary}"
            with cursor.cursor.copy(copy_sql) as copy:
                if types:
                    copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        placeholders = ", ".join(["%s"] * len(columns))
        conflict = f" ON CONFLICT {skip_conflicts} DO NOTHING" if skip_conflicts else ""
        rows = rows if isinstance(rows, Sequence) else list(rows)
        if not rows:
            return 0
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
