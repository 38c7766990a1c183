"""Reads of tasks: mine, and the overdue ones under my grants."""

from django.db.models import Q
from django.utils import timezone

from tongchou.command.choices import OPEN_STATUSES
from tongchou.command.models import Task
from tongchou.core.choices import Role
from tongchou.core.querysets import granted_paths


def tasks_visible_to(user, action: str = "view"):
    """Tasks the user owns or supervises (``Task.scope_rule``)."""
    return Task.objects.restrict(user, action)


def my_tasks(user):
    """Tasks named to the user, and, for a grid worker, unnamed tasks on their grids' nodes.

    A task left to "the grid worker of node N" reaches whoever holds a grant on
    N, or on the grid above N (a building's tasks go to its grid's worker).
    """
    mine = Q(owner_user=user)
    if user.role == Role.GRID_WORKER:
        for path in granted_paths(user):
            mine |= Q(owner_user__isnull=True, area__path__startswith=path)
    return Task.objects.filter(mine).select_related("area", "owner_user", "person")


def overdue_tasks_under(user):
    """Open tasks past due anywhere under the user's grants: a head's watch list."""
    return (
        Task.objects.restrict(user)
        .filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
        .select_related("area", "owner_user", "person")
    )
