"""Cases and their tracing files: record a case, trace its contacts from check-ins and
households, add or import contacts, confirm (a task to the grid workers) or dismiss them."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from tongchou.command.services import task_create
from tongchou.common.idnumbers import normalize_id_number
from tongchou.common.spreadsheets import SpreadsheetError, cell_text, find_header, read_rows
from tongchou.core.privacy import ROLES_TRACING
from tongchou.core.services import audit_record
from tongchou.registry.models import Person
from tongchou.tracing import selectors
from tongchou.tracing.choices import (
    CaseFoundBy,
    CaseKind,
    CaseStatus,
    ContactSource,
    ContactStatus,
    ContactTier,
    ControlKind,
)
from tongchou.tracing.models import Case, Contact, ContactEvidence
from tongchou.tracing.services.control import control_start
from tongchou.venues.choices import COLOCATION_FACTOR

# A stronger tier replaces a weaker one when the same person turns up again.
TIER_RANK = {ContactTier.CLOSE: 3, ContactTier.SECONDARY: 2, ContactTier.CO_LOCATION: 1}
# The measure a confirmed contact is put under, by tier.
CONTROL_FOR_TIER = {
    ContactTier.CLOSE: ControlKind.CENTRAL_QUARANTINE,
    ContactTier.SECONDARY: ControlKind.HOME_QUARANTINE,
    ContactTier.CO_LOCATION: ControlKind.HOME_MONITORING,
}
TIER_BY_LABEL = {
    "密接": ContactTier.CLOSE,
    "密切接触者": ContactTier.CLOSE,
    "次密接": ContactTier.SECONDARY,
    "密接的密接": ContactTier.SECONDARY,
    "时空伴随": ContactTier.CO_LOCATION,
    "时空伴随者": ContactTier.CO_LOCATION,
    **{tier: tier for tier in ContactTier.values},
}


def _check_tracer(actor) -> None:
    if actor is None or actor.role not in ROLES_TRACING:
        raise Http404


def _scoped_case(actor, case: Case, *, lock: bool = False) -> Case:
    _check_tracer(actor)
    queryset = Case.objects.restrict(actor)
    if lock:
        queryset = queryset.select_for_update()
    found = queryset.select_related("person").filter(pk=case.pk).first()
    if found is None:
        raise Http404
    return found


@transaction.atomic
def case_record(
    *,
    actor,
    person: Person,
    kind: str,
    found_by: str,
    confirmed_on: date,
    found_place: str = "",
    onset_on: date | None = None,
    sampled_on: date | None = None,
    lookback_days: int = 14,
    note: str = "",
) -> Case:
    """Record a confirmed case or asymptomatic infection; it opens a tracing file."""
    _check_tracer(actor)
    if not Person.objects.restrict(actor).filter(pk=person.pk).exists():
        raise Http404
    if kind not in CaseKind.values:
        raise ValidationError(f"未知病例类型：{kind}")
    if found_by not in CaseFoundBy.values:
        raise ValidationError(f"未知发现途径：{found_by}")
    today = timezone.localdate()
    for label, value in (
        ("确诊日期", confirmed_on),
        ("发病日期", onset_on),
        ("采样日期", sampled_on),
    ):
        if value is not None and value > today:
            raise ValidationError(f"{label}不能晚于今天")
    if onset_on and onset_on > confirmed_on:
        raise ValidationError("发病日期不能晚于确诊日期")
    if not 1 <= lookback_days <= 28:
        raise ValidationError("追溯天数应在1至28天之间")
    if Case.objects.filter(person=person, status=CaseStatus.OPEN).exists():
        raise ValidationError("该人员已有正在流调的病例")
    case = Case.objects.create(
        person=person,
        area_id=person.area_id,
        kind=kind,
        found_by=found_by,
        found_place=found_place.strip()[:200],
        onset_on=onset_on,
        sampled_on=sampled_on,
        confirmed_on=confirmed_on,
        lookback_days=lookback_days,
        note=note,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="case.record",
        instance=case,
        after={
            "person": person.pk,
            "kind": kind,
            "found_by": found_by,
            "confirmed_on": str(confirmed_on),
        },
    )
    return case


@dataclass
class TraceReport:
    close: int = 0
    secondary: int = 0
    co_location: int = 0
    household: int = 0
    evidence: int = 0
    raised: int = 0

    def as_dict(self) -> dict:
        return self.__dict__.copy()


class _File:
    """The contacts of one case while a trace adds to them: new rows, raised tiers, evidence."""

    def __init__(self, case: Case):
        self.case = case
        self.contacts = {c.person_id: c for c in Contact.objects.filter(case=case)}
        self.new: list[Contact] = []
        self.evidence: list[tuple[int, object]] = []  # (person_id, Overlap)
        self.report = TraceReport()

    def offer(self, person_id: int, tier: str, source: str, evidence=(), via_person=None) -> None:
        if person_id == self.case.person_id:
            return
        best = evidence[0] if evidence else None
        contact = self.contacts.get(person_id)
        if contact is None:
            contact = Contact(
                case=self.case,
                person_id=person_id,
                tier=tier,
                source=source,
                venue_id=best.venue_id if best else None,
                met_at=best.at if best else None,
                overlap_minutes=best.overlap_minutes if best else None,
            )
            contact._via_person = via_person
            self.contacts[person_id] = contact
            self.new.append(contact)
            setattr(self.report, tier, getattr(self.report, tier) + 1)
            if source == ContactSource.HOUSEHOLD:
                self.report.household += 1
        elif TIER_RANK[tier] > TIER_RANK[contact.tier] and contact.status == ContactStatus.PENDING:
            contact.tier, contact.source = tier, source
            if best:
                contact.venue_id, contact.met_at = best.venue_id, best.at
                contact.overlap_minutes = best.overlap_minutes
            contact._raised = True
            self.report.raised += 1
        self.evidence.extend((person_id, e) for e in evidence[:20])

    def save(self) -> None:
        people = dict(
            Person.objects.unscoped_for_system_use()
            .filter(pk__in=[c.person_id for c in self.new])
            .values_list("id", "area_id")
        )
        for contact in self.new:
            contact.area_id = people[contact.person_id]
        Contact.objects.bulk_create(self.new, batch_size=1000)
        raised = [c for c in self.contacts.values() if getattr(c, "_raised", False)]
        if raised:
            Contact.objects.bulk_update(
                raised, ["tier", "source", "venue", "met_at", "overlap_minutes", "updated_at"]
            )
        # Secondary contacts point at the close contact they came through.
        linked = []
        for contact in self.new:
            via_person = getattr(contact, "_via_person", None)
            if via_person is not None and via_person in self.contacts:
                contact.via_id = self.contacts[via_person].pk
                linked.append(contact)
        if linked:
            Contact.objects.bulk_update(linked, ["via"], batch_size=1000)
        rows = [
            ContactEvidence(
                contact_id=self.contacts[person_id].pk,
                venue_id=o.venue_id,
                checkin_id=o.checkin_id,
                source_checkin_id=o.source_checkin_id,
                at=o.at,
                source_at=o.source_at,
                overlap_minutes=o.overlap_minutes,
            )
            for person_id, o in self.evidence
        ]
        ContactEvidence.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        self.report.evidence = len(rows)


def _household_members(person_ids: list[int]) -> dict[int, list[int]]:
    """Members of each person's household: {person_id: [other members]}."""
    rows = list(
        Person.objects.unscoped_for_system_use()
        .filter(pk__in=person_ids, household__isnull=False)
        .values_list("id", "household_id")
    )
    households = {h for _p, h in rows}
    members: dict[int, list[int]] = {}
    for pk, household_id in (
        Person.objects.unscoped_for_system_use()
        .filter(household_id__in=households)
        .values_list("id", "household_id")
    ):
        members.setdefault(household_id, []).append(pk)
    return {p: [m for m in members[h] if m != p] for p, h in rows}


@transaction.atomic
def case_trace(
    *, actor, case: Case, days: int | None = None, secondary: bool = True, now=None
) -> TraceReport:
    """Find the case's contacts over ``days`` (the case's look-back by default) and add them
    to its file: close contacts from check-ins and the household, co-located people,
    and the second hop through every close contact. Running it again only adds."""
    case = _scoped_case(actor, case, lock=True)
    if case.status != CaseStatus.OPEN:
        raise ValidationError("该病例已结案")
    if days is not None and not 1 <= days <= 28:
        raise ValidationError("追溯天数应在1至28天之间")
    since, until = selectors.trace_period(case, days, now=now)
    file = _File(case)
    for person_id, evidence in selectors.close_contacts(
        person_id=case.person_id, since=since, until=until
    ).items():
        file.offer(person_id, ContactTier.CLOSE, ContactSource.CHECK_IN, evidence)
    for member in _household_members([case.person_id]).get(case.person_id, []):
        file.offer(member, ContactTier.CLOSE, ContactSource.HOUSEHOLD)
    colocated = selectors.overlaps(
        source_person_ids=[case.person_id], since=since, until=until, factor=COLOCATION_FACTOR
    )
    for person_id, evidence in selectors.contacts_by_person(
        colocated, exclude={case.person_id}
    ).items():
        file.offer(person_id, ContactTier.CO_LOCATION, ContactSource.CHECK_IN, evidence)
    if secondary:
        close_ids = [
            c.person_id
            for c in file.contacts.values()
            if c.tier == ContactTier.CLOSE and c.status != ContactStatus.DISMISSED
        ]
        found = selectors.secondary_contacts(
            close_person_ids=close_ids, since=since, until=until, exclude={case.person_id}
        )
        for person_id, evidence in found.items():
            file.offer(
                person_id,
                ContactTier.SECONDARY,
                ContactSource.CHECK_IN,
                evidence,
                via_person=evidence[0].source_person_id,
            )
        for close_id, members in _household_members(close_ids).items():
            for member in members:
                file.offer(
                    member, ContactTier.SECONDARY, ContactSource.HOUSEHOLD, via_person=close_id
                )
    file.save()
    case.traced_at = timezone.now()
    case.save(update_fields=["traced_at", "updated_at"])
    audit_record(
        actor=actor,
        action="case.trace",
        instance=case,
        after={**file.report.as_dict(), "since": since.isoformat(), "until": until.isoformat()},
    )
    return file.report


@transaction.atomic
def contact_add(
    *, actor, case: Case, person: Person, tier: str, source: str = ContactSource.MANUAL, note=""
) -> Contact:
    """Put someone on a case's file by hand (or from the joint team's list)."""
    case = _scoped_case(actor, case, lock=True)
    if tier not in ContactTier.values:
        raise ValidationError(f"未知接触类别：{tier}")
    if person.pk == case.person_id:
        raise ValidationError("不能把病例本人列为其接触者")
    contact = Contact.objects.filter(case=case, person=person).first()
    if contact is not None:
        if TIER_RANK[tier] > TIER_RANK[contact.tier]:
            before = contact.tier
            contact.tier, contact.source = tier, source
            contact.save(update_fields=["tier", "source", "updated_at"])
            audit_record(
                actor=actor,
                action="contact.raise",
                instance=contact,
                before={"tier": before},
                after={"tier": tier},
            )
        return contact
    contact = Contact.objects.create(
        case=case, person=person, area_id=person.area_id, tier=tier, source=source, note=note
    )
    audit_record(
        actor=actor,
        action="contact.add",
        instance=contact,
        after={"case": case.pk, "person": person.pk, "tier": tier, "source": source},
    )
    return contact


@dataclass
class ContactImportReport:
    rows: int = 0
    added: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


CONTACT_HEADERS = {
    "id_number": ("身份证号", "身份证号码", "证件号码", "id_number"),
    "name": ("姓名", "name"),
    "tier": ("类别", "人员类别", "接触类别", "tier"),
    "note": ("备注", "接触情况", "note"),
}


def contacts_import(*, actor, case: Case, path: str | Path) -> ContactImportReport:
    """The joint team's list (三公(工)一大): ID number, name, tier, note per row.

    Each good row goes through ``contact_add``; a row whose person is not on the
    ledger, whose name does not match, or whose tier is unknown is reported.
    """
    case = _scoped_case(actor, case)
    rows = read_rows(path)
    header_line, columns, _header = find_header(rows, CONTACT_HEADERS)
    if "id_number" not in columns:
        raise SpreadsheetError("缺少必需的列：身份证号")
    report = ContactImportReport()
    for line, row in enumerate(rows, start=header_line + 1):
        texts = [cell_text(v) for v in row]
        if not any(texts):
            continue
        report.rows += 1

        def get(name, texts=texts):
            index = columns.get(name)
            return texts[index] if index is not None and index < len(texts) else ""

        id_number = normalize_id_number(get("id_number"))
        person = Person.objects.unscoped_for_system_use().filter(id_number=id_number).first()
        tier = TIER_BY_LABEL.get(get("tier") or "密接")
        if person is None:
            report.errors.append((line, f"身份证号{id_number[:4]}…未在本区登记"))
        elif get("name") and get("name") != person.name:
            report.errors.append((line, "姓名与身份证号不符"))
        elif tier is None:
            report.errors.append((line, f"类别“{get('tier')}”无法识别（密接、次密接、时空伴随）"))
        else:
            try:
                contact_add(
                    actor=actor,
                    case=case,
                    person=person,
                    tier=tier,
                    source=ContactSource.JOINT_TEAM,
                    note=get("note"),
                )
            except ValidationError as exc:
                report.errors.append((line, exc.messages[0]))
            else:
                report.added += 1
    audit_record(
        actor=actor,
        action="contacts.import",
        instance=case,
        after={"rows": report.rows, "added": report.added, "errors": len(report.errors)},
    )
    return report


def _scoped_contact(actor, contact: Contact) -> Contact:
    _check_tracer(actor)
    found = (
        Contact.objects.restrict(actor)
        .select_for_update()
        .select_related("case", "person", "area")
        .filter(pk=contact.pk)
        .first()
    )
    if found is None or not Case.objects.restrict(actor).filter(pk=found.case_id).exists():
        raise Http404
    return found


@transaction.atomic
def contact_confirm(*, actor, contact: Contact, control_kind: str | None = None) -> Contact:
    """Confirm a contact: the grid workers where they live get a task, and the person is put
    under the measure their tier calls for."""
    contact = _scoped_contact(actor, contact)
    if contact.status == ContactStatus.CONFIRMED:
        return contact
    before = contact.status
    contact.status = ContactStatus.CONFIRMED
    contact.reviewed_by, contact.reviewed_at = actor, timezone.now()
    contact.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="contact.confirm",
        instance=contact,
        before={"status": before},
        after={"status": contact.status, "tier": contact.tier},
    )
    kind = control_kind or CONTROL_FOR_TIER[contact.tier]
    control_start(
        actor=actor,
        person=contact.person,
        kind=kind,
        reason=f"{contact.get_tier_display()}（病例#{contact.case_id}）",
        source="tracing.contact",
        contact=contact,
    )
    task_create(
        actor=actor,
        title=f"{contact.get_tier_display()}管控",
        person=contact.person,
        area=contact.area,
        due_at=timezone.now() + timedelta(hours=2),
        subject=contact,
        source="tracing.contact",
        description=f"请立即联系本人，落实{ControlKind(kind).label}，每日随访",
    )
    return contact


@transaction.atomic
def contact_dismiss(*, actor, contact: Contact, reason: str) -> Contact:
    """Take someone off the file, with the reason (wrong person, no real contact...)."""
    contact = _scoped_contact(actor, contact)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError("请填写排除理由")
    before = contact.status
    contact.status = ContactStatus.DISMISSED
    contact.note = reason
    contact.reviewed_by, contact.reviewed_at = actor, timezone.now()
    contact.save(update_fields=["status", "note", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="contact.dismiss",
        instance=contact,
        before={"status": before},
        after={"status": contact.status},
        reason=reason,
    )
    return contact


@transaction.atomic
def case_close(*, actor, case: Case, reason: str = "") -> Case:
    """Close a tracing file. The case's own trail is no longer held from the purge; the
    check-ins its contacts' evidence points at stay held with the file."""
    case = _scoped_case(actor, case, lock=True)
    case.status = CaseStatus.CLOSED
    case.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="case.close",
        instance=case,
        before={"status": CaseStatus.OPEN},
        after={"status": CaseStatus.CLOSED},
        reason=reason,
    )
    return case
