"""Venues: scope, the owner's counts-only view, the ledger import, the printable code."""

import csv
import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tongchou.core.jobs import run_pending_jobs
from tongchou.core.models import AuditEvent
from tongchou.venues.choices import CheckInMethod, VenueKind
from tongchou.venues.ledger import venues_import
from tongchou.venues.models import Venue, VenueDuty
from tongchou.venues.services import Reading, checkins_ingest


def listed(response):
    return {v.name for v in response.context["venues"]}


def test_a_grid_worker_lists_only_the_venues_of_their_grid(client_for, venues):
    assert listed(client_for("grid_a").get(reverse("venue-list"))) == {"景园超市"}
    assert listed(client_for("community_head").get(reverse("venue-list"))) == {
        "景园超市",
        "景园快递点",
    }
    assert len(listed(client_for("command").get(reverse("venue-list")))) == 3


def test_another_grids_venue_is_404(client_for, venues):
    client = client_for("grid_a")
    assert client.get(reverse("venue-detail", args=[venues["market"].pk])).status_code == 200
    for name in ("venue-detail", "venue-edit", "venue-code", "venue-door", "venue-duties"):
        assert client.get(reverse(name, args=[venues["parcel"].pk])).status_code == 404


def test_the_venue_owner_sees_their_venue_and_counts_but_not_people(client_for, venues, people):
    checkins_ingest(
        [Reading(venues["market"].pk, people["a"].pk, timezone.now(), None)],
        method=CheckInMethod.GATE,
    )
    client = client_for("venue_owner")
    assert listed(client.get(reverse("venue-list"))) == {"景园超市"}
    page = client.get(reverse("venue-detail", args=[venues["market"].pk]))
    assert page.status_code == 200
    assert page.context["figures"]["today"] == 1
    body = page.content.decode()
    assert people["a"].name not in body and 'id="checkins"' not in body
    assert client.get(reverse("venue-detail", args=[venues["parcel"].pk])).status_code == 404
    assert (
        client.get(reverse("checkin-list"), {"venue": venues["market"].pk})
        .context["checkins"]
        .count()
        == 0
    )
    api = client.get("/api/checkins/", {"venue": venues["market"].pk}).json()
    assert api["count"] == 0
    assert client.get(reverse("person-list")).context["people"].count() == 0


def test_only_tracing_staff_see_whose_check_ins_they_are(client_for, venues, people):
    checkins_ingest(
        [Reading(venues["market"].pk, people["a"].pk, timezone.now(), None)],
        method=CheckInMethod.GATE,
    )
    tracer = client_for("tracer").get(reverse("venue-detail", args=[venues["market"].pk]))
    assert people["a"].name in tracer.content.decode()
    grid = client_for("grid_a").get(reverse("venue-detail", args=[venues["market"].pk]))
    assert people["a"].name not in grid.content.decode()
    assert (
        client_for("grid_a").get("/api/checkins/", {"venue": venues["market"].pk}).json()["count"]
        == 0
    )
    assert (
        client_for("tracer").get("/api/checkins/", {"venue": venues["market"].pk}).json()["count"]
        == 1
    )


def test_the_venue_page_masks_the_duty_phone_and_draws_the_code(client_for, venues):
    body = client_for("grid_a").get(reverse("venue-detail", args=[venues["market"].pk])).content
    body = body.decode()
    assert "13900001111" not in body and "139****1111" in body
    assert "<svg" in body
    poster = client_for("grid_a").get(reverse("venue-code", args=[venues["market"].pk]))
    assert "<svg" in poster.content.decode()


def test_a_grid_worker_registers_a_venue_in_their_grid_only(client_for, district):
    client = client_for("grid_a")
    ok = client.post(
        reverse("venue-create"),
        {"name": "小饭馆", "kind": VenueKind.SMALL_EATERY, "area": district["grid_a"].pk},
    )
    assert ok.status_code == 302
    venue = Venue.objects.get(name="小饭馆")
    assert venue.contact_window_minutes == 60 and len(venue.code_token) >= 16
    refused = client.post(
        reverse("venue-create"),
        {"name": "别处饭馆", "kind": VenueKind.SMALL_EATERY, "area": district["grid_b"].pk},
    )
    assert refused.status_code == 400
    assert not Venue.objects.filter(name="别处饭馆").exists()


LEDGER = (
    "景园社区重点场所摸排台账\n"
    "场所名称,场所类型,所属网格,场所地址,单位责任人,单位责任人电话,属地责任人\n"
    "景园大药房,小药店,GA,景园路2号,王店长,13911112222,网格员甲\n"
    "景园商场,商场,景园社区第1网格,景园路8号,,,\n"
    "无名店,洗衣店,GA,,,,\n"
    "外网格店,小商店,GB,,,,\n"
    "电话错店,小商店,GA,,李,12345,\n"
)


def upload(client, path):
    """Post the ledger, run the queued job as the worker would, return its page."""
    with path.open("rb") as fh:
        response = client.post(reverse("venue-import"), {"file": fh})
    assert response.status_code == 302
    assert run_pending_jobs() == 1
    page = client.get(response.url)
    assert page.status_code == 200
    return page.context["job"]


def test_the_venue_ledger_imports_in_the_background_reports_bad_rows_and_changes_nothing_twice(
    client_for, district, tmp_path
):
    path = tmp_path / "venues.csv"
    path.write_text(LEDGER, encoding="utf-8")
    client = client_for("grid_a")
    job = upload(client, path)
    assert (job.status, job.progress, job.total) == ("done", 6, 6)
    result = job.result
    assert (result["rows"], result["created"], result["updated"], result["errors"]) == (5, 2, 0, 3)
    lines = [line for line, _reason in result["first_errors"]]
    reasons = [reason for _line, reason in result["first_errors"]]
    assert lines == [5, 6, 7]
    assert "场所类型“洗衣店”无法识别" in reasons[0]
    assert "不在您的辖区内" in reasons[1]
    assert "电话" in reasons[2]
    pharmacy = Venue.objects.get(name="景园大药房")
    assert pharmacy.kind == VenueKind.SMALL_CLINIC and pharmacy.area == district["grid_a"]
    assert VenueDuty.objects.filter(venue=pharmacy).count() == 2
    errors = client.get(reverse("venue-import-errors", args=[job.pk]))
    error_rows = list(
        csv.reader(io.StringIO(b"".join(errors.streaming_content).decode("utf-8-sig")))
    )
    assert error_rows[0][:4] == ["行号", "错误原因", "场所名称", "场所类型"]
    assert [row[0] for row in error_rows[1:]] == ["5", "6", "7"]
    assert error_rows[1][3] == "洗衣店"

    again = upload(client, path).result
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert Venue.objects.count() == 2
    assert AuditEvent.objects.filter(action="venues.import").count() == 2


def test_an_import_and_its_error_file_are_their_uploaders_own(client_for, district, tmp_path):
    path = tmp_path / "venues.csv"
    path.write_text(LEDGER, encoding="utf-8")
    job = upload(client_for("grid_a"), path)
    for persona in ("grid_b", "command"):
        other = client_for(persona)
        assert other.get(reverse("venue-import-job", args=[job.pk])).status_code == 404
        assert other.get(reverse("venue-import-errors", args=[job.pk])).status_code == 404
    # Nor does a residents' import page show a venue import.
    assert client_for("grid_a").get(reverse("import-job", args=[job.pk])).status_code == 404


def test_a_file_that_is_no_venue_ledger_fails_the_job_with_the_reason(
    client_for, district, tmp_path
):
    path = tmp_path / "venues.csv"
    path.write_text("名称,地址\n景园超市,景园路\n", encoding="utf-8")
    job = upload(client_for("grid_a"), path)
    assert job.status == "failed" and "缺少必需的列" in job.message
    assert not Venue.objects.exists()


def test_the_cli_imports_a_venue_ledger_with_a_progress_bar(district, tmp_path):
    path = tmp_path / "venues.csv"
    path.write_text(LEDGER, encoding="utf-8")
    out, bar = io.StringIO(), io.StringIO()
    with mock.patch("sys.stderr", bar):
        call_command("import", "venues", str(path), stdout=out)
    # The operator imports for the whole district: grid B's shop is taken too.
    assert "新增 3" in out.getvalue() and "错误 2" in out.getvalue()
    assert "第5行：场所类型“洗衣店”无法识别" in out.getvalue()
    assert "错误行及原因已写入" in out.getvalue()
    assert "导入 [" in bar.getvalue() and "100.0%" in bar.getvalue()
    assert Venue.objects.filter(name="外网格店", area=district["grid_b"]).exists()
    again = io.StringIO()
    call_command("import", "venues", str(path), stdout=again)
    assert "新增 0" in again.getvalue() and "未变 3" in again.getvalue()


def test_the_import_reports_progress_after_each_committed_chunk(district, tmp_path):
    path = tmp_path / "venues.csv"
    path.write_text(LEDGER, encoding="utf-8")
    seen = []
    report = venues_import(
        actor=None, path=path, commit_rows=2, progress=lambda done, total, _m: seen.append(done)
    )
    assert seen == [2, 4, 5, 6] and report.created == 3


@pytest.mark.parametrize("persona", ["lab", "sampler", "venue_owner"])
def test_roles_that_do_not_register_venues_cannot_import_or_create(client_for, persona, district):
    client = client_for(persona)
    assert client.get(reverse("venue-import")).status_code == 404
    assert client.post(reverse("venue-create"), {"name": "x"}).status_code == 404


def test_the_venue_list_and_alerts_take_few_queries_whatever_their_length(
    client_for, district, venues, django_assert_max_num_queries
):
    for i in range(30):
        venue_create_in(district["grid_a"], f"小店{i}")
    client = client_for("grid_a")
    with django_assert_max_num_queries(10):
        assert len(client.get(reverse("venue-list")).context["venues"]) == 31
    with django_assert_max_num_queries(10):
        client.get(reverse("fever-alerts"))


def venue_create_in(area, name):
    from tongchou.venues.services import venue_create

    return venue_create(actor=None, area=area, name=name, kind=VenueKind.SMALL_SHOP)
