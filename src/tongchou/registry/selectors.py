"""Finding residents: search by name, exact ID number or exact phone, and filters."""

import re

from django.db.models import Q

from tongchou.common.idnumbers import normalize_id_number, normalize_phone
from tongchou.grid.models import GridNode

_LOOKS_LIKE_ID = re.compile(r"^\d{17}[\dX]$")
_LOOKS_LIKE_PHONE = re.compile(r"^\d{7,12}$")


def person_search(
    queryset, *, q: str = "", tag: str = "", area: GridNode | None = None, sex: str = ""
):
    """Narrow an already restricted queryset of people.

    An 18-character ID number and a phone number match exactly (and by index);
    anything else matches the start of a name, then any part of it.
    """
    q = (q or "").strip()
    if q:
        as_id = normalize_id_number(q)
        as_phone = normalize_phone(q)
        if _LOOKS_LIKE_ID.match(as_id):
            queryset = queryset.filter(id_number=as_id)
        elif _LOOKS_LIKE_PHONE.match(as_phone):
            queryset = queryset.filter(phone=as_phone)
        else:
            queryset = queryset.filter(Q(name__startswith=q) | Q(name__contains=q))
    if tag:
        queryset = queryset.filter(tags__contains=f",{tag},")
    if area is not None:
        queryset = queryset.filter(area__path__startswith=area.path)
    if sex:
        queryset = queryset.filter(sex=sex)
    return queryset


def possible_duplicates(queryset, *, limit: int = 200) -> list[dict]:
    """Groups of people who may be one person entered twice under different ID numbers:
    the same name and birth date within the queryset (one grouped query)."""
    from django.db.models import Count

    groups = (
        queryset.values("name", "birth_date")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("-n", "name")[:limit]
    )
    keys = [(g["name"], g["birth_date"]) for g in groups]
    if not keys:
        return []
    match = Q()
    for name, born in keys:
        match |= Q(name=name, birth_date=born)
    members: dict[tuple, list] = {key: [] for key in keys}
    for person in queryset.filter(match).select_related("area").order_by("name", "id"):
        members[(person.name, person.birth_date)].append(person)
    return [{"name": n, "birth_date": b, "people": members[(n, b)]} for n, b in keys]
