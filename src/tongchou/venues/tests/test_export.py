"""Exporting check-ins: tracing staff get the list they see, masked as on the page; a
venue's own responsible person gets counts; every export is in the access log."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tongchou.core.choices import AccessKind, Role
from tongchou.core.models import AccessLog
from tongchou.testing_support import exported_rows, make_user
from tongchou.venues.choices import CheckInMethod
from tongchou.venues.services import Reading, checkins_ingest

EXPORT = reverse("checkin-export")


@pytest.fixture
def checkins(venues, people):
    now = timezone.now()
    checkins_ingest(
        [
            Reading(venues["market"].pk, people["a1"].pk, now - timedelta(days=1), None),
            Reading(venues["market"].pk, people["a"].pk, now, None),
            Reading(venues["market"].pk, people["b"].pk, now, None),
            Reading(venues["hotel"].pk, people["c"].pk, now, None),
        ],
        method=CheckInMethod.GATE,
    )


def export(client, file_format="csv", **looked_up):
    query = "&".join(f"{k}={v}" for k, v in looked_up.items())
    return client.post(f"{EXPORT}?{query}", {"file_format": file_format})


def table(response, file_format="csv") -> list[list[str]]:
    return exported_rows(response)


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_a_tracer_exports_a_venues_check_ins_masked_as_shown_and_logged(
    client_for, venues, people, checkins, personas, file_format
):
    response = export(client_for("tracer"), file_format, venue=venues["market"].pk)
    assert response.status_code == 200
    assert f".{file_format}" in response["Content-Disposition"]
    rows = table(response, file_format)
    assert rows[0][:4] == ["签到时间", "场所名称", "姓名", "身份证号"]
    assert [row[2] for row in rows[1:]] == ["王五", "李四", "张三"]  # newest first
    flat = " ".join(" ".join(row) for row in rows)
    for person in people.values():
        assert person.id_number not in flat
    assert "13812345678" not in flat and "138****5678" in flat
    log = AccessLog.objects.get()
    assert (log.actor, log.kind, log.object_type, log.object_id, log.row_count) == (
        personas["tracer"],
        AccessKind.EXPORT,
        "venues.checkin",
        f"venue:{venues['market'].pk}",
        3,
    )


def test_a_tracer_exports_one_persons_check_ins(client_for, people, checkins):
    response = export(client_for("tracer"), person=people["a1"].pk)
    assert [row[2] for row in table(response)[1:]] == ["张三"]
    assert AccessLog.objects.get().object_id == f"person:{people['a1'].pk}"


def test_the_list_page_offers_the_export_of_what_it_lists(client_for, venues, checkins):
    listed = client_for("tracer").get(reverse("checkin-list"), {"venue": venues["market"].pk})
    assert 'id="checkin-export"' in listed.content.decode()
    unfiltered = client_for("tracer").get(reverse("checkin-list"))
    assert 'id="checkin-export"' not in unfiltered.content.decode()


def test_the_venue_owner_gets_counts_per_day_and_never_people(client_for, venues, people, checkins):
    page = client_for("venue_owner").get(reverse("venue-detail", args=[venues["market"].pk]))
    assert 'id="counts-export"' in page.content.decode()
    response = export(client_for("venue_owner"), venue=venues["market"].pk)
    assert response.status_code == 200
    rows = table(response)
    assert rows[0] == ["日期", "场所名称", "登记人次", "发热人次"]
    assert sorted(int(row[2]) for row in rows[1:]) == [1, 2]
    flat = " ".join(" ".join(row) for row in rows)
    assert all(person.name not in flat for person in people.values())
    log = AccessLog.objects.get()
    assert (log.object_type, log.row_count) == ("venues.checkin_counts", 2)


def test_someone_out_of_scope_cannot_export_and_nothing_is_logged(
    client_for, client, district, venues, people, checkins
):
    community_tracer = make_user("tracer_c1", Role.TRACER, district["community1"])
    client.force_login(community_tracer)
    assert export(client, venue=venues["hotel"].pk).status_code == 404
    assert export(client, person=people["c"].pk).status_code == 404
    owner = client_for("venue_owner")
    assert export(owner, venue=venues["parcel"].pk).status_code == 404
    assert export(owner, person=people["a"].pk).status_code == 404
    assert export(owner, venue=venues["market"].pk, person=people["a"].pk).status_code == 404
    assert export(client_for("nobody"), venue=venues["market"].pk).status_code == 404
    assert export(client_for("grid_a"), venue=venues["hotel"].pk).status_code == 404
    # Unfiltered lists nothing, so there is nothing to export either.
    assert export(client_for("tracer")).status_code == 404
    assert export(client_for("tracer"), "pdf", venue=venues["market"].pk).status_code == 404
    assert not AccessLog.objects.exists()
