"""Tasks: the one service every app calls to give someone a piece of work."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from tongchou.command.choices import OPEN_STATUSES, TaskStatus
from tongchou.command.models import Task
from tongchou.core.services import audit_record


@transaction.atomic
def task_create(
    *,
    actor,
    title: str,
    area,
    due_at: datetime,
    owner_user=None,
    subject=None,
    person=None,
    description: str = "",
    source: str = "",
) -> Task:
    """Give a task to ``owner_user``, or to the grid workers of ``area`` when no user is named.

    With a ``source`` (e.g. "testing.positive_pool") the same subject gets at
    most one open task per area, so a repeated trigger changes nothing. ``person`` is
    the resident it is about: never put their name (or any personal value) in the
    title, which everyone who sees the task reads; ``Task.title_for`` adds the name.
    """
    if not title.strip():
        raise ValidationError("任务标题不能为空")
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    subject_id = str(subject.pk) if subject is not None else ""
    if source:
        existing = Task.objects.filter(
            source=source,
            subject_type=subject_type,
            subject_id=subject_id,
            area=area,
            status__in=OPEN_STATUSES,
        ).first()
        if existing:
            return existing
    task = Task(
        title=title.strip(),
        description=description,
        area=area,
        owner_user=owner_user,
        due_at=due_at,
        subject_type=subject_type,
        subject_id=subject_id,
        person=person,
        source=source,
        created_by=actor if actor and actor.is_authenticated else None,
    )
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:
        return Task.objects.get(
            source=source,
            subject_type=subject_type,
            subject_id=subject_id,
            area=area,
            status__in=OPEN_STATUSES,
        )
    audit_record(
        actor=actor,
        action="task.create",
        instance=task,
        after={
            "area": area.pk,
            "owner": owner_user.pk if owner_user else None,
            "due_at": due_at.isoformat(),
            "source": source,
        },
    )
    return task


@transaction.atomic
def task_set_status(*, actor, task: Task, status: str, note: str = "") -> Task:
    """Move a task the actor may see to a new status; finishing stamps the time."""
    from tongchou.command.selectors import tasks_visible_to

    task = tasks_visible_to(actor, "change").select_for_update().filter(pk=task.pk).first()
    if task is None:
        raise Http404
    if status not in TaskStatus.values:
        raise ValidationError(f"未知状态：{status}")
    before = task.status
    task.status = status
    task.completed_at = timezone.now() if status == TaskStatus.DONE else None
    task.save(update_fields=["status", "completed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="task.status",
        instance=task,
        before={"status": before},
        after={"status": status},
        reason=note,
    )
    return task
