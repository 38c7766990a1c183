"""Tasks: the thread of accountability (责任到人) every other app pulls on."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongchou.command.choices import TaskStatus
from tongchou.core.models import AreaBoundModel


class Task(AreaBoundModel):
    """A piece of work with one responsible owner, an area, a due time and a subject.

    The owner is a named user, or, when ``owner_user`` is empty, whoever holds
    the grid worker role on ``area`` (the node's grid workers), so a task
    follows the post and not the person.
    """

    personal_fields = {}

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="tasks")
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_tasks",
        verbose_name=_("owner"),
    )
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="created_tasks",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # Who made it and why, for tasks other apps create (e.g. "testing.positive_pool").
    source = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=TaskStatus.values), name="task_status_valid"
            ),
            models.UniqueConstraint(
                fields=["source", "subject_type", "subject_id", "area"],
                condition=models.Q(status__in=["open", "in_progress"]) & ~models.Q(source=""),
                name="task_one_open_per_source_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["owner_user", "status"], name="task_owner_status_idx"),
            models.Index(fields=["area", "status", "due_at"], name="task_area_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title
