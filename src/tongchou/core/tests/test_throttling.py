"""API throttling: uploads and searches per user, wrong tokens per address, counted in
the database cache that ``migrate`` creates."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tongchou.core.models import ApiToken
from tongchou.core.services import api_token_create


@pytest.fixture
def api_for(personas):
    def make(name, address="10.1.1.1"):
        _token, key = api_token_create(user=personas[name], name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR=address)

    return make


@pytest.fixture
def rates(settings):
    """``rates(upload="2/min")``: lower some rates for one test."""

    def lower(**scoped):
        settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, **scoped}

    return lower


def assert_throttled_in_chinese(response):
    assert response.status_code == 429
    detail = response.json()["detail"]
    assert detail.startswith("请求过于频繁。请 ") and detail.endswith(" 秒后再试。"), detail
    assert int(response["Retry-After"]) > 0


def test_it_creates_the_cache_table_in_migrate(db):
    """Django's test runner makes cache tables itself: check the migration on its own."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.db.migrations.recorder import MigrationRecorder

    assert ("core", "0006_cache_table") in MigrationRecorder(connection).applied_migrations()
    migration = import_module("tongchou.core.migrations.0006_cache_table")

    def execute(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)

    editor = SimpleNamespace(
        connection=connection, execute=execute, quote_name=connection.ops.quote_name
    )
    migration.drop_cache_tables(None, editor)
    assert "tongchou_cache" not in connection.introspection.table_names()
    migration.create_cache_tables(None, editor)
    assert "tongchou_cache" in connection.introspection.table_names()


def test_it_refuses_a_users_uploads_over_the_rate(api_for, rates):
    rates(upload="2/min")
    lab = api_for("lab")
    url = reverse("api:testing-results")
    for _ in range(2):
        assert lab.post(url, {"results": []}, content_type="application/json").status_code != 429
    assert_throttled_in_chinese(lab.post(url, {"results": []}, content_type="application/json"))


def test_it_counts_uploads_per_user_and_not_other_calls(api_for, rates):
    rates(upload="1/min")
    url = reverse("api:testing-results")
    api_for("lab").post(url, {"results": []}, content_type="application/json")
    lab = api_for("lab")  # another token of the same user: the same count
    assert lab.post(url, {"results": []}, content_type="application/json").status_code == 429
    # Reading is not uploading, and another user has a count of their own.
    assert lab.get(reverse("api:testing-sites")).status_code != 429
    sampler = api_for("sampler")
    response = sampler.post(
        reverse("api:testing-scan-batch"), {"scans": []}, content_type="application/json"
    )
    assert response.status_code != 429


def test_it_refuses_searches_over_the_rate_but_not_plain_lists(api_for, rates, people):
    rates(search="2/min")
    grid_a = api_for("grid_a")
    for query in ("张三", "110101", "13812345678"):
        grid_a.get("/api/people/", {"q": query})
    assert_throttled_in_chinese(grid_a.get("/api/people/", {"phone": "13812345678"}))
    assert grid_a.get("/api/people/").status_code == 200
    assert api_for("grid_b").get("/api/people/", {"q": "王五"}).status_code == 200


def test_it_refuses_every_token_from_an_address_that_sent_too_many_wrong_ones(
    api_for, rates, personas
):
    rates(token_failure="3/hour")
    guesser = Client(HTTP_AUTHORIZATION="Bearer tc_wrong", REMOTE_ADDR="10.6.6.6")
    for _ in range(3):
        assert guesser.get("/api/people/").status_code == 401
    assert_throttled_in_chinese(guesser.get("/api/people/"))
    # Over the rate a good token is refused as well: the answer tells nothing about it.
    assert_throttled_in_chinese(api_for("grid_a", address="10.6.6.6").get("/api/people/"))
    assert api_for("grid_a", address="10.6.6.7").get("/api/people/").status_code == 200


def test_it_counts_a_revoked_token_as_a_wrong_one(api_for, rates, personas):
    from django.utils import timezone

    rates(token_failure="1/hour")
    client = api_for("grid_a", address="10.6.6.8")
    ApiToken.objects.update(revoked_at=timezone.now())
    assert client.get("/api/people/").status_code == 401
    assert client.get("/api/people/").status_code == 429


def test_it_takes_the_address_from_remote_addr_not_x_forwarded_for(rates, db):
    rates(token_failure="2/hour")
    for n in range(2):
        Client(
            HTTP_AUTHORIZATION="Bearer tc_wrong",
            REMOTE_ADDR="10.6.6.9",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        ).get("/api/people/")
    client = Client(
        HTTP_AUTHORIZATION="Bearer tc_wrong",
        REMOTE_ADDR="10.6.6.9",
        HTTP_X_FORWARDED_FOR="10.0.0.9",
    )
    assert client.get("/api/people/").status_code == 429
