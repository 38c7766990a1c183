"""SQL for the triggers that keep the audit trail and the access log append-only."""

APPEND_ONLY_TABLES = ("core_auditevent", "core_accesslog")


def create_statements(vendor: str) -> list[str]:
    """Statements that make the tables refuse UPDATE and DELETE on this database."""
    statements = []
    if vendor == "postgresql":
        statements.append(
            "CREATE OR REPLACE FUNCTION tongchou_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only'; END $$ "
            "LANGUAGE plpgsql"
        )
    for table in APPEND_ONLY_TABLES:
        if vendor == "sqlite":
            statements += [
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                for op in ("UPDATE", "DELETE")
            ]
        elif vendor == "postgresql":
            statements.append(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION tongchou_append_only()"
            )
    return statements


def drop_statements(vendor: str) -> list[str]:
    statements = []
    for table in APPEND_ONLY_TABLES:
        if vendor == "sqlite":
            statements += [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]
        elif vendor == "postgresql":
            statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    return statements


def create_triggers(apps, schema_editor) -> None:
    """A migration's step: make the tables append-only on this database."""
    for sql in create_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor) -> None:
    """A migration's step: lift the triggers (only to change the tables themselves)."""
    for sql in drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)
