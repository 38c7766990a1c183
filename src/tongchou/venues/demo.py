"""The demo's venues and a day of check-ins at their doors."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from tongchou.grid.models import GridNode
from tongchou.registry.models import Person
from tongchou.venues.choices import CheckInMethod, Duty, VenueKind
from tongchou.venues.services import Reading, checkins_ingest, venue_create, venue_duty_set

# (name suffix, kind): what a grid of the demo district has at its streets.
GRID_VENUES = [
    ("超市", VenueKind.SUPERMARKET),
    ("快递驿站", VenueKind.PARCEL_POINT),
    ("小吃店", VenueKind.SMALL_EATERY),
    ("便利店", VenueKind.SMALL_SHOP),
    ("大药房", VenueKind.SMALL_CLINIC),
]
# One of each of the other kinds, spread over the first grids.
OTHER_VENUES = [
    ("万达广场", VenueKind.MALL),
    ("如家酒店", VenueKind.HOTEL),
    ("美团网约酒店", VenueKind.ONLINE_HOTEL),
    ("民宿网约房", VenueKind.ONLINE_ROOM),
    ("农贸市场", VenueKind.MARKET),
    ("美发店", VenueKind.SMALL_BEAUTY),
    ("网吧", VenueKind.SMALL_INTERNET_CAFE),
    ("小旅馆", VenueKind.SMALL_HOSTEL),
    ("歌厅", VenueKind.SMALL_ENTERTAINMENT),
    ("幼儿园", VenueKind.SMALL_SCHOOL),
    ("食品加工坊", VenueKind.SMALL_WORKSHOP),
    ("实验小学", VenueKind.SCHOOL),
    ("颐养院", VenueKind.ELDERLY_HOME),
    ("安置房项目工地", VenueKind.CONSTRUCTION_SITE),
    ("电子科技有限公司", VenueKind.ENTERPRISE),
]


def load_venues_demo(*, users: dict, seed: int = 1, grids: int = 12, checkins: int = 6000) -> dict:
    """Venues on the first ``grids`` grids with their four parties, and yesterday's and
    today's check-ins by the residents around them (a few with a fever)."""
    rng = random.Random(seed)
    nodes = list(GridNode.objects.filter(level="grid").order_by("path")[:grids])
    venues = []
    for index, grid in enumerate(nodes):
        prefix = grid.name.split("社区")[0]
        kinds = GRID_VENUES + ([OTHER_VENUES[index]] if index < len(OTHER_VENUES) else [])
        for suffix, kind in kinds:
            venue = venue_create(
                actor=users["command"],
                area=grid,
                name=f"{prefix}{suffix}",
                kind=kind,
                address=f"{prefix}路{rng.randrange(1, 200)}号",
            )
            venue_duty_set(
                actor=None,
                venue=venue,
                duty=Duty.TERRITORIAL,
                holder=f"{prefix}社区",
                person_name=grid.name.replace("社区", "社区网格员·"),
            )
            venue_duty_set(
                actor=None,
                venue=venue,
                duty=Duty.DEPARTMENT,
                holder="市场监管所" if kind != VenueKind.SCHOOL else "教育局",
            )
            venue_duty_set(actor=None, venue=venue, duty=Duty.UNIT, holder=f"{venue.name}经营部")
            venues.append(venue)
    market = venues[0]  # 景园超市 in 景园社区第1网格
    venue_duty_set(
        actor=None,
        venue=market,
        duty=Duty.INDIVIDUAL,
        person_name="景园超市店长",
        phone="13700001234",
        user=users["venue"],
    )
    people = list(
        Person.objects.filter(area__path__startswith=nodes[0].parent.path)
        .order_by("id")
        .values_list("id", flat=True)
    ) or list(Person.objects.order_by("id").values_list("id", flat=True)[:5000])
    now = timezone.now()
    yesterday = timezone.localdate() - timedelta(days=1)
    opening = timezone.make_aware(datetime.combine(yesterday, time(8)))
    span = int((now - opening).total_seconds())
    readings = []
    for _ in range(checkins):
        at = opening + timedelta(seconds=rng.randrange(span))
        if not 8 <= timezone.localtime(at).hour < 21:
            continue
        roll = rng.random()
        temperature = None if roll < 0.2 else Decimal(f"36.{rng.randrange(0, 9)}")
        readings.append(Reading(rng.choice(venues).pk, rng.choice(people), at, temperature))
    # Three fevers at the door: each raises an alert for the venue's grid worker.
    for minutes, reading in zip(
        (30, 90, 200), (Decimal("37.6"), Decimal("38.1"), Decimal("37.3")), strict=True
    ):
        readings.append(
            Reading(
                venues[minutes % len(venues)].pk,
                rng.choice(people),
                now - timedelta(minutes=minutes),
                reading,
            )
        )
    report = checkins_ingest(readings, method=CheckInMethod.VENUE_CODE)
    return {
        "venues": len(venues),
        "checkins": report.created,
        "alerts": report.alerts,
        "market": market,
    }
