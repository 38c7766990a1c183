"""A site's tube lists uploaded at once: the rules of a single scan, row by row, set-based."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client

from tongchou.core.choices import Role
from tongchou.core.models import AuditEvent
from tongchou.core.services import api_token_create
from tongchou.grid.services import grid_node_create
from tongchou.testing import services
from tongchou.testing.models import Retest, Sample, Tube, ZoneNode
from tongchou.testing.services import SampleRow
from tongchou.testing_support import PersonFactory, make_user

AT = datetime(2022, 3, 28, 1, 30, tzinfo=UTC)


@pytest.fixture
def sampler(personas):
    return personas["sampler"]


@pytest.fixture
def tubes(sampler, site):
    return [
        services.tube_open(actor=sampler, site=site, barcode=f"B{n}", kind="pool10") for n in (1, 2)
    ]


def upload(sampler, site, rows):
    return services.samples_register_batch(actor=sampler, site=site, rows=rows)


def test_it_puts_a_tube_list_in_and_a_repeat_upload_changes_nothing(sampler, site, tubes, district):
    people = PersonFactory.create_batch(12, area=district["grid_a"])
    rows = [SampleRow("B1", p.code_token, f"dev:{n}", AT) for n, p in enumerate(people[:10])]
    rows += [SampleRow("B2", f"TCP:{p.code_token}", f"dev:b{n}") for n, p in enumerate(people[10:])]
    report = upload(sampler, site, rows)
    assert (report.added, report.unchanged, report.errors) == (12, 0, [])
    stored = Sample.objects.filter(tube__barcode="B1")
    assert stored.count() == 10 and {s.sampled_at for s in stored} == {AT}
    assert all(s.scanned_by == sampler and not s.other_zone for s in stored)

    again = upload(sampler, site, rows)
    assert (again.added, again.unchanged, again.errors) == (0, 12, [])
    assert Sample.objects.count() == 12
    assert AuditEvent.objects.filter(action="testing.samples.batch").count() == 2


def test_it_reports_each_row_it_cannot_take(sampler, site, tubes, district, people):
    pupil = PersonFactory(area=district["grid_a"], tags=",boarding_pupil,")
    eleven = PersonFactory.create_batch(11, area=district["grid_a"])
    rows = [SampleRow("B1", p.code_token, f"k{n}") for n, p in enumerate(eleven)]
    rows += [
        SampleRow("B2", "no-such-code", "bad-code"),
        SampleRow("NOPE", people["a"].code_token, "bad-tube"),
        SampleRow("B2", pupil.code_token, "pupil"),
        SampleRow("B2", people["a"].code_token, "a"),
        SampleRow("B2", people["a"].code_token, "a-again"),
        SampleRow("B2", people["a"].code_token, "a"),  # the same key again: a replay
        SampleRow("B2", people["b"].code_token, ""),
        SampleRow("B2", people["b"].code_token, "k" * 65),
    ]
    report = upload(sampler, site, rows)
    reasons = {key: reason for _row, key, reason in report.errors}
    assert report.added == 11 and report.unchanged == 1
    assert "已满" in reasons["k10"]
    assert "无法识别" in reasons["bad-code"]
    assert "试管不存在" in reasons["bad-tube"]
    assert "不检测" in reasons["pupil"]
    assert "已在本管" in reasons["a-again"]
    assert reasons[""] == "缺少扫码编号" and reasons["k" * 64] == "扫码编号过长（最多64个字符）"
    assert [row for row, _key, _reason in report.errors] == sorted(
        row for row, _key, _reason in report.errors
    )
    assert Sample.objects.count() == 11
    assert not Sample.objects.filter(person=pupil).exists()


def test_someone_sampled_already_needs_a_reason_and_a_sealed_tube_takes_no_more(
    sampler, site, tubes, people
):
    upload(sampler, site, [SampleRow("B1", people["a"].code_token, "first")])
    services.tube_seal(actor=sampler, tube_barcode="B1")
    report = upload(
        sampler,
        site,
        [
            SampleRow("B2", people["a"].code_token, "second"),
            SampleRow("B2", people["a"].code_token, "third", None, "上次采样不规范"),
            SampleRow("B1", people["b"].code_token, "late"),
        ],
    )
    reasons = {key: reason for _row, key, reason in report.errors}
    assert "已采样" in reasons["second"] and "封管" in reasons["late"]
    assert report.added == 1
    assert Sample.objects.get(idempotency_key="third").resample_reason == "上次采样不规范"


def test_a_person_of_another_zone_is_taken_and_noted(sampler, site, tubes, people):
    report = upload(sampler, site, [SampleRow("B1", people["c"].code_token, "c")])
    assert report.added == 1 and report.other_zone == 1
    assert Sample.objects.get().other_zone is True


def test_a_zone_of_nodes_of_several_levels_holds_the_people_under_each(
    sampler, site, tubes, district, people
):
    # The west zone is office 1; give it one grid of office 2 besides (a deeper node).
    lent = grid_node_create(
        actor=None, code="GD", name="盛和社区第2网格", level="grid", parent=district["community3"]
    )
    ZoneNode.objects.create(zone=site.zone, round=site.zone.round, node=lent)
    inside = PersonFactory(area=lent)
    rows = [
        SampleRow("B1", people["a1"].code_token, "a1"),  # a building under office 1
        SampleRow("B1", inside.code_token, "lent"),
        SampleRow("B1", people["c"].code_token, "c"),  # grid C, still the east zone's
    ]
    report = upload(sampler, site, rows)
    assert report.added == 3 and report.other_zone == 1
    assert list(
        Sample.objects.filter(other_zone=True).values_list("idempotency_key", flat=True)
    ) == ["c"]


def test_a_pending_retest_is_answered_by_a_single_tube(
    sampler, site, tubes, people, personas, testing_round
):
    upload(sampler, site, [SampleRow("B1", people["a"].code_token, "pool")])
    services.tube_seal(actor=sampler, tube_barcode="B1")
    services.results_apply(lab=personas["lab"], rows=[(2, "B1", "阳性")])
    services.tube_open(actor=sampler, site=site, barcode="S1", kind="single")
    report = upload(sampler, site, [SampleRow("S1", people["a"].code_token, "retest")])
    assert report.added == 1 and report.errors == []
    retest = Retest.objects.get(person=people["a"])
    assert retest.status == "sampled" and retest.retest_tube.barcode == "S1"


def test_only_the_samplers_own_sites_and_tubes(sampler, site, tubes, people, district):
    stranger = make_user("sampler2", Role.SAMPLER, district["community1"])
    with pytest.raises(Http404):
        upload(stranger, site, [SampleRow("B1", people["a"].code_token, "x")])
    other_site = site.zone.round.zones.get(name="武盛大道以东").sites.get()
    other_site.samplers.add(stranger)
    services.tube_open(actor=stranger, site=other_site, barcode="E1", kind="pool10")
    # A tube of another site reads as unknown, the same as no tube at all.
    report = upload(sampler, site, [SampleRow("E1", people["a"].code_token, "y")])
    assert report.added == 0 and "试管不存在" in report.errors[0][2]
    assert not Sample.objects.exists()


def test_a_closed_round_takes_no_upload(sampler, site, tubes, people, personas, testing_round):
    services.round_close(actor=personas["command"], testing_round=testing_round)
    with pytest.raises(ValidationError):
        upload(sampler, site, [SampleRow("B1", people["a"].code_token, "x")])
    assert not Sample.objects.exists()


def test_it_works_through_the_api_and_is_scoped(personas, site, tubes, people):
    def client(name):
        _token, key = api_token_create(user=personas[name], name="device")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    body = {
        "site": site.pk,
        "samples": [
            {"tube": "B1", "code": people["a1"].code_token, "key": "d:1"},
            {
                "tube": "B1",
                "code": "nobody",
                "key": "d:2",
                "sampled_at": "2022-03-28T09:30:00+08:00",
            },
        ],
    }
    url = "/api/testing/samples/batch/"
    answer = client("sampler").post(url, body, content_type="application/json").json()
    assert answer["added"] == 1 and answer["errors"] == [
        {"row": 2, "key": "d:2", "reason": "无法识别的个人码，请核对或现场登记"}
    ]
    assert people["a1"].name not in str(answer)
    for persona in ("grid_a", "lab"):
        response = client(persona).post(url, body, content_type="application/json")
        assert response.status_code == 404
    assert Sample.objects.count() == 1 and Tube.objects.get(barcode="B1").samples.count() == 1


def test_rows_are_judged_in_order_within_one_upload(sampler, site, tubes, people):
    a, b = people["a"].code_token, people["b"].code_token
    report = upload(
        sampler,
        site,
        [
            SampleRow("B1", a, "1"),
            SampleRow("B2", a, "2"),  # a second tube, no reason: refused
            SampleRow("B2", a, "3", None, "补采"),  # with a reason: taken
            SampleRow("B1", b, "4"),
        ],
    )
    assert report.added == 3
    assert [(row, reason[:7]) for row, _key, reason in report.errors] == [(2, "此人本轮已采样")]
    assert Sample.objects.filter(person=people["a"]).count() == 2


def test_a_key_reused_for_someone_else_is_reported_and_the_rest_kept(
    sampler, site, tubes, district
):
    first, second, third = PersonFactory.create_batch(3, area=district["grid_a"])
    assert upload(sampler, site, [SampleRow("B1", first.code_token, "dev:1")]).added == 1
    report = upload(
        sampler,
        site,
        [SampleRow("B1", second.code_token, "dev:1"), SampleRow("B1", third.code_token, "dev:2")],
    )
    assert report.added == 1 and report.unchanged == 0
    assert report.errors == [(1, "dev:1", "扫码编号已用于另一条采样记录")]
    assert set(Sample.objects.values_list("person", flat=True)) == {first.pk, third.pk}


def test_a_sampling_time_without_a_zone_is_the_district_s_local_time(
    sampler, site, tubes, district
):
    person = PersonFactory(area=district["grid_a"])
    local = datetime(2022, 3, 28, 9, 30)  # 09:30 in the district, 01:30 UTC
    report = upload(sampler, site, [SampleRow("B1", person.code_token, "naive", local)])
    assert report.added == 1
    assert Sample.objects.get().sampled_at == AT


def test_through_the_api_a_bad_row_is_reported_alone_and_the_others_are_kept(
    personas, site, tubes, people
):
    """Rows the serializer would have refused the whole upload for: each comes back with
    its reason, and the good row goes in."""
    _token, key = api_token_create(user=personas["sampler"], name="device")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    a, b = people["a"].code_token, people["b"].code_token
    rows = [
        {"tube": "B1", "code": a, "key": "good"},
        {"tube": "B1\u0000", "code": b, "key": "nul-tube"},
        {"tube": "B1", "code": b, "key": "nul-key\u0000"},
        {"tube": "B1", "code": b, "key": "k" * 65},
        {"tube": "B1" + "0" * 40, "code": b, "key": "long-tube"},
        {"tube": "B1", "code": b, "key": "bad-time", "sampled_at": "yesterday"},
        {"code": b, "key": "no-tube"},
        {"tube": "B1", "code": b},
    ]
    response = client.post(
        "/api/testing/samples/batch/",
        {"site": site.pk, "samples": rows},
        content_type="application/json",
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["added"] == 1
    assert [(e["row"], e["reason"]) for e in answer["errors"]] == [
        (2, "含有无效字符，请重新扫码"),
        (3, "扫码编号含有无效字符"),
        (4, "扫码编号过长（最多64个字符）"),
        (5, "试管不存在或不属于本采样点"),
        (6, "采样时间无效"),
        (7, "请扫描试管条码"),
        (8, "缺少扫码编号"),
    ]
    assert list(Sample.objects.values_list("idempotency_key", flat=True)) == ["good"]


def test_a_key_is_the_samplers_own_another_s_same_key_is_another_scan(
    sampler, site, tubes, district
):
    colleague = make_user("sampler2", Role.SAMPLER, district["community1"])
    site.samplers.add(colleague)
    first, second, third, fourth = PersonFactory.create_batch(4, area=district["grid_a"])
    assert upload(sampler, site, [SampleRow("B1", first.code_token, "dev:1")]).added == 1
    # The colleague's phone made the same keys: their scans, not the first sampler's.
    report = upload(colleague, site, [SampleRow("B1", second.code_token, "dev:1")])
    assert (report.added, report.unchanged, report.errors) == (1, 0, [])
    # Once the colleague reuses a key of their own, every row's key is looked up (the
    # second judging): still only among their own.
    report = upload(
        colleague,
        site,
        [SampleRow("B2", third.code_token, "dev:1"), SampleRow("B2", fourth.code_token, "dev:2")],
    )
    assert report.added == 1 and report.errors == [(1, "dev:1", "扫码编号已用于另一条采样记录")]
    assert upload(sampler, site, [SampleRow("B2", fourth.code_token, "dev:2")]).errors == [
        (1, "dev:2", "此人已在本管中")
    ]
    keys = Sample.objects.values_list("scanned_by__username", "idempotency_key", "person")
    assert set(keys) == {
        ("sampler", "dev:1", first.pk),
        ("sampler2", "dev:1", second.pk),
        ("sampler2", "dev:2", fourth.pk),
    }
