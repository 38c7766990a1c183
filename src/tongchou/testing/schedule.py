"""Which communities come to which site in which hour, so no queue grows past a bound.

Every grid of a zone goes to the site whose area holds it (or, when none
does, to the least loaded site). Then, per site, grids are placed one by one
in the earliest hour where the queue, simulated hour by hour against the
site's capacity, stays within the bound the planner set.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from tongchou.grid.choices import Level
from tongchou.grid.models import GridNode
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


def grid_sizes(zone: Zone) -> dict[int, tuple[GridNode, int]]:
    """Expected people of each grid in the zone (people on buildings count to their grid)."""
    zone_paths = list(zone.zone_nodes.values_list("node__path", flat=True))
    if not zone_paths:
        return {}
    under_zone = Q()
    for path in zone_paths:
        under_zone |= Q(path__startswith=path)
    grids = {g.path: g for g in GridNode.objects.filter(under_zone, level=Level.GRID)}
    person_in_zone = Q()
    for path in zone_paths:
        person_in_zone |= Q(area__path__startswith=path)
    counts = (
        expected_people(zone.round, Person.objects.filter(person_in_zone))
        .values("area__path")
        .annotate(n=Count("id"))
    )
    sizes: dict[int, list] = {}
    for row in counts:
        path = row["area__path"]
        grid = next((g for p, g in grids.items() if path.startswith(p)), None)
        if grid is None:
            continue
        sizes.setdefault(grid.pk, [grid, 0])[1] += row["n"]
    return {pk: (grid, n) for pk, (grid, n) in sizes.items()}


def propose_schedule(zone: Zone, *, queue_bound: int) -> list[SitePlan]:
    """A proposed hour for every grid at every site of the zone."""
    sites = list(zone.sites.select_related("area").order_by("name"))
    if not sites:
        return []
    hours = zone.hours
    assigned: dict[int, list[tuple[GridNode, int]]] = defaultdict(list)
    load: dict[int, int] = defaultdict(int)
    for grid, size in sorted(grid_sizes(zone).values(), key=lambda item: item[0].path):
        holders = [s for s in sites if grid.path.startswith(s.area.path)]
        site = (
            max(holders, key=lambda s: len(s.area.path))
            if holders
            else min(sites, key=lambda s: load[s.pk] / s.hourly_capacity)
        )
        assigned[site.pk].append((grid, size))
        load[site.pk] += size
    plans = []
    for site in sites:
        arrivals = [0] * len(hours)
        names: list[list[str]] = [[] for _ in hours]
        overloaded = False
        for grid, size in assigned[site.pk]:
            chosen = None
            for index in range(len(hours)):
                trial = arrivals.copy()
                trial[index] += size
                if max(simulate_queue(trial, site.hourly_capacity)) <= queue_bound:
                    chosen = index
                    break
            if chosen is None:
                overloaded = True
                chosen = min(
                    range(len(hours)),
                    key=lambda i: max(
                        simulate_queue(
                            [a + (size if j == i else 0) for j, a in enumerate(arrivals)],
                            site.hourly_capacity,
                        )
                    ),
                )
            arrivals[chosen] += size
            names[chosen].append(grid.name)
        queue = simulate_queue(arrivals, site.hourly_capacity)
        plans.append(
            SitePlan(
                site=site,
                people=sum(arrivals),
                overloaded=overloaded or (queue and queue[-1] > 0),
                hours=[
                    HourPlan(hour=h, arrivals=arrivals[i], queue_after=queue[i], grids=names[i])
                    for i, h in enumerate(hours)
                ],
            )
        )
    return plans


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
