"""Changing venues and taking check-ins. Every path into the check-in table — a phone at
the door, a door keeper's scan, a gate device's batch — ends in ``checkins_ingest``."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from tongchou.command.services import task_create
from tongchou.common.bulk import bulk_insert
from tongchou.common.idnumbers import InvalidPhone, parse_phone
from tongchou.core.choices import Role
from tongchou.core.exports import Column, export_table
from tongchou.core.privacy import ROLES_TRACING, STORED_COPY, PersonalKind, shown
from tongchou.core.services import audit_record
from tongchou.grid.models import GridNode
from tongchou.registry.models import Person
from tongchou.registry.services import person_register_unlisted
from tongchou.venues.choices import (
    CONTACT_WINDOW_MINUTES,
    FEVER_CELSIUS,
    AlertStatus,
    CheckInMethod,
    Duty,
    VenueKind,
)
from tongchou.venues.models import CheckIn, FeverAlert, Venue, VenueDuty
from tongchou.venues.selectors import venue_daily_counts
from tongchou.venues.validation import (
    InvalidCheckIn,
    parse_checkin_time,
    parse_temperature,
    token_from_scan,
)

# Roles that register venues and change them, within their grants.
ROLES_EDITING_VENUES = frozenset(
    {Role.COMMAND, Role.OFFICE, Role.COMMUNITY, Role.GRID_WORKER, Role.INSPECTOR}
)
# Roles that keep a door: they scan personal codes and type temperatures.
ROLES_KEEPING_DOORS = frozenset(
    {Role.COMMAND, Role.OFFICE, Role.COMMUNITY, Role.GRID_WORKER, Role.VENUE_OWNER}
)
FEVER = Decimal(FEVER_CELSIUS)
CHECKIN_COLUMNS = (
    "venue_id",
    "person_id",
    "checked_in_at",
    "temperature",
    "method",
    "client_key",
    "recorded_by_id",
)
# The source of the task that asks a venue's grid worker to confirm a visitor registered
# at its door (one open task per visitor and grid: see command.services.task_create).
VISITOR_TASK_SOURCE = "venues.visitor"


def new_code_token() -> str:
    return secrets.token_urlsafe(12)


def _venue_view(venue: Venue) -> dict:
    return {
        "name": venue.name,
        "kind": venue.kind,
        "area": venue.area_id,
        "address": venue.address,
        "contact_window_minutes": venue.contact_window_minutes,
        "is_active": venue.is_active,
    }


def _check_area(actor, area: GridNode) -> None:
    if actor is None:
        return
    if actor.role not in ROLES_EDITING_VENUES:
        raise Http404
    if not GridNode.objects.restrict(actor).filter(pk=area.pk).exists():
        raise Http404


def clean_venue_fields(*, name: str, kind: str, window) -> tuple[str, str, int]:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError("场所名称不能为空")
    if len(name) > 100:
        raise ValidationError("场所名称过长（超过100个字）")
    if kind not in VenueKind.values:
        raise ValidationError(f"场所类型“{kind}”无法识别")
    if window in (None, ""):
        window = CONTACT_WINDOW_MINUTES[kind]
    try:
        window = int(window)
    except (TypeError, ValueError):
        raise ValidationError(f"密接判定时长“{window}”不是整数分钟") from None
    if not 1 <= window <= 7 * 24 * 60:
        raise ValidationError("密接判定时长应在1分钟至7天之间")
    return name, kind, window


@transaction.atomic
def venue_create(
    *,
    actor,
    area: GridNode,
    name: str,
    kind: str,
    address: str = "",
    contact_window_minutes: int | None = None,
) -> Venue:
    """Register a venue on ``area``; its code token is made here and never changes."""
    _check_area(actor, area)
    name, kind, window = clean_venue_fields(name=name, kind=kind, window=contact_window_minutes)
    if Venue.objects.filter(area=area, name=name).exists():
        raise ValidationError(f"本网格已有名为“{name}”的场所")
    venue = Venue.objects.create(
        area=area,
        name=name,
        kind=kind,
        address=address.strip()[:200],
        contact_window_minutes=window,
        code_token=new_code_token(),
    )
    audit_record(actor=actor, action="venue.create", instance=venue, after=_venue_view(venue))
    return venue


@transaction.atomic
def venue_update(
    *,
    actor,
    venue: Venue,
    area: GridNode,
    name: str,
    kind: str,
    address: str = "",
    contact_window_minutes: int | None = None,
    is_active: bool = True,
) -> Venue:
    """Change a venue in the actor's area (both the old and the new area must be theirs)."""
    venue = Venue.objects.restrict(actor).select_for_update().filter(pk=venue.pk).first()
    if venue is None:
        raise Http404
    _check_area(actor, venue.area)
    _check_area(actor, area)
    name, kind, window = clean_venue_fields(name=name, kind=kind, window=contact_window_minutes)
    if Venue.objects.filter(area=area, name=name).exclude(pk=venue.pk).exists():
        raise ValidationError(f"本网格已有名为“{name}”的场所")
    before = _venue_view(venue)
    venue.area, venue.name, venue.kind = area, name, kind
    venue.address, venue.contact_window_minutes = address.strip()[:200], window
    venue.is_active = is_active
    venue.save()
    after = _venue_view(venue)
    if after != before:
        audit_record(actor=actor, action="venue.update", instance=venue, before=before, after=after)
    return venue


@transaction.atomic
def venue_duty_set(
    *,
    actor,
    venue: Venue,
    duty: str,
    holder: str = "",
    person_name: str = "",
    phone: str = "",
    user=None,
) -> VenueDuty:
    """Name one of the four parties answerable for ``venue`` (四方责任)."""
    if actor is not None and (
        actor.role not in ROLES_EDITING_VENUES
        or not Venue.objects.restrict(actor).filter(pk=venue.pk).exists()
    ):
        raise Http404
    if duty not in Duty.values:
        raise ValidationError(f"未知的责任类型：{duty}")
    if phone:
        try:
            phone = parse_phone(phone)
        except InvalidPhone as exc:
            raise ValidationError(str(exc)) from None
    if user is not None and duty in (Duty.UNIT, Duty.INDIVIDUAL) and user.role != Role.VENUE_OWNER:
        raise ValidationError("只有“场所责任人”角色的账号可以关联为单位或个人责任人")
    row, _created = VenueDuty.objects.update_or_create(
        venue=venue,
        duty=duty,
        defaults={
            "holder": holder.strip()[:100],
            "person_name": person_name.strip()[:64],
            "phone": phone,
            "user": user,
        },
    )
    audit_record(
        actor=actor,
        action="venue.duty",
        instance=venue,
        after={
            "duty": duty,
            "holder": row.holder,
            "person": row.person_name,
            "phone": shown(STORED_COPY, PersonalKind.PHONE, phone),
            "user": user.pk if user else None,
        },
    )
    return row


# ---- check-ins ------------------------------------------------------------------------


class Reading(NamedTuple):
    """One validated check-in, ready for the table (a tuple: batches make thousands)."""

    venue_id: int
    person_id: int
    checked_in_at: datetime
    temperature: Decimal | None
    client_key: str | None = None


@dataclass
class IngestReport:
    created: int = 0
    duplicates: int = 0
    alerts: int = 0


def checkins_ingest(
    readings: list[Reading], *, method: str, recorded_by=None, actor=None
) -> IngestReport:
    """Write validated readings in one transaction: skip the ones already stored under the
    same (venue, client key), insert the rest in bulk, raise an alert for each fever.

    Repeating an upload changes nothing; two uploads racing each other are
    settled by the unique constraint (and, on PostgreSQL, a second look).
    """
    report = IngestReport()
    recorded_by_id = recorded_by.pk if recorded_by is not None else None
    for attempt in range(2):
        try:
            with transaction.atomic():
                if connection.vendor == "sqlite":
                    # The unique index itself skips known keys (INSERT OR IGNORE): asking
                    # first would cost a lookup per row. Only the rare fevers are looked up,
                    # so a repeated one raises no second alert.
                    fevers = _without_known_keys([r for r in readings if _is_fever(r)])
                    report.created = _insert_or_ignore(readings, method, recorded_by_id)
                else:
                    fresh = _copy_new(readings, method, recorded_by_id)
                    report.created = len(fresh)
                    fevers = [r for r in fresh if _is_fever(r)]
                report.duplicates = len(readings) - report.created
                report.alerts = _raise_alerts(fevers, actor=actor) if fevers else 0
            return report
        except (IntegrityError, connection.Database.IntegrityError):
            if attempt:
                raise
    return report


def _copy_new(readings: list[Reading], method: str, recorded_by_id) -> list[Reading]:
    """PostgreSQL: COPY the readings, assuming (as is nearly always so) that none is
    stored yet; when the unique index says one is, look the keys up and COPY the rest.

    Asking first would cost every batch a lookup that almost never finds anything.
    """

    def copy(rows: list[Reading]) -> None:
        bulk_insert(
            CheckIn._meta.db_table,
            CHECKIN_COLUMNS,
            [
                (r.venue_id, r.person_id, r.checked_in_at, r.temperature, method)
                + (r.client_key, recorded_by_id)
                for r in rows
            ],
        )

    try:
        with transaction.atomic():
            copy(readings)
        return readings
    # COPY runs on the driver's own cursor, so its error comes unwrapped by Django.
    except (IntegrityError, connection.Database.IntegrityError):
        fresh = _without_known_keys(readings)
        copy(fresh)
        return fresh


def _is_fever(reading: Reading) -> bool:
    return reading.temperature is not None and reading.temperature >= FEVER


def _insert_or_ignore(readings: list[Reading], method: str, recorded_by_id) -> int:
    """SQLite: insert the readings, silently skipping those whose key is stored; return
    how many went in. Rows are validated before, so only the key can conflict."""
    if not readings:
        return 0
    adapt = connection.ops.adapt_datetimefield_value
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in CHECKIN_COLUMNS)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT OR IGNORE INTO {quote(CheckIn._meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(CHECKIN_COLUMNS))})",
            [
                (r.venue_id, r.person_id, adapt(r.checked_in_at), r.temperature, method)
                + (r.client_key, recorded_by_id)
                for r in readings
            ],
        )
        return cursor.rowcount


def _without_known_keys(readings: list[Reading]) -> list[Reading]:
    """The readings whose (venue, client key) is neither stored nor repeated earlier in the list."""
    keyed = {(r.venue_id, r.client_key) for r in readings if r.client_key}
    known = _stored_keys(keyed) if keyed else set()
    fresh = []
    for r in readings:
        if r.client_key:
            key = (r.venue_id, r.client_key)
            if key in known:
                continue
            known.add(key)
        fresh.append(r)
    return fresh


def _stored_keys(keys: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which of these (venue, key) pairs are stored: the keys are looked up on the unique
    index they lead, and the venue is checked here."""
    table = connection.ops.quote_name(CheckIn._meta.db_table)
    texts = sorted({key for _venue, key in keys})
    found = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT venue_id, client_key FROM {table} WHERE client_key = ANY(%s)", [texts]
            )
            found.update(cursor.fetchall())
        else:
            # SQLite binds at most 32766 values per statement.
            for start in range(0, len(texts), 10000):
                part = texts[start : start + 10000]
                cursor.execute(
                    f"SELECT venue_id, client_key FROM {table} "
                    f"WHERE client_key IN ({', '.join(['%s'] * len(part))})",
                    part,
                )
                found.update(cursor.fetchall())
    return {(int(v), k) for v, k in found} & keys


def _raise_alerts(fevers: list[Reading], *, actor) -> int:
    venues = Venue.objects.unscoped_for_system_use().in_bulk({r.venue_id for r in fevers})
    for reading in fevers:
        venue = venues[reading.venue_id]
        alert = FeverAlert.objects.create(
            venue=venue,
            person_id=reading.person_id,
            checked_in_at=reading.checked_in_at,
            temperature=reading.temperature,
        )
        audit_record(
            actor=actor,
            action="fever_alert.raise",
            instance=alert,
            after={"venue": venue.pk, "temperature": str(reading.temperature)},
        )
        # The venue's grid worker follows the person up: the task reaches them by area.
        task_create(
            actor=actor,
            title=f"发热预警：{venue.name} 测得体温{reading.temperature}℃",
            area=venue.area,
            due_at=timezone.now() + timedelta(hours=2),
            subject=alert,
            person=alert.person,
            source="venues.fever",
            description="请立即联系本人，引导至发热门诊并跟进结果",
        )
    return len(fevers)


def person_for_code(code: str) -> Person:
    """The resident whose personal code was scanned (the code holds a random token)."""
    token = token_from_scan(code)
    person = Person.objects.unscoped_for_system_use().filter(code_token=token).first()
    if person is None:
        raise InvalidCheckIn("个人码无效或已失效")
    return person


@sensitive_variables("id_number", "phone")
@transaction.atomic
def visitor_register(*, venue: Venue, name: str, id_number: str, phone: str) -> Person:
    """Someone not on the residents' ledger checks in at ``venue`` by phone: register them
    on the venue's node and give its grid worker a task to confirm where they live.

    This is what a sampling site does with a walk-in (testing's ``walk_in_register``), but
    nobody signs in at a venue's door, so there is no actor whose grants to check: the
    venue's own node is the only place the visitor can land. An ID number registered
    before is found again as it is: no second person, no second task.
    """
    if not (phone or "").strip():
        raise ValidationError("请填写手机号码，以便网格员核实")
    person, created = person_register_unlisted(
        actor=None,
        area=venue.area,
        name=name,
        id_number=id_number,
        phone=phone,
        action="person.visitor",
    )
    if not created:
        return person
    task_create(
        actor=None,
        title="核实扫码登记的来访人员",
        person=person,
        area=venue.area,
        due_at=timezone.now() + timedelta(days=1),
        subject=person,
        source=VISITOR_TASK_SOURCE,
        description=f"{venue.name}扫码登记时不在居民台账中，请核实住址并归入所属网格。",
    )
    return person


def checkin_by_phone(*, venue: Venue, person: Person, temperature=None) -> CheckIn:
    """A person checks themselves in by scanning the venue code (no account, no app)."""
    if not venue.is_active:
        raise InvalidCheckIn("该场所已停用，无法签到")
    reading = Reading(
        venue_id=venue.pk,
        person_id=person.pk,
        checked_in_at=timezone.now(),
        temperature=parse_temperature(temperature),
    )
    checkins_ingest([reading], method=CheckInMethod.VENUE_CODE)
    return (
        CheckIn.objects.unscoped_for_system_use()
        .filter(venue=venue, person=person)
        .order_by("-checked_in_at", "-id")
        .first()
    )


def checkin_at_door(*, actor, venue: Venue, person_code: str, temperature) -> CheckIn:
    """The door keeper scans a personal code and types the temperature (required)."""
    if actor.role not in ROLES_KEEPING_DOORS:
        raise Http404
    if not Venue.objects.restrict(actor).filter(pk=venue.pk).exists():
        raise Http404
    if not venue.is_active:
        raise InvalidCheckIn("该场所已停用，无法签到")
    reading = Reading(
        venue_id=venue.pk,
        person_id=person_for_code(person_code).pk,
        checked_in_at=timezone.now(),
        temperature=parse_temperature(temperature, required=True),
    )
    checkins_ingest([reading], method=CheckInMethod.PERSONAL_CODE, recorded_by=actor, actor=actor)
    return (
        CheckIn.objects.unscoped_for_system_use()
        .filter(venue_id=venue.pk, person_id=reading.person_id)
        .order_by("-checked_in_at", "-id")
        .first()
    )


@dataclass
class BatchReport:
    received: int = 0
    created: int = 0
    duplicates: int = 0
    alerts: int = 0
    errors: list[dict] = None

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "created": self.created,
            "duplicates": self.duplicates,
            "alerts": self.alerts,
            "errors": self.errors or [],
        }


def checkins_upload(*, actor, items: list[dict], now: datetime | None = None) -> BatchReport:
    """A gate device's batch: each item has ``key``, ``venue`` (the venue code),
    ``person`` (a scanned personal code), ``at`` and ``temperature`` (may be empty).

    Good items are stored, bad ones come back with their index and reason; an
    item whose (venue, key) is already stored is counted as a duplicate. The
    venues must be in the uploading account's scope.
    """
    if actor.role not in ROLES_KEEPING_DOORS:
        raise Http404
    now = now or timezone.now()
    report = BatchReport(received=len(items), errors=[])
    # Each code is read once; the lookups below are one query per batch each.
    venue_tokens = [token_from_scan_or_empty(i.get("venue")) for i in items]
    person_tokens = [token_from_scan_or_empty(i.get("person")) for i in items]
    venues = ids_by_code_token(
        Venue.objects.restrict(actor).filter(is_active=True), set(venue_tokens) - {""}
    )
    people = ids_by_code_token(Person.objects.unscoped_for_system_use(), set(person_tokens) - {""})
    readings = []
    # A device clock a few minutes fast is common; later than that is a wrong clock.
    latest = now + timedelta(minutes=10)
    for index, item in enumerate(items):
        try:
            key = item.get("key")
            if not key or not isinstance(key, str) or len(key) > 64:
                raise InvalidCheckIn("缺少设备记录编号（key），或超过64个字符")
            venue_id = venues.get(venue_tokens[index])
            if venue_id is None:
                raise InvalidCheckIn("场所码无效，或该场所不在本账号的管理范围内")
            person_id = people.get(person_tokens[index])
            if person_id is None:
                raise InvalidCheckIn("个人码无效或已失效")
            readings.append(
                Reading(
                    venue_id,
                    person_id,
                    parse_checkin_time(item.get("at"), latest=latest),
                    parse_temperature(item.get("temperature")),
                    key,
                )
            )
        except InvalidCheckIn as exc:
            report.errors.append({"index": index, "key": item.get("key"), "reason": str(exc)})
    ingested = checkins_ingest(readings, method=CheckInMethod.GATE, recorded_by=actor, actor=actor)
    report.created, report.duplicates, report.alerts = (
        ingested.created,
        ingested.duplicates,
        ingested.alerts,
    )
    audit_record(
        actor=actor,
        action="checkin.upload",
        object_type="venues.checkin",
        object_repr=f"{report.created}/{report.received}",
        after={k: v for k, v in report.as_dict().items() if k != "errors"}
        | {"rejected": len(report.errors)},
    )
    return report


def ids_by_code_token(queryset, tokens: set[str]) -> dict[str, int]:
    """{code token: id} of the rows of ``queryset`` holding these tokens, in one query.

    A gate batch holds thousands of codes: on PostgreSQL they go as one array
    parameter, since thousands of separate ones cost the driver more to quote
    than the database takes to answer.
    """
    if not tokens:
        return {}
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        column = f"{quote(queryset.model._meta.db_table)}.{quote('code_token')}"
        # The column comes from the model, the tokens go as a parameter.
        any_token = RawSQL(f"{column} = ANY(%s)", [sorted(tokens)], output_field=BooleanField())  # noqa: S611
        queryset = queryset.filter(any_token)
    else:
        queryset = queryset.filter(code_token__in=tokens)
    return dict(queryset.values_list("code_token", "id"))


def token_from_scan_or_empty(text) -> str:
    try:
        return token_from_scan(text)
    except InvalidCheckIn:
        return ""


@transaction.atomic
def fever_alert_handle(*, actor, alert: FeverAlert, note: str) -> FeverAlert:
    """Close an alert with what was done (sent to the fever clinic, re-measured normal...)."""
    alert = FeverAlert.objects.restrict(actor).select_for_update().filter(pk=alert.pk).first()
    if alert is None:
        raise Http404
    note = (note or "").strip()
    if len(note) < 2:
        raise ValidationError("请填写处置情况")
    if alert.status == AlertStatus.HANDLED:
        raise ValidationError("该预警已处置")
    alert.status, alert.note = AlertStatus.HANDLED, note
    alert.handled_by, alert.handled_at = actor, timezone.now()
    alert.save()
    audit_record(
        actor=actor,
        action="fever_alert.handle",
        instance=alert,
        before={"status": AlertStatus.OPEN},
        after={"status": AlertStatus.HANDLED},
        reason=note,
    )
    return alert


# ---- exports ---------------------------------------------------------------------------


def checkins_export(
    *, actor, queryset, path: Path, looked_up: str, address: str | None = None
) -> int:
    """Write the check-ins of ``queryset`` (already restricted to ``actor``) as tracing
    staff see them, through the export pipeline; return the rows.

    ``looked_up`` says what the list was of (``venue:12``, ``person:34``) for the log.
    """
    if actor.role not in ROLES_TRACING:
        raise Http404
    methods = dict(CheckInMethod.choices)
    columns = [
        Column(
            "签到时间",
            lambda c: timezone.localtime(c.checked_in_at).strftime("%Y-%m-%d %H:%M:%S"),
        ),
        Column("场所名称", lambda c: c.venue.name),
        Column("姓名", lambda c: c.person.name, PersonalKind.NAME),
        Column("身份证号", lambda c: c.person.id_number, PersonalKind.ID_NUMBER),
        Column("联系电话", lambda c: c.person.phone, PersonalKind.PHONE),
        Column("体温（℃）", lambda c: "" if c.temperature is None else str(c.temperature)),
        Column("登记方式", lambda c: methods.get(c.method, c.method)),
    ]
    return export_table(
        actor=actor,
        columns=columns,
        rows=queryset.iterator(chunk_size=2000),
        path=path,
        object_type="venues.checkin",
        object_id=looked_up,
        address=address,
    ).row_count


def checkin_counts_export(*, actor, venue: Venue, path: Path, address: str | None = None) -> int:
    """Write a venue's check-ins and fevers per day, for whoever may see the venue (its
    own responsible person too): counts only, never people; return the rows."""
    if not Venue.objects.restrict(actor).filter(pk=venue.pk).exists():
        raise Http404
    columns = [
        Column("日期", lambda row: row["day"].isoformat()),
        Column("场所名称", lambda row: venue.name),
        Column("登记人次", lambda row: row["checkins"]),
        Column("发热人次", lambda row: row["fevers"]),
    ]
    return export_table(
        actor=actor,
        columns=columns,
        rows=venue_daily_counts(venue),
        path=path,
        object_type="venues.checkin_counts",
        object_id=f"venue:{venue.pk}",
        address=address,
    ).row_count
