"""People who arrive during a round join its expected at once, and those who leave drop out.

A round snapshots nobody: who is expected is read from the registry each time, so
registering someone on a grid (or moving them there) while the round runs is all
an arrival report will have to do.
"""

import pytest
from django.urls import reverse

from tongchou.core.choices import Role
from tongchou.grid.services import grid_node_create
from tongchou.registry.services import person_create, person_update
from tongchou.testing.choices import RoundStatus
from tongchou.testing.schedule import call_units
from tongchou.testing.selectors import coverage_by_node, grid_live_figures, missing_people
from tongchou.testing_support import make_user, valid_id_number


def figures(testing_round, user, node) -> dict:
    return grid_live_figures(testing_round, node, user=user)


def coverage(testing_round, user) -> dict[str, tuple[int, int, int]]:
    rows = coverage_by_node(testing_round, user=user)
    return {r["code"]: (r["expected"], r["sampled"], r["missing"]) for r in rows}


def live_page(client, testing_round, node) -> dict:
    url = reverse("round-missing-live", args=[testing_round.pk])
    return client.get(url, {"node": node.pk}).context["figures"]


@pytest.fixture
def grid_a(district):
    return district["grid_a"]


def test_someone_registered_during_the_round_is_expected_at_once(
    testing_round, personas, people, district, client_for, grid_a
):
    assert testing_round.status == RoundStatus.RUNNING
    worker = personas["grid_a"]
    assert figures(testing_round, worker, grid_a) == {"expected": 2, "sampled": 0, "missing": 2}
    arrival = person_create(
        actor=worker, area=district["building_a1"], name="钱七", id_number=valid_id_number()
    )
    assert figures(testing_round, worker, grid_a) == {"expected": 3, "sampled": 0, "missing": 3}
    assert live_page(client_for("grid_a"), testing_round, grid_a)["expected"] == 3
    assert arrival in missing_people(testing_round, user=worker)
    page = client_for("grid_a").get(reverse("round-missing", args=[testing_round.pk]))
    assert "钱七" in {p.name for p in page.context["people"]}
    rows = coverage(testing_round, personas["command"])
    assert rows["GA"] == (3, 0, 3) and rows["BA1"] == (2, 0, 2) and rows["D"] == (5, 0, 5)
    # The schedule calls them with their building too.
    west = testing_round.zones.get(name="武盛大道以西")
    assert {u.code: u.people for u in call_units(west)}["BA1"] == 2


def test_someone_moved_out_of_a_grid_during_the_round_leaves_its_figures(
    testing_round, personas, people, district, client_for, grid_a
):
    moved = people["a"]
    person_update(actor=personas["command"], person=moved, area=district["grid_b"], name=moved.name)
    assert figures(testing_round, personas["grid_a"], grid_a) == {
        "expected": 1,
        "sampled": 0,
        "missing": 1,
    }
    assert live_page(client_for("grid_a"), testing_round, grid_a)["expected"] == 1
    assert moved not in missing_people(testing_round, user=personas["grid_a"])
    # ... and counts where they live now.
    grid_b = district["grid_b"]
    assert figures(testing_round, personas["grid_b"], grid_b)["expected"] == 2
    assert moved in missing_people(testing_round, user=personas["grid_b"])
    rows = coverage(testing_round, personas["command"])
    assert rows["GA"] == (1, 0, 1) and rows["GB"] == (2, 0, 2) and rows["D"] == (4, 0, 4)


def test_someone_moved_out_of_the_rounds_area_is_no_longer_expected(
    testing_round, personas, people, district
):
    elsewhere = grid_node_create(actor=None, code="X", name="邻区", level="district", parent=None)
    city = make_user("city", Role.COMMAND, district["district"], elsewhere)
    moved = people["a"]
    person_update(actor=city, person=moved, area=elsewhere, name=moved.name)
    rows = coverage(testing_round, personas["command"])
    assert rows["GA"] == (1, 0, 1) and rows["D"] == (3, 0, 3)
    assert moved not in missing_people(testing_round, user=city)
