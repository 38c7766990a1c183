"""The hourly schedule of a zone: the proposal, and the buildings a planner moves by hand."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from tongchou.core.choices import Role
from tongchou.core.models import AuditEvent
from tongchou.testing import services
from tongchou.testing.models import ScheduleMove
from tongchou.testing.schedule import propose_schedule, simulate_queue
from tongchou.testing.services.planning import schedule_move, schedule_move_undo
from tongchou.testing_support import PersonFactory, make_user


@pytest.fixture
def zone(testing_round, district):
    """West zone, one site taking 20 an hour; 20 people each in building A1, on grid A
    outside any building, and on grid B. With a bound of 5 each gets an hour of its own."""
    PersonFactory.create_batch(20, area=district["building_a1"])
    PersonFactory.create_batch(20, area=district["grid_a"])
    PersonFactory.create_batch(20, area=district["grid_b"])
    zone = testing_round.zones.get(name="武盛大道以西")
    zone.sites.update(hourly_capacity=20)
    return zone


def hours_of(zone, bound=5) -> dict[str, int]:
    """The hour each unit is called in, by its label."""
    (plan,) = propose_schedule(zone, queue_bound=bound)
    return {label: h.hour for h in plan.hours for label in h.grids}


GA, A1, GB = "景园社区第1网格", "景园社区第1网格1号楼", "景园社区第2网格"


def test_it_proposes_an_hour_each_within_the_bound(zone):
    assert hours_of(zone) == {GA: 8, A1: 9, GB: 10}


def test_it_keeps_a_moved_building_and_places_the_rest_around_it(zone, personas, district):
    schedule_move(actor=personas["command"], zone=zone, node=district["grid_b"], hour=8)
    assert hours_of(zone) == {GB: 8, GA: 9, A1: 10}
    (plan,) = propose_schedule(zone, queue_bound=5)
    assert plan.hours[0].moved == [GB] and plan.hours[1].moved == []
    assert [h.arrivals for h in plan.hours[:3]] == [20, 20, 20] and not plan.over_bound


def test_a_move_survives_proposing_again_with_another_bound(zone, personas, district):
    schedule_move(actor=personas["command"], zone=zone, node=district["building_a1"], hour=13)
    for bound in (1, 5, 40, 500):
        assert hours_of(zone, bound)[A1] == 13
    # With room for everyone at eight, the others still come at eight.
    assert hours_of(zone, 500) == {GA: 8, A1: 13, GB: 8}


def test_moving_a_community_moves_its_buildings_and_a_building_can_leave_it(
    zone, personas, district
):
    command = personas["command"]
    schedule_move(actor=command, zone=zone, node=district["community1"], hour=11)
    (plan,) = propose_schedule(zone, queue_bound=5)
    assert hours_of(zone) == {GA: 11, A1: 11, GB: 11}
    # 60 people at 11 against 20 an hour: allowed, and shown as over the bound.
    assert plan.over_bound and plan.max_queue == 40 and not plan.overloaded
    schedule_move(actor=command, zone=zone, node=district["building_a1"], hour=8)
    assert hours_of(zone) == {A1: 8, GA: 11, GB: 11}


def test_every_move_and_undo_leaves_an_audit_event(zone, personas, district):
    command, grid_b = personas["command"], district["grid_b"]
    schedule_move(actor=command, zone=zone, node=grid_b, hour=8)
    schedule_move(actor=command, zone=zone, node=grid_b, hour=12)
    assert ScheduleMove.objects.get().hour == 12
    schedule_move_undo(actor=command, zone=zone, node=grid_b)
    assert not ScheduleMove.objects.exists() and hours_of(zone)[GB] == 10
    events = AuditEvent.objects.filter(action__startswith="testing.schedule.").order_by("id")
    assert [(e.action, e.actor, e.before, e.after) for e in events] == [
        ("testing.schedule.move", command, None, {"zone": zone.name, "node": "GB", "hour": 8}),
        (
            "testing.schedule.move",
            command,
            {"hour": 8},
            {"zone": zone.name, "node": "GB", "hour": 12},
        ),
        ("testing.schedule.undo", command, {"zone": zone.name, "node": "GB", "hour": 12}, None),
    ]


@pytest.mark.parametrize(
    ("node", "hour", "message"),
    [
        ("grid_b", 15, "15时不在“武盛大道以西”的采样时段内（08:00至15:00）"),
        ("grid_b", 7, "7时不在“武盛大道以西”的采样时段内"),
        ("grid_c", 9, "“盛和社区第1网格”不在“武盛大道以西”区域内"),
        ("community3", 9, "“盛和社区”不在“武盛大道以西”区域内"),
        ("office1", 9, "“文昌办事处”不是楼栋、网格或社区"),
    ],
)
def test_bad_moves_are_refused_with_the_reason(zone, personas, district, node, hour, message):
    with pytest.raises(ValidationError, match=message):
        schedule_move(actor=personas["command"], zone=zone, node=district[node], hour=hour)
    assert not ScheduleMove.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="testing.schedule.").exists()


def test_a_closed_round_keeps_its_hours(zone, personas, district):
    command = personas["command"]
    schedule_move(actor=command, zone=zone, node=district["grid_b"], hour=8)
    services.round_close(actor=command, testing_round=zone.round)
    with pytest.raises(ValidationError, match="本轮检测已结束，不能再调整时段"):
        schedule_move(actor=command, zone=zone, node=district["grid_b"], hour=9)
    with pytest.raises(ValidationError, match="本轮检测已结束"):
        schedule_move_undo(actor=command, zone=zone, node=district["grid_b"])
    assert ScheduleMove.objects.get().hour == 8


def test_only_planners_of_the_whole_round_move(zone, personas, district):
    east_command = make_user("east_command", Role.COMMAND, district["office2"])
    for actor in (personas["community_head"], personas["office_head"], east_command):
        with pytest.raises(Http404):
            schedule_move(actor=actor, zone=zone, node=district["grid_b"], hour=8)
    assert not ScheduleMove.objects.exists()


def test_the_planner_moves_a_building_on_the_page(client_for, zone, district):
    client = client_for("command")
    page = client.get(reverse("zone-schedule", args=[zone.pk]), {"bound": 5})
    choices = dict(page.context["form"].fields["node_code"].widget.choices)
    assert choices["BA1"] == A1 and choices["C1"] == "景园社区（整个社区）"
    assert [h for h in page.context["form"].fields["hour"].widget.choices][0] == (8, "8:00")
    response = client.post(
        reverse("zone-schedule", args=[zone.pk]), {"node_code": "GB", "hour": "8", "bound": "5"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('zone-schedule', args=[zone.pk])}?bound=5"
    page = client.get(response["Location"])
    (plan, chart) = page.context["charts"][0]
    assert plan.hours[0].grids == [GB] and plan.hours[0].moved == [GB]
    assert chart["bars"][0]["hour"].arrivals == 20
    body = page.content.decode()
    assert "景园社区第2网格已调整到8:00。" in body and 'data-node="GB"' in body
    assert not plan.over_bound and "超过上限" not in body


def test_a_move_past_the_bound_is_kept_with_a_warning(client_for, zone, district):
    client = client_for("command")
    response = client.post(
        reverse("zone-schedule", args=[zone.pk]),
        {"node_code": "C1", "hour": "9", "bound": "5"},
        follow=True,
    )
    assert ScheduleMove.objects.get().hour == 9
    (message,) = [m for m in response.context["messages"]]
    assert message.level_tag == "warning"
    assert str(message) == (
        "景园社区已调整到9:00，但景园社区广场的排队将超过5人：请增加采样能力或调整其他楼栋。"
    )
    (plan, _chart) = response.context["charts"][0]
    assert plan.over_bound and plan.max_queue == 40
    # Re-proposed with a bound it fits, the warning goes and the move stays.
    page = client.get(reverse("zone-schedule", args=[zone.pk]), {"bound": 50})
    (plan, _chart) = page.context["charts"][0]
    assert not plan.over_bound and plan.hours[1].arrivals == 60


def test_a_bad_move_on_the_page_says_why_and_changes_nothing(client_for, zone, district):
    response = client_for("command").post(
        reverse("zone-schedule", args=[zone.pk]),
        {"node_code": "GC", "hour": "20", "bound": "5"},
    )
    assert response.status_code == 400
    assert "20时不在“武盛大道以西”的采样时段内" in response.content.decode()
    response = client_for("command").post(
        reverse("zone-schedule", args=[zone.pk]), {"node_code": "GC", "hour": "9"}
    )
    assert "“盛和社区第1网格”不在“武盛大道以西”区域内" in response.content.decode()
    assert not ScheduleMove.objects.exists()


def test_the_planner_gives_a_building_back_to_the_proposal(client_for, zone, personas, district):
    schedule_move(actor=personas["command"], zone=zone, node=district["grid_b"], hour=8)
    response = client_for("command").post(
        reverse("zone-schedule-undo", args=[zone.pk]), {"node_code": "GB", "bound": "5"}
    )
    assert response.status_code == 302 and not ScheduleMove.objects.exists()


def test_out_of_scope_the_schedule_reads_as_missing(client_for, zone, personas, district):
    schedule_move(actor=personas["command"], zone=zone, node=district["grid_b"], hour=8)
    east = Client()
    east.force_login(make_user("east_planner", Role.COMMAND, district["office2"]))
    for client in (client_for("community_head"), client_for("grid_a"), east):
        assert client.get(reverse("zone-schedule", args=[zone.pk])).status_code == 404
        moved = client.post(
            reverse("zone-schedule", args=[zone.pk]), {"node_code": "GB", "hour": "12"}
        )
        undone = client.post(reverse("zone-schedule-undo", args=[zone.pk]), {"node_code": "GB"})
        assert moved.status_code == 404 and undone.status_code == 404
    assert ScheduleMove.objects.get().hour == 8
    assert AuditEvent.objects.filter(action__startswith="testing.schedule.").count() == 1


def test_the_queue_is_simulated_hour_by_hour():
    assert simulate_queue([60, 0, 0, 10], 20) == [40, 20, 0, 0]
