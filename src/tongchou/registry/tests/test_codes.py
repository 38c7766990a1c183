"""Personal codes: a household's printable sheet (scoped) and a resident's own phone page."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from tongchou.common.qr import qr_svg
from tongchou.registry.codes import personal_code_payload, token_from_personal_code
from tongchou.registry.models import Household


@pytest.fixture
def household(district, people):
    """张三 and 李四 of grid A share a household with 王五, who has moved to grid B."""
    home = Household.objects.create(area=district["grid_a"], number="1-101")
    for key in ("a1", "a", "b"):
        people[key].household = home
        people[key].save(update_fields=["household"])
    return home


def codes_url(household):
    return reverse("household-codes", args=[household.pk])


def test_the_sheet_shows_each_member_in_scope_with_a_masked_id_and_their_qr(
    client_for, household, people
):
    response = client_for("grid_a").get(codes_url(household))
    assert response.status_code == 200
    html = response.content.decode()
    cards = {card["person"].name for card in response.context["cards"]}
    assert cards == {"张三", "李四"}  # 王五 lives in grid B now: not grid A's to print
    zhang = people["a1"]
    assert f"{zhang.id_number[:4]}{'*' * 10}{zhang.id_number[-4:]}" in html
    assert zhang.id_number not in html and zhang.phone not in html
    assert qr_svg(personal_code_payload(zhang.code_token)) in html


def test_a_community_head_prints_the_whole_household(client_for, household):
    response = client_for("community_head").get(codes_url(household))
    assert {card["person"].name for card in response.context["cards"]} == {"张三", "李四", "王五"}


@pytest.mark.parametrize("persona", ["grid_b", "grid_c", "sampler", "lab", "nobody"])
def test_a_household_out_of_scope_is_404(client_for, household, persona):
    assert client_for(persona).get(codes_url(household)).status_code == 404


def test_a_household_that_does_not_exist_is_404(client_for, db):
    assert client_for("command").get(reverse("household-codes", args=[999999])).status_code == 404


def test_a_residents_own_page_needs_no_account_and_shows_only_the_code_and_masked_name(
    people,
):
    zhang = people["a1"]
    response = Client().get(reverse("resident-code", args=[zhang.code_token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "张*" in html and "张三" not in html
    assert zhang.id_number not in html and zhang.id_number[-4:] not in html
    assert zhang.phone not in html and zhang.phone[-4:] not in html
    assert zhang.address not in html
    assert qr_svg(personal_code_payload(zhang.code_token)) in html
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_made_up_token_is_404(db):
    assert Client().get(reverse("resident-code", args=["not-a-real-token"])).status_code == 404


def test_the_code_holds_the_token_only_and_reads_back_to_it(people):
    token = people["a1"].code_token
    payload = personal_code_payload(token)
    assert payload == f"TCP:{token}" and people["a1"].id_number not in payload
    assert token_from_personal_code(f"  {payload}\n") == token
    assert token_from_personal_code(token) == token


def test_two_people_cannot_share_a_code_token(people):
    # The token is unique by a constraint (and looked up by a hash index on PostgreSQL).
    with pytest.raises(IntegrityError), transaction.atomic():
        people["b"].code_token = people["a"].code_token
        people["b"].save(update_fields=["code_token"])


def test_on_postgresql_the_token_is_found_through_its_hash_index(people):
    if connection.vendor != "postgresql":
        pytest.skip("hash indexes are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM registry_person WHERE code_token = %s",
            [people["a"].code_token],
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "person_code_token_hash" in plan
