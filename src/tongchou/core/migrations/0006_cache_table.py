"""The database cache's table (the API throttles count there), made by ``migrate``.

A fresh clone, ``make demo`` and the test database all run ``migrate`` and nothing
else, so the table is created here, as ``createcachetable`` would create it. The
command stays safe to run: it skips a table that exists, and so does this.
"""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations


def _database_cache_tables() -> list[str]:
    return [
        cache["LOCATION"]
        for cache in settings.CACHES.values()
        if cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    ]


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_tables(apps, schema_editor):
    existing = set(schema_editor.connection.introspection.table_names())
    for table in _database_cache_tables():
        if table in existing:
            schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(table)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0005_accesslog_sha256")]

    operations = [migrations.RunPython(create_cache_tables, drop_cache_tables)]
