"""The public check-in page remembers a phone by a revocable token of its own, never by
the personal code; it checks the mobile number against the ledger's; and every way of
not being checked in as a resident gets the very same answer."""

import re
from datetime import timedelta

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongchou.core.models import AuditEvent, LoginAttempt
from tongchou.registry.models import Person
from tongchou.testing_support import valid_id_number
from tongchou.venues.models import CheckIn, PhoneDevice
from tongchou.venues.throttle import DEVICE_NAME_PREFIX, visitor_attempt_record, wrong_name_record
from tongchou.venues.views import DEVICE_COOKIE, DEVICE_SALT, PHONE_ID_COOKIE, PhoneCheckInView


@pytest.fixture(autouse=True)
def small_budget(settings):
    settings.VISITOR_MAX_PER_DEVICE = 2
    settings.VISITOR_MAX_PER_ADDRESS = 4
    settings.VISITOR_MAX_WRONG_NAMES_PER_ID_NUMBER = 3


def phone_url(venue):
    return reverse("venue-checkin", args=[venue.code_token])


def identify(client, venue, *, name, id_number, phone, address="10.5.0.1"):
    return client.post(
        phone_url(venue),
        {"name": name, "id_number": id_number, "phone": phone},
        REMOTE_ADDR=address,
    )


def checked_in(client, person, venue, address="10.5.0.1"):
    response = identify(
        client,
        venue,
        name=person.name,
        id_number=person.id_number,
        phone=person.phone,
        address=address,
    )
    assert response.status_code == 200
    return response


def device_token(response) -> str:
    """The token the phone's cookie holds, unsigned."""
    request = HttpRequest()
    request.COOKIES[DEVICE_COOKIE] = response.cookies[DEVICE_COOKIE].value
    return request.get_signed_cookie(DEVICE_COOKIE, salt=DEVICE_SALT)


def signed_cookie(value: str, salt: str) -> str:
    response = HttpResponse()
    response.set_signed_cookie(DEVICE_COOKIE, value, salt=salt)
    return response.cookies[DEVICE_COOKIE].value


def test_it_remembers_the_phone_by_a_token_of_its_own(client, venues, people):
    person = people["a1"]
    token = device_token(checked_in(client, person, venues["market"]))
    assert token != person.code_token
    device = PhoneDevice.objects.get()
    assert device.person == person and device.revoked_at is None
    assert token not in device.token_hash  # stored hashed
    # The cookie's token is no personal code: it opens no one's code page.
    assert client.get(reverse("resident-code", args=[token])).status_code == 404
    assert AuditEvent.objects.filter(action="phonedevice.remember").count() == 1

    PhoneDevice.objects.update(last_used_at=timezone.now() - timedelta(days=3))
    mine = client.get(reverse("my-code"))
    assert mine.status_code == 200 and "no-cache" in mine["Cache-Control"]
    device.refresh_from_db()
    assert timezone.now() - device.last_used_at < timedelta(minutes=1)


def test_forgetting_the_phone_revokes_its_token_for_any_copy_of_the_cookie(client, venues, people):
    person = people["a1"]
    signed = checked_in(client, person, venues["market"]).cookies[DEVICE_COOKIE].value
    copy = Client()
    copy.cookies[DEVICE_COOKIE] = signed
    assert copy.get(reverse("my-code")).status_code == 200

    forgotten = client.post(reverse("phone-forget"))
    assert forgotten.status_code == 200 and forgotten.cookies[DEVICE_COOKIE].value == ""
    assert PhoneDevice.objects.get().revoked_at is not None
    assert AuditEvent.objects.filter(action="phonedevice.revoke").count() == 1
    # A copy of the cookie kept elsewhere opens nothing any more.
    assert copy.get(reverse("my-code")).status_code == 404
    page = copy.get(phone_url(venues["market"]))
    assert page.context["person"] is None and "id_number" in page.context["form"].fields
    before = CheckIn.objects.count()
    assert copy.post(phone_url(venues["market"]), {"temperature": ""}).status_code == 400
    assert CheckIn.objects.count() == before


@pytest.mark.parametrize("salt", ["venues.phone-checkin", DEVICE_SALT])
def test_a_cookie_holding_a_personal_code_token_opens_nothing(client, people, salt):
    # What the cookie held before phones had tokens of their own.
    client.cookies[DEVICE_COOKIE] = signed_cookie(people["a1"].code_token, salt)
    assert client.get(reverse("my-code")).status_code == 404


def test_a_mobile_number_not_the_ledgers_is_refused_like_a_wrong_name(client, venues, people):
    person = people["a1"]  # the ledger has 13812345678
    wrong = identify(
        client, venues["market"], name=person.name, id_number=person.id_number, phone="13900009999"
    )
    assert wrong.status_code == 400
    assert wrong.context["form"].non_field_errors() == [PhoneCheckInView.ask_the_staff()]
    assert DEVICE_COOKIE not in wrong.cookies
    assert not CheckIn.objects.exists() and not PhoneDevice.objects.exists()
    # Counted as a wrong name is: the phone's budget and the ID number on this phone.
    assert LoginAttempt.objects.filter(username__startswith=DEVICE_NAME_PREFIX).count() == 1
    assert LoginAttempt.objects.filter(username__startswith="#id-number:").count() == 1

    # The same number written another way is the same number.
    right = identify(
        client,
        venues["market"],
        name=person.name,
        id_number=person.id_number,
        phone="+86 138-1234-5678",
    )
    assert right.status_code == 200 and DEVICE_COOKIE in right.cookies


def test_a_resident_without_a_mobile_on_the_ledger_checks_in_by_name(client, venues, people):
    person = people["a"]
    Person.objects.filter(pk=person.pk).update(phone="")
    answer = identify(
        client, venues["market"], name=person.name, id_number=person.id_number, phone="13900001234"
    )
    assert answer.status_code == 200
    assert CheckIn.objects.filter(person=person).count() == 1


def _answer(response, typed: dict) -> tuple:
    """What a caller sees of an answer: status, templates, errors, cookies, and the page
    with the CSRF token and the caller's own typing taken out."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    body = re.sub(r'"X-CSRFToken": "[^"]+"', "", body)
    for field, value in typed.items():
        body = body.replace(f'value="{value}"', f'value="<{field}>"')
    return (
        response.status_code,
        [t.name for t in response.templates],
        response.context["form"].errors,
        sorted(response.cookies),
        body,
    )


def test_every_way_of_not_checking_in_as_a_resident_reads_the_same(venues, people):
    market, resident = venues["market"], people["a1"]
    visitor = {"name": "来客", "id_number": valid_id_number(), "phone": "13900005555"}
    # Over budget: this address registered its visitors already.
    for _ in range(4):
        visitor_attempt_record(device=None, address="10.5.0.4")
    # Locked on this address: names were guessed for the resident's ID number from it.
    for _ in range(3):
        wrong_name_record(id_number=resident.id_number, device=None, address="10.5.0.5")
    own = {"name": resident.name, "id_number": resident.id_number, "phone": resident.phone}
    attempts = {
        "unknown ID number (registered now)": (visitor, "10.5.0.1"),
        "wrong name": ({**own, "name": "来客"}, "10.5.0.2"),
        "wrong mobile number": ({**own, "phone": "13900005555"}, "10.5.0.3"),
        "over budget": ({**visitor, "id_number": valid_id_number()}, "10.5.0.4"),
        "locked": (own, "10.5.0.5"),
    }
    answers = {}
    for reason, (typed, address) in attempts.items():
        response = identify(Client(), market, **typed, address=address)
        answers[reason] = _answer(response, typed)
    first = answers["unknown ID number (registered now)"]
    assert first[0] == 400 and first[2] == {"__all__": [PhoneCheckInView.ask_the_staff()]}
    assert "请联系场所工作人员登记" in first[4]
    assert PHONE_ID_COOKIE in first[3] and DEVICE_COOKIE not in first[3]
    for reason, answer in answers.items():
        assert answer == first, reason
    # Only the visitor was registered, and checked in; no phone remembers anyone.
    registered = Person.objects.get(id_number=visitor["id_number"])
    assert list(CheckIn.objects.values_list("person", flat=True)) == [registered.pk]
    assert not PhoneDevice.objects.exists()
