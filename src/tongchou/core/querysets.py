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


VIEW, CHANGE = "view", "change"


def action_for_method(method: str) -> str:
    """What a request does to the rows it touches: reading ones, or changing them."""
    return VIEW if method in ("GET", "HEAD", "OPTIONS") else CHANGE


def area_scope(model, user, *, roles=None) -> Q | None:
    """The default scope rule: rows whose area lies under the user's grants, for the
    roles that see the model (``roles``, else its ``visible_to_roles``, else all)."""
    roles = roles if roles is not None else getattr(model, "visible_to_roles", None)
    if roles is not None and getattr(user, "role", None) not in roles:
        return None
    paths = granted_paths(user)
    if not paths:
        return None
    area_field = model.area_field
    return subtree_q(f"{area_field}__" if area_field else "", paths)


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to cut itself to one user's jurisdiction.

    A model declares who sees its rows with ``scope_rule(user, action) -> Q | None``
    (``None``: nothing); without one, ``area_scope`` applies. ``action`` is "view" or
    "change": a rule may let more people read a row than change it.
    """

    def restrict(self, user, action: str = VIEW):
        """Rows this user may see (``view``) or change (``change``); deny by default."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        rule = getattr(self.model, "scope_rule", None)
        q = rule(user, action) if rule is not None else area_scope(self.model, user)
        return self.none() if q is None else self.filter(q)

    def unscoped_for_system_use(self):
        """All rows, regardless of who asks: for services, jobs and commands only.

        The loud name is the point: grep for it when reviewing a view.
        """
        return self.all()
