"""Changing residents: create, update, reveal in full, export. Every change is audited."""

import secrets
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.views.decorators.debug import sensitive_variables

from tongchou.core.choices import ROLES_EDITING_PEOPLE, AccessKind
from tongchou.core.exports import export_table
from tongchou.core.privacy import revealable_kinds, stored_copy
from tongchou.core.services import access_log_record, audit_record
from tongchou.grid.models import GridNode
from tongchou.registry.ledger import export_columns
from tongchou.registry.models import Household, Person
from tongchou.registry.validation import InvalidPerson, clean_person


def _audit_view(person: Person) -> dict:
    """A person's fields as the audit trail keeps them (``core.privacy.STORED_COPY``)."""
    return {
        **stored_copy(person, ["name", "id_number", "phone", "address"]),
        "area": person.area_id,
        "household": person.household_id,
        "relation": person.relation,
        "tags": person.tags,
    }


def _check_area(actor, area: GridNode) -> None:
    if actor.role not in ROLES_EDITING_PEOPLE:
        raise Http404
    if not GridNode.objects.restrict(actor).filter(pk=area.pk).exists():
        raise Http404


def _household(area: GridNode, number: str) -> Household | None:
    if not number:
        return None
    household, _created = Household.objects.get_or_create(area=area, number=number)
    return household


@sensitive_variables("id_number", "phone", "clean")
@transaction.atomic
def person_create(
    *,
    actor,
    area: GridNode,
    name: str,
    id_number: str,
    phone: str = "",
    address: str = "",
    household_number: str = "",
    relation: str = "",
    tags: str = "",
) -> Person:
    """Register one resident on ``area``; raise ValidationError with the reason."""
    _check_area(actor, area)
    try:
        clean = clean_person(
            name=name,
            id_number=id_number,
            phone=phone,
            address=address,
            relation=relation,
            tags=tags,
        )
    except InvalidPerson as exc:
        raise ValidationError(str(exc)) from None
    person = _new_person(clean, area, household=_household(area, household_number))
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise ValidationError("该身份证号已登记") from None
    audit_record(actor=actor, action="person.create", instance=person, after=_audit_view(person))
    return person


def _new_person(clean, area: GridNode, *, household=None) -> Person:
    """An unsaved Person from a checked record, with a fresh personal-code token."""
    return Person(
        name=clean.name,
        id_number=clean.id_number,
        sex=clean.sex,
        birth_date=clean.birth_date,
        phone=clean.phone,
        address=clean.address,
        area=area,
        household=household,
        relation=clean.relation,
        tags=clean.tags,
        code_token=secrets.token_urlsafe(12),
    )


@sensitive_variables("phone", "clean")
@transaction.atomic
def person_update(
    *,
    actor,
    person: Person,
    area: GridNode,
    name: str,
    phone: str = "",
    address: str = "",
    household_number: str = "",
    relation: str = "",
    tags: str = "",
    reason: str = "",
) -> Person:
    """Change a resident's details (not their ID number); both areas must be in scope."""
    # Re-read under the caller's scope inside the transaction: a grant removed
    # a moment ago, or a person moved out of scope, must not be written to.
    person = Person.objects.restrict(actor).select_for_update().filter(pk=person.pk).first()
    if person is None:
        raise Http404
    _check_area(actor, area)
    try:
        clean = clean_person(
            name=name,
            id_number=person.id_number,
            phone=phone,
            address=address,
            relation=relation,
            tags=tags,
        )
    except InvalidPerson as exc:
        raise ValidationError(str(exc)) from None
    before = _audit_view(person)
    person.name, person.phone, person.address = clean.name, clean.phone, clean.address
    person.area, person.relation, person.tags = area, clean.relation, clean.tags
    person.household = _household(area, household_number)
    person.save()
    after = _audit_view(person)
    if after != before:
        audit_record(
            actor=actor,
            action="person.update",
            instance=person,
            before=before,
            after=after,
            reason=reason,
        )
    return person


@transaction.atomic
def person_reveal(*, actor, person: Person, reason: str, address: str | None = None) -> dict:
    """The fields of one person the actor's role may reveal, in full, with a reason; logged."""
    fields = [n for n, k in Person.personal_fields.items() if k in revealable_kinds(actor)]
    if not fields:
        raise Http404
    if not Person.objects.restrict(actor).filter(pk=person.pk).exists():
        raise Http404
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError("请填写查看完整信息的理由")
    access_log_record(
        actor=actor,
        kind=AccessKind.REVEAL,
        object_type="registry.person",
        object_id=str(person.pk),
        fields=",".join(fields),
        reason=reason,
        address=address,
    )
    return {name: getattr(person, name) for name in fields}


def people_export(
    *,
    actor,
    queryset,
    path: Path,
    reveal: bool = False,
    reason: str = "",
    address: str | None = None,
) -> int:
    """Write the people of ``queryset`` (already restricted) to ``path`` through the export
    pipeline, as ``actor`` may see them; return the rows."""
    return export_table(
        actor=actor,
        columns=export_columns(),
        rows=queryset.select_related("area", "household").iterator(chunk_size=2000),
        path=path,
        object_type="registry.person",
        reveal=reveal,
        reason=reason,
        address=address,
    ).row_count


@sensitive_variables("id_number", "phone")
@transaction.atomic
def person_register_walk_in(
    *, actor, area: GridNode, name: str, id_number: str, phone: str = ""
) -> tuple[Person, bool]:
    """A sampler's quick registration of someone not on the ledger, at a site in their area;
    return the person and whether they are new.

    Same checks as any registration. An ID number already registered is that
    person, unchanged, only under the name it is registered with: typed under
    another name it is refused (NAME_MISMATCH), so an ID number alone never
    tells a sampler whose it is.
    """
    if not GridNode.objects.restrict(actor).filter(pk=area.pk).exists():
        raise Http404
    return person_register_unlisted(
        actor=actor,
        area=area,
        name=name,
        id_number=id_number,
        phone=phone,
        action="person.walk_in",
        same_name=True,
    )


# Said of an ID number typed with a name it is not registered under; it names no one.
NAME_MISMATCH = "姓名与登记信息不一致，请核对证件"


# The dots typed between the parts of a name (阿依古丽·买买提) on various keyboards.
_MIDDLE_DOTS = str.maketrans(dict.fromkeys("•‧・．.", "·"))


def _name_key(name: str) -> str:
    """A name as two spellings of it compare: no spaces, one middle dot, any case."""
    return "".join(name.split()).translate(_MIDDLE_DOTS).casefold()


def _registered(person: Person, name: str, *, same_name: bool) -> Person:
    """``person``, found by an ID number typed with ``name``; refused when the names differ."""
    if same_name and _name_key(person.name) != _name_key(name):
        raise ValidationError(NAME_MISMATCH)
    return person


@sensitive_variables("id_number", "phone", "clean")
def person_register_unlisted(
    *,
    actor,
    area: GridNode,
    name: str,
    id_number: str,
    phone: str,
    action: str,
    same_name: bool = False,
) -> tuple[Person, bool]:
    """Register someone not on the ledger on ``area``; return them and whether they are new.

    The caller has decided that ``area`` is theirs to register on (a sampler's
    site, a venue's own node for a visitor at its door; ``actor`` may be None
    there). An ID number registered before is that person, as they are: nothing
    is changed or revealed; with ``same_name``, only when ``name`` is the one it
    is registered with (else NAME_MISMATCH). Two taps at once register one person.
    """
    try:
        clean = clean_person(name=name, id_number=id_number, phone=phone)
    except InvalidPerson as exc:
        raise ValidationError(str(exc)) from None
    known = Person.objects.unscoped_for_system_use()
    existing = known.filter(id_number=clean.id_number).first()
    if existing is not None:
        return _registered(existing, clean.name, same_name=same_name), False
    person = _new_person(clean, area)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        existing = known.get(id_number=clean.id_number)
        return _registered(existing, clean.name, same_name=same_name), False
    audit_record(actor=actor, action=action, instance=person, after=_audit_view(person))
    return person, True
