"""Which check-ins a tracing file holds past the retention period."""

from django.db.models import Q


def held_checkins() -> Q:
    """Check-ins a tracing file points at as evidence, and the trail of every open case."""
    from tongchou.tracing.choices import CaseStatus
    from tongchou.tracing.models import Case, ContactEvidence

    return (
        Q(pk__in=ContactEvidence.objects.filter(checkin__isnull=False).values("checkin_id"))
        | Q(
            pk__in=ContactEvidence.objects.filter(source_checkin__isnull=False).values(
                "source_checkin_id"
            )
        )
        | Q(person_id__in=Case.objects.filter(status=CaseStatus.OPEN).values("person_id"))
    )


def register_holds() -> None:
    from tongchou.venues.retention import register_hold

    register_hold("tracing", held_checkins)
