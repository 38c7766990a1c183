"""Every page renders for the people who use it."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("persona", ["command", "office_head", "community_head", "grid_a", "lab"])
@pytest.mark.parametrize(
    "page", ["home", "grid-tree", "person-list", "my-tasks", "overdue-tasks", "tokens"]
)
def test_it_renders(client_for, people, persona, page):
    response = client_for(persona).get(reverse(page))
    assert response.status_code == 200


def test_person_pages_render(client_for, people):
    client = client_for("grid_a")
    for name in ("person-detail", "person-edit"):
        assert client.get(reverse(name, args=[people["a"].pk])).status_code == 200
    assert client.get(reverse("person-create")).status_code == 200
    assert client.get(reverse("person-import")).status_code == 200


def test_command_pages_are_the_command_centres_only(client_for, personas):
    for page in ("user-list", "user-create", "access-log"):
        assert client_for("command").get(reverse(page)).status_code == 200
        assert client_for("community_head").get(reverse(page)).status_code == 404


def test_the_grid_tree_counts_people_per_subtree(client_for, people):
    nodes = client_for("command").get(reverse("grid-tree")).context["nodes"]
    population = {n["code"]: n["population"] for n in nodes}
    assert population == {
        "D": 4,
        "O1": 3,
        "C1": 3,
        "GA": 2,
        "BA1": 1,
        "GB": 1,
        "O2": 1,
        "C3": 1,
        "GC": 1,
    }
    own = client_for("grid_a").get(reverse("grid-tree")).context["nodes"]
    assert {n["code"] for n in own} == {"GA", "BA1"}
