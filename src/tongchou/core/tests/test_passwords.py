"""Staff passwords pass Django's validators on every way one is set: the user form
(creating and editing) and user_create (the commands, the demo)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tongchou.core.models import AuditEvent, User
from tongchou.core.services import user_create

USERNAME = "wangxiaoming"
WEAK = ["password", "12345678", USERNAME]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def create_form(password, username=USERNAME):
    return {
        "username": username,
        "full_name": "王小明",
        "role": "grid_worker",
        "password": password,
        "is_active": "on",
        "node_codes": "GA",
    }


def password_errors(response) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get("password", [])]


@pytest.mark.parametrize("password", WEAK)
def test_it_refuses_a_weak_password_for_a_new_user_in_chinese(client_for, password):
    response = client_for("command").post(reverse("user-create"), create_form(password))
    assert response.status_code == 200
    errors = password_errors(response)
    assert errors and all(CHINESE.search(e) for e in errors), errors
    assert not User.objects.filter(username=USERNAME).exists()
    assert not AuditEvent.objects.filter(action="user.create").exists()


@pytest.mark.parametrize("password", WEAK)
def test_it_refuses_a_weak_password_when_editing_a_user(client_for, personas, password):
    user = user_create(actor=None, username=USERNAME, password="楼道-消杀-2022", role="grid_worker")
    before = user.password
    response = client_for("command").post(
        reverse("user-edit", args=[user.pk]),
        {"username": USERNAME, "role": "grid_worker", "is_active": "on", "password": password},
    )
    assert response.status_code == 200
    assert password_errors(response)
    user.refresh_from_db()
    assert user.password == before


def test_it_names_the_reason_for_the_username_itself(client_for, personas):
    response = client_for("command").post(reverse("user-create"), create_form(USERNAME))
    assert any("相似" in e for e in password_errors(response)), password_errors(response)


def test_it_accepts_a_good_password(client_for, personas):
    response = client_for("command").post(
        reverse("user-create"), create_form("tongchou-grid-duty-7")
    )
    assert response.status_code == 302
    assert User.objects.get(username=USERNAME).check_password("tongchou-grid-duty-7")


def test_it_accepts_a_good_new_password_when_editing(client_for, personas):
    user = personas["grid_a"]
    client_for("command").post(
        reverse("user-edit", args=[user.pk]),
        {
            "username": "grid_a",
            "role": "grid_worker",
            "is_active": "on",
            "password": "new-duty-roster-9",
        },
    )
    user.refresh_from_db()
    assert user.check_password("new-duty-roster-9")


@pytest.mark.parametrize("password", WEAK)
def test_user_create_refuses_a_weak_password_in_chinese(db, password):
    with pytest.raises(ValidationError) as refused:
        user_create(actor=None, username=USERNAME, password=password, role="grid_worker")
    assert all(CHINESE.search(m) for m in refused.value.messages), refused.value.messages
    assert not User.objects.filter(username=USERNAME).exists()


def test_user_create_accepts_a_good_password(db):
    user = user_create(
        actor=None, username=USERNAME, password="tongchou-grid-duty-7", role="grid_worker"
    )
    assert user.check_password("tongchou-grid-duty-7")


def test_the_validators_are_all_configured(settings):
    names = {v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert names >= {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
