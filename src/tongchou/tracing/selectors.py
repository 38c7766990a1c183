"""Reads of tracing: who was where with whom (a self-join of check-ins on the
(venue, time) index), the transmission graph, overdue follow-ups.

The overlap query is plain SQL on both databases: for each visit of the
source people in the period, the visits at the same venue within that venue's
contact window (times ``factor`` for co-location). The index on (venue,
checked_in_at) makes each visit one short range scan; no Python loop touches
a check-in row.
"""

from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone

from tongchou.tracing.choices import (
    CONTROL_TEST_DAYS,
    HOME_KINDS,
    ContactStatus,
    ContactTier,
    ControlStatus,
    SwabResult,
)
from tongchou.tracing.models import Contact, FollowUp
from tongchou.venues.models import CheckIn, Venue


class Overlap(NamedTuple):
    """One pair of visits: a source person's and someone else's, at one venue.

    The times come as the database gives them and are read into datetimes only
    when asked for: the second hop returns tens of thousands of pairs, most of
    which are only counted.
    """

    person_id: int
    source_person_id: int
    venue_id: int
    checkin_id: int
    at_value: object
    source_checkin_id: int
    source_at_value: object
    window_minutes: int
    gap_seconds: float

    @property
    def at(self) -> datetime:
        return _aware(self.at_value)

    @property
    def source_at(self) -> datetime:
        return _aware(self.source_at_value)

    @property
    def overlap_minutes(self) -> int:
        """How long both were there, taking each visit to last one contact window."""
        # julianday() differences carry float noise: round, do not truncate.
        return max(round(self.window_minutes - self.gap_seconds / 60), 0)


def _shifted(column: str, minutes: str, sign: str) -> str:
    """SQL for ``column`` moved by ``minutes`` (an SQL integer expression), per database."""
    if connection.vendor == "postgresql":
        return f"{column} {sign} ({minutes}) * INTERVAL '1 minute'"
    # SQLite keeps datetimes as text 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC; datetime()
    # answers in the same shape, so the bound compares as text, on the index.
    return f"datetime({column}, '{sign}' || ({minutes}) || ' minutes')"


def _overlap_sql(source_count: int, factor: int, per_person: int) -> str:
    """Each person met, with their ``per_person`` closest pairs of visits (chosen in SQL,
    so the second hop's hundreds of thousands of pairs never become Python objects)."""
    quote = connection.ops.quote_name
    checkins = quote(CheckIn._meta.db_table)
    venues = quote(Venue._meta.db_table)
    window = f"v.contact_window_minutes * {int(factor)}"
    postgres = connection.vendor == "postgresql"
    if postgres:
        sources = "c1.person_id = ANY(%s)"
        gap = "abs(date_part('epoch', c2.checked_in_at) - date_part('epoch', c1.checked_in_at))"
    else:
        sources = f"c1.person_id IN ({', '.join(['%s'] * source_count)})"
        gap = "abs(julianday(c2.checked_in_at) - julianday(c1.checked_in_at)) * 86400"
    pairs = (
        f"FROM {checkins} c1 "
        f"JOIN {venues} v ON v.id = c1.venue_id "
        f"JOIN {checkins} c2 ON c2.venue_id = c1.venue_id "
        f"AND c2.checked_in_at >= {_shifted('c1.checked_in_at', window, '-')} "
        f"AND c2.checked_in_at <= {_shifted('c1.checked_in_at', window, '+')} "
        f"WHERE {sources} AND c1.checked_in_at >= %s AND c1.checked_in_at < %s "
        "AND c2.person_id <> c1.person_id"
    )
    columns = (
        "c2.person_id AS met, c1.person_id AS source, c1.venue_id AS venue, "
        "c2.id AS met_checkin, c2.checked_in_at AS met_at, c1.id AS source_checkin, "
        "c1.checked_in_at AS source_at, v.contact_window_minutes AS win"
    )
    if per_person == 1 and postgres:
        # The closest pair per person, by one sort (DISTINCT ON), no ranking.
        return (
            f"SELECT DISTINCT ON (c2.person_id) {columns}, {gap} AS gap {pairs} "
            f"ORDER BY c2.person_id, {gap}, c2.id"
        )
    if per_person == 1:
        # SQLite takes the other columns of a min() group from the row holding the minimum.
        return f"SELECT {columns}, min({gap}) AS gap {pairs} GROUP BY c2.person_id"
    return (
        "SELECT met, source, venue, met_checkin, met_at, source_checkin, source_at, win, gap "
        f"FROM (SELECT {columns}, {gap} AS gap, "
        f"ROW_NUMBER() OVER (PARTITION BY c2.person_id ORDER BY {gap}, c2.id) AS rnk "
        f"{pairs}) ranked WHERE rnk <= {int(per_person)} ORDER BY met, rnk"
    )


def _aware(value) -> datetime:
    # SQLite hands a column read through a subquery back as its text.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value


def overlaps(
    *,
    source_person_ids: list[int],
    since: datetime,
    until: datetime,
    factor: int = 1,
    per_person: int = 3,
) -> list[Overlap]:
    """The visits that overlapped a visit of the source people in [since, until): for each
    person met, the ``per_person`` pairs closest in time."""
    if not source_person_ids:
        return []
    adapt = connection.ops.adapt_datetimefield_value
    ids = sorted(set(source_person_ids))
    params = [ids] if connection.vendor == "postgresql" else list(ids)
    params += [adapt(since), adapt(until)]
    with connection.cursor() as cursor:
        cursor.execute(_overlap_sql(len(ids), factor, per_person), params)
        rows = cursor.fetchall()
    return list(map(Overlap._make, rows))


def contacts_by_person(found: list[Overlap], *, exclude: set[int]) -> dict[int, list[Overlap]]:
    """Group overlaps by the person met, closest in time first (the query's order);
    people in ``exclude`` left out."""
    grouped: dict[int, list[Overlap]] = {}
    for overlap in found:
        if overlap.person_id not in exclude:
            grouped.setdefault(overlap.person_id, []).append(overlap)
    return grouped


def close_contacts(*, person_id: int, since: datetime, until: datetime):
    """Close contacts of one person: everyone at the same venue within its contact window."""
    found = overlaps(source_person_ids=[person_id], since=since, until=until)
    return contacts_by_person(found, exclude={person_id})


def secondary_contacts(
    *, close_person_ids: list[int], since: datetime, until: datetime, exclude: set[int]
):
    """The second hop: everyone who met any of the close contacts, less those in ``exclude``."""
    # One pair per person: a secondary contact's evidence is the closest meeting.
    found = overlaps(source_person_ids=close_person_ids, since=since, until=until, per_person=1)
    return contacts_by_person(found, exclude=exclude | set(close_person_ids))


def trace_period(case, days: int | None = None, *, now=None) -> tuple[datetime, datetime]:
    """From ``days`` before the case's earliest date (onset, sampling or confirmation) to now."""
    days = case.lookback_days if days is None else days
    anchor = min(d for d in (case.onset_on, case.sampled_on, case.confirmed_on) if d)
    start = timezone.make_aware(
        datetime.combine(anchor - timedelta(days=days), datetime.min.time())
    )
    return start, now or timezone.now()


def case_graph(case, contacts) -> dict:
    """Nodes and edges of the transmission graph, laid out in rings: the case in the
    middle, close contacts around it, secondary contacts outside their close contact,
    co-located people in the outer ring. Coordinates in a 0..1000 square."""
    import math

    centre = 500.0
    nodes = [{"id": "case", "x": centre, "y": centre, "label": case.person.name, "kind": "case"}]
    edges = []
    by_tier = {tier: [c for c in contacts if c.tier == tier] for tier in ContactTier.values}
    position = {}

    def ring(items, radius, offset=0.0):
        count = max(len(items), 1)
        for index, contact in enumerate(items):
            angle = offset + 2 * math.pi * index / count
            x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
            position[contact.pk] = (x, y)
            nodes.append(
                {
                    "id": contact.pk,
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "label": contact.person.name,
                    "kind": contact.tier,
                    "status": contact.status,
                }
            )

    ring(by_tier[ContactTier.CLOSE], 220)
    # Secondary contacts sit in the order of the close contact they came through.
    order = {pk: i for i, pk in enumerate(c.pk for c in by_tier[ContactTier.CLOSE])}
    secondary = sorted(by_tier[ContactTier.SECONDARY], key=lambda c: order.get(c.via_id, 0))
    ring(secondary, 380, offset=0.1)
    ring(by_tier[ContactTier.CO_LOCATION], 470, offset=0.05)
    for contact in contacts:
        x, y = position[contact.pk]
        if contact.tier == ContactTier.SECONDARY and contact.via_id in position:
            sx, sy = position[contact.via_id]
        else:
            sx, sy = centre, centre
        edges.append(
            {
                "x1": round(sx, 1),
                "y1": round(sy, 1),
                "x2": round(x, 1),
                "y2": round(y, 1),
                "kind": contact.tier,
                "status": contact.status,
            }
        )
    return {"nodes": nodes, "edges": edges}


def contact_counts(case) -> dict:
    """Contacts of a case by tier and status, in one grouped query."""
    rows = (
        Contact.objects.filter(case=case)
        .values("tier", "status")
        .annotate(n=Count("id"))
        .values_list("tier", "status", "n")
    )
    counts = {tier: {status: 0 for status in ContactStatus.values} for tier in ContactTier.values}
    for tier, status, n in rows:
        counts[tier][status] = n
    return counts


def controls_with_followups(queryset, *, today: date | None = None, now=None):
    """Active controls annotated with the last follow-up date, whether today's is overdue
    (past the due hour with none recorded), the day of the measure and whether a test is due."""
    now = timezone.localtime(now or timezone.now())
    today = today or now.date()
    last = FollowUp.objects.filter(control=OuterRef("pk")).order_by("-on_date").values("on_date")
    rows = list(
        queryset.filter(status=ControlStatus.ACTIVE)
        .annotate(
            last_followup_on=Subquery(last[:1]),
            negatives=Count("followups", filter=Q(followups__swab=SwabResult.NEGATIVE)),
            last_swab_on=Max("followups__on_date", filter=~Q(followups__swab=SwabResult.NONE)),
        )
        .select_related("person", "area", "household")
        .order_by("planned_end_on", "id")
    )
    past_due_hour = now.hour >= settings.FOLLOWUP_DUE_HOUR
    for control in rows:
        control.day_number = (today - control.starts_on).days + 1
        missed_yesterday = control.starts_on < today and (
            control.last_followup_on is None or control.last_followup_on < today - timedelta(days=1)
        )
        control.followup_overdue = missed_yesterday or (
            past_due_hour and control.last_followup_on != today
        )
        control.test_due = control.day_number in CONTROL_TEST_DAYS[control.kind] and (
            control.last_swab_on != today
        )
        control.at_home = control.kind in HOME_KINDS
    return rows


def overdue_followups(queryset, *, now=None) -> list:
    """The active controls whose follow-up is overdue."""
    return [c for c in controls_with_followups(queryset, now=now) if c.followup_overdue]
