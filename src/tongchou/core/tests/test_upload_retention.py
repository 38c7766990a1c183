"""Uploaded ledgers and error files hold whole ID numbers: ``tongchou purge`` deletes them
once their job has been finished for the retention period, and the pages then say so."""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tongchou.core.choices import JobStatus
from tongchou.core.jobs import job_enqueue, run_pending_jobs, store_upload
from tongchou.core.models import AuditEvent, Job
from tongchou.core.uploads import FILES_PURGED_KEY, job_dir, job_files_purge
from tongchou.registry.tasks import IMPORT_PEOPLE
from tongchou.testing_support import valid_id_number

LEDGER = "姓名,身份证号,联系电话,所属网格\n{good},{id_number},13812345678,GA\n坏,123,,GA\n"


def imported(client) -> Job:
    """A residents' ledger with one bad row, through the page and the worker."""
    text = LEDGER.format(good="居民", id_number=valid_id_number())
    upload = SimpleUploadedFile("台账.csv", text.encode("utf-8"), content_type="text/csv")
    response = client.post(reverse("person-import"), {"file": upload})
    assert response.status_code == 302
    assert run_pending_jobs() == 1
    job = Job.objects.latest("id")
    assert job.status == JobStatus.DONE and Path(job.result["error_file"]).exists()
    return job


def finished_days_ago(job: Job, days: int) -> None:
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=days))


def files_of(job: Job) -> list[Path]:
    return [Path(job.params["path"]), Path(job.result["error_file"])]


@pytest.fixture
def jobs(client_for, personas, tmp_path):
    client = client_for("grid_a")
    old, recent = imported(client), imported(client)
    finished_days_ago(old, 8)
    finished_days_ago(recent, 6)
    # A job still running, queued long ago: its upload and folder stay, whatever their age.
    running = job_enqueue(
        kind=IMPORT_PEOPLE,
        params={"path": str(store_upload(SimpleUploadedFile("大.csv", b"x")))},
        user=personas["grid_a"],
    )
    Job.objects.filter(pk=running.pk).update(
        status=JobStatus.RUNNING, created_at=timezone.now() - timedelta(days=30)
    )
    job_dir(running).mkdir(parents=True)
    (job_dir(running) / "errors.csv").write_text("partial")
    # ``tongchou import`` read the operator's own file: not the platform's to delete.
    own = tmp_path / "operator.csv"
    own.write_text("姓名\n")
    cli = Job.objects.create(
        kind=IMPORT_PEOPLE,
        params={"path": str(own)},
        status=JobStatus.DONE,
        finished_at=timezone.now() - timedelta(days=30),
    )
    return {"client": client, "old": old, "recent": recent, "running": running, "cli": cli}


def test_the_purge_deletes_an_old_finished_jobs_files_and_keeps_the_rest(jobs):
    old, recent, running = jobs["old"], jobs["recent"], jobs["running"]
    old_files, recent_files = files_of(old), files_of(recent)
    summary = job_files_purge()
    assert (summary["jobs"], summary["files"], summary["retention_days"]) == (2, 2, 7)
    assert not any(path.exists() for path in old_files)
    assert not job_dir(old).exists()
    assert all(path.exists() for path in recent_files)
    assert Path(running.params["path"]).exists() and job_dir(running).exists()
    assert Path(jobs["cli"].params["path"]).exists()

    old.refresh_from_db()
    assert "path" not in old.params and "error_file" not in old.result
    assert old.result[FILES_PURGED_KEY] and old.result["errors"] == 1  # figures stay
    jobs["cli"].refresh_from_db()
    assert "path" not in jobs["cli"].params
    event = AuditEvent.objects.get(action="jobfile.purge")
    assert event.after["files"] == 2 and event.reason == "保留期7天"
    # Run again: nothing left to do.
    assert job_files_purge()["files"] == 0


def test_an_expired_error_file_says_so_in_chinese(jobs):
    client, old = jobs["client"], jobs["old"]
    job_files_purge()
    expired = client.get(reverse("import-errors", args=[old.pk]))
    assert expired.status_code == 404
    assert "已过保留期并已删除" in expired.content.decode()
    page = client.get(reverse("import-job", args=[old.pk])).content.decode()
    assert 'id="error-file-expired"' in page and 'id="error-file"' not in page
    # The recent one still downloads.
    assert client.get(reverse("import-errors", args=[jobs["recent"].pk])).status_code == 200


def test_a_dry_run_reports_and_deletes_nothing(jobs):
    out = io.StringIO()
    call_command("purge", "--dry-run", stdout=out)
    assert "would delete 2 files" in out.getvalue()
    assert all(path.exists() for path in files_of(jobs["old"]))
    jobs["old"].refresh_from_db()
    assert "path" in jobs["old"].params and FILES_PURGED_KEY not in jobs["old"].result
    assert not AuditEvent.objects.filter(action="jobfile.purge").exists()

    call_command("purge", stdout=io.StringIO())
    assert not any(path.exists() for path in files_of(jobs["old"]))


def test_the_retention_is_a_setting_and_an_option(jobs, settings):
    settings.UPLOAD_RETENTION_DAYS = 10
    assert job_files_purge(dry_run=True)["jobs"] == 1  # the operator's, 30 days ago
    call_command("purge", "--upload-days", "5", stdout=io.StringIO())
    assert not any(path.exists() for path in files_of(jobs["recent"]))


def test_an_upload_no_job_reads_goes_after_the_retention_period(jobs):
    stray = store_upload(SimpleUploadedFile("丢.csv", b"x"))
    fresh = store_upload(SimpleUploadedFile("新.csv", b"x"))
    long_ago = (timezone.now() - timedelta(days=8)).timestamp()
    os.utime(stray, (long_ago, long_ago))
    # The running job's upload is as old, and stays.
    os.utime(jobs["running"].params["path"], (long_ago, long_ago))
    job_files_purge()
    assert not stray.exists() and fresh.exists()
    assert Path(jobs["running"].params["path"]).exists()
