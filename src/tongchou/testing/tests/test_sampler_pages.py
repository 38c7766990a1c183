"""The sampler's phone pages: only samplers, only their own sites; walk-ins through the API."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from tongchou.command.models import Task
from tongchou.core.choices import Role
from tongchou.registry.models import Person
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
