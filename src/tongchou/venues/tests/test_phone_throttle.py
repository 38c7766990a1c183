"""The public check-in page's budget for new visitors and wrong names, per phone and per
address, and that it answers a wrong name for a ledger ID number like an over-budget
visitor and a visitor registered just now."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongchou.command.models import Task
from tongchou.core.models import AuditEvent, LoginAttempt
from tongchou.core.tests.test_security import sign_in
from tongchou.registry.models import Person
from tongchou.testing_support import PASSWORD, valid_id_number
from tongchou.venues.models import CheckIn
from tongchou.venues.views import DEVICE_COOKIE, PHONE_ID_COOKIE, PhoneCheckInView

ASK_THE_STAFF = "请联系场所工作人员登记"


@pytest.fixture(autouse=True)
def small_budget(settings):
    settings.VISITOR_MAX_PER_DEVICE = 2
    settings.VISITOR_MAX_PER_ADDRESS = 4
    settings.VISITOR_MAX_WRONG_NAMES_PER_ID_NUMBER = 3


def phone_url(venue):
    return reverse("venue-checkin", args=[venue.code_token])


def identify(client, venue, name, id_number, address="10.1.0.1", phone="13900005555"):
    return client.post(
        phone_url(venue),
        {"name": name, "id_number": id_number, "phone": phone},
        REMOTE_ADDR=address,
    )


def resident(client, person, venue, address="10.1.0.1"):
    """``person`` checks in with their own name and mobile number."""
    return identify(client, venue, person.name, person.id_number, address, phone=person.phone)


def visit(client, venue, address="10.1.0.1") -> bool:
    """A new visitor tries to register from ``client``, then the phone forgets them (a
    shared phone handed to the next guest); whether they were registered, as the page
    answers the same either way."""
    before = Person.objects.count()
    response = identify(client, venue, "访客", valid_id_number(), address)
    assert response.status_code == 400 and ASK_THE_STAFF in response.content.decode()
    assert DEVICE_COOKIE not in response.cookies
    client.post(reverse("phone-forget"))
    return Person.objects.count() > before


def stored():
    return (
        Person.objects.count(),
        Task.objects.count(),
        CheckIn.objects.count(),
        AuditEvent.objects.filter(action="person.visitor").count(),
    )


def test_a_phone_registers_a_few_visitors_then_is_sent_to_the_staff(venues, people):
    phone = Client()
    assert [visit(phone, venues["market"]) for _ in range(2)] == [True, True]
    assert PHONE_ID_COOKIE in phone.cookies  # forgetting the identity keeps the phone's id
    before = stored()
    assert visit(phone, venues["market"]) is False
    assert stored() == before
    # A resident on the ledger who gives their own name is not held back.
    assert resident(phone, people["a"], venues["market"]).status_code == 200
    assert CheckIn.objects.filter(person=people["a"]).count() == 1
    # Another phone behind the same address still has its own budget.
    assert visit(Client(), venues["market"]) is True


def test_an_address_registers_a_few_more_visitors_whatever_the_phones(venues):
    # A script that drops its cookies is a new phone each time: the address holds it.
    assert [visit(Client(), venues["market"]) for _ in range(4)] == [True] * 4
    before = stored()
    assert visit(Client(), venues["market"]) is False
    assert stored() == before
    assert visit(Client(), venues["market"], address="10.1.0.2") is True


def test_a_wrong_name_spends_the_budget_and_reads_like_an_over_budget_visitor(venues, people):
    phone = Client()
    wrong = identify(phone, venues["market"], "冒名", people["a"].id_number)
    assert visit(phone, venues["market"]) is True
    # Budget spent (one wrong name + one visitor): an unknown ID number and a ledger one
    # with a wrong name now get the very same answer.
    unknown = identify(phone, venues["market"], "冒名", valid_id_number())
    wrong_again = identify(phone, venues["market"], "冒名", people["b"].id_number)
    answers = [
        (r.status_code, [t.name for t in r.templates][0], r.context["form"].errors)
        for r in (wrong, unknown, wrong_again)
    ]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][2] == {"__all__": [PhoneCheckInView.ask_the_staff()]}
    assert not Person.objects.filter(name="冒名").exists()


def test_guessing_the_name_for_one_id_number_locks_it_on_that_phone(venues, people):
    person, guesser = people["a"], Client()
    for i in range(3):
        identify(guesser, venues["market"], f"猜名{i}", person.id_number, f"10.2.0.{i}")
    right = resident(guesser, person, venues["market"], "10.2.0.9")
    assert right.status_code == 400 and ASK_THE_STAFF in right.content.decode()
    assert DEVICE_COOKIE not in right.cookies
    assert not CheckIn.objects.exists()
    # No ID number is kept in the attempts table.
    assert not LoginAttempt.objects.filter(username__contains=person.id_number).exists()
    # Someone else on the ledger is not affected, on that phone either.
    assert resident(guesser, people["b"], venues["market"], "10.2.0.9").status_code == 200


def test_guessing_from_one_address_locks_the_id_number_there_whatever_the_phones(venues, people):
    # A script that drops its cookies is a new phone each time: the address holds it.
    person = people["a"]
    for i in range(3):
        identify(Client(), venues["market"], f"猜名{i}", person.id_number, "10.2.1.1")
    right = resident(Client(), person, venues["market"], "10.2.1.1")
    assert right.status_code == 400 and not CheckIn.objects.exists()
    assert resident(Client(), person, venues["market"], "10.2.1.2").status_code == 200


def test_strangers_guessing_names_elsewhere_do_not_lock_the_resident_out(venues, people):
    person, own_phone = people["a"], Client()
    for i in range(6):
        identify(Client(), venues["market"], f"猜名{i}", person.id_number, f"10.2.2.{i}")
    answer = resident(own_phone, person, venues["market"], "10.2.2.99")
    assert answer.status_code == 200 and DEVICE_COOKIE in answer.cookies
    assert CheckIn.objects.filter(person=person).count() == 1


def test_phone_attempts_do_not_lock_sign_ins_from_that_address(venues, people, settings):
    settings.LOCKOUT_MAX_PER_ADDRESS = 2
    for _ in range(3):
        visit(Client(), venues["market"], address="10.3.0.1")
    identify(Client(), venues["market"], "冒名", people["a"].id_number, "10.3.0.1")
    # Older than the sign-in window, well inside the phone budget's.
    LoginAttempt.objects.update(created_at=timezone.now() - timedelta(minutes=40))
    client = Client()
    sign_in(client, "grid_b", PASSWORD, address="10.3.0.1")
    assert "_auth_user_id" in client.session
    # A sign-in purges only rows older than every window: the phone budget stays spent.
    assert LoginAttempt.objects.filter(address="10.3.0.1").count() == 5
    assert visit(Client(), venues["market"], address="10.3.0.1") is False
