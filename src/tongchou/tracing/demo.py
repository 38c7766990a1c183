"""The demo's tracing file: one case traced from the day's check-ins, and two households
under home control with their teams (五包一) and follow-ups."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from tongchou.grid.models import GridNode
from tongchou.registry.models import Household, Person
from tongchou.tracing.choices import (
    CaseFoundBy,
    CaseKind,
    ContactTier,
    ControlKind,
    ControlStatus,
    SwabResult,
)
from tongchou.tracing.models import Contact, Control
from tongchou.tracing.services import (
    case_record,
    case_trace,
    contact_confirm,
    control_start,
    followup_record,
    household_team_assign,
)
from tongchou.venues.models import CheckIn

TEAM = {
    "cadre": ("社区干部·刘敏", "13700000001"),
    "doctor": ("社区医生·陈静", "13700000002"),
    "police": ("社区民警·王强", "13700000003"),
    "grid_worker": ("网格员·张磊", "13700000004"),
    "volunteer": ("志愿者·李娜", "13700000005"),
}


def load_tracing_demo(*, users: dict) -> dict:
    """Record a case in 景园社区第1网格, trace it, confirm its closest contacts; put two
    households of grids 1 and 2 under home quarantine with teams and follow-ups."""
    tracer, grid1_user, grid2_user = users["tracer"], users["grid1"], users["grid2"]
    grid1 = GridNode.objects.get(code="SFQ-O01-C01-G01")
    grid2 = GridNode.objects.get(code="SFQ-O01-C01-G02")
    today = timezone.localdate()
    # The case: the grid 1 resident with the most check-ins yesterday and today.
    busiest = (
        CheckIn.objects.filter(person__area__path__startswith=grid1.path)
        .values("person_id")
        .annotate(n=Count("id"))
        .order_by("-n", "person_id")
        .first()
    )
    case_person = Person.objects.get(pk=busiest["person_id"])
    case = case_record(
        actor=tracer,
        person=case_person,
        kind=CaseKind.CONFIRMED,
        found_by=CaseFoundBy.MASS_TESTING,
        found_place="第三轮全员核酸检测 景园社区采样点（单采复核阳性）",
        sampled_on=today,
        confirmed_on=today,
        lookback_days=14,
    )
    report = case_trace(actor=tracer, case=case)
    closest = Contact.objects.filter(case=case, tier=ContactTier.CLOSE).order_by(
        "-overlap_minutes", "id"
    )[:3]
    for contact in closest:
        contact_confirm(actor=tracer, contact=contact)
    # Two households at home: their members stay in, five people answer for each. Their
    # quarantine began three days ago, so no member may be under a measure already
    # (a contact confirmed above is, from today).
    households = []
    controlled = Control.objects.filter(status=ControlStatus.ACTIVE).values("person_id")
    for grid, user in ((grid1, grid1_user), (grid2, grid2_user)):
        household = (
            Household.objects.filter(area__path__startswith=grid.path)
            .annotate(n=Count("members"))
            .filter(n__gte=2)
            .exclude(members=case_person)
            .exclude(members__in=controlled)
            .order_by("id")
            .first()
        )
        started = today - timedelta(days=3)
        controls = [
            control_start(
                actor=user,
                person=member,
                kind=ControlKind.HOME_QUARANTINE,
                reason="与病例同楼栋，居家隔离观察",
                source="demo",
                starts_on=started,
            )
            for member in household.members.order_by("id")
        ]
        household_team_assign(
            actor=user,
            household=household,
            members={role: {"name": n, "phone": p} for role, (n, p) in TEAM.items()},
        )
        # Grid 1 keeps up with its follow-ups; grid 2 has missed yesterday's and today's.
        days = (3, 2, 1, 0) if grid == grid1 else (3, 2)
        for control in controls:
            for ago in days:
                followup_record(
                    actor=user,
                    control=control,
                    on_date=today - timedelta(days=ago),
                    temperature="36.5",
                    swab=SwabResult.NEGATIVE if ago == 3 else SwabResult.NONE,
                )
        households.append(household.pk)
    return {"case": case.pk, "contacts": report.as_dict(), "households": households}
