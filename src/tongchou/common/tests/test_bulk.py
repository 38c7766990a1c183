from datetime import UTC, datetime

import pytest
from django.db import connection

from tongchou.common.bulk import bulk_insert

ROWS = [
    (1, "tab\there", datetime(2022, 3, 28, 8, 0, tzinfo=UTC)),
    (2, "back\\slash, 中文\nnewline", None),
    (3, None, datetime(2022, 3, 29, 15, 0, tzinfo=UTC)),
]


@pytest.fixture
def scratch_table():
    stamp = "timestamptz" if connection.vendor == "postgresql" else "datetime"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE scratch (n integer, s varchar(40), at {stamp})")
    yield "scratch"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE scratch")


def _read(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n, s, at FROM {table} ORDER BY n")
        return [
            (n, s, at if at is None or isinstance(at, datetime) else datetime.fromisoformat(at))
            for n, s, at in cursor.fetchall()
        ]


def _stored(rows):
    """The rows as SQLite gives them back: times as naive text in UTC."""
    if connection.vendor == "postgresql":
        return rows
    return [(n, s, at.replace(tzinfo=None) if at else None) for n, s, at in rows]


def _as_written(rows):
    if connection.vendor == "postgresql":
        return rows
    adapt = connection.ops.adapt_datetimefield_value
    return [(n, s, adapt(at)) for n, s, at in rows]


@pytest.mark.django_db
@pytest.mark.parametrize("types", [(), ("integer", "varchar", "timestamptz")])
def test_rows_from_a_generator_arrive_whole_and_are_counted(scratch_table, types):
    rows = _as_written(ROWS)
    written = bulk_insert(scratch_table, ("n", "s", "at"), (row for row in rows), types=types)
    assert written == 3
    assert _read(scratch_table) == _stored(ROWS)


@pytest.mark.django_db
def test_an_empty_generator_writes_nothing(scratch_table):
    assert bulk_insert(scratch_table, ("n", "s", "at"), iter(())) == 0
    assert bulk_insert(scratch_table, ("n", "s", "at"), []) == 0
    assert _read(scratch_table) == []
