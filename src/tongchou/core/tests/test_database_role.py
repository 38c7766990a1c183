"""Production connects as a role that owns nothing: it may read and write rows, never
change the schema, so it cannot drop the triggers that keep the logs append-only.
README's production notes give the grants; this test makes such a role on the test
server and shows what it can and cannot do to the access log and the audit trail."""

import psycopg
import pytest
from django.db import connection

from tongchou.core.services import access_log_record, audit_record

ROLE = "tongchou_app_probe"


@pytest.fixture
def app_role(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("roles and grants are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {ROLE}")
        cursor.execute(f"CREATE ROLE {ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
        # The grants README's production notes give the application's role.
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {ROLE}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ROLE}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ROLE}")
    settings = connection.settings_dict
    conn = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        dbname=settings["NAME"],
        user=ROLE,
        autocommit=True,
    )
    yield conn
    conn.close()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {ROLE}")
        cursor.execute(f"DROP ROLE {ROLE}")


def refused(conn, sql) -> bool:
    try:
        conn.execute(sql)
    except psycopg.Error:
        return True
    return False


def test_the_application_role_cannot_rewrite_or_unlock_the_logs(app_role, personas):
    access_log_record(actor=personas["command"], kind="export", object_type="t")
    audit_record(actor=personas["command"], action="x", object_type="t")
    for table in ("core_accesslog", "core_auditevent"):
        assert refused(app_role, f"UPDATE {table} SET object_type = 'changed'")
        assert refused(app_role, f"DELETE FROM {table}")
        assert refused(app_role, f"TRUNCATE {table}")
        assert refused(app_role, f"DROP TRIGGER {table}_append_only ON {table}")
        assert refused(app_role, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    # It can still do its work: read and add rows.
    count = app_role.execute("SELECT count(*) FROM core_accesslog").fetchone()[0]
    assert count == 1
    assert not refused(app_role, "UPDATE registry_person SET name = name")
