"""Which communities come to which site in which hour, so no queue grows past a bound.

Every building of a zone goes to the site whose area holds it (or, when none
does, to the least loaded site). Then, per site, the buildings the planner
moved by hand are put in their hours first; the rest are placed one by one, in
tree order, in the earliest hour where the queue, simulated hour by hour
against the site's capacity, stays within the bound the planner set (or, in an
hour the hand-placed ones already push past it, does not grow).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import NamedTuple

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from tongchou.grid.choices import Level
from tongchou.grid.models import GridNode
from tongchou.registry.models import Person
from tongchou.testing.models import SamplingSite, Zone
from tongchou.testing.selectors import expected_people


class CallUnit(NamedTuple):
    """Some people called down together: a building's, or a grid's living on no building."""

    label: str
    path: str
    people: int
    code: str


@dataclass
class HourPlan:
    hour: int
    arrivals: int = 0
    queue_after: int = 0
    grids: list[str] = field(default_factory=list)
    # The labels among ``grids`` that a planner put in this hour by hand.
    moved: list[str] = field(default_factory=list)


@dataclass
class SitePlan:
    site: SamplingSite
    hours: list[HourPlan]
    people: int = 0
    # The proposal could not keep everyone within the bound.
    overloaded: bool = False
    bound: int = 0

    @property
    def max_queue(self) -> int:
        return max((h.queue_after for h in self.hours), default=0)

    @property
    def over_bound(self) -> bool:
        """Some hour ends with more people queuing than the bound (hand moves may do that)."""
        return self.max_queue > self.bound


def simulate_queue(arrivals: list[int], capacity: int) -> list[int]:
    """People still waiting at the end of each hour."""
    waiting, queue = 0, []
    for arriving in arrivals:
        waiting = max(0, waiting + arriving - capacity)
        queue.append(waiting)
    return queue


def under_zone(zone: Zone, path_field: str) -> Q | None:
    """A filter for what lies under the zone's nodes by ``path_field``; None for a bare zone."""
    paths = zone.zone_nodes.values_list("node__path", flat=True)
    filters = [Q(**{f"{path_field}__startswith": p}) for p in paths]
    return reduce(or_, filters) if filters else None


def call_units(zone: Zone) -> list[CallUnit]:
    """The buildings of the zone with their expected people, in tree order.

    Buildings are the unit a grid worker calls down at one time: a whole grid
    (about a thousand people) is more than a site takes in an hour. People
    registered on a grid but no building form one unit of their own.
    """
    person_in_zone = under_zone(zone, "area__path")
    if person_in_zone is None:
        return []
    counts = (
        expected_people(zone.round, Person.objects.filter(person_in_zone))
        .values(
            "area_id", "area__path", "area__code", "area__name", "area__level", "area__parent__name"
        )
        .annotate(n=Count("id"))
        .order_by("area__path")
    )
    units = []
    for row in counts:
        if row["area__level"] == Level.BUILDING:
            label = f"{row['area__parent__name']}{row['area__name']}"
        else:
            label = row["area__name"]
        units.append(CallUnit(label, row["area__path"], row["n"], row["area__code"]))
    return units


def hand_moves(zone: Zone) -> dict[str, int]:
    """The hours the planner set by hand, by the path of the node moved."""
    hours = set(zone.hours)
    return {
        path: hour
        for path, hour in zone.schedule_moves.values_list("node__path", "hour")
        if hour in hours
    }


def moved_hour(path: str, moves: dict[str, int]) -> int | None:
    """The hand-set hour of the unit at ``path``: its own, or its nearest moved ancestor's."""
    holders = [p for p in moves if path.startswith(p)]
    return moves[max(holders, key=len)] if holders else None


def propose_schedule(
    zone: Zone, *, queue_bound: int, units: list[CallUnit] | None = None
) -> list[SitePlan]:
    """A proposed hour for every building at every site of the zone, keeping the hand moves.

    ``units`` are the zone's call units when the caller has them already.
    """
    sites = list(zone.sites.select_related("area").order_by("name"))
    if not sites:
        return []
    hours = zone.hours
    moves = hand_moves(zone)
    assigned: dict[int, list[tuple[str, int, int | None]]] = defaultdict(list)
    load: dict[int, int] = defaultdict(int)
    for unit in call_units(zone) if units is None else units:
        holders = [s for s in sites if unit.path.startswith(s.area.path)]
        if holders:
            site = max(holders, key=lambda s: len(s.area.path))
        else:
            site = min(sites, key=lambda s: load[s.pk] / s.hourly_capacity)
        assigned[site.pk].append((unit.label, unit.people, moved_hour(unit.path, moves)))
        load[site.pk] += unit.people
    return [_plan_site(site, hours, assigned[site.pk], queue_bound) for site in sites]


def _plan_site(site, hours, units, queue_bound) -> SitePlan:
    arrivals = [0] * len(hours)
    names: list[list[str]] = [[] for _ in hours]
    moved: list[list[str]] = [[] for _ in hours]
    capacity = site.hourly_capacity
    for label, size, hour in units:
        if hour is not None:
            index = hours.index(hour)
            arrivals[index] += size
            names[index].append(label)
            moved[index].append(label)
    overloaded = False
    for label, size, hour in units:
        if hour is not None:
            continue
        # An hour is allowed no more queue than the bound, or than it already has.
        allowed = [max(queue_bound, q) for q in simulate_queue(arrivals, capacity)]
        chosen = None
        for index in range(len(hours)):
            trial = arrivals.copy()
            trial[index] += size
            if all(q <= a for q, a in zip(simulate_queue(trial, capacity), allowed, strict=True)):
                chosen = index
                break
        if chosen is None:
            overloaded = True

            def worst_queue(i, size=size):
                trial = [a + (size if j == i else 0) for j, a in enumerate(arrivals)]
                return max(simulate_queue(trial, capacity))

            chosen = min(range(len(hours)), key=worst_queue)
        arrivals[chosen] += size
        names[chosen].append(label)
    queue = simulate_queue(arrivals, capacity)
    return SitePlan(
        site=site,
        people=sum(arrivals),
        overloaded=overloaded or bool(queue and queue[-1] > 0),
        bound=queue_bound,
        hours=[
            HourPlan(
                hour=h, arrivals=arrivals[i], queue_after=queue[i], grids=names[i], moved=moved[i]
            )
            for i, h in enumerate(hours)
        ],
    )


def move_choices(zone: Zone, units: list[CallUnit]) -> list[tuple[str, str]]:
    """(code, label) of what a planner may move in this zone, in tree order: each community
    and grid as a whole, and each building people are expected in."""
    in_zone = under_zone(zone, "path")
    if in_zone is None:
        return []
    wholes = GridNode.objects.filter(in_zone, level__in=[Level.COMMUNITY, Level.GRID])
    rows = [
        (
            n.path,
            n.code,
            _("%(name)s (whole %(level)s)") % {"name": n.name, "level": n.get_level_display()},
        )
        for n in wholes
    ]
    whole_paths = {path for path, _code, _label in rows}
    rows += [(u.path, u.code, u.label) for u in units if u.path not in whole_paths]
    return [(code, label) for _path, code, label in sorted(rows)]


CHART_HEIGHT = 100
SLOT_WIDTH = 100


def chart_bars(plan: SitePlan, peak: int) -> dict:
    """SVG geometry for one site's hours: arrivals, the queue left, the capacity line."""
    scale = CHART_HEIGHT / max(peak, 1)
    bars = []
    for index, hour in enumerate(plan.hours):
        arrivals = round(hour.arrivals * scale)
        queue = round(hour.queue_after * scale)
        bars.append(
            {
                "hour": hour,
                "x": index * SLOT_WIDTH + 10,
                "qx": index * SLOT_WIDTH + 62,
                "height": arrivals,
                "y": CHART_HEIGHT + 10 - arrivals,
                "queue_height": queue,
                "queue_y": CHART_HEIGHT + 10 - queue,
            }
        )
    return {
        "bars": bars,
        "width": max(len(plan.hours), 1) * SLOT_WIDTH,
        "capacity_y": CHART_HEIGHT + 10 - round(plan.site.hourly_capacity * scale),
    }
