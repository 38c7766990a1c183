"""Background jobs of the registry: the ledger import."""

from pathlib import Path

from django.conf import settings

from tongchou.common.spreadsheets import write_table
from tongchou.core.jobs import job_handler
from tongchou.core.models import User
from tongchou.registry.ledger import people_import

IMPORT_PEOPLE = "registry.import_people"


def job_dir(job) -> Path:
    return Path(settings.JOB_FILES_DIR) / str(job.pk)


@job_handler(IMPORT_PEOPLE)
def import_people(job, progress) -> dict:
    """Import the uploaded ledger; write the rejected rows to an error file beside it."""
    actor = User.objects.get(pk=job.params["actor_id"]) if job.params.get("actor_id") else None
    path = Path(job.params["path"])
    # A file that is no ledger at all raises SpreadsheetError: the job fails with its reason.
    report = people_import(actor=actor, path=path, progress=progress)
    result = report.summary()
    if report.errors:
        suffix = ".xlsx" if path.suffix.lower() == ".xlsx" else ".csv"
        error_file = job_dir(job) / f"errors{suffix}"
        write_table(
            error_file,
            ["行号", "错误原因", *report.header],
            ([line, reason, *raw] for line, reason, raw in report.errors),
        )
        result["error_file"] = str(error_file)
        result["first_errors"] = [[line, reason] for line, reason, _raw in report.errors[:20]]
    if report.warnings:
        result["first_warnings"] = [list(w) for w in report.warnings[:20]]
    return result
