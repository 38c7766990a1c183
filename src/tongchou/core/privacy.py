"""Personal data: which fields hold it, and one policy of who sees each kind how.

Every model declares ``personal_fields``, a mapping of field name to
PersonalKind. A test walks all models and fails when a field that looks
personal is not declared, so a new model cannot slip one past the policy.

``POLICY`` is the one table of role x kind -> Shown. Pages (the ``personal``
template tag), API serializers (``PersonalModelSerializer``), exports
(``core.exports``), audit copies and task titles all call ``shown()``;
nothing else decides whether a value is shown whole, masked or not at all.
README prints the same table (``policy_markdown()``; a test keeps them equal).
"""

import enum

from django.utils import translation

from tongchou.common.masking import mask_address, mask_id_number, mask_name, mask_phone
from tongchou.core.choices import Role


class PersonalKind(enum.Enum):
    NAME = "name"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    ADDRESS = "address"
    BIRTH_DATE = "birth_date"
    # Whether someone is a case, a contact and of which tier, under which control.
    HEALTH = "health"
    # Where someone was and when: check-ins, co-location.
    WHEREABOUTS = "whereabouts"


class Shown(enum.Enum):
    FULL = "full"
    # Masked, and the role may ask to see it whole, one person at a time, with a reason,
    # written to the access log.
    REVEALABLE = "revealable"
    MASKED = "masked"
    WITHHELD = "withheld"


F, R, M, W = Shown.FULL, Shown.REVEALABLE, Shown.MASKED, Shown.WITHHELD
K = PersonalKind

# Stored copies (an audit event's before and after) are written for no one in
# particular: they hold what this pseudo-role may see. Labels (an audit event's
# object_repr, a task's title) hold no personal value at all.
STORED_COPY = "stored_copy"
PUBLIC_PAGE = "public_page"

#: role -> kind -> how that role sees it. A role or kind missing here is withheld.
POLICY: dict[str, dict[PersonalKind, Shown]] = {
    # name, ID number, phone, address, birth date, health, whereabouts
    Role.COMMAND: dict(zip(K, (F, R, R, F, F, F, F), strict=True)),
    Role.OFFICE: dict(zip(K, (F, R, R, F, F, F, W), strict=True)),
    Role.COMMUNITY: dict(zip(K, (F, R, R, F, F, F, W), strict=True)),
    Role.GRID_WORKER: dict(zip(K, (F, R, R, F, F, F, W), strict=True)),
    # A task force works on people (vaccination, return to work), not on cases.
    Role.TASK_FORCE: dict(zip(K, (F, M, M, F, F, W, W), strict=True)),
    # Tracers must call cases and contacts: the phone may be revealed (logged).
    Role.TRACER: dict(zip(K, (F, M, R, F, F, F, F), strict=True)),
    # A sampler checks the person in front of them against the masked name and ID
    # number the scan answers; nothing else.
    Role.SAMPLER: dict(zip(K, (M, M, W, W, W, W, W), strict=True)),
    # A door keeper sees the masked name of who just checked in, and counts.
    Role.VENUE_OWNER: dict(zip(K, (M, W, W, W, W, W, W), strict=True)),
    # Inspectors meet venues' responsible people by name only masked; no residents.
    Role.INSPECTOR: dict(zip(K, (M, W, W, W, W, W, W), strict=True)),
    Role.LAB: dict(zip(K, (W, W, W, W, W, W, W), strict=True)),
    Role.PROJECT_OFFICE: dict(zip(K, (W, W, W, W, W, W, W), strict=True)),
    Role.DISCIPLINE: dict(zip(K, (W, W, W, W, W, W, W), strict=True)),
    STORED_COPY: dict(zip(K, (F, M, M, F, W, W, W), strict=True)),
    # The pages a phone opens without signing in (a venue's code, a resident's own code):
    # whoever holds the phone sees the name masked and nothing else.
    PUBLIC_PAGE: dict(zip(K, (M, W, W, W, W, W, W), strict=True)),
}

MASKERS = {
    PersonalKind.NAME: mask_name,
    PersonalKind.ID_NUMBER: mask_id_number,
    PersonalKind.PHONE: mask_phone,
    PersonalKind.ADDRESS: mask_address,
    PersonalKind.BIRTH_DATE: lambda value: str(value)[:4] if value else "",
}


def _role(viewer) -> str | None:
    if isinstance(viewer, str):
        return viewer
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    return getattr(viewer, "role", None)


def how_shown(viewer, kind: PersonalKind) -> Shown:
    """How ``viewer`` (a user, a role, or ``STORED_COPY``) sees values of ``kind``."""
    return POLICY.get(_role(viewer), {}).get(kind, Shown.WITHHELD)


def shown(viewer, kind: PersonalKind, value, *, revealed: bool = False) -> str:
    """``value`` as ``viewer`` may see it: whole, masked, or "" when withheld.

    ``revealed`` shows a revealable value whole: only the reveal and unmasked export
    services pass it, after writing the access log.
    """
    how = how_shown(viewer, kind)
    if value is None or how is Shown.WITHHELD:
        return ""
    if how is Shown.FULL or (revealed and how is Shown.REVEALABLE):
        return str(value)
    masker = MASKERS.get(kind)
    return masker(str(value)) if masker else ""


def shown_field(viewer, instance, field_name: str) -> str:
    """A declared personal field of ``instance`` as ``viewer`` may see it."""
    kind = type(instance).personal_fields[field_name]
    return shown(viewer, kind, getattr(instance, field_name))


def stored_copy(instance, fields) -> dict:
    """The personal ``fields`` of ``instance`` as audit events keep them."""
    return {name: shown_field(STORED_COPY, instance, name) for name in fields}


def masked_fields(model) -> dict[str, PersonalKind]:
    """The fields of ``model`` whose kind some role may reveal (ID numbers, phones)."""
    revealable = {k for row in POLICY.values() for k, how in row.items() if how is Shown.REVEALABLE}
    return {n: k for n, k in getattr(model, "personal_fields", {}).items() if k in revealable}


def revealable_kinds(viewer) -> set[PersonalKind]:
    """The kinds ``viewer`` may reveal, one person at a time, with a reason."""
    return {k for k, how in POLICY.get(_role(viewer), {}).items() if how is Shown.REVEALABLE}


def may_reveal(viewer) -> bool:
    """Whether ``viewer`` may ask to see some masked field in full (logged)."""
    return bool(revealable_kinds(viewer))


def roles_seeing(kind: PersonalKind, *levels: Shown) -> frozenset:
    """The roles that see ``kind`` at one of ``levels`` (default: whole or revealable)."""
    levels = levels or (Shown.FULL, Shown.REVEALABLE)
    return frozenset(
        role
        for role, row in POLICY.items()
        if role not in (STORED_COPY, PUBLIC_PAGE) and row.get(kind) in levels
    )


_WORDS = {
    Shown.FULL: "全部",
    Shown.REVEALABLE: "脱敏（可申请查看，留痕）",
    Shown.MASKED: "脱敏",
    Shown.WITHHELD: "不显示",
}
_KIND_WORDS = {
    K.NAME: "姓名",
    K.ID_NUMBER: "身份证号",
    K.PHONE: "电话",
    K.ADDRESS: "住址",
    K.BIRTH_DATE: "出生日期",
    K.HEALTH: "健康状态",
    K.WHEREABOUTS: "行程轨迹",
}


def policy_markdown() -> str:
    """The policy as the Markdown table README prints."""
    with translation.override("en"):
        labels = {role: str(label) for role, label in Role.choices}
    labels[STORED_COPY] = "stored copies (audit before/after)"
    labels[PUBLIC_PAGE] = "public pages a phone opens (no sign-in)"
    lines = [
        "| role | " + " | ".join(f"{_KIND_WORDS[k]} ({k.value})" for k in K) + " |",
        "|---|" + "---|" * len(K),
    ]
    for role, row in POLICY.items():
        cells = " | ".join(_WORDS[row[k]] for k in K)
        lines.append(f"| {labels[role]} (`{role}`) | {cells} |")
    return "\n".join(lines)


# The roles whose work is about residents: they list people within their grants.
ROLES_SEEING_PEOPLE = roles_seeing(PersonalKind.NAME)
# The roles that see cases, contacts and controls.
ROLES_SEEING_HEALTH = roles_seeing(PersonalKind.HEALTH)
# The roles that see whose check-ins they are and run tracing (流调): the joint team's staff.
ROLES_TRACING = roles_seeing(PersonalKind.WHEREABOUTS)


def is_masked_echo(kind: PersonalKind, submitted, stored) -> bool:
    """Whether ``submitted`` is ``stored`` sent back as a form or the API showed it masked
    (``138****5678`` for ``13812345678``): the value is then unchanged, and changing a
    name does not need the phone revealed first. A value typed anew is never an echo."""
    masker = MASKERS.get(kind)
    if masker is None or not stored or submitted is None:
        return False
    return str(submitted).strip() == masker(str(stored)) != str(stored)
