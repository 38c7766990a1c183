"""The API restricts and masks exactly as the pages do, behind the user's own tokens."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tongchou.core.models import AccessLog, ApiToken
from tongchou.core.services import api_token_create
from tongchou.registry.models import Person
from tongchou.testing_support import valid_id_number


@pytest.fixture
def api_for(personas):
    def make(name):
        _token, key = api_token_create(user=personas[name], name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    return make


def names(response):
    return {p["name"] for p in response.json()["results"]}


def test_the_api_lists_only_the_callers_people_masked(api_for, people):
    response = api_for("grid_a").get("/api/people/")
    assert names(response) == {"张三", "李四"}
    zhang = next(p for p in response.json()["results"] if p["name"] == "张三")
    assert (
        zhang["id_number"] == f"{people['a1'].id_number[:4]}**********{people['a1'].id_number[-4:]}"
    )
    assert zhang["phone"] == "138****5678"


@pytest.mark.parametrize("param", ["id_number", "phone", "q"])
def test_exact_lookups_do_not_cross_grids(api_for, people, param):
    value = people["b"].id_number if param != "phone" else people["b"].phone
    assert names(api_for("grid_b").get("/api/people/", {param: value})) == {"王五"}
    assert names(api_for("grid_a").get("/api/people/", {param: value})) == set()


def test_another_grids_person_by_id_is_404(api_for, people):
    client = api_for("grid_a")
    assert client.get(f"/api/people/{people['a'].pk}/").status_code == 200
    assert client.get(f"/api/people/{people['b'].pk}/").status_code == 404
    assert (
        client.patch(
            f"/api/people/{people['b'].pk}/", {"name": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert Person.objects.get(pk=people["b"].pk).name == "王五"


def test_creating_through_the_api_uses_the_same_checks(api_for, district):
    client = api_for("grid_a")
    bad = client.post(
        "/api/people/",
        {"name": "甲", "id_number": "123", "area_code": "GA"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "18位" in str(bad.json())
    elsewhere = client.post(
        "/api/people/",
        {"name": "乙", "id_number": valid_id_number(), "area_code": "GB"},
        content_type="application/json",
    )
    assert elsewhere.status_code == 404
    good = client.post(
        "/api/people/",
        {"name": "丙", "id_number": valid_id_number(), "area_code": "GA", "tags": ["elderly_home"]},
        content_type="application/json",
    )
    assert good.status_code == 201, good.json()
    assert Person.objects.get(name="丙").tags == ",elderly_home,"
    assert set(Person.objects.values_list("name", flat=True)) == {"丙"}


def test_reveal_through_the_api_is_logged(api_for, people):
    client = api_for("grid_a")
    url = f"/api/people/{people['a1'].pk}/reveal/"
    assert client.post(url, {}, content_type="application/json").status_code == 400
    response = client.post(url, {"reason": "核对身份"}, content_type="application/json")
    assert response.json()["id_number"] == people["a1"].id_number
    assert AccessLog.objects.get().reason == "核对身份"
    assert (
        client.post(
            f"/api/people/{people['b'].pk}/reveal/",
            {"reason": "核对身份"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_a_revoked_or_wrong_token_is_refused(personas, people):
    token, key = api_token_create(user=personas["grid_a"], name="gate")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/people/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    # The token acts as its user: the same scope as the user's own pages.
    names = {p["name"] for p in client.get("/api/people/").json()["results"]}
    assert people["a1"].name in names and people["b"].name not in names
    personas["grid_a"].is_active = False
    personas["grid_a"].save()
    assert client.get("/api/people/").status_code == 401
    personas["grid_a"].is_active = True
    personas["grid_a"].save()
    token.revoked_at = token.created_at
    token.save()
    assert client.get("/api/people/").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer tc_nonsense").get("/api/people/").status_code == 401
    assert Client().get("/api/people/").status_code in (401, 403)


def test_users_make_and_revoke_their_own_tokens_on_a_page(client_for, personas):
    client = client_for("grid_a")
    response = client.post(reverse("tokens"), {"name": "采样设备"})
    key = re.search(r"tc_[\w-]+", response.content.decode()).group(0)
    token = ApiToken.objects.get(user=personas["grid_a"])
    assert token.key_hash == ApiToken.hash_key(key) and key not in str(token.__dict__)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/areas/").status_code == 200
    # Someone else's token cannot be revoked: 404, and it keeps working.
    assert client_for("grid_b").post(reverse("token-revoke", args=[token.pk])).status_code == 404
    client.post(reverse("token-revoke", args=[token.pk]))
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/areas/").status_code == 401


def test_areas_and_households_are_scoped(api_for, people):
    codes = {a["code"] for a in api_for("grid_a").get("/api/areas/").json()["results"]}
    assert codes == {"GA", "BA1"}
    assert api_for("grid_a").get("/api/areas/GB/").status_code == 404


def test_the_schema_and_its_docs_page_are_served_without_a_cdn(client_for, db, personas):
    client = client_for("command")
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/people/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger" in docs.lower()
    assert not re.search(r"src=\"https?://", docs) and not re.search(r"href=\"https?://", docs)


def test_listing_people_takes_a_fixed_number_of_queries(
    api_for, district, django_assert_max_num_queries
):
    from tongchou.testing_support import PersonFactory

    PersonFactory.create_batch(30, area=district["grid_a"])
    client = api_for("grid_a")
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/people/").json()["results"]) == 30
