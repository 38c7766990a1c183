"""List pages take a fixed number of queries, however many rows they show."""

import pytest
from django.urls import reverse

from tongchou.testing_support import PersonFactory


@pytest.mark.parametrize("rows", [5, 40])
def test_the_people_list_has_no_n_plus_one(
    client_for, district, rows, django_assert_max_num_queries
):
    PersonFactory.create_batch(rows, area=district["building_a1"])
    client = client_for("grid_a")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("person-list"))
    assert len(response.context["people"]) == rows


def test_the_job_page_is_its_owners_only(client_for, personas, tmp_path):
    from tongchou.core.jobs import job_enqueue
    from tongchou.registry.tasks import IMPORT_PEOPLE

    job = job_enqueue(
        kind=IMPORT_PEOPLE, params={"path": str(tmp_path / "x.csv")}, user=personas["grid_a"]
    )
    assert client_for("grid_a").get(reverse("import-job", args=[job.pk])).status_code == 200
    assert client_for("grid_b").get(reverse("import-job", args=[job.pk])).status_code == 404
    assert client_for("command").get(reverse("import-errors", args=[job.pk])).status_code == 404
