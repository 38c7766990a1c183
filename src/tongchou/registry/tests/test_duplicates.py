from datetime import date

from django.urls import reverse

from tongchou.testing_support import PersonFactory, valid_id_number


def test_same_name_and_birth_date_are_shown_as_possible_duplicates(client_for, district):
    born = date(1975, 6, 1)
    for area in ("grid_a", "grid_a", "grid_b"):
        PersonFactory(
            name="陈明", birth_date=born, id_number=valid_id_number(born=born), area=district[area]
        )
    PersonFactory(name="陈明", birth_date=date(1976, 6, 1), area=district["grid_a"])
    groups = client_for("grid_a").get(reverse("person-duplicates")).context["groups"]
    assert [(g["name"], len(g["people"])) for g in groups] == [("陈明", 2)]
    groups = client_for("community_head").get(reverse("person-duplicates")).context["groups"]
    assert [(g["name"], len(g["people"])) for g in groups] == [("陈明", 3)]
    assert client_for("lab").get(reverse("person-duplicates")).status_code == 404
