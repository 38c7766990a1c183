import pytest
from django.db import connection

from tongchou.common.env import database_from_url
from tongchou.common.statements import prepared_cursor
from tongchou.core.models import User


def test_postgres_connections_prepare_and_plan_once():
    options = database_from_url("postgres://u@db:5432/t")["OPTIONS"]
    assert options["prepare_threshold"] == 5
    assert options["options"] == "-c plan_cache_mode=force_generic_plan"
    pooled = database_from_url("postgres://u@db/t?prepare_threshold=off&options=-c%20x=1")
    assert pooled["OPTIONS"]["prepare_threshold"] is None
    assert pooled["OPTIONS"]["options"] == "-c x=1 -c plan_cache_mode=force_generic_plan"


@pytest.mark.django_db
def test_a_prepared_statement_answers_alike_each_time():
    User.objects.create(username="a", role="grid_worker")
    sql = f"SELECT username FROM {connection.ops.quote_name(User._meta.db_table)} WHERE role = %s"
    answers = []
    with prepared_cursor() as cursor:
        for role in ["grid_worker", "lab", "grid_worker"] * 3:
            cursor.execute(sql, [role])
            answers.append(cursor.fetchall())
    assert answers == [[("a",)], [], [("a",)]] * 3
