"""Sampling at a site: open a tube, scan people into it, seal it; walk-ins; missing notes."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from tongchou.command.services import task_create
from tongchou.common.masking import mask_id_number
from tongchou.core.choices import Role
from tongchou.core.services import audit_record
from tongchou.registry.codes import token_from_personal_code
from tongchou.registry.models import Person
from tongchou.registry.services import person_register_walk_in
from tongchou.testing.choices import (
    TUBE_CAPACITY,
    RetestStatus,
    RoundStatus,
    ScanOutcome,
    TubeKind,
    TubeStatus,
)
from tongchou.testing.models import Missing, Retest, Sample, SamplingSite, Tube, ZoneNode


def sites_for(user):
    """The sites a user may sample at: the ones they are assigned to."""
    if user.role != Role.SAMPLER:
        return SamplingSite.objects.none()
    return SamplingSite.objects.filter(samplers=user)


def _site_for_sampler(actor, site_id) -> SamplingSite:
    site = sites_for(actor).select_related("zone__round").filter(pk=site_id).first()
    if site is None:
        raise Http404
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


def _zone_of(person: Person, zone_nodes: list[tuple[str, int]]) -> int | None:
    path = person.area.path
    return next((zone_id for node_path, zone_id in zone_nodes if path.startswith(node_path)), None)


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
    the same answer; the same person twice in a tube is stored once; someone
    already sampled this round needs a reason; an excluded person is refused;
    a person from another zone is taken and noted.
    """
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValidationError("缺少扫码编号")
    tube = (
        Tube.objects.select_for_update()
        .select_related("round", "site__zone")
        .filter(barcode=tube_barcode.strip())
        .first()
    )
    if tube is None or not sites_for(actor).filter(pk=tube.site_id).exists():
        raise Http404
    count = tube.samples.count()

    def answer(outcome, message, person=None, other_zone=False, n=count):
        return ScanResult(
            outcome=outcome,
            message=message,
            count=n,
            capacity=tube.capacity,
            name=person.name if person else "",
            masked_id=mask_id_number(person.id_number) if person else "",
            other_zone=other_zone,
        )

    earlier = (
        Sample.objects.filter(idempotency_key=idempotency_key).select_related("person").first()
    )
    if earlier is not None:
        return answer(ScanOutcome.ADDED, "已采样（重复上传，未重复记录）", earlier.person)
    token = token_from_personal_code(code_token)
    person = Person.objects.select_related("area").filter(code_token=token).first()
    if person is None:
        return answer(ScanOutcome.UNKNOWN_CODE, "无法识别的个人码，请核对或现场登记")
    if tube.samples.filter(person=person).exists():
        return answer(ScanOutcome.DUPLICATE, "此人已在本管中", person)
    if tube.status != TubeStatus.OPEN:
        return answer(ScanOutcome.TUBE_CLOSED, "本管已封管，请换新管", person)
    if count >= tube.capacity:
        return answer(ScanOutcome.TUBE_FULL, "本管已满，请封管后换新管", person)
    testing_round = tube.round
    excluded = [t for t in testing_round.excluded_tag_list if f",{t}," in person.tags]
    if excluded:
        return answer(ScanOutcome.EXCLUDED, "此人属于本轮不检测的人群", person)
    retest = None
    if tube.kind == TubeKind.SINGLE:
        retest = Retest.objects.filter(
            round=testing_round, person=person, status=RetestStatus.PENDING
        ).first()
    already = Sample.objects.filter(round=testing_round, person=person).exists()
    if already and retest is None and not resample_reason.strip():
        return answer(ScanOutcome.ALREADY_SAMPLED, "此人本轮已采样；如需重采请填写原因", person)
    zone_nodes = list(
        ZoneNode.objects.filter(round=testing_round).values_list("node__path", "zone_id")
    )
    other_zone = _zone_of(person, zone_nodes) != tube.site.zone_id
    try:
        with transaction.atomic():
            Sample.objects.create(
                round=testing_round,
                tube=tube,
                person=person,
                sampled_at=scanned_at or timezone.now(),
                scanned_by=actor,
                idempotency_key=idempotency_key,
                other_zone=other_zone,
                resample_reason=resample_reason.strip()[:200],
            )
    except IntegrityError:
        # The same key arrived twice at once: the other request stored it.
        return answer(ScanOutcome.ADDED, "已采样（重复上传，未重复记录）", person)
    if retest is not None:
        retest.status, retest.retest_tube = RetestStatus.SAMPLED, tube
        retest.save(update_fields=["status", "retest_tube", "updated_at"])
    message = "已加入本管" + ("（非本区域人员，已记录）" if other_zone else "")
    return answer(ScanOutcome.ADDED, message, person, other_zone, count + 1)


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
    moves them; the same ID number registered before is simply found again.
    """
    site = _site_for_sampler(actor, site.pk)
    person = person_register_walk_in(
        actor=actor, area=site.area, name=name, id_number=id_number, phone=phone
    )
    task_create(
        actor=actor,
        title=f"核实现场登记人员：{person.name}",
        area=site.area,
        due_at=timezone.now() + timedelta(days=1),
        subject=person,
        source="testing.walk_in",
        description=f"{site.name}现场登记，请核实住址并归入所属网格。",
    )
    return person


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

    The sampler's phone never holds the new person's code token. Sent again
    with the same key (a lost reply), it registers no one and asks for no
    second check by the grid worker.
    """
    tube = Tube.objects.filter(barcode=tube_barcode.strip()).select_related("site").first()
    if tube is None or not sites_for(actor).filter(pk=tube.site_id).exists():
        raise Http404
    earlier = (
        Sample.objects.filter(idempotency_key=idempotency_key).select_related("person").first()
    )
    person = (
        earlier.person
        if earlier is not None
        else walk_in_register(
            actor=actor, site=tube.site, name=name, id_number=id_number, phone=phone
        )
    )
    return sample_scan(
        actor=actor,
        tube_barcode=tube.barcode,
        code_token=person.code_token,
        idempotency_key=idempotency_key,
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
