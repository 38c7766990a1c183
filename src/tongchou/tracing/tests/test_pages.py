"""Pages and API of tracing and control: they open for the right people, list without
N+1 queries, flag overdue follow-ups, and the purge command runs."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tongchou.registry.models import Household
from tongchou.testing_support import PersonFactory
from tongchou.tracing.choices import CaseFoundBy, CaseKind, ControlKind
from tongchou.tracing.models import Case, HouseholdTeam
from tongchou.tracing.selectors import controls_with_followups
from tongchou.tracing.services import case_record, control_start, followup_record
from tongchou.venues.choices import CheckInMethod, VenueKind
from tongchou.venues.services import Reading, checkins_ingest, venue_create


@pytest.fixture
def under_control(district, personas):
    """Three people of grid A at home, one household; started three days ago."""
    household = Household.objects.create(area=district["grid_a"], number="3-301")
    members = [
        PersonFactory(name=f"居家{i}", area=district["grid_a"], household=household)
        for i in range(3)
    ]
    started = timezone.localdate() - timedelta(days=3)
    controls = [
        control_start(
            actor=personas["grid_a"],
            person=m,
            kind=ControlKind.HOME_QUARANTINE,
            reason="次密接",
            source="test",
            starts_on=started,
        )
        for m in members
    ]
    return household, controls


def test_a_missed_follow_up_is_overdue_and_a_recorded_one_is_not(under_control, personas):
    _household, controls = under_control
    today = timezone.localdate()
    followup_record(
        actor=personas["grid_a"], control=controls[0], on_date=today, temperature="36.4"
    )
    followup_record(
        actor=personas["grid_a"],
        control=controls[1],
        on_date=today - timedelta(days=1),
        temperature="36.4",
    )
    # Before the due hour, yesterday's follow-up is enough for today.
    morning = timezone.localtime().replace(hour=7, minute=0)
    flags = {
        c.pk: c.followup_overdue
        for c in controls_with_followups(
            controls[0].__class__.objects.filter(pk__in=[c.pk for c in controls]), now=morning
        )
    }
    assert flags == {controls[0].pk: False, controls[1].pk: False, controls[2].pk: True}
    evening = timezone.localtime().replace(hour=20, minute=0)
    rows = controls_with_followups(
        controls[0].__class__.objects.filter(pk__in=[c.pk for c in controls]), now=evening
    )
    assert {c.pk: c.followup_overdue for c in rows} == {
        controls[0].pk: False,
        controls[1].pk: True,
        controls[2].pk: True,
    }
    assert all(c.day_number == 4 for c in rows)


def test_the_control_list_shows_only_my_grid_and_lists_in_few_queries(
    under_control, client_for, district, personas, django_assert_max_num_queries
):
    other = PersonFactory(name="别处", area=district["grid_b"])
    control_start(
        actor=None, person=other, kind=ControlKind.HOME_MONITORING, reason="时空伴随", source="t"
    )
    client = client_for("grid_a")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("control-list"))
    names = {c.person.name for c in response.context["controls"]}
    assert names == {"居家0", "居家1", "居家2"}
    assert 'id="overdue"' in response.content.decode()
    assert client_for("grid_b").get(reverse("control-list")).context["controls"][0].person == other


def test_a_control_page_names_the_team_masked_and_takes_follow_ups(
    under_control, client_for, personas
):
    household, controls = under_control
    client = client_for("grid_a")
    team_url = reverse("control-team", args=[controls[0].pk])
    data = {f"{role}_name": f"{role}者" for role in ("cadre", "doctor", "police", "grid_worker")}
    data |= {"volunteer_name": "志愿者", "doctor_phone": "13611112222"}
    assert client.post(team_url, data).status_code == 302
    team = HouseholdTeam.objects.get(household=household)
    assert team.members.count() == 5
    page = client.get(reverse("control-detail", args=[controls[0].pk])).content.decode()
    assert "13611112222" not in page and "136****2222" in page
    # Saving again without a phone keeps the one on file.
    client.post(team_url, data | {"doctor_phone": ""})
    assert team.members.get(role="doctor").phone == "13611112222"
    response = client.post(
        reverse("control-followup", args=[controls[0].pk]),
        {"on_date": timezone.localdate().isoformat(), "temperature": "36.6", "swab": "negative"},
    )
    assert response.status_code == 302
    assert controls[0].followups.count() == 1
    assert (
        client_for("grid_b").get(reverse("control-detail", args=[controls[0].pk])).status_code
        == 404
    )
    assert client_for("grid_b").post(team_url, data).status_code == 404


def test_pages_open_for_a_tracer(client_for, district, people, personas):
    venue = venue_create(
        actor=None, area=district["grid_a"], name="小超市", kind=VenueKind.SUPERMARKET
    )
    checkins_ingest(
        [Reading(venue.pk, people["a"].pk, timezone.now(), None)], method=CheckInMethod.GATE
    )
    case = case_record(
        actor=personas["tracer"],
        person=people["a"],
        kind=CaseKind.CONFIRMED,
        found_by=CaseFoundBy.FEVER_CLINIC,
        confirmed_on=timezone.localdate(),
    )
    client = client_for("tracer")
    for name, args in (
        ("case-list", []),
        ("case-create", []),
        ("case-detail", [case.pk]),
        ("contact-list", []),
        ("control-list", []),
        ("venue-list", []),
        ("venue-detail", [venue.pk]),
        ("fever-alerts", []),
    ):
        assert client.get(reverse(name, args=args)).status_code == 200, name
    listed = client.get(reverse("checkin-list"), {"person": people["a"].pk})
    assert listed.context["checkins"].count() == 1


def test_a_tracer_records_a_case_from_the_page(client_for, people):
    response = client_for("tracer").post(
        reverse("case-create"),
        {
            "id_number": people["b"].id_number,
            "kind": CaseKind.ASYMPTOMATIC,
            "found_by": CaseFoundBy.MASS_TESTING,
            "confirmed_on": timezone.localdate().isoformat(),
            "lookback_days": 14,
        },
    )
    assert response.status_code == 302
    assert Case.objects.get().person == people["b"]


def test_a_grid_worker_cannot_record_a_case(client_for, people):
    response = client_for("grid_a").post(
        reverse("case-create"),
        {"id_number": people["a"].id_number, "kind": "confirmed", "found_by": "other"},
    )
    assert response.status_code == 404
    assert not Case.objects.exists()


def test_the_api_traces_for_a_tracer_and_not_for_a_grid_worker(client_for, people, personas):
    case = case_record(
        actor=personas["tracer"],
        person=people["a"],
        kind=CaseKind.CONFIRMED,
        found_by=CaseFoundBy.OTHER,
        confirmed_on=timezone.localdate(),
    )
    url = f"/api/cases/{case.pk}/trace/"
    assert client_for("grid_a").post(url, {}, content_type="application/json").status_code == 404
    answer = client_for("tracer").post(url, {"days": 7}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["close"] == 0


def test_the_purge_command_reports_and_a_dry_run_deletes_nothing(district, people):
    venue = venue_create(actor=None, area=district["grid_a"], name="店", kind=VenueKind.SMALL_SHOP)
    checkins_ingest(
        [Reading(venue.pk, people["a"].pk, timezone.now() - timedelta(days=40), None)],
        method=CheckInMethod.GATE,
    )
    out = io.StringIO()
    call_command("purge", "--dry-run", stdout=out)
    assert "would delete 1" in out.getvalue()
    from tongchou.venues.models import CheckIn

    assert CheckIn.objects.count() == 1
    call_command("purge", stdout=io.StringIO())
    assert CheckIn.objects.count() == 0


def test_overdue_follow_ups_become_one_task_each_however_often_it_runs(under_control):
    from tongchou.command.models import Task

    evening = timezone.localtime().replace(hour=20, minute=0)
    from tongchou.tracing.services import followups_overdue_alert

    assert followups_overdue_alert(now=evening) == 3
    assert followups_overdue_alert(now=evening) == 3
    tasks = Task.objects.filter(source="tracing.followup_overdue")
    assert tasks.count() == 3
    assert {t.area_id for t in tasks} == {under_control[1][0].area_id}
    out = io.StringIO()
    call_command("followups", stdout=out)
    assert "overdue follow-ups" in out.getvalue()
