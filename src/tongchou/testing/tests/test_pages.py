"""The round's pages: planning for the command centre, coverage and missing lists in scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongchou.core.jobs import run_pending_jobs
from tongchou.testing import services
from tongchou.testing.models import Missing, TestingRound, Tube


def test_the_command_centre_plans_a_round_on_pages(client_for, district, personas):
    client = client_for("command")
    page = client.get(reverse("round-create"), {"expected_positivity": "0.1"})
    assert page.context["advice"]["recommended"] == 20
    response = client.post(
        reverse("round-create"),
        {
            "number": 4,
            "name": "第四轮",
            "area": district["district"].pk,
            "excluded_tags": ["boarding_pupil"],
            "expected_positivity": "0.1",
            "pool_size": 10,
            "queue_bound": 150,
        },
    )
    testing_round = TestingRound.objects.get(number=4)
    assert response.status_code == 302 and testing_round.excluded_tags == ",boarding_pupil,"
    client.post(
        reverse("zone-create", args=[testing_round.pk]),
        {"name": "以西", "day": "2022-03-28", "start": "08:00", "end": "15:00", "node_codes": "O1"},
    )
    zone = testing_round.zones.get()
    client.post(
        reverse("site-create", args=[zone.pk]),
        {
            "name": "景园广场",
            "area_code": "C1",
            "hourly_capacity": 100,
            "lab": personas["lab"].pk,
            "samplers": [personas["sampler"].pk],
        },
    )
    assert zone.sites.get().samplers.get() == personas["sampler"]
    client.post(reverse("round-status", args=[testing_round.pk]), {"action": "open"})
    testing_round.refresh_from_db()
    assert testing_round.status == "running"


def test_planning_pages_are_the_command_centres_only(client_for, testing_round):
    zone = testing_round.zones.first()
    for name, args in [
        ("round-create", []),
        ("zone-create", [testing_round.pk]),
        ("site-create", [zone.pk]),
        ("zone-schedule", [zone.pk]),
    ]:
        assert client_for("community_head").get(reverse(name, args=args)).status_code == 404
        assert client_for("command").get(reverse(name, args=args)).status_code == 200
    response = client_for("community_head").post(
        reverse("round-status", args=[testing_round.pk]), {"action": "close"}
    )
    assert response.status_code == 404
    testing_round.refresh_from_db()
    assert testing_round.status == "running"


def test_the_schedule_keeps_queues_within_the_bound(client_for, testing_round, district):
    from tongchou.testing_support import PersonFactory

    PersonFactory.create_batch(30, area=district["grid_a"])
    PersonFactory.create_batch(30, area=district["grid_b"])
    zone = testing_round.zones.get(name="武盛大道以西")
    site = zone.sites.get()
    site.hourly_capacity = 20
    site.save()
    plans = (
        client_for("command")
        .get(reverse("zone-schedule", args=[zone.pk]), {"bound": 15})
        .context["charts"]
    )
    plan = plans[0][0]
    assert plan.people == 60 and plan.max_queue <= 15 and not plan.overloaded
    called = [h for h in plan.hours if h.arrivals]
    # Grid A (31 with building A1's one) and grid B (30) each get an hour of their own.
    assert [h.arrivals for h in called] == [1, 30, 30] or len(called) >= 2
    assert all(h.queue_after <= 15 for h in plan.hours)


def test_the_grid_worker_sees_their_grid_and_records_a_reason(client_for, testing_round, people):
    client = client_for("grid_a")
    page = client.get(reverse("round-missing", args=[testing_round.pk]))
    assert {p.name for p in page.context["people"]} == {"张三", "李四"}
    assert page.context["figures"] == {"expected": 2, "sampled": 0, "missing": 2}
    client.post(
        reverse("round-missing", args=[testing_round.pk]),
        {"person": people["a"].pk, "reason": "away", "note": "在外地"},
    )
    assert Missing.objects.get().reason == "away"
    refused = client.post(
        reverse("round-missing", args=[testing_round.pk]),
        {"person": people["b"].pk, "reason": "away"},
    )
    assert refused.status_code == 404 and Missing.objects.count() == 1
    other = client.get(
        reverse("round-missing", args=[testing_round.pk]), {"node": people["b"].area_id}
    )
    assert other.status_code == 404


def test_the_report_reads_like_the_page(client_for, testing_round, people):
    body = client_for("command").get(reverse("round-report", args=[testing_round.pk]))
    summary = body.context["summary"]
    assert "3月28日8时至15时为武盛大道以西区域居民采集时间" in summary
    assert "应检4人" in summary and "不漏一人" in summary


@pytest.mark.parametrize("persona", ["lab", "sampler"])
def test_people_lists_are_closed_to_labs_and_samplers(client_for, testing_round, persona):
    for name in ("round-detail", "round-missing", "round-report"):
        assert client_for(persona).get(reverse(name, args=[testing_round.pk])).status_code == 404


def test_a_lab_uploads_a_results_file_and_gets_the_bad_rows_back(
    client_for, site, personas, people
):
    sampler = personas["sampler"]
    services.tube_open(actor=sampler, site=site, barcode="F1", kind="pool10")
    services.sample_scan(
        actor=sampler, tube_barcode="F1", code_token=people["a"].code_token, idempotency_key="f1"
    )
    ledger = "检测结果报告\n试管条码,检测结果\nF1,阴性\nF9,阴性\n".encode()
    client = client_for("lab")
    response = client.post(reverse("results-upload"), {"file": SimpleUploadedFile("r.csv", ledger)})
    run_pending_jobs()
    job_page = client.get(response["Location"])
    assert job_page.context["job"].result["applied"] == 1
    errors = client.get(reverse("results-errors", args=[job_page.context["job"].pk]))
    assert "F9" in b"".join(errors.streaming_content).decode("utf-8-sig")
    assert Tube.objects.get(barcode="F1").result == "negative"
    assert client_for("grid_a").get(reverse("results-upload")).status_code == 404


def test_the_missing_list_exports_masked_and_logged(client_for, testing_round, people, tmp_path):
    from tongchou.core.models import AccessLog
    from tongchou.testing_support import exported_rows

    url = reverse("round-missing-export", args=[testing_round.pk])
    assert client_for("grid_a").get(url).status_code == 404
    response = client_for("grid_a").post(url, {"file_format": "xlsx"})
    rows = exported_rows(response)
    assert {r[0] for r in rows[1:]} == {"张三", "李四"}
    assert people["a1"].id_number not in str(rows) and "138****5678" in str(rows)
    entry = AccessLog.objects.get()
    assert entry.kind == "export" and entry.row_count == 2
    outside = client_for("grid_a").post(
        f"{url}?node={people['b'].area_id}", {"file_format": "xlsx"}
    )
    assert outside.status_code == 404 and AccessLog.objects.count() == 1
