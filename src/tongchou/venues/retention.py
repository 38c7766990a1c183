"""Retention of check-ins: whereabouts are deleted once their purpose has ended.

Apps that keep check-ins as evidence (tracing) register a hold: a function
returning a Q of the check-ins they need. Venues does not import them, so the
dependency still points down.
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

_HOLDS: dict[str, Callable[[], Q]] = {}
PURGE_BATCH = 50_000


def register_hold(name: str, held: Callable[[], Q]) -> None:
    """Keep the check-ins matching ``held()`` past the retention period."""
    _HOLDS[name] = held


def purgeable_checkins(*, now=None, days: int | None = None):
    """Check-ins older than the retention period that no hold keeps, and the cutoff."""
    from tongchou.venues.models import CheckIn

    days = settings.CHECKIN_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    queryset = CheckIn.objects.unscoped_for_system_use().filter(checked_in_at__lt=cutoff)
    for held in _HOLDS.values():
        queryset = queryset.exclude(held())
    return queryset, cutoff


def checkins_purge(*, actor=None, now=None, days: int | None = None, dry_run=False) -> dict:
    """Delete purgeable check-ins in batches; write one audit event saying how many and why."""
    from tongchou.core.services import audit_record
    from tongchou.venues.models import CheckIn

    queryset, cutoff = purgeable_checkins(now=now, days=days)
    older = CheckIn.objects.unscoped_for_system_use().filter(checked_in_at__lt=cutoff)
    deleted = 0
    if dry_run:
        # What a real run would delete, counted, not deleted.
        deleted = queryset.count()
        held = older.count() - deleted
    else:
        while True:
            with transaction.atomic():
                ids = list(queryset.values_list("pk", flat=True)[:PURGE_BATCH])
                if not ids:
                    break
                # A plain DELETE by primary key: nothing cascades from a check-in,
                # and the ORM's collector would load every row first.
                deleted += (
                    CheckIn.objects.unscoped_for_system_use()
                    .filter(pk__in=ids)
                    ._raw_delete(connection.alias)
                )
        held = older.count()
    summary = {
        "cutoff": cutoff.isoformat(),
        "retention_days": settings.CHECKIN_RETENTION_DAYS if days is None else days,
        "deleted": deleted,
        "held": held,
        "dry_run": dry_run,
    }
    if not dry_run:
        audit_record(
            actor=actor,
            action="checkin.purge",
            object_type="venues.checkin",
            object_repr=f"< {cutoff:%Y-%m-%d %H:%M}",
            after=summary,
            reason=f"保留期{summary['retention_days']}天",
        )
    return summary
