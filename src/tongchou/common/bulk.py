"""Writing many rows fast: COPY on PostgreSQL, one executemany on SQLite.

Django's bulk_create builds a model instance per row and a parameter list per
batch; for a million-row ledger that costs more than the database does. This
writes plain tuples straight to the table, so callers must have validated them.
"""

from collections.abc import Sequence

from django.db import connection


def bulk_insert(table: str, columns: Sequence[str], rows: Sequence[Sequence]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; return the count."""
    if not rows:
        return 0
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({column_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {quote(table)} ({column_sql}) VALUES ({placeholders})", rows
            )
    return len(rows)
