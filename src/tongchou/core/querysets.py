"""Jurisdiction: every queryset of area-bound data is cut to the user's grants.

A grant on a grid node covers the node and its whole subtree. Nodes carry a
materialised path (``/1/4/17/``), so "under any of my grants" is one indexed
prefix filter per grant. Deny by default: no grants, no rows.
"""

from django.db import models
from django.db.models import Q


def granted_paths(user) -> list[str]:
    """The paths of the nodes a user holds grants on, nested ones folded away.

    Cached on the user object for the length of one request.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_tongchou_granted_paths", None)
    if cached is not None:
        return cached
    from tongchou.core.models import Grant

    paths = sorted(Grant.objects.filter(user=user).values_list("node__path", flat=True))
    folded: list[str] = []
    for path in paths:
        if not any(path.startswith(outer) for outer in folded):
            folded.append(path)
    user._tongchou_granted_paths = folded
    return folded


def forget_granted_paths(user) -> None:
    """Drop the per-request cache after the user's grants change."""
    if hasattr(user, "_tongchou_granted_paths"):
        del user._tongchou_granted_paths


def subtree_q(prefix: str, paths: list[str]) -> Q:
    """Q matching rows whose ``{prefix}path`` lies under one of ``paths``."""
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{prefix}path__startswith": path})
    return query


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to cut itself to one user's jurisdiction."""

    def restrict(self, user):
        """Rows this user may see: under their grants, and only for roles that see this model."""
        allowed_roles = getattr(self.model, "visible_to_roles", None)
        if allowed_roles is not None and getattr(user, "role", None) not in allowed_roles:
            return self.none()
        paths = granted_paths(user)
        if not paths:
            return self.none()
        area_field = self.model.area_field
        prefix = f"{area_field}__" if area_field else ""
        return self.filter(subtree_q(prefix, paths))

    def unscoped_for_system_use(self):
        """All rows, regardless of who asks: for services, jobs and commands only.

        The loud name is the point: grep for it when reviewing a view.
        """
        return self.all()
