"""A grid worker of grid A cannot list, search, open, export or change anyone of grid B."""

import pytest
from django.urls import reverse

from tongchou.core.models import AccessLog
from tongchou.registry.models import Person


def listed_names(response):
    return {p.name for p in response.context["people"]}


def test_it_lists_only_the_grid_workers_own_grid(client_for, people):
    response = client_for("grid_a").get(reverse("person-list"))
    assert listed_names(response) == {"张三", "李四"}


def test_a_community_head_sees_the_whole_community(client_for, people):
    response = client_for("community_head").get(reverse("person-list"))
    assert listed_names(response) == {"张三", "李四", "王五"}


def test_the_command_centre_sees_everyone(client_for, people):
    response = client_for("command").get(reverse("person-list"))
    assert listed_names(response) == {"张三", "李四", "王五", "赵六"}


@pytest.mark.parametrize("query", ["name", "id_number", "phone"])
def test_searching_for_another_grids_person_finds_nothing(client_for, people, query):
    value = getattr(people["b"], query)
    own = client_for("grid_b").get(reverse("person-list"), {"q": value})
    assert listed_names(own) == {"王五"}
    other = client_for("grid_a").get(reverse("person-list"), {"q": value})
    assert listed_names(other) == set()


def test_opening_another_grids_person_is_404(client_for, people):
    client = client_for("grid_a")
    assert client.get(reverse("person-detail", args=[people["a"].pk])).status_code == 200
    assert client.get(reverse("person-detail", args=[people["b"].pk])).status_code == 404
    assert client.get(reverse("person-detail", args=[999999])).status_code == 404


def test_changing_another_grids_person_is_404_and_changes_nothing(client_for, people, district):
    person = people["b"]
    response = client_for("grid_a").post(
        reverse("person-edit", args=[person.pk]),
        {"name": "改名", "area": district["grid_a"].pk},
    )
    assert response.status_code == 404
    person.refresh_from_db()
    assert person.name == "王五" and person.area == district["grid_b"]


def test_moving_ones_own_person_into_another_grid_is_refused(client_for, people, district):
    person = people["a"]
    response = client_for("grid_a").post(
        reverse("person-edit", args=[person.pk]),
        {"name": "李四", "area": district["grid_b"].pk},
    )
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.area == district["grid_a"]


def test_an_export_holds_only_the_users_people(client_for, people):
    response = client_for("grid_a").post(reverse("person-export"), {"file_format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "张三" in body and "李四" in body
    assert "王五" not in body and "赵六" not in body
    log = AccessLog.objects.get()
    assert log.row_count == 2 and log.kind == "export"


@pytest.mark.parametrize("persona", ["lab", "sampler", "nobody"])
def test_roles_without_residents_see_none(client_for, people, persona):
    client = client_for(persona)
    assert listed_names(client.get(reverse("person-list"))) == set()
    assert client.get(reverse("person-detail", args=[people["a"].pk])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, people):
    response = client.get(reverse("person-list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert Person.objects.count() == 4


def test_a_search_by_id_number_is_posted_and_never_stands_in_a_url(client_for, people):
    from django.urls import reverse

    client = client_for("grid_a")
    person = people["a1"]
    response = client.post(reverse("person-list"), {"q": person.id_number})
    assert response.status_code == 302
    location = response["Location"]
    assert person.id_number not in location and person.id_number[-6:] not in location
    page = client.get(location).content.decode()
    assert person.name in page and people["a"].name not in page
    # Another user's session does not have the search: it shows their unfiltered list.
    other = client_for("community_head").get(location).content.decode()
    assert people["b"].name in other
