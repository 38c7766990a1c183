"""Nobody missed: expected, sampled and missing by area, within each user's scope."""

import pytest

from tongchou.testing import services
from tongchou.testing.choices import MissingReason
from tongchou.testing.selectors import (
    coverage_by_node,
    dorfman_tests_per_person,
    grid_live_figures,
    missing_people,
    recommend_pool_size,
)
from tongchou.testing_support import PersonFactory


@pytest.fixture
def sampled(personas, site, people, district):
    PersonFactory(area=district["grid_a"], tags=",university_student,")  # excluded
    sampler = personas["sampler"]
    tube = services.tube_open(actor=sampler, site=site, barcode="C1", kind="pool10")
    for key, person in enumerate([people["a1"], people["c"]]):
        services.sample_scan(
            actor=sampler,
            tube_barcode="C1",
            code_token=person.code_token,
            idempotency_key=f"c{key}",
        )
    return tube


def by_code(rows):
    return {r["code"]: (r["expected"], r["sampled"], r["missing"]) for r in rows}


def test_coverage_rolls_up_and_leaves_out_the_excluded(testing_round, personas, sampled):
    rows = by_code(coverage_by_node(testing_round, user=personas["command"]))
    assert rows["D"] == (4, 2, 2)
    assert rows["GA"] == (2, 1, 1) and rows["GB"] == (1, 0, 1) and rows["GC"] == (1, 1, 0)
    assert rows["C1"] == (3, 1, 2)


def test_a_grid_worker_sees_only_their_grid(testing_round, personas, sampled, district):
    rows = by_code(coverage_by_node(testing_round, user=personas["grid_a"]))
    assert set(rows) == {"GA", "BA1"} and rows["GA"] == (2, 1, 1)
    live = grid_live_figures(testing_round, district["grid_a"], user=personas["grid_a"])
    assert live == {"expected": 2, "sampled": 1, "missing": 1}
    outside = grid_live_figures(testing_round, district["grid_b"], user=personas["grid_a"])
    assert outside == {"expected": 0, "sampled": 0, "missing": 0}
    assert [p.name for p in missing_people(testing_round, user=personas["grid_a"])] == ["李四"]


def test_missing_reasons_are_recorded_in_scope_only(testing_round, personas, sampled, people):
    services.missing_record(
        actor=personas["grid_a"],
        testing_round=testing_round,
        person=people["a"],
        reason=MissingReason.IN_HOSPITAL,
        note="市一院",
    )
    listed = list(missing_people(testing_round, user=personas["grid_a"]))
    assert listed[0].missing_reason == "in_hospital" and listed[0].missing_note == "市一院"
    from django.http import Http404

    with pytest.raises(Http404):
        services.missing_record(
            actor=personas["grid_a"],
            testing_round=testing_round,
            person=people["b"],
            reason=MissingReason.AWAY,
        )


def test_dorfman_recommends_pools_that_fit_the_positivity():
    assert dorfman_tests_per_person(1, 0.01) == 1.0
    assert dorfman_tests_per_person(10, 0.01) == pytest.approx(0.1 + 1 - 0.99**10)
    assert recommend_pool_size(0.0005)["recommended"] == 20
    assert recommend_pool_size(0.01)["recommended"] == 10
    assert recommend_pool_size(0.05)["recommended"] == 5
    assert recommend_pool_size(0.4)["recommended"] == 1
    assert recommend_pool_size(0.01)["unconstrained_optimum"] == 11


def test_zone_figures_sum_the_topmost_nodes_in_scope(testing_round, personas, sampled):
    from tongchou.testing.selectors import coverage_by_zone

    for persona, west in (("command", (3, 1)), ("grid_a", (2, 1))):
        coverage = coverage_by_node(testing_round, user=personas[persona])
        zones = {
            z["zone"].name: (z["expected"], z["sampled"])
            for z in coverage_by_zone(testing_round, coverage)
        }
        assert zones["武盛大道以西"] == west
    assert zones["武盛大道以东"] == (0, 0)  # grid A's worker sees nothing of the east


def test_coverage_for_a_role_that_sees_no_people_is_empty_not_an_error(testing_round, personas):
    from tongchou.testing.selectors import coverage_per_area

    assert coverage_per_area(testing_round, user=personas["lab"]) == []
