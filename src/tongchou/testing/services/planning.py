"""Planning a round: the round, its zones with their days and hours, sampling sites, and
the hours a planner sets by hand in a zone's schedule."""

from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from tongchou.core.choices import Role
from tongchou.core.services import audit_record
from tongchou.grid.choices import Level
from tongchou.grid.models import GridNode
from tongchou.registry.choices import Tag
from tongchou.testing.choices import RoundStatus
from tongchou.testing.models import SamplingSite, ScheduleMove, TestingRound, Zone, ZoneNode

PLANNERS = frozenset({Role.COMMAND})


def may_plan(user, area: GridNode) -> bool:
    """Whether ``user`` plans rounds over ``area``: a planner whose grants hold all of it."""
    return user.role in PLANNERS and GridNode.objects.restrict(user).filter(pk=area.pk).exists()


def _check_planner(actor, area: GridNode) -> None:
    if actor is not None and not may_plan(actor, area):
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


MOVABLE_LEVELS = (Level.COMMUNITY, Level.GRID, Level.BUILDING)


def _check_schedule_open(actor, zone: Zone) -> Zone:
    """The zone again, its round re-read and locked: a round closed a moment ago is refused."""
    _check_planner(actor, zone.round.area)
    testing_round = TestingRound.objects.select_for_update().get(pk=zone.round_id)
    if testing_round.status == RoundStatus.CLOSED:
        raise ValidationError("本轮检测已结束，不能再调整时段")
    zone.round = testing_round
    return zone


@transaction.atomic
def schedule_move(*, actor, zone: Zone, node: GridNode, hour: int) -> ScheduleMove:
    """Call a building, a grid or a whole community of ``zone`` in ``hour``, by hand.

    The proposal keeps the move and places everyone else around it. A move may
    push a site's queue past the bound; the schedule page shows that as a warning.
    """
    zone = _check_schedule_open(actor, zone)
    if hour not in zone.hours:
        raise ValidationError(
            f"{hour}时不在“{zone.name}”的采样时段内"
            f"（{zone.start_time:%H:%M}至{zone.end_time:%H:%M}）"
        )
    if node.level not in MOVABLE_LEVELS:
        raise ValidationError(f"“{node.name}”不是楼栋、网格或社区，不能单独调整时段")
    paths = zone.zone_nodes.values_list("node__path", flat=True)
    if not any(node.path.startswith(path) for path in paths):
        raise ValidationError(f"“{node.name}”不在“{zone.name}”区域内")
    if not zone.sites.exists():
        raise ValidationError(f"“{zone.name}”还没有采样点")
    move = ScheduleMove.objects.filter(zone=zone, node=node).first()
    before = {"hour": move.hour} if move else None
    if move is None:
        move = ScheduleMove(zone=zone, node=node)
    move.hour, move.moved_by = hour, actor
    move.save()
    audit_record(
        actor=actor,
        action="testing.schedule.move",
        instance=move,
        before=before,
        after={"zone": zone.name, "node": node.code, "hour": hour},
    )
    return move


@transaction.atomic
def schedule_move_undo(*, actor, zone: Zone, node: GridNode) -> None:
    """Give ``node`` back to the proposal: its hand-set hour in ``zone`` is forgotten."""
    zone = _check_schedule_open(actor, zone)
    move = ScheduleMove.objects.filter(zone=zone, node=node).first()
    if move is None:
        raise ValidationError(f"“{node.name}”的时段没有手动调整过")
    audit_record(
        actor=actor,
        action="testing.schedule.undo",
        instance=move,
        before={"zone": zone.name, "node": node.code, "hour": move.hour},
    )
    move.delete()
