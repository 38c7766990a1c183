"""Control measures: start (also by other apps), escalate, follow up, release."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tongchou.command.models import Task
from tongchou.core.models import AuditEvent
from tongchou.registry.models import Household
from tongchou.tracing.choices import ControlKind, ControlStatus, SwabResult
from tongchou.tracing.models import Control, FollowUp, HouseholdTeam
from tongchou.tracing.services import (
    control_release,
    control_start,
    control_start_for_positive_pool,
    followup_record,
    household_team_assign,
)


@pytest.fixture
def home(people, district):
    household = Household.objects.create(area=district["grid_a"], number="1-101")
    people["a"].household = household
    people["a"].save()
    return household


def start(person, actor=None, kind=ControlKind.HOME_QUARANTINE, **extra):
    return control_start(
        actor=actor, person=person, kind=kind, reason="密接人员", source="test", **extra
    )


def test_it_starts_a_measure_with_the_kinds_release_conditions(people, personas):
    control = start(people["a"], personas["grid_a"])
    assert control.status == ControlStatus.ACTIVE
    assert (control.release_days, control.tests_required) == (7, 2)
    assert control.planned_end_on == control.starts_on + timedelta(days=7)
    assert control.area == people["a"].area
    assert AuditEvent.objects.filter(action="control.start", object_id=str(control.pk)).exists()


def test_starting_again_changes_nothing_and_a_stricter_kind_raises_the_measure(people):
    first = start(people["a"], kind=ControlKind.HOME_MONITORING)
    again = start(people["a"], kind=ControlKind.HOME_MONITORING)
    assert again.pk == first.pk and Control.objects.count() == 1
    assert AuditEvent.objects.filter(action="control.start").count() == 1
    raised = start(people["a"], kind=ControlKind.CENTRAL_QUARANTINE)
    assert raised.pk == first.pk
    assert raised.kind == ControlKind.CENTRAL_QUARANTINE and raised.release_days == 14
    milder = start(people["a"], kind=ControlKind.HOME_MONITORING)
    assert milder.kind == ControlKind.CENTRAL_QUARANTINE


def test_the_testing_app_can_start_home_quarantine_for_a_positive_pool(people):
    control = control_start_for_positive_pool(person=people["b"], source="tube:T0001")
    assert control.kind == ControlKind.HOME_QUARANTINE
    assert control.source.startswith("testing.positive_pool")
    assert control.started_by is None


def test_a_grid_worker_cannot_put_someone_of_another_grid_under_control(people, personas):
    with pytest.raises(Http404):
        start(people["b"], personas["grid_a"])
    with pytest.raises(Http404):
        start(people["a"], personas["lab"])
    assert not Control.objects.exists()


def test_it_refuses_an_unknown_kind_or_no_reason(people):
    with pytest.raises(ValidationError):
        control_start(actor=None, person=people["a"], kind="jail", reason="x y", source="t")
    with pytest.raises(ValidationError):
        control_start(actor=None, person=people["a"], kind="home_quarantine", reason="", source="t")
    assert not Control.objects.exists()


def test_home_control_gets_a_household_team_and_its_grid_worker_a_task(home, people, personas):
    start(people["a"], personas["grid_a"])
    team = HouseholdTeam.objects.get(household=home)
    task = Task.objects.get(source="tracing.household_team")
    assert task.area == people["a"].area and task.subject == team
    household_team_assign(
        actor=personas["grid_a"],
        household=home,
        members={
            "cadre": {"name": "社区干部甲", "phone": "13800000001"},
            "doctor": {"name": "医生乙", "phone": "13800000002"},
            "police": {"name": "民警丙", "phone": "13800000003"},
            "grid_worker": {"name": "网格员丁", "phone": "13800000004", "user": personas["grid_a"]},
            "volunteer": {"name": "志愿者戊"},
        },
    )
    assert team.members.count() == 5
    event = AuditEvent.objects.get(action="household_team.assign")
    assert "13800000001" not in str(event.after)  # phones are masked in the trail


def test_a_grid_worker_cannot_name_the_team_of_another_grids_household(home, personas):
    with pytest.raises(Http404):
        household_team_assign(
            actor=personas["grid_b"], household=home, members={"cadre": {"name": "某人"}}
        )
    assert not HouseholdTeam.objects.exists()


def test_release_needs_the_days_and_the_negative_tests(people, personas):
    grid_a = personas["grid_a"]
    control = start(people["a"], grid_a, starts_on=timezone.localdate() - timedelta(days=8))
    with pytest.raises(ValidationError, match="核酸阴性0次"):
        control_release(actor=grid_a, control=control)
    for days_ago in (7, 3):
        followup_record(
            actor=grid_a,
            control=control,
            on_date=timezone.localdate() - timedelta(days=days_ago),
            temperature="36.5",
            swab=SwabResult.NEGATIVE,
        )
    released = control_release(actor=grid_a, control=control)
    assert released.status == ControlStatus.RELEASED
    assert AuditEvent.objects.filter(action="control.release").exists()


def test_early_release_needs_a_reason_and_a_role_that_may_and_is_audited(people, personas):
    control = start(people["a"], personas["grid_a"])
    with pytest.raises(Http404):
        control_release(actor=personas["grid_a"], control=control, early=True, reason="医院证明")
    with pytest.raises(ValidationError):
        control_release(actor=personas["community_head"], control=control, early=True)
    control.refresh_from_db()
    assert control.status == ControlStatus.ACTIVE
    released = control_release(
        actor=personas["community_head"], control=control, early=True, reason="转入定点医院"
    )
    assert released.status == ControlStatus.RELEASED_EARLY
    event = AuditEvent.objects.get(action="control.release_early")
    assert event.reason == "转入定点医院" and event.actor == personas["community_head"]


def test_a_fever_at_follow_up_alerts_the_grid_worker(people, personas):
    control = start(people["a"], personas["grid_a"])
    followup_record(actor=personas["grid_a"], control=control, temperature="38.2")
    task = Task.objects.get(source="tracing.followup_abnormal")
    assert task.area == people["a"].area


@pytest.mark.parametrize("temperature", ["98.6", "abc", "25"])
def test_an_absurd_follow_up_temperature_is_refused(people, personas, temperature):
    control = start(people["a"], personas["grid_a"])
    with pytest.raises(ValidationError):
        followup_record(actor=personas["grid_a"], control=control, temperature=temperature)
    assert not FollowUp.objects.exists()


def test_another_grids_worker_cannot_record_a_follow_up(people, personas):
    control = start(people["a"], personas["grid_a"])
    with pytest.raises(Http404):
        followup_record(actor=personas["grid_b"], control=control, temperature="36.5")
    assert not FollowUp.objects.exists()
