"""Absolute lifetimes: a session ends a fixed time after its sign-in however active it
is, and an API token a fixed number of days after it was made."""

import time
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongchou.core.middleware import SIGNED_IN_AT
from tongchou.core.models import ApiToken
from tongchou.core.services import api_token_create
from tongchou.testing_support import PASSWORD


def signed_in(personas, name="grid_a") -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": name, "password": PASSWORD})
    assert response.status_code == 302
    return client


def age_session(client, seconds):
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - seconds
    session.save()


def test_it_notes_when_the_session_signed_in(personas):
    before = int(time.time())
    client = signed_in(personas)
    assert before <= client.session[SIGNED_IN_AT] <= int(time.time())


def test_it_signs_out_a_session_older_than_its_lifetime_though_active(personas, settings):
    client = signed_in(personas)
    # Active all along: a request a minute ago kept it within the idle timeout.
    age_session(client, settings.SESSION_MAX_SECONDS + 60)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert "登录已满 12 小时，请重新登录。" in client.get(response["Location"]).content.decode()
    # The API with such a session's cookie is refused too.
    api = signed_in(personas, "grid_b")
    age_session(api, settings.SESSION_MAX_SECONDS + 1)
    assert api.get("/api/people/").status_code in (401, 403)


def test_it_keeps_a_session_within_its_lifetime(personas, settings):
    client = signed_in(personas)
    age_session(client, settings.SESSION_MAX_SECONDS - 60)
    assert client.get(reverse("home")).status_code == 200
    assert client.session["_auth_user_id"] == str(personas["grid_a"].pk)


def test_the_default_lifetime_is_twelve_hours():
    from tongchou import settings as project_settings

    assert project_settings.SESSION_MAX_SECONDS == 12 * 3600
    assert project_settings.API_TOKEN_MAX_DAYS == 90


def test_it_writes_no_session_for_an_api_token(personas):
    _token, key = api_token_create(user=personas["grid_a"], name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.get("/api/people/")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def token_client(personas, age_days):
    token, key = api_token_create(user=personas["grid_a"], name="t")
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - timedelta(days=age_days)
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_it_refuses_a_token_older_than_its_lifetime_in_chinese(personas, settings):
    response = token_client(personas, settings.API_TOKEN_MAX_DAYS + 1).get("/api/people/")
    assert response.status_code == 401
    assert "有效期" in response.json()["detail"]


def test_it_accepts_a_token_within_its_lifetime(personas, settings):
    client = token_client(personas, settings.API_TOKEN_MAX_DAYS - 1)
    assert client.get("/api/people/").status_code == 200
    assert ApiToken.objects.get().last_used_at is not None  # its use is still recorded


def test_the_token_lifetime_is_a_setting(personas, settings):
    settings.API_TOKEN_MAX_DAYS = 1
    assert token_client(personas, 2).get("/api/people/").status_code == 401
