"""Check-ins by phone, at the door and from gate devices; fever alerts; purge."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongchou.command.models import Task
from tongchou.common.qr import qr_svg
from tongchou.core.models import AuditEvent, LoginAttempt
from tongchou.registry.codes import personal_code_payload
from tongchou.registry.models import Person
from tongchou.testing_support import valid_id_number
from tongchou.venues.choices import CheckInMethod
from tongchou.venues.models import CheckIn, FeverAlert
from tongchou.venues.retention import checkins_purge
from tongchou.venues.services import (
    VISITOR_TASK_SOURCE,
    Reading,
    checkins_ingest,
    visitor_register,
)
from tongchou.venues.throttle import DEVICE_NAME_PREFIX
from tongchou.venues.views import DEVICE_COOKIE, PhoneCheckInView


def phone_url(venue):
    return reverse("venue-checkin", args=[venue.code_token])


def test_a_phone_checks_in_once_by_name_and_id_then_by_one_tap(client, venues, people):
    person = people["a"]
    first = client.post(
        phone_url(venues["market"]),
        {
            "name": person.name,
            "id_number": person.id_number,
            "phone": person.phone,
            "temperature": "36.4",
        },
    )
    assert first.status_code == 200
    assert DEVICE_COOKIE in first.cookies
    cookie = first.cookies[DEVICE_COOKIE].value
    assert person.id_number not in cookie and person.code_token not in cookie
    page = client.get(phone_url(venues["parcel"]))
    assert "id_number" not in page.context["form"].fields  # remembered
    again = client.post(phone_url(venues["parcel"]), {"temperature": ""})
    assert again.status_code == 200
    rows = CheckIn.objects.filter(person=person).order_by("id")
    assert [(c.venue_id, c.method) for c in rows] == [
        (venues["market"].pk, CheckInMethod.VENUE_CODE),
        (venues["parcel"].pk, CheckInMethod.VENUE_CODE),
    ]
    assert rows[0].temperature is not None and rows[1].temperature is None


def test_the_venue_poster_and_the_phones_own_code_use_the_one_qr_drawer(
    client, client_for, venues, people
):
    person = people["a"]
    poster = client_for("grid_a").get(reverse("venue-code", args=[venues["market"].pk]))
    address = f"http://testserver{phone_url(venues['market'])}"
    assert qr_svg(address) in poster.content.decode()
    client.post(
        phone_url(venues["market"]),
        {"name": person.name, "id_number": person.id_number, "phone": person.phone},
    )
    mine = client.get(reverse("my-code")).content.decode()
    # The door keeper's scanner reads the same personal code as the household sheets.
    assert qr_svg(personal_code_payload(person.code_token)) in mine


@pytest.mark.parametrize("token", ["nosuchvenuecode123", "x", "../../etc"])
def test_a_wrong_venue_code_is_404_and_stores_nothing(client, venues, people, token):
    response = client.post(
        f"/v/{token}/", {"name": people["a"].name, "id_number": people["a"].id_number}
    )
    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_a_closed_venue_takes_no_check_in(client, venues, people):
    venues["market"].is_active = False
    venues["market"].save()
    response = client.get(phone_url(venues["market"]))
    assert response.status_code == 404


def test_a_name_that_does_not_match_the_id_number_is_refused_and_counted(client, venues, people):
    before = Person.objects.count()
    wrong_name = client.post(
        phone_url(venues["market"]),
        {"name": "冒名", "id_number": people["a"].id_number, "phone": "13800001111"},
    )
    assert wrong_name.status_code == 400
    # The same words as a visitor over the budget: nothing says the ID number is known.
    assert wrong_name.context["form"].non_field_errors() == [PhoneCheckInView.ask_the_staff()]
    assert "请联系场所工作人员登记" in wrong_name.content.decode()
    assert DEVICE_COOKIE not in wrong_name.cookies
    assert not CheckIn.objects.exists()
    assert Person.objects.count() == before and not Task.objects.exists()
    assert LoginAttempt.objects.filter(username__startswith=DEVICE_NAME_PREFIX).count() == 1


def test_a_visitor_not_on_the_ledger_is_registered_on_the_venues_grid_once(
    client, client_for, venues, district
):
    id_number = valid_id_number(born=date(1990, 3, 7), female=True)
    first = client.post(
        phone_url(venues["market"]),
        {"name": " 访客 甲 ", "id_number": id_number.lower(), "phone": "139 0000 2222"},
    )
    # Checked in and registered, but answered as a refused resident would be: the first
    # answer does not tell an ID number on the ledger from one that is not.
    assert first.status_code == 400 and DEVICE_COOKIE not in first.cookies
    assert first.context["form"].non_field_errors() == [PhoneCheckInView.ask_the_staff()]
    visitor = Person.objects.get(id_number=id_number)
    assert (visitor.name, visitor.phone, visitor.area) == (
        "访客 甲",
        "13900002222",
        district["grid_a"],
    )
    assert (visitor.sex, visitor.birth_date) == ("female", date(1990, 3, 7))
    task = Task.objects.get(source=VISITOR_TASK_SOURCE)
    assert task.area == district["grid_a"] and task.subject_id == str(visitor.pk)
    assert task in list(client_for("grid_a").get(reverse("my-tasks")).context["tasks"])
    assert AuditEvent.objects.filter(action="person.visitor").count() == 1

    # Another phone, another venue: the same ID number is the same person, no second task.
    again = Client().post(
        phone_url(venues["parcel"]),
        {"name": "访客 甲", "id_number": id_number, "phone": "13900002222"},
    )
    assert again.status_code == 200 and DEVICE_COOKIE in again.cookies
    assert Person.objects.filter(id_number=id_number).count() == 1
    assert Task.objects.filter(source=VISITOR_TASK_SOURCE).count() == 1
    assert [c.venue_id for c in CheckIn.objects.filter(person=visitor).order_by("id")] == [
        venues["market"].pk,
        venues["parcel"].pk,
    ]


def test_registering_a_visitor_twice_finds_the_same_person_and_asks_once(venues):
    id_number = valid_id_number()
    first = visitor_register(
        venue=venues["market"], name="访客乙", id_number=id_number, phone="13900003333"
    )
    second = visitor_register(
        venue=venues["market"], name="访客乙", id_number=id_number, phone="13900003333"
    )
    assert first == second
    assert Task.objects.filter(source=VISITOR_TASK_SOURCE).count() == 1


@pytest.mark.parametrize(
    ("field", "fields", "message"),
    [
        ("id_number", {"id_number": "11010119900307888"}, "身份证号应为18位"),
        ("id_number", {"id_number": "110101199003078882"}, "校验码错误"),
        ("phone", {"phone": "12345"}, "不是有效的手机号"),
        ("phone", {"phone": ""}, "必填"),
        ("name", {"name": ""}, "必填"),
        ("temperature", {"temperature": "98.6"}, "不合理"),
    ],
)
def test_bad_input_from_a_visitor_says_why_in_chinese_and_registers_nobody(
    client, venues, field, fields, message
):
    before = Person.objects.count()
    data = {"name": "访客丙", "id_number": valid_id_number(), "phone": "13900004444", **fields}
    response = client.post(phone_url(venues["market"]), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert Person.objects.count() == before
    assert not Task.objects.exists() and not CheckIn.objects.exists()
    assert DEVICE_COOKIE not in response.cookies


@pytest.mark.parametrize("temperature", ["98.6", "12", "abc", "NaN", "-37"])
def test_an_absurd_temperature_is_refused_at_the_phone(client, venues, people, temperature):
    person = people["a"]
    response = client.post(
        phone_url(venues["market"]),
        {
            "name": person.name,
            "id_number": person.id_number,
            "phone": person.phone,
            "temperature": temperature,
        },
    )
    assert response.status_code == 400
    assert not CheckIn.objects.exists()


def test_the_door_keeper_scans_a_personal_code_and_a_fever_alerts_the_grid_worker(
    client_for, venues, people, personas
):
    client = client_for("venue_owner")
    response = client.post(
        reverse("venue-door", args=[venues["market"].pk]),
        {"person_code": personal_code_payload(people["b"].code_token), "temperature": "38.1"},
    )
    assert response.status_code == 200
    checkin = CheckIn.objects.get()
    assert (
        checkin.method == CheckInMethod.PERSONAL_CODE
        and checkin.recorded_by == personas["venue_owner"]
    )
    alert = FeverAlert.objects.get()
    assert alert.person == people["b"] and str(alert.temperature) == "38.1"
    task = Task.objects.get(source="venues.fever")
    assert task.area == venues["market"].area  # the venue's grid worker
    grid_a = client_for("grid_a").get(reverse("my-tasks"))
    assert task in list(grid_a.context["tasks"])
    assert client_for("grid_b").get(reverse("fever-alerts")).context["alerts"].count() == 0
    assert list(client_for("grid_a").get(reverse("fever-alerts")).context["alerts"]) == [alert]


@pytest.mark.parametrize("temperature", ["", "45", "thirty"])
def test_the_door_keeper_must_type_a_plausible_temperature(client_for, venues, people, temperature):
    response = client_for("venue_owner").post(
        reverse("venue-door", args=[venues["market"].pk]),
        {"person_code": people["a"].code_token, "temperature": temperature},
    )
    assert response.status_code == 400
    assert not CheckIn.objects.exists()


def test_a_door_keeper_cannot_check_in_at_a_venue_that_is_not_theirs(client_for, venues, people):
    response = client_for("venue_owner").post(
        reverse("venue-door", args=[venues["parcel"].pk]),
        {"person_code": people["a"].code_token, "temperature": "36.5"},
    )
    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_a_wrong_personal_code_at_the_door_is_refused(client_for, venues):
    response = client_for("venue_owner").post(
        reverse("venue-door", args=[venues["market"].pk]),
        {"person_code": "TCP:notatokenatall", "temperature": "36.5"},
    )
    assert response.status_code == 400
    assert not CheckIn.objects.exists()


def upload(client, items):
    return client.post(
        reverse("api:checkin-upload"), {"items": items}, content_type="application/json"
    )


def test_a_gate_batch_stored_twice_changes_nothing_the_second_time(client_for, venues, people):
    now = timezone.now()
    items = [
        {
            "key": f"gate1-{i}",
            "venue": venues["market"].code_token,
            "person": personal_code_payload(person.code_token),
            "at": (now - timedelta(minutes=i)).isoformat(),
            "temperature": temperature,
        }
        for i, (person, temperature) in enumerate(
            [(people["a"], "36.5"), (people["b"], ""), (people["c"], "37.5")]
        )
    ]
    client = client_for("venue_owner")
    first = upload(client, items).json()
    assert (first["created"], first["duplicates"], first["alerts"], first["errors"]) == (
        3,
        0,
        1,
        [],
    )
    count, alerts, events = (
        CheckIn.objects.count(),
        FeverAlert.objects.count(),
        Task.objects.count(),
    )
    second = upload(client, items).json()
    assert (second["created"], second["duplicates"], second["alerts"]) == (0, 3, 0)
    assert (CheckIn.objects.count(), FeverAlert.objects.count(), Task.objects.count()) == (
        count,
        alerts,
        events,
    )
    # The same key repeated inside one batch is stored once too.
    doubled = upload(client, [{**items[0], "key": "gate1-x"}, {**items[0], "key": "gate1-x"}])
    assert doubled.json()["created"] == 1 and doubled.json()["duplicates"] == 1


def test_bad_items_come_back_with_reasons_and_the_good_ones_are_stored(client_for, venues, people):
    now = timezone.now().isoformat()
    good = {
        "key": "k1",
        "venue": venues["market"].code_token,
        "person": people["a"].code_token,
        "at": now,
    }
    items = [
        good,
        {**good, "key": "k2", "temperature": "108"},
        {**good, "key": "k3", "temperature": "abc"},
        {**good, "key": "k4", "venue": "nosuchvenue12"},
        {**good, "key": "k5", "venue": venues["parcel"].code_token},  # not the owner's venue
        {**good, "key": "k6", "person": "nosuchperson12"},
        {**good, "key": "k7", "at": "yesterday"},
        {**good, "key": "k8", "at": (timezone.now() + timedelta(days=1)).isoformat()},
        {**good, "key": ""},
    ]
    report = upload(client_for("venue_owner"), items).json()
    assert report["created"] == 1
    assert [e["index"] for e in report["errors"]] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert CheckIn.objects.count() == 1


def test_roles_that_keep_no_door_cannot_upload(client_for, venues, people):
    items = [
        {
            "key": "k",
            "venue": venues["market"].code_token,
            "person": people["a"].code_token,
            "at": timezone.now().isoformat(),
        }
    ]
    assert upload(client_for("lab"), items).status_code == 404
    assert not CheckIn.objects.exists()


def test_the_purge_deletes_old_check_ins_logs_it_and_keeps_recent_ones(venues, people):
    now = timezone.now()
    readings = [
        Reading(venues["market"].pk, people["a"].pk, now - timedelta(days=days), None)
        for days in (1, 27, 29, 40)
    ]
    checkins_ingest(readings, method=CheckInMethod.GATE)
    summary = checkins_purge(now=now)
    assert summary["deleted"] == 2
    assert CheckIn.objects.count() == 2
    event = AuditEvent.objects.get(action="checkin.purge")
    assert event.after["deleted"] == 2 and event.after["retention_days"] == 28


def test_the_purge_keeps_what_a_setting_says(venues, people, settings):
    settings.CHECKIN_RETENTION_DAYS = 60
    now = timezone.now()
    checkins_ingest(
        [Reading(venues["market"].pk, people["a"].pk, now - timedelta(days=40), None)],
        method=CheckInMethod.GATE,
    )
    assert checkins_purge(now=now)["deleted"] == 0
    assert CheckIn.objects.count() == 1
