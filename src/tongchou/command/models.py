"""Tasks: the thread of accountability (责任到人) every other app pulls on."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongchou.command.choices import TaskStatus
from tongchou.core.choices import ROLES_SUPERVISING, Role
from tongchou.core.models import AreaBoundModel
from tongchou.core.privacy import PersonalKind, shown
from tongchou.core.querysets import granted_paths, subtree_q


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
    # The resident the task is about, if any. The title never holds their name: it is
    # added for each viewer as the privacy policy lets them see it (``title_for``).
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
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

    def title_for(self, viewer) -> str:
        """The title as ``viewer`` may read it: the person's name (masked or left out as the
        policy says for their role) after the task's own words."""
        if self.person_id is None:
            return self.title
        name = shown(viewer, PersonalKind.NAME, self.person.name)
        return f"{self.title}：{name}" if name else self.title

    def record_url(self) -> str:
        """The page of the record the task is about (a control, a venue, a person), if any."""
        if self.subject_type_id:
            subject_model = ContentType.objects.get_for_id(self.subject_type_id).model_class()
            page = RECORD_PAGES.get(subject_model._meta.label_lower)
            if page:
                return reverse(page, args=[self.subject_id])
        if self.person_id:
            return reverse("person-detail", args=[self.person_id])
        return ""

    @classmethod
    def scope_rule(cls, user, action):
        """A task is seen and changed by its owner (a grid worker owns the unnamed tasks of
        their grids), by the supervisors whose grants cover its area, and by the command
        centre; nobody else, whatever their grants."""
        mine = Q(owner_user=user)
        paths = granted_paths(user)
        if user.role == Role.GRID_WORKER and paths:
            mine |= Q(owner_user__isnull=True) & subtree_q("area__", paths)
        if user.role in ROLES_SUPERVISING and paths:
            mine |= subtree_q("area__", paths)
        return mine


# Subjects with a page of their own: the task links there.
RECORD_PAGES = {
    "tracing.control": "control-detail",
    "tracing.case": "case-detail",
    "venues.venue": "venue-detail",
    "registry.person": "person-detail",
}
