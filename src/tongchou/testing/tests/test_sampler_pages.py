"""The sampler's phone pages: only samplers, only their own sites; walk-ins through the API."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from tongchou.command.models import Task
from tongchou.core.choices import Role
from tongchou.core.models import AuditEvent
from tongchou.registry.models import Person
from tongchou.testing import services
from tongchou.testing.models import Sample, Tube
from tongchou.testing_support import make_user, valid_id_number


def page_url(site):
    return reverse("sampler-page", args=[site.pk])


def test_a_sampler_chooses_among_their_sites_and_opens_one(client_for, site):
    client = client_for("sampler")
    listing = client.get(reverse("sampler-sites"))
    assert listing.status_code == 200
    assert list(listing.context["sites"]) == [site]
    assert page_url(site) in listing.content.decode()
    page = client.get(page_url(site))
    assert page.status_code == 200
    config = page.context["config"]
    assert config["site"] == site.pk
    assert config["urls"]["batch"] == "/api/testing/scans/batch/"
    assert config["text"]["outcomes"]["already_sampled"]
    assert "sampler.js" in page.content.decode()


def test_a_site_the_sampler_is_not_assigned_to_is_404(client_for, testing_round, district, site):
    east = testing_round.zones.get(name="武盛大道以东").sites.get()
    assert client_for("sampler").get(page_url(east)).status_code == 404
    # Another sampler of the same community, not assigned to the west site.
    other = Client()
    other.force_login(make_user("sampler2", Role.SAMPLER, district["community1"]))
    assert other.get(page_url(site)).status_code == 404
    assert list(other.get(reverse("sampler-sites")).context["sites"]) == []


@pytest.mark.parametrize("persona", ["grid_a", "community_head", "command", "lab"])
def test_no_one_but_a_sampler_opens_the_sampler_pages(client_for, site, persona):
    client = client_for(persona)
    assert client.get(reverse("sampler-sites")).status_code == 404
    assert client.get(page_url(site)).status_code == 404


def test_signed_out_the_sampler_page_asks_to_sign_in(site):
    response = Client().get(page_url(site))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- walk-ins through the API, as the page sends them ------------------------------------


@pytest.fixture
def sampler_api(client_for, site):
    """The sampler's signed-in session with tube W1 open, as the phone page uses it."""
    client = client_for("sampler")
    response = post(
        client, "/api/testing/tubes/", {"site": site.pk, "barcode": "W1", "kind": "pool10"}
    )
    assert response.status_code == 201
    return client


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def walk_in(client, key="walk-1", **fields):
    data = {"tube": "W1", "key": key, "name": "临时", "id_number": "", "phone": "13900001111"}
    return post(client, "/api/testing/walk-ins/", data | fields)


def test_a_walk_in_is_registered_and_sampled_in_one_step_and_a_replay_changes_nothing(
    sampler_api, site
):
    id_number = valid_id_number()
    first = walk_in(sampler_api, id_number=id_number)
    assert first.status_code == 200
    answer = first.json()
    assert answer["outcome"] == "added" and answer["name"] == "临时"
    assert answer["masked_id"] == f"{id_number[:4]}{'*' * 10}{id_number[-4:]}"
    person = Person.objects.get(id_number=id_number)
    assert person.area == site.area
    assert id_number not in first.content.decode()
    assert person.code_token not in first.content.decode()  # the phone never holds the code

    again = walk_in(sampler_api, id_number=id_number)
    replay = again.json()
    assert (replay["outcome"], replay["count"], replay["name"]) == ("added", 1, "临时")
    assert Person.objects.filter(id_number=id_number).count() == 1
    assert Sample.objects.filter(tube__barcode="W1", person=person).count() == 1
    assert Task.objects.filter(source="testing.walk_in").count() == 1


def test_a_walk_in_with_a_bad_id_number_is_refused_and_nothing_is_stored(sampler_api):
    response = walk_in(sampler_api, id_number="410102198005171234")  # wrong check digit
    assert response.status_code == 400 and response.json()["detail"]
    assert not Person.objects.filter(name="临时").exists()
    assert not Sample.objects.exists() and not Task.objects.exists()


MISMATCH = "姓名与登记信息不一致，请核对证件"


def answer_shape(response) -> dict:
    """A walk-in's answer without what the sampler typed: what it tells about the person."""
    answer = response.json()
    return {k: v for k, v in answer.items() if k not in ("key", "name", "masked_id")}


def test_a_registered_id_number_under_another_name_is_a_mismatch_naming_no_one(sampler_api, people):
    pupil = people["a"]  # in the site's area, and in a group this round leaves out
    pupil.tags = ",boarding_pupil,"
    pupil.save(update_fields=["tags"])
    persons, audits = Person.objects.count(), AuditEvent.objects.count()
    answers = [
        walk_in(sampler_api, key=f"probe-{n}", name="随便", id_number=person.id_number)
        for n, person in enumerate([pupil, people["c"]])  # people["c"]: another office's
    ]
    for person, response in zip([pupil, people["c"]], answers, strict=True):
        assert response.status_code == 400
        assert response.json() == {"detail": [MISMATCH]}
        body = response.content.decode()
        assert person.name not in body and "不检测" not in body and "pupil" not in body
    assert Person.objects.count() == persons and AuditEvent.objects.count() == audits
    assert not Sample.objects.exists() and not Task.objects.exists()


def test_someone_on_the_ledger_typed_with_their_name_is_answered_as_anyone_new(sampler_api, people):
    """Only what was typed comes back: no home zone (people["c"] lives in another office's
    zone), no second check by a grid worker, the answer of a brand-new walk-in."""
    elsewhere = people["c"]
    new = walk_in(sampler_api, key="new", name="临时", id_number=valid_id_number())
    typed = f" {elsewhere.name[0]} {elsewhere.name[1:]} "  # as a hurried sampler types it
    known = walk_in(sampler_api, key="known", name=typed, id_number=elsewhere.id_number)
    assert known.status_code == new.status_code == 200
    assert answer_shape(known) == answer_shape(new) | {"count": 2}
    answer = known.json()
    assert answer["message"] == "已加入本管" and answer["other_zone"] is False
    assert answer["name"] == typed.strip() and elsewhere.name not in known.content.decode()
    assert answer["masked_id"] == f"{elsewhere.id_number[:4]}{'*' * 10}{elsewhere.id_number[-4:]}"
    # Stored as any scan of them is, other zone noted; the site's grid workers are not
    # asked to confirm someone whose own grid worker has them.
    assert Sample.objects.get(idempotency_key="known").other_zone
    assert Task.objects.filter(source="testing.walk_in").count() == 1  # the new one's
    assert Person.objects.get(pk=elsewhere.pk).area != Person.objects.get(name="临时").area


@pytest.mark.parametrize("group", ["excluded", "sampled"])
def test_someone_on_the_ledger_a_scan_would_refuse_is_asked_for_their_own_code(
    sampler_api, people, personas, site, group
):
    person = people["c"]
    if group == "excluded":
        person.tags = ",university_student,"
        person.save(update_fields=["tags"])
    else:
        sampler = personas["sampler"]
        services.tube_open(actor=sampler, site=site, barcode="S1", kind="single")
        services.sample_scan(
            actor=sampler, tube_barcode="S1", code_token=person.code_token, idempotency_key="s1"
        )
    samples = Sample.objects.count()
    response = walk_in(sampler_api, key="w", name=person.name, id_number=person.id_number)
    assert response.status_code == 400
    assert response.json() == {"detail": ["此人不能现场登记采样，请扫描本人的个人码"]}
    assert Sample.objects.count() == samples and not Task.objects.exists()


def test_a_walk_in_key_sent_again_for_someone_else_is_refused_saying_nothing_of_the_first(
    sampler_api,
):
    first_id, other_id = valid_id_number(), valid_id_number()
    assert walk_in(sampler_api, key="k", name="甲某", id_number=first_id).status_code == 200
    response = walk_in(sampler_api, key="k", name="乙某", id_number=other_id)
    assert response.status_code == 400
    assert response.json() == {"detail": ["扫码编号已用于另一条采样记录"]}
    assert "甲某" not in response.content.decode()
    assert not Person.objects.filter(id_number=other_id).exists()
    assert Sample.objects.count() == 1


@pytest.mark.parametrize("persona", ["grid_a", "command", "lab"])
def test_only_the_sites_sampler_registers_walk_ins(sampler_api, client_for, persona):
    response = walk_in(client_for(persona), id_number=valid_id_number())
    assert response.status_code == 404
    assert not Person.objects.filter(name="临时").exists() and not Sample.objects.exists()


def test_a_session_without_the_csrf_token_is_refused(site, personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["sampler"])
    response = post(
        client, "/api/testing/tubes/", {"site": site.pk, "barcode": "C1", "kind": "single"}
    )
    assert response.status_code == 403 and not Tube.objects.exists()


def test_a_scanned_personal_code_with_its_prefix_finds_the_person(sampler_api, people):
    response = post(
        sampler_api,
        "/api/testing/scans/",
        {"tube": "W1", "code": f"TCP:{people['a'].code_token}", "key": "prefixed"},
    )
    assert response.json()["outcome"] == "added"
