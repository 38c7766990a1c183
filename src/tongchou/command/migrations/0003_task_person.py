"""A task points at the resident it is about; its title no longer holds their name.

Existing tasks get their person from their subject, and the name is cut out of the
title ("密接管控：李四" becomes "密接管控"); pages add it back for whoever may see it.
"""

import django.db.models.deletion
from django.db import migrations, models

# Subjects that carry a person: model label -> the path to the person's id.
PERSON_OF_SUBJECT = {
    "tracing.contact": "person_id",
    "tracing.control": "person_id",
    "tracing.followup": "control__person_id",
    "venues.feveralert": "person_id",
}


def link_people(apps, schema_editor):
    Task = apps.get_model("command", "Task")
    Person = apps.get_model("registry", "Person")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for task in Task.objects.filter(person__isnull=True, subject_type__isnull=False):
        content_type = ContentType.objects.get(pk=task.subject_type_id)
        label = f"{content_type.app_label}.{content_type.model}"
        if label == "registry.person":
            person_id = int(task.subject_id)
        elif label in PERSON_OF_SUBJECT:
            subject = apps.get_model(content_type.app_label, content_type.model)
            person_id = (
                subject.objects.filter(pk=task.subject_id)
                .values_list(PERSON_OF_SUBJECT[label], flat=True)
                .first()
            )
        else:
            continue
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            continue
        title = task.title.replace(f"：{person.name}", "").replace(person.name, "").strip("： ")
        Task.objects.filter(pk=task.pk).update(person=person, title=title or task.title)


class Migration(migrations.Migration):

    dependencies = [
        ('command', '0002_initial'),
        ('registry', '0002_code_token_lookups'),
        ('tracing', '0002_initial'),
        ('venues', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AddField(
            model_name='task',
            name='person',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='tasks', to='registry.person'),
        ),
        migrations.RunPython(link_people, migrations.RunPython.noop),
    ]
