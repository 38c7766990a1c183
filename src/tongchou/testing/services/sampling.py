"""Sampling at a site: open a tube, scan people into it, seal it; walk-ins; missing notes."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from tongchou.command.services import task_create
from tongchou.common.statements import prepared_cursor
from tongchou.core.choices import Role
from tongchou.core.privacy import PersonalKind, shown
from tongchou.core.services import audit_record
from tongchou.grid.models import GridNode
from tongchou.registry.codes import token_from_personal_code
from tongchou.registry.models import Person
from tongchou.registry.services import person_register_walk_in
from tongchou.registry.validation import clean_name
from tongchou.testing.choices import (
    TUBE_CAPACITY,
    RetestStatus,
    RoundStatus,
    ScanOutcome,
    TubeKind,
    TubeStatus,
)
from tongchou.testing.models import (
    Missing,
    Retest,
    Sample,
    SamplingSite,
    TestingRound,
    Tube,
    ZoneNode,
)


def sites_for(user):
    """The sites a user may sample at: the ones they are assigned to."""
    if user.role != Role.SAMPLER:
        return SamplingSite.objects.none()
    return SamplingSite.objects.restrict(user)


def _site_for_sampler(actor, site_id) -> SamplingSite:
    # A site not assigned to the actor reads as one that does not exist.
    site = get_object_or_404(sites_for(actor).select_related("zone__round"), pk=site_id)
    if site.zone.round.status != RoundStatus.RUNNING:
        raise ValidationError("本轮检测未在进行中")
    return site


@transaction.atomic
def tube_open(*, actor, site: SamplingSite, barcode: str, kind: str) -> Tube:
    """Start filling a tube at the sampler's site; a barcode is used once, ever."""
    site = _site_for_sampler(actor, site.pk)
    barcode = barcode.strip()
    if not barcode:
        raise ValidationError("请扫描试管条码")
    if kind not in TubeKind.values:
        raise ValidationError(f"未知的采样方式：{kind}")
    existing = Tube.objects.filter(barcode=barcode).first()
    if existing is not None:
        # The same sampler reopening their own open tube (a page reload) is not an error.
        if (
            existing.site_id == site.pk
            and existing.status == TubeStatus.OPEN
            and existing.kind == kind
        ):
            return existing
        raise ValidationError(f"试管条码{barcode}已使用过")
    tube = Tube.objects.create(
        round=site.zone.round,
        site=site,
        barcode=barcode,
        kind=kind,
        capacity=TUBE_CAPACITY[kind],
        created_by=actor,
    )
    audit_record(actor=actor, action="testing.tube.open", instance=tube, after={"kind": kind})
    return tube


@dataclass(frozen=True)
class ScanResult:
    """What the sampler's phone shows after one scan: only a name and a masked ID number."""

    outcome: str
    message: str
    count: int
    capacity: int
    name: str = ""
    masked_id: str = ""
    other_zone: bool = False

    def as_dict(self) -> dict:
        return self.__dict__.copy()


# A character PostgreSQL's text cannot hold; a scanner may still send one.
NUL = "\x00"
ADDED = "已加入本管"
# A device's key sent again for another scan; it says nothing of the scan stored under it.
KEY_USED = "扫码编号已用于另一条采样记录"
# A walk-in whose scan would be refused for who they are: their own code tells why.
WALK_IN_NEEDS_CODE = "此人不能现场登记采样，请扫描本人的个人码"


def key_problem(key: str | None) -> str | None:
    """What is wrong with a device's idempotency key for a scan, or None."""
    if not key:
        return "缺少扫码编号"
    if len(key) > 64:
        return "扫码编号过长（最多64个字符）"
    if NUL in key:
        return "扫码编号含有无效字符"
    return None


@transaction.atomic
def sample_scan(
    *,
    actor,
    tube_barcode: str,
    code_token: str,
    idempotency_key: str,
    resample_reason: str = "",
    scanned_at: datetime | None = None,
) -> ScanResult:
    """Put the person of a personal code into a tube.

    A scan sent again with the same idempotency key changes nothing and gets
    the same answer (a key is the sampler's own; theirs used for someone else
    is refused, KEY_USED); the same person twice in a tube is stored once; someone
    already sampled this round needs a reason; an excluded person is refused;
    a person from another zone is taken and noted.
    """
    if problem := key_problem(idempotency_key):
        raise ValidationError(problem)
    if actor.role != Role.SAMPLER:
        raise Http404
    sql = _scan_sql()
    with prepared_cursor() as cursor:
        # The tube, if it is at one of the actor's sites; its row only is locked,
        # so scans into other tubes of the round never wait for this one.
        cursor.execute(sql["tube"], [actor.pk, tube_barcode.strip()])
        tube = cursor.fetchone()
        if tube is None:
            raise Http404
        tube_id, status, capacity, kind, round_id, excluded_tags, zone_id = tube
        # Everything else comes in one query, read after the lock is held, so
        # the count and the members are those of the tube as it is now.
        cursor.execute(
            sql["person"],
            [
                tube_id,
                actor.pk,
                idempotency_key,
                tube_id,
                round_id,
                round_id,
                kind == TubeKind.SINGLE,
                round_id,
                RetestStatus.PENDING,
                token_from_personal_code(code_token),
            ],
        )
        found = cursor.fetchone()
        if found is None:
            cursor.execute(sql["alone"], [tube_id, actor.pk, idempotency_key])
            count, replayed = cursor.fetchone()
            person = None
        else:
            person = _Scanned(*found[:4])
            count, replayed, in_tube, already, home_zone, retest = found[4:]

    def answer(outcome, message, person=None, other_zone=False, n=count):
        return ScanResult(
            outcome=outcome,
            message=message,
            count=n,
            capacity=capacity,
            # As the privacy policy lets a sampler see them: the masked name and ID
            # number, enough to check against the person and card in front of them.
            name=shown(actor, PersonalKind.NAME, person.name) if person else "",
            masked_id=shown(actor, PersonalKind.ID_NUMBER, person.id_number) if person else "",
            other_zone=other_zone,
        )

    if replayed is not None:
        # The sampler's key, stored for someone else: a device reusing its keys. Not
        # "sampled" (this person was not), and not whom the key was used for.
        if person is None or person.id != replayed:
            raise ValidationError(KEY_USED)
        return answer(ScanOutcome.ADDED, "已采样（重复上传，未重复记录）", person)
    if person is None:
        return answer(ScanOutcome.UNKNOWN_CODE, "无法识别的个人码，请核对或现场登记")
    if in_tube:
        return answer(ScanOutcome.DUPLICATE, "此人已在本管中", person)
    if status != TubeStatus.OPEN:
        return answer(ScanOutcome.TUBE_CLOSED, "本管已封管，请换新管", person)
    if count >= capacity:
        return answer(ScanOutcome.TUBE_FULL, "本管已满，请封管后换新管", person)
    if any(f",{t}," in person.tags for t in excluded_tags.split(",") if t):
        return answer(ScanOutcome.EXCLUDED, "此人属于本轮不检测的人群", person)
    if already and retest is None and not resample_reason.strip():
        return answer(ScanOutcome.ALREADY_SAMPLED, "此人本轮已采样；如需重采请填写原因", person)
    other_zone = home_zone != zone_id
    adapt = connection.ops.adapt_datetimefield_value
    with prepared_cursor() as cursor:
        cursor.execute(
            sql["insert"],
            [
                round_id,
                tube_id,
                person.id,
                adapt(scanned_at or timezone.now()),
                actor.pk,
                idempotency_key,
                other_zone,
                resample_reason.strip()[:200],
            ],
        )
        stored = cursor.rowcount
    if not stored:
        # The same key arrived twice at once: the other request stored it.
        return answer(ScanOutcome.ADDED, "已采样（重复上传，未重复记录）", person)
    if retest is not None:
        Retest.objects.filter(pk=retest).update(
            status=RetestStatus.SAMPLED, retest_tube_id=tube_id, updated_at=timezone.now()
        )
    message = ADDED + ("（非本区域人员，已记录）" if other_zone else "")
    return answer(ScanOutcome.ADDED, message, person, other_zone, count + 1)


@dataclass(frozen=True)
class _Scanned:
    id: int
    name: str
    id_number: str | None
    tags: str


_SCAN_SQL: dict[str, dict[str, str]] = {}


def _scan_sql() -> dict[str, str]:
    """A scan's statements, written out once: the ORM would compile its
    subqueries anew on every scan, which costs more than running them."""
    vendor = connection.vendor
    if vendor not in _SCAN_SQL:
        quote = connection.ops.quote_name

        def table(model) -> str:
            return quote(model._meta.db_table)

        sample = table(Sample)
        lock = " FOR UPDATE OF t" if connection.features.has_select_for_update_of else ""
        _SCAN_SQL[vendor] = {
            "tube": (
                "SELECT t.id, t.status, t.capacity, t.kind, t.round_id, r.excluded_tags, "
                f"s.zone_id FROM {table(Tube)} t "
                f"JOIN {table(SamplingSite)} s ON s.id = t.site_id "
                f"JOIN {table(SamplingSite.samplers.through)} m "
                "ON m.samplingsite_id = s.id AND m.user_id = %s "
                f"JOIN {table(TestingRound)} r ON r.id = t.round_id "
                f"WHERE t.barcode = %s{lock}"
            ),
            "person": (
                "SELECT p.id, p.name, p.id_number, p.tags, "
                f"(SELECT COUNT(*) FROM {sample} s WHERE s.tube_id = %s), "
                f"(SELECT s.person_id FROM {sample} s "
                "WHERE s.scanned_by_id = %s AND s.idempotency_key = %s), "
                f"EXISTS (SELECT 1 FROM {sample} s WHERE s.tube_id = %s AND s.person_id = p.id), "
                f"EXISTS (SELECT 1 FROM {sample} s WHERE s.round_id = %s AND s.person_id = p.id), "
                f"(SELECT zn.zone_id FROM {table(ZoneNode)} zn "
                f"JOIN {table(GridNode)} n ON n.id = zn.node_id "
                "WHERE zn.round_id = %s AND a.path LIKE n.path || '%%' "
                "ORDER BY LENGTH(n.path) DESC LIMIT 1), "
                f"CASE WHEN %s THEN (SELECT MIN(r.id) FROM {table(Retest)} r "
                "WHERE r.round_id = %s AND r.person_id = p.id AND r.status = %s) END "
                f"FROM {table(Person)} p JOIN {table(GridNode)} a ON a.id = p.area_id "
                "WHERE p.code_token = %s"
            ),
            "alone": (
                f"SELECT (SELECT COUNT(*) FROM {sample} s WHERE s.tube_id = %s), "
                f"(SELECT s.person_id FROM {sample} s "
                "WHERE s.scanned_by_id = %s AND s.idempotency_key = %s)"
            ),
            "insert": (
                f"INSERT INTO {sample} (round_id, tube_id, person_id, sampled_at, scanned_by_id, "
                "idempotency_key, other_zone, resample_reason) "
                # A conflict (the same key or person sent twice at once) stores
                # nothing, and needs no savepoint to roll back.
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
            ),
        }
    return _SCAN_SQL[vendor]


@transaction.atomic
def tube_seal(*, actor, tube_barcode: str) -> Tube:
    """Close a tube for the lab; sealing twice changes nothing."""
    tube = Tube.objects.select_for_update().filter(barcode=tube_barcode.strip()).first()
    if tube is None or not sites_for(actor).filter(pk=tube.site_id).exists():
        raise Http404
    if tube.status != TubeStatus.OPEN:
        return tube
    if not tube.samples.exists():
        raise ValidationError("空管不能封管")
    tube.status, tube.sealed_at = TubeStatus.SEALED, timezone.now()
    tube.save(update_fields=["status", "sealed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="testing.tube.seal",
        instance=tube,
        after={"samples": tube.samples.count()},
    )
    return tube


@transaction.atomic
def walk_in_register(
    *, actor, site: SamplingSite, name: str, id_number: str, phone: str = ""
) -> Person:
    """Register someone not on the ledger at the site, and ask their grid worker to confirm.

    The person is placed on the site's node until the grid worker confirms or
    moves them; the same ID number registered before is found again (under the
    name it is registered with only), and no one is asked to confirm it.
    """
    site = _site_for_sampler(actor, site.pk)
    person, created = person_register_walk_in(
        actor=actor, area=site.area, name=name, id_number=id_number, phone=phone
    )
    if not created:
        # On the ledger already: their grid worker has them, and the site's must not.
        return person
    task_create(
        actor=actor,
        title="核实现场登记人员",
        person=person,
        area=site.area,
        due_at=timezone.now() + timedelta(days=1),
        subject=person,
        source="testing.walk_in",
        description=f"{site.name}现场登记，请核实住址并归入所属网格。",
    )
    return person


@sensitive_variables("id_number", "phone")
@transaction.atomic
def walk_in_sample(
    *,
    actor,
    tube_barcode: str,
    idempotency_key: str,
    name: str,
    id_number: str,
    phone: str = "",
) -> ScanResult:
    """Register a walk-in at the tube's site and put them into the tube, in one step.

    The answer comes from what the sampler typed and what a scan shows them:
    the name as typed, the ID number masked, and whether the person went in.
    Typing a name and an ID number must tell no more than that, whoever's the
    ID number is: registered under another name, it is refused as a mismatch
    naming no one; someone on the ledger whose scan would be refused for who
    they are (an excluded group, sampled already) is asked for their own code,
    and whether they live in the site's zone is not said.

    The sampler's phone never holds the new person's code token. Sent again
    with the same key (a lost reply), it registers no one and asks for no
    second check by the grid worker.
    """
    tube = Tube.objects.filter(barcode=tube_barcode.strip()).select_related("site").first()
    if tube is None or not sites_for(actor).filter(pk=tube.site_id).exists():
        raise Http404
    if problem := key_problem(idempotency_key):
        raise ValidationError(problem)
    earlier = (
        Sample.objects.filter(scanned_by=actor, idempotency_key=idempotency_key)
        .values_list("person_id", flat=True)
        .first()
    )
    if earlier is None:
        person = walk_in_register(
            actor=actor, site=tube.site, name=name, id_number=id_number, phone=phone
        )
    else:
        # A lost reply: the same checks find the person again (the round may have
        # closed since), and the key must be theirs.
        person, _created = person_register_walk_in(
            actor=actor, area=tube.site.area, name=name, id_number=id_number, phone=phone
        )
        if person.pk != earlier:
            raise ValidationError(KEY_USED)
    result = sample_scan(
        actor=actor,
        tube_barcode=tube.barcode,
        code_token=person.code_token,
        idempotency_key=idempotency_key,
    )
    if result.outcome in (ScanOutcome.EXCLUDED, ScanOutcome.ALREADY_SAMPLED):
        raise ValidationError(WALK_IN_NEEDS_CODE)
    return replace(
        result,
        message=ADDED if result.other_zone else result.message,
        name=clean_name(name),
        # The ledger's ID number is the one typed, as registration normalised it.
        masked_id=shown(actor, PersonalKind.ID_NUMBER, person.id_number),
        other_zone=False,
    )


@transaction.atomic
def missing_record(*, actor, testing_round, person: Person, reason: str, note: str = "") -> Missing:
    """Say why someone in the user's scope has not been sampled; a second note replaces it."""
    if not Person.objects.restrict(actor).filter(pk=person.pk).exists():
        raise Http404
    missing, created = Missing.objects.update_or_create(
        round=testing_round,
        person=person,
        defaults={"reason": reason, "note": note[:200], "recorded_by": actor},
    )
    audit_record(
        actor=actor,
        action="testing.missing",
        instance=missing,
        after={"reason": reason, "note": note[:200]},
    )
    return missing
