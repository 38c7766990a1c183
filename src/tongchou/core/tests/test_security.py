"""Sign-in lockout, passwords, sessions, and the deploy checklist."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tongchou.core.models import LoginAttempt
from tongchou.testing_support import PASSWORD


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_twenty_wrong_passwords_lock_that_user_at_that_address(personas):
    client = Client()
    for _attempt in range(20):
        response = sign_in(client, "grid_a", "wrong")
        assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # Even the right password is refused while locked, with a clear message.
    response = sign_in(client, "grid_a", PASSWORD)
    assert "_auth_user_id" not in client.session
    assert (
        response.context["form"]
        .errors["__all__"][0]
        .startswith(str(response.context["form"].error_messages["locked_out"])[:10])
    )
    # Failures stop being recorded once locked: the lock is not extended forever.
    assert LoginAttempt.objects.filter(username="grid_a").count() == 5


def test_one_persons_mistakes_do_not_lock_out_the_office_behind_one_address(personas):
    for _ in range(20):
        sign_in(Client(), "grid_a", "wrong", address="10.0.0.9")
    colleague = Client()
    sign_in(colleague, "grid_b", PASSWORD, address="10.0.0.9")
    assert colleague.session["_auth_user_id"] == str(personas["grid_b"].pk)
    # The locked user can still sign in from another address (e.g. their phone).
    elsewhere = Client()
    sign_in(elsewhere, "grid_a", PASSWORD, address="10.0.0.10")
    assert elsewhere.session["_auth_user_id"] == str(personas["grid_a"].pk)


def test_an_address_guessing_many_users_is_locked(personas, settings):
    settings.LOCKOUT_MAX_PER_ADDRESS = 10
    for i in range(10):
        sign_in(Client(), f"user{i}", "wrong", address="10.0.0.66")
    client = Client()
    sign_in(client, "grid_b", PASSWORD, address="10.0.0.66")
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_after_the_cooldown(personas, settings):
    from datetime import timedelta

    from django.utils import timezone

    for _ in range(5):
        sign_in(Client(), "grid_a", "wrong")
    LoginAttempt.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.LOCKOUT_WINDOW_SECONDS + 1)
    )
    client = Client()
    sign_in(client, "grid_a", PASSWORD)
    assert client.session["_auth_user_id"] == str(personas["grid_a"].pk)


def test_production_hashes_passwords_with_argon2():
    from tongchou import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_a_new_password_is_stored_as_argon2(db):
    from tongchou.core.models import User

    user = User.objects.create_user(username="x", password="a-long-password-9")
    assert user.password.startswith("argon2")


def test_idle_sessions_expire_and_every_request_extends_them():
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_forms_need_the_csrf_token(personas, people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["grid_a"])
    response = client.post(reverse("person-edit", args=[people["a"].pk]), {"name": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize("url", ["/", "/people/", "/grid/", "/tasks/", "/api/people/"])
def test_everything_but_the_login_page_needs_a_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code in (302, 401, 403)
    assert client.get(reverse("login")).status_code == 200
