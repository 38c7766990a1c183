"""Lab results: bulk per tube, follow-up for positive and invalid tubes, bad rows reported."""

import itertools

import pytest

from tongchou.command.models import Task
from tongchou.testing import services
from tongchou.testing.choices import RetestStatus, ScanOutcome
from tongchou.testing.models import Retest, Tube
from tongchou.testing_support import PersonFactory

_keys = itertools.count()


@pytest.fixture
def filled(personas, site, district):
    """Three sealed tubes of ten from grid A and B residents."""
    sampler = personas["sampler"]
    tubes = []
    for t in range(3):
        tube = services.tube_open(actor=sampler, site=site, barcode=f"P{t}", kind="pool10")
        area = district["grid_a"] if t < 2 else district["grid_b"]
        for person in PersonFactory.create_batch(10, area=area):
            services.sample_scan(
                actor=sampler,
                tube_barcode=tube.barcode,
                code_token=person.code_token,
                idempotency_key=f"r{next(_keys)}",
            )
        services.tube_seal(actor=sampler, tube_barcode=tube.barcode)
        tubes.append(tube)
    return tubes


def test_negative_results_apply_in_bulk_and_again_change_nothing(personas, filled):
    rows = [(2, "P0", "阴性"), (3, "P1", "negative"), (4, "P2", "阴性")]
    report = services.results_apply(lab=personas["lab"], rows=rows, file_name="r.xlsx")
    assert (report.applied, report.errors) == (3, [])
    assert set(Tube.objects.values_list("result", flat=True)) == {"negative"}
    again = services.results_apply(lab=personas["lab"], rows=rows)
    assert (again.applied, again.unchanged) == (0, 3)
    assert not Retest.objects.exists() and not Task.objects.exists()


def test_a_positive_pool_sends_its_ten_to_retest_and_their_grid_workers(personas, filled):
    report = services.results_apply(lab=personas["lab"], rows=[(2, "P2", "阳性")])
    assert report.positives == ["P2"]
    retests = Retest.objects.filter(source_tube__barcode="P2")
    assert retests.count() == 10 and set(retests.values_list("status", flat=True)) == {"pending"}
    tasks = Task.objects.filter(source="testing.positive_pool")
    assert tasks.count() == 10 and {t.area.code for t in tasks} == {"GB"}
    # Grid B's worker has them; grid A's worker has none.
    from tongchou.command.selectors import my_tasks

    assert my_tasks(personas["grid_b"]).count() == 10
    assert my_tasks(personas["grid_a"]).count() == 0
    # Each of the ten is under control at once, through tracing's service.
    from tongchou.tracing.models import Control

    members = retests.values_list("person_id", flat=True)
    assert Control.objects.filter(person_id__in=members).count() == 10
    # The same result sent again changes nothing.
    services.results_apply(lab=personas["lab"], rows=[(2, "P2", "阳性")])
    assert Control.objects.filter(person_id__in=members).count() == 10
    assert Task.objects.filter(source="testing.positive_pool").count() == 10


def test_a_retest_in_a_single_tube_closes_the_loop(personas, filled, site):
    services.results_apply(lab=personas["lab"], rows=[(2, "P2", "阳性")])
    retest = Retest.objects.filter(source_tube__barcode="P2").first()
    sampler = personas["sampler"]
    single = services.tube_open(actor=sampler, site=site, barcode="S1", kind="single")
    Tube.objects.filter(pk=single.pk).update(is_retest=True)
    result = services.sample_scan(
        actor=sampler,
        tube_barcode="S1",
        code_token=retest.person.code_token,
        idempotency_key="re-1",
    )
    assert result.outcome == ScanOutcome.ADDED  # no reason needed for a retest
    services.tube_seal(actor=sampler, tube_barcode="S1")
    services.results_apply(lab=personas["lab"], rows=[(2, "S1", "阴性")])
    retest.refresh_from_db()
    assert retest.status == RetestStatus.NEGATIVE


def test_an_invalid_tube_asks_for_resampling(personas, filled):
    services.results_apply(lab=personas["lab"], rows=[(2, "P0", "无效")])
    assert Retest.objects.filter(reason="invalid_tube").count() == 10
    assert Task.objects.filter(source="testing.invalid_tube").count() == 10


def test_bad_rows_are_reported_one_by_one_and_good_rows_kept(personas, other_lab, filled):
    services.results_apply(lab=personas["lab"], rows=[(2, "P1", "阴性")])
    rows = [
        (2, "P0", "阴性"),
        (3, "NOPE", "阴性"),  # unknown tube
        (4, "P0", "阴性"),  # repeated row, same result
        (5, "P2", "阳性"),
        (6, "P2", "阴性"),  # contradicts line 5
        (7, "P1", "阳性"),  # contradicts the stored result
        (8, "P0", "不确定"),  # not a result
        (9, "", "阴性"),
    ]
    report = services.results_apply(lab=personas["lab"], rows=rows)
    reasons = {line: reason for line, _code, reason in report.errors}
    assert report.applied == 1 and set(reasons) == {3, 4, 5, 6, 7, 8, 9}
    assert "未知" in reasons[3] and "重复" in reasons[4] and "矛盾" in reasons[5]
    assert "冲突" in reasons[7] and "无法识别" in reasons[8]
    assert Tube.objects.get(barcode="P0").result == "negative"
    assert Tube.objects.get(barcode="P1").result == "negative"
    assert Tube.objects.get(barcode="P2").result == ""


def test_a_lab_cannot_report_on_another_labs_tubes(other_lab, filled):
    report = services.results_apply(lab=other_lab, rows=[(2, "P0", "阳性")])
    assert report.applied == 0 and "未知" in report.errors[0][2]
    assert Tube.objects.get(barcode="P0").result == ""
    assert not Retest.objects.exists()
