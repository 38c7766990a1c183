"""A lab's results file goes through the shared upload (core.uploads): its job page and
error file show tube barcodes only, and only to the lab that uploaded it."""

import csv
import io
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tongchou.core.jobs import run_pending_jobs
from tongchou.testing import services


@pytest.fixture
def results_job(client_for, site, personas, people):
    sampler = personas["sampler"]
    services.tube_open(actor=sampler, site=site, barcode="F1", kind="pool10")
    services.sample_scan(
        actor=sampler, tube_barcode="F1", code_token=people["a"].code_token, idempotency_key="f1"
    )
    # A lab's own file may carry more than the two columns read: none of it comes back.
    sheet = "试管条码,检测结果,送检人\nF1,阳性,送检人甲\nF9,阴性,送检人乙\n,阴性,送检人丙\n"
    client = client_for("lab")
    response = client.post(
        reverse("results-upload"), {"file": SimpleUploadedFile("r.csv", sheet.encode())}
    )
    run_pending_jobs()
    return client, int(response["Location"].rstrip("/").split("/")[-1])


def test_the_job_page_shows_figures_and_rejected_tubes_by_barcode(results_job):
    client, pk = results_job
    page = client.get(reverse("results-job", args=[pk]))
    assert [t.name for t in page.templates][0] == "uploads/import_job.html"
    figures = {element_id: value for _label, value, element_id in page.context["figures"]}
    assert figures == {"rows": 3, "applied": 1, "unchanged": 0, "positives": 1, "rejected": 2}
    assert [row[1] for row in page.context["job"].result["first_errors"]] == ["F9", ""]
    assert page.context["job"].result["positive_tubes"] == ["F1"]
    assert "送检人" not in page.content.decode()
    fragment = client.get(reverse("results-job", args=[pk]), HTTP_HX_REQUEST="true")
    assert [t.name for t in fragment.templates][0] == "uploads/_import_progress.html"
    assert 'id="error-file"' in fragment.content.decode()
    assert str(pk) in client.get(reverse("results-upload")).content.decode()


def test_the_error_file_holds_the_line_the_tube_and_the_reason_only(results_job):
    client, pk = results_job
    response = client.get(reverse("results-errors", args=[pk]))
    assert response.status_code == 200
    assert quote(f"结果错误_{pk}.csv") in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["行号", "试管条码", "错误原因"]
    assert [row[:2] for row in rows[1:]] == [["3", "F9"], ["4", ""]]
    assert "送检人" not in text


@pytest.mark.parametrize("who", ["other_lab", "grid_a", "command"])
def test_another_labs_or_a_non_lab_users_reaches_no_results_job(
    results_job, personas, other_lab, who
):
    _client, pk = results_job
    client = Client()
    client.force_login(other_lab if who == "other_lab" else personas[who])
    for name in ("results-job", "results-errors"):
        assert client.get(reverse(name, args=[pk])).status_code == 404
    assert client.get(reverse("results-job", args=[pk]), HTTP_HX_REQUEST="true").status_code == 404
