"""Sampling devices and labs through the API: idempotent, scoped, no names to labs."""

import pytest
from django.test import Client

from tongchou.core.services import api_token_create
from tongchou.testing.models import Sample, Tube


@pytest.fixture
def api(personas):
    def make(name):
        _token, key = api_token_create(user=personas[name], name="device")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    return make


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def tube(api, site):
    response = post(
        api("sampler"), "/api/testing/tubes/", {"site": site.pk, "barcode": "A1", "kind": "pool10"}
    )
    assert response.status_code == 201
    return Tube.objects.get(barcode="A1")


@pytest.fixture
def sealed(api, tube, people):
    """Tube A1 with one person in it, sealed: ready for the lab."""
    post(
        api("sampler"),
        "/api/testing/scans/",
        {"tube": "A1", "code": people["a"].code_token, "key": "k"},
    )
    assert post(api("sampler"), "/api/testing/seal/", {"tube": "A1"}).status_code == 200
    return tube


def test_a_replayed_offline_batch_changes_nothing(api, tube, people):
    scans = [
        {"tube": "A1", "code": people[p].code_token, "key": f"dev:{p}"} for p in ("a1", "a", "b")
    ]
    client = api("sampler")
    first = post(client, "/api/testing/scans/batch/", {"scans": scans}).json()["results"]
    again = post(client, "/api/testing/scans/batch/", {"scans": scans}).json()["results"]
    assert [r["outcome"] for r in first] == ["added"] * 3
    assert [r["outcome"] for r in again] == ["added"] * 3
    assert Sample.objects.count() == 3
    # A sampler sees the name masked, as the privacy policy says (core.privacy.POLICY).
    assert first[0]["name"] == "张*" and "**********" in first[0]["masked_id"]
    assert "id_number" not in first[0] and "phone" not in first[0]


def test_a_scan_answers_with_a_name_and_a_masked_id_only(api, tube, people):
    answer = post(
        api("sampler"),
        "/api/testing/scans/",
        {"tube": "A1", "code": people["a1"].code_token, "key": "one"},
    ).json()
    assert answer["outcome"] == "added"
    assert people["a1"].id_number not in str(answer) and people["a1"].phone not in str(answer)


def test_only_the_sites_samplers_can_use_its_tubes(api, tube, people, site):
    for persona in ("grid_a", "command", "lab"):
        client = api(persona)
        assert (
            post(
                client,
                "/api/testing/scans/",
                {"tube": "A1", "code": people["a"].code_token, "key": persona},
            ).status_code
            == 404
        )
        assert (
            post(
                client,
                "/api/testing/tubes/",
                {"site": site.pk, "barcode": persona, "kind": "single"},
            ).status_code
            == 404
        )
    assert not Sample.objects.exists() and Tube.objects.count() == 1


def test_a_lab_reports_by_barcode_and_never_sees_a_name(api, sealed, people):
    response = post(
        api("lab"),
        "/api/testing/results/",
        {"results": [{"tube": "A1", "result": "阴性"}, {"tube": "X", "result": "阴性"}]},
    )
    body = response.json()
    assert body["applied"] == 1 and body["errors"][0]["tube"] == "X"
    assert people["a"].name not in str(body)
    assert (
        post(
            api("sampler"), "/api/testing/results/", {"results": [{"tube": "A1", "result": "阳性"}]}
        ).status_code
        == 404  # not a lab: the endpoint reads as missing, as anything out of scope
    )
    assert Tube.objects.get(barcode="A1").result == "negative"


def test_one_odd_scan_in_a_queue_is_answered_alone(api, tube, people):
    """A scan the serializer refuses (a barcode too long, a NUL character, an unreadable
    time) comes back as an error under its own key; the scans around it go in."""
    scans = [
        {"tube": "A1", "code": people["a"].code_token, "key": "k1"},
        {"tube": "A1" + "9" * 40, "code": people["b"].code_token, "key": "k2"},
        {"tube": "A1", "code": people["b"].code_token + "\u0000", "key": "k3"},
        {"tube": "A1", "code": people["b"].code_token, "key": "k4", "scanned_at": "soon"},
        {"tube": "A1", "code": people["b"].code_token, "key": "k5"},
    ]
    response = post(api("sampler"), "/api/testing/scans/batch/", {"scans": scans})
    assert response.status_code == 200
    results = {r["key"]: r for r in response.json()["results"]}
    assert [results[k]["outcome"] for k in ("k1", "k2", "k3", "k4", "k5")] == [
        "added",
        "error",
        "error",
        "error",
        "added",
    ]
    assert results["k2"]["message"].startswith("试管条码：")
    assert results["k3"]["message"].startswith("个人码：")
    assert results["k4"]["message"].startswith("采样时间：")
    assert sorted(Sample.objects.values_list("idempotency_key", flat=True)) == ["k1", "k5"]


def test_a_batch_that_is_not_a_list_of_scans_is_refused_whole(api, tube):
    response = post(api("sampler"), "/api/testing/scans/batch/", {"scans": "A1"})
    assert response.status_code == 400
    assert Sample.objects.count() == 0


def test_a_nul_character_is_refused_in_plain_chinese(api, tube, people):
    response = post(
        api("sampler"),
        "/api/testing/scans/",
        {"tube": "A1", "code": people["a"].code_token + "\u0000", "key": "nul"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == ["不能含有空字符（NUL）。"]


def test_a_lab_s_odd_rows_are_reported_alone_and_the_good_one_applied(api, sealed):
    rows = [
        {"tube": "A1", "result": "阴性"},
        {"tube": "A1\u0000", "result": "阳性"},
        {"tube": "A1" + "0" * 40, "result": "阳性"},
        {"tube": "A1", "result": "阳\u0000性"},
        {"tube": "A1"},
        {"tube": "A1", "result": "阴" * 1000},
    ]
    response = post(api("lab"), "/api/testing/results/", {"results": rows})
    assert response.status_code == 200
    body = response.json()
    reasons = {e["row"]: e["reason"] for e in body["errors"]}
    assert body["applied"] == 1 and set(reasons) == {2, 3, 4, 5, 6}
    assert "无效字符" in reasons[2] and "无效字符" in reasons[4]
    assert "未知" in reasons[3] and "无法识别" in reasons[5] and "无法识别" in reasons[6]
    # A stray long cell is repeated cut, not whole.
    assert {e["row"]: e["tube"] for e in body["errors"]}[3] == "A1" + "0" * 38 + "…"
    assert len(reasons[6]) < 80
    assert Tube.objects.get(barcode="A1").result == "negative"


def test_another_samplers_key_is_another_scan_and_never_reads_theirs(
    api, tube, people, site, district
):
    from tongchou.core.choices import Role
    from tongchou.testing_support import make_user

    other = make_user("sampler2", Role.SAMPLER, district["community1"])
    site.samplers.add(other)
    first = post(
        api("sampler"),
        "/api/testing/scans/",
        {"tube": "A1", "code": people["a"].code_token, "key": "dev:1"},
    )
    assert first.json()["name"] == people["a"].name[0] + "*"
    colleague = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=other, name='d')[1]}")
    scans = [
        ("/api/testing/scans/", {"tube": "A1", "code": "no-such-code", "key": "dev:1"}),
        ("/api/testing/scans/batch/", {"scans": [{"tube": "A1", "code": "x", "key": "dev:1"}]}),
        (
            "/api/testing/samples/batch/",
            {"site": site.pk, "samples": [{"tube": "A1", "key": "dev:1"}]},
        ),
    ]
    for url, body in scans:
        response = post(colleague, url, body)
        assert response.status_code == 200
        assert people["a"].name not in response.content.decode()
        assert "重复上传" not in response.content.decode()
    taken = post(
        colleague,
        "/api/testing/scans/",
        {"tube": "A1", "code": people["b"].code_token, "key": "dev:1"},
    ).json()
    assert (taken["outcome"], taken["name"], taken["count"]) == ("added", "王*", 2)
    assert set(Sample.objects.values_list("scanned_by__username", "person")) == {
        ("sampler", people["a"].pk),
        ("sampler2", people["b"].pk),
    }
