"""Reads over venues: counts per venue (what a venue owner sees), check-ins (what tracers see)."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from tongchou.command.choices import OPEN_STATUSES
from tongchou.command.models import Task
from tongchou.venues.choices import FEVER_CELSIUS, AlertStatus
from tongchou.venues.models import CheckIn, FeverAlert, Venue


def venue_search(queryset, *, q: str = "", kind: str = "", area=None):
    """Narrow an already restricted queryset of venues by name, kind and area."""
    q = (q or "").strip()
    if q:
        queryset = queryset.filter(name__contains=q)
    if kind:
        queryset = queryset.filter(kind=kind)
    if area is not None:
        queryset = queryset.filter(area__path__startswith=area.path)
    return queryset


def venue_figures(venue: Venue, *, now=None) -> dict:
    """Counts only, never people: check-ins today and over 7 days, fevers, open alerts.

    Safe to show to anyone who may see the venue, its own responsible person included.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    checkins = CheckIn.objects.unscoped_for_system_use().filter(venue=venue)
    figures = checkins.filter(checked_in_at__gte=today - timedelta(days=6)).aggregate(
        week=Count("id"),
        today=Count("id", filter=Q(checked_in_at__gte=today)),
        fevers_today=Count(
            "id", filter=Q(checked_in_at__gte=today, temperature__gte=FEVER_CELSIUS)
        ),
        untaken_today=Count("id", filter=Q(checked_in_at__gte=today, temperature__isnull=True)),
    )
    figures["open_alerts"] = FeverAlert.objects.filter(venue=venue, status=AlertStatus.OPEN).count()
    return figures


def venue_hourly_today(venue: Venue, *, now=None) -> list[dict]:
    """Check-ins per hour today, for the venue page's bar strip (counts only)."""
    now = timezone.localtime(now or timezone.now())
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    times = (
        CheckIn.objects.unscoped_for_system_use()
        .filter(venue=venue, checked_in_at__gte=start)
        .values_list("checked_in_at", flat=True)
    )
    hours = [0] * 24
    for moment in times.iterator(chunk_size=5000):
        hours[timezone.localtime(moment).hour] += 1
    peak = max(hours) or 1
    return [{"hour": h, "count": n, "percent": round(n * 100 / peak)} for h, n in enumerate(hours)]


def venue_upcoming_tasks(venue: Venue):
    """Open tasks about this venue (inspections, rectifications) in due order."""
    return Task.objects.filter(
        subject_type=ContentType.objects.get_for_model(Venue),
        subject_id=str(venue.pk),
        status__in=OPEN_STATUSES,
    ).order_by("due_at")


def recent_checkins(venue: Venue, *, user, limit: int = 50):
    """The venue's latest check-ins with whose they are: only for roles that may see that."""
    return (
        CheckIn.objects.restrict(user)
        .filter(venue=venue)
        .select_related("person")
        .order_by("-checked_in_at", "-id")[:limit]
    )


def checkins_looked_up(user, *, venue_id: int | None, person_id: int | None):
    """The check-ins of one venue or one person that ``user`` may see, newest first;
    none when neither is named: whereabouts are looked at for a reason, not browsed."""
    queryset = CheckIn.objects.restrict(user).select_related("venue", "person")
    if venue_id is None and person_id is None:
        return queryset.none()
    if venue_id is not None:
        queryset = queryset.filter(venue_id=venue_id)
    if person_id is not None:
        queryset = queryset.filter(person_id=person_id)
    return queryset.order_by("-checked_in_at", "-id")


def venue_daily_counts(venue: Venue):
    """Check-ins and fevers per day at a venue, newest day first: counts only, never people."""
    return (
        CheckIn.objects.unscoped_for_system_use()
        .filter(venue=venue)
        .annotate(day=TruncDate("checked_in_at"))
        .values("day")
        .annotate(
            checkins=Count("id"), fevers=Count("id", filter=Q(temperature__gte=FEVER_CELSIUS))
        )
        .order_by("-day")
    )
