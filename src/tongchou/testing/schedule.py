"""Which communities come to which site in which hour, so no queue grows past a bound.

Every building of a zone goes to the site whose area holds it (or, when none
does, to the least loaded site). Then, per site, buildings are placed one by
one, in tree order, in the earliest hour where the queue, simulated hour by
hour against the site's capacity, stays within the bound the planner set.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from tongchou.grid.choices import Level
from tongchou.registry.models import Person
from tongchou.testing.models import SamplingSite, Zone
from tongchou.testing.selectors import expected_people


@dataclass
class HourPlan:
    hour: int
    arrivals: int = 0
    queue_after: int = 0
    grids: list[str] = field(default_factory=list)


@dataclass
class SitePlan:
    site: SamplingSite
    hours: list[HourPlan]
    people: int = 0
    overloaded: bool = False

    @property
    def max_queue(self) -> int:
        return max((h.queue_after for h in self.hours), default=0)


def simulate_queue(arrivals: list[int], capacity: int) -> list[int]:
    """People still waiting at the end of each hour."""
    waiting, queue = 0, []
    for arriving in arrivals:
        waiting = max(0, waiting + arriving - capacity)
        queue.append(waiting)
    return queue


def call_units(zone: Zone) -> list[tuple[str, str, int]]:
    """(label, path, expected people) of each building of the zone, in tree order.

    Buildings are the unit a grid worker calls down at one time: a whole grid
    (about a thousand people) is more than a site takes in an hour. People
    registered on a grid but no building form one unit of their own.
    """
    zone_paths = list(zone.zone_nodes.values_list("node__path", flat=True))
    if not zone_paths:
        return []
    person_in_zone = Q()
    for path in zone_paths:
        person_in_zone |= Q(area__path__startswith=path)
    counts = (
        expected_people(zone.round, Person.objects.filter(person_in_zone))
        .values("area_id", "area__path", "area__name", "area__level", "area__parent__name")
        .annotate(n=Count("id"))
        .order_by("area__path")
    )
    units = []
    for row in counts:
        if row["area__level"] == Level.BUILDING:
            label = f"{row['area__parent__name']}{row['area__name']}"
        else:
            label = row["area__name"]
        units.append((label, row["area__path"], row["n"]))
    return units


def propose_schedule(zone: Zone, *, queue_bound: int) -> list[SitePlan]:
    """A proposed hour for every building at every site of the zone."""
    sites = list(zone.sites.select_related("area").order_by("name"))
    if not sites:
        return []
    hours = zone.hours
    assigned: dict[int, list[tuple[str, int]]] = defaultdict(list)
    load: dict[int, int] = defaultdict(int)
    for label, path, size in call_units(zone):
        holders = [s for s in sites if path.startswith(s.area.path)]
        if holders:
            site = max(holders, key=lambda s: len(s.area.path))
        else:
            site = min(sites, key=lambda s: load[s.pk] / s.hourly_capacity)
        assigned[site.pk].append((label, size))
        load[site.pk] += size
    return [_plan_site(site, hours, assigned[site.pk], queue_bound) for site in sites]


def _plan_site(site, hours, units, queue_bound) -> SitePlan:
    arrivals = [0] * len(hours)
    names: list[list[str]] = [[] for _ in hours]
    overloaded = False
    capacity = site.hourly_capacity
    for label, size in units:
        chosen = None
        for index in range(len(hours)):
            trial = arrivals.copy()
            trial[index] += size
            if max(simulate_queue(trial, capacity)) <= queue_bound:
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
        hours=[
            HourPlan(hour=h, arrivals=arrivals[i], queue_after=queue[i], grids=names[i])
            for i, h in enumerate(hours)
        ],
    )


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
