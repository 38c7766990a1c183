"""Helpers any bench may share: the machine and database it ran on, a table of figures,
percentiles, and the raw insert that serves as a baseline."""

import math
import os
import time

from django.db import DatabaseError, connection, transaction


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def database_description() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return f"SQLite {version} ({connection.settings_dict['NAME']})"


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile: a value that was measured, never an interpolation."""
    ordered = sorted(values)
    rank = max(math.ceil(q / 100 * len(ordered)) - 1, 0)
    return ordered[rank]


def timed(action, *args) -> float:
    started = time.perf_counter()
    action(*args)
    return time.perf_counter() - started


def alternating_rounds(project, baseline, rounds: int = 2) -> tuple[list[float], list[float]]:
    """Time ``project()`` and ``baseline()`` in turn (project, baseline, project, ...).

    Each returns its own seconds and leaves the table as the next one needs it.
    Taking turns spreads the machine's slow spells over both sides; compare
    the better round of each, as the noise only ever adds time.
    """
    project_times, baseline_times = [], []
    for _round in range(rounds):
        project_times.append(project())
        baseline_times.append(baseline())
    return project_times, baseline_times


def raw_insert(table: str, columns, rows) -> None:
    """The database's own rate: one COPY, or one executemany in one transaction.

    ``rows`` must already be in the driver's types (dates as text on SQLite).
    """
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(c) for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({column_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join("?" * len(columns))
            # The driver's own cursor: no Django wrapper between the rows and SQLite.
            connection.connection.executemany(
                f"INSERT INTO {quote(table)} ({column_sql}) VALUES ({placeholders})", rows
            )


class Table:
    """Figures in aligned columns, each line flushed as soon as it is known."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.verdicts: list[tuple[str, str, bool, str]] = []

    def line(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def section(self, title: str) -> None:
        self.line("")
        self.line(title)

    def header(self) -> None:
        self.line(f"{'phase':<42} {'rows':>10} {'seconds':>9} {'rows/s':>10}")

    def phase(self, label: str, rows: int, seconds: float) -> None:
        self.line(f"{label:<42} {rows:>10,} {seconds:>9.2f} {rows / seconds:>10,.0f}")

    def ratio(self, label: str, value: float, goal: str = "") -> None:
        self.line(f"{label:<42} {value:>10.0%}  {goal}".rstrip())

    def goal(self, label: str, value: str, met: bool, goal: str) -> None:
        """A figure against its goal; all of them are listed again by ``verdicts_table``."""
        self.verdicts.append((label, value, met, goal))
        self.line(f"{label:<42} {value:>10}   goal {goal}: {'met' if met else 'MISSED'}")

    def verdicts_table(self) -> None:
        self.section("goals")
        for label, value, met, goal in self.verdicts:
            self.line(f"  {'met   ' if met else 'MISSED'} {label}: {value} (goal {goal})")


def empty_tables(*models) -> None:
    """Empty the tables of ``models``: between phases, or when a bench cleans up.

    On PostgreSQL TRUNCATE leaves no dead rows behind to slow the next phase,
    and takes seconds where DELETE of millions of rows with deferred foreign-key
    checks takes minutes; it must name every table that references these, so it
    is used only when those are empty too (and outside a test's transaction,
    where it may be refused), and DELETE does otherwise.
    """
    tables = [m._meta.db_table for m in models]
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            others = [t for t in _referencing_tables(cursor, tables) if t not in tables]
            if not any(_has_rows(cursor, table) for table in others):
                try:
                    with transaction.atomic():
                        cursor.execute(f"TRUNCATE {', '.join(map(quote, [*tables, *others]))}")
                    return
                except DatabaseError:
                    pass
        for table in tables:
            cursor.execute(f"DELETE FROM {quote(table)}")


def _referencing_tables(cursor, tables: list[str]) -> list[str]:
    """Tables with a foreign key to these, to theirs, and so on, as the catalogue has them."""
    found, pending = [], list(tables)
    while pending:
        cursor.execute(
            "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = %s::regclass",
            [connection.ops.quote_name(pending.pop())],
        )
        for (table,) in cursor.fetchall():
            table = table.strip('"')
            if table not in found and table not in tables:
                found.append(table)
                pending.append(table)
    return found


def _has_rows(cursor, table: str) -> bool:
    cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
    return cursor.fetchone() is not None
