"""Editing a resident shows their phone masked, and a masked value sent back (by the page
or an API client) keeps the stored one: changing a name needs no reveal, and none is
logged. A value typed anew replaces it."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from tongchou.core.models import AccessLog, AuditEvent
from tongchou.core.privacy import PersonalKind, is_masked_echo
from tongchou.core.services import api_token_create

ID_NUMBER = PersonalKind.ID_NUMBER
PHONE = PersonalKind.PHONE


@pytest.mark.parametrize(
    ("kind", "submitted", "stored", "echo"),
    [
        (PHONE, "138****5678", "13812345678", True),
        (PHONE, " 138****5678 ", "13812345678", True),
        (PHONE, "13812345678", "13812345678", False),  # the value itself: plainly unchanged
        (PHONE, "139****5678", "13812345678", False),
        (PHONE, "13900001111", "13812345678", False),
        (PHONE, "", "", False),
        (PHONE, "138****5678", "", False),
        (PHONE, None, "13812345678", False),
        (ID_NUMBER, "4101**********1234", "410102199001011234", True),
        (ID_NUMBER, "4101**********1235", "410102199001011234", False),
        (PersonalKind.HEALTH, "*", "x", False),  # a kind nothing masks
    ],
)
def test_a_masked_echo_is_the_stored_value_as_it_was_shown_masked(kind, submitted, stored, echo):
    assert is_masked_echo(kind, submitted, stored) is echo


@pytest.fixture
def person(people):
    return people["a1"]  # 张三 in building A1 of grid A, phone 13812345678


def edit(client, person, district, **changes):
    data = {"name": person.name, "phone": "138****5678", "area": district["building_a1"].pk}
    return client.post(reverse("person-edit", args=[person.pk]), {**data, **changes})


def test_the_edit_form_shows_the_phone_masked_and_logs_no_reveal(client_for, person):
    page = client_for("grid_a").get(reverse("person-edit", args=[person.pk])).content.decode()
    assert 'value="138****5678"' in page
    assert "13812345678" not in page and person.id_number not in page
    assert not AccessLog.objects.exists()


def test_the_masked_phone_sent_back_is_kept_and_the_name_changes(client_for, person, district):
    response = edit(client_for("grid_a"), person, district, name="张三丰")
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.phone) == ("张三丰", "13812345678")
    event = AuditEvent.objects.get(action="person.update")
    assert event.before["phone"] == event.after["phone"] == "138****5678"
    assert not AccessLog.objects.exists()


def test_a_phone_typed_anew_replaces_it_and_a_wrong_mask_is_refused(client_for, person, district):
    client = client_for("grid_a")
    assert edit(client, person, district, phone="139****5678").status_code == 400
    person.refresh_from_db()
    assert person.phone == "13812345678"
    assert edit(client, person, district, phone="13900001111").status_code == 302
    person.refresh_from_db()
    assert person.phone == "13900001111"


@pytest.fixture
def api(personas):
    _token, key = api_token_create(user=personas["grid_a"], name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def send(api, method, person, body):
    return getattr(api, method)(
        f"/api/people/{person.pk}/", json.dumps(body), content_type="application/json"
    )


def test_an_api_client_putting_back_what_it_read_changes_only_what_it_changed(api, person):
    read = api.get(f"/api/people/{person.pk}/").json()
    assert read["phone"] == "138****5678" and read["id_number"].startswith("4101****")
    body = {**read, "name": "张三丰", "address": "文昌路2号"}
    response = send(api, "put", person, body)
    assert response.status_code == 200, response.json()
    person.refresh_from_db()
    assert (person.name, person.address, person.phone) == ("张三丰", "文昌路2号", "13812345678")
    stored_id = person.id_number
    response = send(api, "patch", person, {"phone": "138****5678", "id_number": read["id_number"]})
    assert response.status_code == 200, response.json()
    person.refresh_from_db()
    assert (person.phone, person.id_number) == ("13812345678", stored_id)
    assert not AccessLog.objects.exists()


def test_an_api_client_sending_a_new_phone_replaces_it(api, person):
    assert send(api, "patch", person, {"phone": "13900001111"}).status_code == 200
    person.refresh_from_db()
    assert person.phone == "13900001111"
    assert send(api, "patch", person, {"phone": "139****5678"}).status_code == 400
    person.refresh_from_db()
    assert person.phone == "13900001111"
