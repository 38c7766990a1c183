"""Control measures: start (from any app), follow up daily, release when the conditions are met.

``control_start`` is the one way to put someone under central quarantine, home
quarantine or home health monitoring; testing (positive pools) and arrivals
call it too. Its signature is kept small and stable on purpose.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from tongchou.command.services import task_create
from tongchou.core.choices import Role
from tongchou.core.services import audit_record
from tongchou.registry.models import Person
from tongchou.tracing.choices import (
    CONTROL_RELEASE,
    CONTROL_STRICTNESS,
    HOME_KINDS,
    ControlKind,
    ControlStatus,
    SwabResult,
)
from tongchou.tracing.models import Control, FollowUp, HouseholdTeam
from tongchou.venues.validation import InvalidCheckIn, parse_temperature

# Roles that may put a person under control and record follow-ups in their area.
ROLES_CONTROLLING = frozenset(
    {Role.COMMAND, Role.TRACER, Role.OFFICE, Role.COMMUNITY, Role.GRID_WORKER}
)
# Releasing before the conditions are met is a decision, not a routine step.
ROLES_RELEASING_EARLY = frozenset({Role.COMMAND, Role.TRACER, Role.OFFICE, Role.COMMUNITY})


def _control_view(control: Control) -> dict:
    return {
        "person": control.person_id,
        "kind": control.kind,
        "status": control.status,
        "starts_on": control.starts_on.isoformat(),
        "planned_end_on": control.planned_end_on.isoformat(),
        "release_days": control.release_days,
        "tests_required": control.tests_required,
        "source": control.source,
    }


def _check_person(actor, person: Person) -> None:
    """A user may act only on people in their jurisdiction; ``None`` is the system."""
    if actor is None:
        return
    if actor.role not in ROLES_CONTROLLING:
        raise Http404
    if not Person.objects.restrict(actor).filter(pk=person.pk).exists():
        raise Http404


@transaction.atomic
def control_start(
    *,
    actor,
    person: Person,
    kind: str,
    reason: str,
    source: str,
    starts_on: date | None = None,
    days: int | None = None,
    tests_required: int | None = None,
    contact=None,
) -> Control:
    """Put ``person`` under ``kind`` of control and return the measure they are under.

    ``actor`` is the user who decides (the person must be in their area), or
    None when the system does (a lab result). ``source`` names the trigger,
    e.g. "tracing.contact" or "testing.positive_pool". Someone already under
    control stays under it: a milder or equal request changes nothing, a
    stricter one raises the measure. Release conditions default by kind.
    """
    if kind not in ControlKind.values:
        raise ValidationError(f"未知管控方式：{kind}")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError("请填写管控原因")
    _check_person(actor, person)
    default_days, default_tests = CONTROL_RELEASE[kind]
    days = default_days if days is None else days
    tests_required = default_tests if tests_required is None else tests_required
    if not 1 <= days <= 60 or not 0 <= tests_required <= 10:
        raise ValidationError("管控天数应在1至60天之间，核酸次数应在0至10次之间")
    starts_on = starts_on or timezone.localdate()
    planned_end_on = starts_on + timedelta(days=days)
    current = Control.objects.select_for_update().filter(person=person, status=ControlStatus.ACTIVE)
    existing = current.first()
    if existing is not None:
        if CONTROL_STRICTNESS[kind] <= CONTROL_STRICTNESS[existing.kind]:
            return existing
        before = _control_view(existing)
        existing.kind = kind
        existing.release_days = max(existing.release_days, days)
        existing.tests_required = max(existing.tests_required, tests_required)
        existing.planned_end_on = max(existing.planned_end_on, planned_end_on)
        existing.save()
        audit_record(
            actor=actor,
            action="control.escalate",
            instance=existing,
            before=before,
            after=_control_view(existing),
            reason=f"{source}: {reason}",
        )
        _ensure_team(actor, existing)
        return existing
    control = Control(
        person=person,
        area_id=person.area_id,
        household_id=person.household_id,
        kind=kind,
        starts_on=starts_on,
        planned_end_on=planned_end_on,
        release_days=days,
        tests_required=tests_required,
        reason=reason,
        source=source[:64],
        contact=contact,
        started_by=actor if actor is not None and actor.is_authenticated else None,
    )
    try:
        with transaction.atomic():
            control.save()
    except IntegrityError:
        # Someone else started one a moment ago: theirs stands.
        return Control.objects.get(person=person, status=ControlStatus.ACTIVE)
    audit_record(
        actor=actor, action="control.start", instance=control, after=_control_view(control)
    )
    _ensure_team(actor, control)
    return control


def control_start_for_positive_pool(*, person: Person, source: str) -> Control:
    """Members of a positive pool stay at home until their single-tube retest (testing's call)."""
    return control_start(
        actor=None,
        person=person,
        kind=ControlKind.HOME_QUARANTINE,
        reason="混管阳性，等待单采复核",
        source=f"testing.positive_pool {source}"[:64],
    )


def _ensure_team(actor, control: Control) -> None:
    """A household under home control gets its team (五包一); its grid worker a task to fill it."""
    if control.kind not in HOME_KINDS or control.household_id is None:
        return
    team, created = HouseholdTeam.objects.get_or_create(
        household_id=control.household_id, defaults={"area_id": control.area_id}
    )
    if team.members.count() < 5:
        task_create(
            actor=actor,
            title="为居家管控户落实“五包一”责任人",
            area=control.area,
            due_at=timezone.now() + timedelta(hours=12),
            subject=team,
            person=control.person,
            source="tracing.household_team",
            description="社区干部、医生、民警、网格员、志愿者各一名",
        )
    if created:
        audit_record(actor=actor, action="household_team.create", instance=team)


def release_conditions(control: Control, *, today: date | None = None) -> dict:
    """What release needs and what is met: days passed and negative tests, and no positive."""
    today = today or timezone.localdate()
    swabs = list(control.followups.exclude(swab=SwabResult.NONE).values_list("swab", flat=True))
    negatives = swabs.count(SwabResult.NEGATIVE)
    days_passed = (today - control.starts_on).days
    positive = SwabResult.POSITIVE in swabs
    return {
        "days_passed": days_passed,
        "days_needed": control.release_days,
        "negatives": negatives,
        "tests_needed": control.tests_required,
        "positive": positive,
        "met": (
            days_passed >= control.release_days
            and negatives >= control.tests_required
            and not positive
        ),
    }


@transaction.atomic
def control_release(*, actor, control: Control, early: bool = False, reason: str = "") -> Control:
    """End a measure whose conditions are met; ending it before needs a reason (audited)."""
    control = Control.objects.restrict(actor).select_for_update().filter(pk=control.pk).first()
    if control is None or actor.role not in ROLES_CONTROLLING:
        raise Http404
    if control.status != ControlStatus.ACTIVE:
        raise ValidationError("该人员已解除管控")
    conditions = release_conditions(control)
    reason = (reason or "").strip()
    if conditions["positive"]:
        raise ValidationError("管控期间核酸阳性，不能解除管控")
    if not conditions["met"]:
        if not early:
            unmet = []
            if conditions["days_passed"] < conditions["days_needed"]:
                unmet.append(
                    f"已满{conditions['days_passed']}天，需满{conditions['days_needed']}天"
                )
            if conditions["negatives"] < conditions["tests_needed"]:
                unmet.append(
                    f"核酸阴性{conditions['negatives']}次，需{conditions['tests_needed']}次"
                )
            raise ValidationError("未达到解除管控条件：" + "；".join(unmet))
        if actor.role not in ROLES_RELEASING_EARLY:
            raise Http404
        if len(reason) < 2:
            raise ValidationError("提前解除管控须填写理由")
    before = _control_view(control)
    control.status = (
        ControlStatus.RELEASED_EARLY if not conditions["met"] else ControlStatus.RELEASED
    )
    control.released_at = timezone.now()
    control.released_by = actor
    control.release_reason = reason
    control.save()
    audit_record(
        actor=actor,
        action="control.release_early" if not conditions["met"] else "control.release",
        instance=control,
        before=before,
        after={**_control_view(control), "conditions": conditions},
        reason=reason,
    )
    return control


@transaction.atomic
def followup_record(
    *,
    actor,
    control: Control,
    on_date: date | None = None,
    temperature=None,
    has_symptoms: bool = False,
    symptoms: str = "",
    swab: str = SwabResult.NONE,
) -> FollowUp:
    """Record (or correct) one day's follow-up; a fever, symptoms or a positive test alert
    the grid workers at once."""
    control = Control.objects.restrict(actor).select_for_update().filter(pk=control.pk).first()
    if control is None or actor.role not in ROLES_CONTROLLING:
        raise Http404
    if control.status != ControlStatus.ACTIVE:
        raise ValidationError("该人员已解除管控，不再随访")
    on_date = on_date or timezone.localdate()
    if on_date > timezone.localdate() or on_date < control.starts_on:
        raise ValidationError("随访日期应在管控开始之后、今天及以前")
    if swab not in SwabResult.values:
        raise ValidationError(f"未知核酸结果：{swab}")
    try:
        reading = parse_temperature(temperature)
    except InvalidCheckIn as exc:
        raise ValidationError(str(exc)) from None
    values = {
        "temperature": reading,
        "has_symptoms": bool(has_symptoms),
        "symptoms": (symptoms or "").strip()[:200],
        "swab": swab,
        "recorded_by": actor,
    }
    followup, created = FollowUp.objects.update_or_create(
        control=control, on_date=on_date, defaults=values
    )
    audit_record(
        actor=actor,
        action="followup.record" if created else "followup.correct",
        instance=followup,
        after={
            "temperature": str(reading) if reading is not None else None,
            "has_symptoms": values["has_symptoms"],
            "swab": swab,
        },
    )
    from tongchou.venues.choices import FEVER_CELSIUS

    fever = reading is not None and reading >= type(reading)(FEVER_CELSIUS)
    if fever or values["has_symptoms"] or swab == SwabResult.POSITIVE:
        task_create(
            actor=actor,
            title="管控人员出现异常情况，请立即处置",
            area=control.area,
            due_at=timezone.now() + timedelta(hours=1),
            subject=followup,
            person=control.person,
            source="tracing.followup_abnormal",
            description=f"{on_date}：体温{reading or '未测'}，症状：{values['symptoms'] or '无'}",
        )
    return followup


def followups_overdue_alert(*, now=None) -> int:
    """Give the grid workers a task for each person under control whose daily follow-up is
    overdue; a person already flagged keeps their one open task. Returns how many are overdue.

    Run by ``tongchou followups`` (from cron) or the ``tracing.followup_alerts`` job.
    """
    from tongchou.tracing.selectors import overdue_followups

    overdue = overdue_followups(Control.objects.unscoped_for_system_use(), now=now)
    due_at = (now or timezone.now()) + timedelta(hours=2)
    for control in overdue:
        task_create(
            actor=None,
            title=f"随访逾期（{control.get_kind_display()}）",
            person=control.person,
            area=control.area,
            due_at=due_at,
            subject=control,
            source="tracing.followup_overdue",
            description=f"最近一次随访：{control.last_followup_on or '无'}，请今日上门或电话随访",
        )
    return len(overdue)
