"""Database triggers that make the audit trail and the access log append-only.

The application can insert rows but cannot change or remove them, whatever
code path it takes (a queryset .update(), raw SQL, a shell session). TRUNCATE
is a table privilege that production does not grant the application's role.
"""

from django.db import migrations

from tongchou.core.appendonly import create_triggers, drop_triggers


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
