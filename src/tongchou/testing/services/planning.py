"""Planning a round: the round, its zones with their days and hours, and sampling sites."""

from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from tongchou.core.choices import Role
from tongchou.core.services import audit_record
from tongchou.grid.models import GridNode
from tongchou.registry.choices import Tag
from tongchou.testing.choices import RoundStatus
from tongchou.testing.models import SamplingSite, TestingRound, Zone, ZoneNode

PLANNERS = frozenset({Role.COMMAND})


def _check_planner(actor, area: GridNode) -> None:
    if actor is not None and (
        actor.role not in PLANNERS
        or not GridNode.objects.restrict(actor).filter(pk=area.pk).exists()
    ):
        raise Http404


@transaction.atomic
def round_create(
    *,
    actor,
    number: int,
    name: str,
    area: GridNode,
    excluded_tags: list[str] = (),
    expected_positivity: float = 0.001,
    pool_size: int = 10,
    queue_bound: int = 200,
) -> TestingRound:
    """Plan a numbered round over ``area``, leaving out the groups tagged ``excluded_tags``."""
    _check_planner(actor, area)
    unknown = [t for t in excluded_tags if t not in Tag.values]
    if unknown:
        raise ValidationError(f"未知的人员类别：{'、'.join(unknown)}")
    if not 0 <= expected_positivity < 1:
        raise ValidationError("预计阳性率应在0到1之间")
    testing_round = TestingRound(
        number=number,
        name=name,
        area=area,
        excluded_tags=f",{','.join(sorted(excluded_tags))}," if excluded_tags else "",
        expected_positivity=expected_positivity,
        pool_size=pool_size,
        queue_bound=queue_bound,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            testing_round.save()
    except IntegrityError:
        raise ValidationError(f"第{number}轮已经存在") from None
    audit_record(
        actor=actor,
        action="testing.round.create",
        instance=testing_round,
        after={"number": number, "area": area.code, "excluded": list(excluded_tags)},
    )
    return testing_round


@transaction.atomic
def zone_create(
    *,
    actor,
    testing_round: TestingRound,
    name: str,
    day: date,
    start: time,
    end: time,
    nodes: list[GridNode],
) -> Zone:
    """Add a zone: a set of nodes inside the round's area, sampled on ``day`` from start to end."""
    _check_planner(actor, testing_round.area)
    if end <= start:
        raise ValidationError("结束时间应晚于开始时间")
    outside = [n.name for n in nodes if not n.path.startswith(testing_round.area.path)]
    if outside:
        raise ValidationError(f"不在本轮范围内：{'、'.join(outside)}")
    taken = ZoneNode.objects.filter(round=testing_round)
    for node in nodes:
        clash = taken.filter(node__path__startswith=node.path).first() or next(
            (z for z in taken.select_related("node", "zone") if node.path.startswith(z.node.path)),
            None,
        )
        if clash:
            raise ValidationError(f"“{node.name}”已划入“{clash.zone.name}”")
    zone = Zone.objects.create(
        round=testing_round, name=name, date=day, start_time=start, end_time=end
    )
    ZoneNode.objects.bulk_create(
        [ZoneNode(zone=zone, round=testing_round, node=node) for node in nodes]
    )
    audit_record(
        actor=actor,
        action="testing.zone.create",
        instance=zone,
        after={
            "date": day.isoformat(),
            "from": start.isoformat(),
            "until": end.isoformat(),
            "nodes": [n.code for n in nodes],
        },
    )
    return zone


@transaction.atomic
def site_create(
    *,
    actor,
    zone: Zone,
    name: str,
    area: GridNode,
    hourly_capacity: int,
    lab=None,
    samplers=(),
) -> SamplingSite:
    """Add a sampling site to a zone, with its hourly capacity, lab and samplers."""
    _check_planner(actor, zone.round.area)
    if hourly_capacity <= 0:
        raise ValidationError("每小时采样能力应大于0")
    if lab is not None and lab.role != Role.LAB:
        raise ValidationError(f"{lab}不是检测机构账号")
    site = SamplingSite.objects.create(
        zone=zone, name=name, area=area, hourly_capacity=hourly_capacity, lab=lab
    )
    site.samplers.set(samplers)
    audit_record(
        actor=actor,
        action="testing.site.create",
        instance=site,
        after={"zone": zone.name, "capacity": hourly_capacity},
    )
    return site


def _set_status(actor, testing_round: TestingRound, status: str, stamp: str) -> TestingRound:
    _check_planner(actor, testing_round.area)
    before = testing_round.status
    testing_round.status = status
    setattr(testing_round, stamp, timezone.now())
    testing_round.save(update_fields=["status", stamp, "updated_at"])
    audit_record(
        actor=actor,
        action=f"testing.round.{status}",
        instance=testing_round,
        before={"status": before},
        after={"status": status},
    )
    return testing_round


@transaction.atomic
def round_open(*, actor, testing_round: TestingRound) -> TestingRound:
    """Start sampling: sites may open tubes from now on."""
    if testing_round.status != RoundStatus.PLANNED:
        raise ValidationError("只有计划中的轮次可以开始")
    if not testing_round.zones.exists():
        raise ValidationError("请先划分区域和时段")
    return _set_status(actor, testing_round, RoundStatus.RUNNING, "opened_at")


@transaction.atomic
def round_close(*, actor, testing_round: TestingRound) -> TestingRound:
    """End the round; no more tubes, and the final report is fixed."""
    if testing_round.status != RoundStatus.RUNNING:
        raise ValidationError("只有进行中的轮次可以结束")
    return _set_status(actor, testing_round, RoundStatus.CLOSED, "closed_at")
