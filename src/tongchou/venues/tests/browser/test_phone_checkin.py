"""Checking in at a venue's door with a phone: scan the code, say who you are once,
then one tap; the page fits the phone and needs no account."""

import pytest

from tongchou.command.models import Task
from tongchou.registry.models import Person
from tongchou.testing_support import valid_id_number
from tongchou.venues.models import CheckIn
from tongchou.venues.services import VISITOR_TASK_SOURCE

from .conftest import PHONE

pytestmark = pytest.mark.browser


def test_a_resident_checks_in_by_phone_and_is_remembered(new_page, server, venues, people, db_turn):
    person = people["a"]
    market = venues["market"]
    page = new_page(**PHONE)
    page.goto(f"{server.url}/v/{market.code_token}/")
    assert page.inner_text("#venue-name") == "景园超市"
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["client"], widths

    page.fill("#id_name", person.name)
    page.fill("#id_id_number", person.id_number)
    page.fill("#id_phone", person.phone)
    page.fill("#id_temperature", "36.6")
    page.click("#checkin button[type=submit]")
    done = page.locator("#done")
    done.wait_for()
    assert "李*" in done.inner_text() and "36.6" in done.inner_text()
    assert person.id_number not in page.content()

    # The next door: the phone remembers who it is, one tap is enough.
    page.goto(f"{server.url}/v/{venues['parcel'].code_token}/")
    assert "李*" in page.inner_text("#remembered")
    assert page.locator("#id_id_number").count() == 0
    page.click("#checkin button[type=submit]")
    page.locator("#done").wait_for()

    with db_turn():
        rows = list(CheckIn.objects.filter(person=person).order_by("id"))
    assert [c.venue_id for c in rows] == [market.pk, venues["parcel"].pk]
    assert str(rows[0].temperature) == "36.6" and rows[1].temperature is None


def test_a_visitor_not_on_the_ledger_is_asked_to_see_the_staff_then_is_remembered(
    new_page, server, venues, district, db_turn
):
    market = venues["market"]
    id_number = valid_id_number()
    page = new_page(**PHONE)
    page.goto(f"{server.url}/v/{market.code_token}/")
    assert page.locator("#visitor-note").is_visible()
    page.fill("#id_name", "过路客")
    page.fill("#id_id_number", id_number)
    page.fill("#id_phone", "1390000")
    page.click("#checkin button[type=submit]")
    # A short phone number is refused in Chinese, and nobody is registered yet.
    assert "不是有效的手机号" in page.inner_text("#checkin")
    with db_turn():
        assert not Person.objects.filter(id_number=id_number).exists()

    page.fill("#id_phone", "13900005555")
    page.click("#checkin button[type=submit]")
    # Registered and checked in, but answered as a refused resident is (the page must
    # not tell an ID number on the ledger from one that is not); the form stays filled.
    assert "请联系场所工作人员登记" in page.inner_text("#checkin")
    with db_turn():
        assert Person.objects.filter(id_number=id_number).exists()
    # The same details again find the visitor registered: checked in and remembered.
    page.click("#checkin button[type=submit]")
    page.locator("#done").wait_for()
    assert "过*" in page.inner_text("#done")
    assert id_number not in page.content()

    # The next time at the same door: the phone remembers the visitor, one tap.
    page.goto(f"{server.url}/v/{market.code_token}/")
    assert "过*" in page.inner_text("#remembered")
    assert page.locator("#id_id_number").count() == 0
    page.click("#checkin button[type=submit]")
    page.locator("#done").wait_for()

    with db_turn():
        visitor = Person.objects.get(id_number=id_number)
        assert visitor.area == district["grid_a"] and visitor.phone == "13900005555"
        assert CheckIn.objects.filter(person=visitor, venue=market).count() == 3
        tasks = list(Task.objects.filter(source=VISITOR_TASK_SOURCE))
    assert len(tasks) == 1
    assert tasks[0].area == district["grid_a"] and tasks[0].subject_id == str(visitor.pk)


def test_a_wrong_venue_code_says_so_on_the_phone(new_page, server, venues, db_turn):
    page = new_page(**PHONE)
    response = page.goto(f"{server.url}/v/notavenuecode0000/")
    assert response.status == 404
    assert page.locator("#unknown-code").is_visible()
    with db_turn():
        assert not CheckIn.objects.exists()
