"""The access log keeps an export's SHA-256; stored labels lose personal values.

An audit event's ``object_repr`` was the record's ``str()``: a resident's name, a
task's title with a name in it. Events about records that hold personal data now
name them by type and number (``core.services.stored_label``); the old rows are
rewritten the same way. The append-only triggers are lifted for this one change
and put back (on SQLite, adding the column rebuilds the table, which drops them).
"""

from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Concat

from tongchou.core.appendonly import create_triggers, drop_triggers

# Models with personal fields, and tasks, whose titles held names until now.
LABELLED_BY_NUMBER = [
    "registry.household",
    "registry.person",
    "venues.venueduty",
    "tracing.teammember",
    "command.task",
]


def relabel(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditEvent.objects.filter(object_type__in=LABELLED_BY_NUMBER).update(
        object_repr=Concat(F("object_type"), Value(" #"), F("object_id"))
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0004_alter_user_role")]

    operations = [
        migrations.RunPython(drop_triggers, create_triggers),
        migrations.AddField(
            model_name="accesslog",
            name="sha256",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(relabel, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
