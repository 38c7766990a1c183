"""The main menu, drawn from the same rules the pages enforce.

An item shows for a role only when its page lets that role in: the page view's
``allowed_roles`` (``RoleRequiredMixin``) decides, and ``roles`` here can only narrow
it (a page every role may open, but whose rows only some roles have). So no role is
shown an item that leads to a missing page; the leak crawl follows every item.
"""

from django.urls import resolve, reverse
from django.utils.translation import gettext_lazy as _

from tongchou.core.choices import ROLES_EDITING_PEOPLE, ROLES_MANAGING_USERS, Role
from tongchou.core.privacy import ROLES_SEEING_HEALTH, ROLES_SEEING_PEOPLE

# (URL name, label, roles it is for, or None for every role the page lets in)
MENU = [
    ("grid-tree", _("Grid"), None),
    ("person-list", _("Residents"), ROLES_SEEING_PEOPLE),
    ("person-import", _("Import"), None),
    ("round-list", _("Mass testing"), None),
    ("results-upload", _("Upload results"), None),
    ("venue-list", _("Venues"), None),
    ("case-list", _("Tracing"), ROLES_SEEING_HEALTH),
    ("control-list", _("Under control"), ROLES_SEEING_HEALTH),
    ("sampler-sites", _("Sampling"), None),
    ("my-tasks", _("My tasks"), None),
    ("overdue-tasks", _("Overdue"), ROLES_EDITING_PEOPLE),
    ("user-list", _("Users"), None),
    ("access-log", _("Access log"), ROLES_MANAGING_USERS),
]


def menu_for(user) -> list[tuple[str, str]]:
    """(url, label) of the items ``user`` may open."""
    role = getattr(user, "role", None)
    if role not in Role.values:
        return []
    items = []
    for name, label, roles in MENU:
        url = reverse(name)
        view = getattr(resolve(url).func, "view_class", None)
        allowed = getattr(view, "allowed_roles", None)
        if allowed is not None and role not in allowed:
            continue
        if roles is not None and role not in roles:
            continue
        items.append((url, label))
    return items


def menu(request) -> dict:
    """Context processor: ``menu_items`` for the signed-in user."""
    return {"menu_items": menu_for(getattr(request, "user", None))}
