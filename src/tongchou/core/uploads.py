"""Files in and out of the pages: ledgers uploaded for a background job (the upload
page, the job's page with its progress, the file of rejected rows), and spreadsheets
exported while the user waits.

The residents' ledger, the venue survey ledger and a lab's results file come in the
same way: the page stores the file and queues a job; a worker (or, for the ledgers,
``tongchou import`` with a progress bar) runs the app's importer; the job keeps the
figures and writes the rejected rows, with their reasons, beside the upload. An app
declares its import once with ``ledger_import`` and gets the job handler; its pages
subclass the views below.

Uploads and error files hold whole ID numbers: ``job_files_purge`` (run by ``tongchou
purge``) deletes them once their job has been finished for the retention period.
"""

import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views import View

from tongchou.common.spreadsheets import write_table
from tongchou.core.choices import JobStatus
from tongchou.core.jobs import job_enqueue, job_handler, store_upload
from tongchou.core.models import Job, User
from tongchou.core.views import RoleRequiredMixin

# ``tongchou import NAME FILE``: the job kind of each ledger import, by NAME.
LEDGER_IMPORTS: dict[str, str] = {}


def job_dir(job) -> Path:
    """Where a job writes its files (the error file of an import)."""
    return Path(settings.JOB_FILES_DIR) / str(job.pk)


def _ledger_error_table(report) -> tuple[list, list[list]]:
    # A ledger's rejected rows go back whole, so they can be corrected and uploaded again.
    return (
        ["行号", "错误原因", *report.header],
        [[line, reason, *raw] for line, reason, raw in report.errors],
    )


def ledger_import(
    kind: str,
    *,
    importer: Callable,
    name: str | None = None,
    job_params: tuple[str, ...] = (),
    error_table: Callable = _ledger_error_table,
    shown_columns: int = 2,
    summary: Callable | None = None,
) -> Callable:
    """Register the job handler of an import: ``importer(actor=, path=, progress=)``
    returns a report (``registry.ledger.ImportReport``, or any with ``errors`` and
    ``summary()``); a file that is no ledger at all raises SpreadsheetError and the job
    fails with its reason.

    ``name`` offers it to ``tongchou import NAME FILE``; ``job_params`` names params of
    the job passed on to the importer too (``file_name``). ``error_table(report)`` gives
    the header and rows of the error file, each row starting with the ``shown_columns``
    the job's page shows (by default the line and the reason, then the row as read);
    ``summary(report)`` the job's result (by default ``report.summary()``).
    """

    def handler(job, progress) -> dict:
        actor_id = job.params.get("actor_id")
        actor = User.objects.get(pk=actor_id) if actor_id else None
        path = Path(job.params["path"])
        extra = {param: job.params[param] for param in job_params if param in job.params}
        report = importer(actor=actor, path=path, progress=progress, **extra)
        result = summary(report) if summary else report.summary()
        if report.errors:
            header, rows = error_table(report)
            suffix = ".xlsx" if path.suffix.lower() == ".xlsx" else ".csv"
            error_file = job_dir(job) / f"errors{suffix}"
            write_table(error_file, header, rows)
            result["error_file"] = str(error_file)
            result["first_errors"] = [list(row[:shown_columns]) for row in rows[:20]]
        if getattr(report, "warnings", None):
            result["first_warnings"] = [list(w) for w in report.warnings[:20]]
        return result

    if name:
        LEDGER_IMPORTS[name] = kind
    return job_handler(kind)(handler)


def _own_job(request, pk, kind: str) -> Job:
    # Another user's job reads as missing, whoever they are.
    return get_object_or_404(Job.objects.restrict(request.user), pk=pk, kind=kind)


class LedgerUploadView(RoleRequiredMixin, View):
    """Take a ledger and queue its import; the page lists the user's recent imports."""

    job_kind: str
    form_class: type
    template_name: str
    job_url_name: str

    def render_page(self, request, form, status=200):
        jobs = Job.objects.restrict(request.user).filter(kind=self.job_kind)[:10]
        return render(request, self.template_name, {"form": form, "jobs": jobs}, status=status)

    def get(self, request):
        return self.render_page(request, self.form_class())

    def post(self, request):
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        upload = form.cleaned_data["file"]
        path = store_upload(upload)
        job = job_enqueue(
            kind=self.job_kind,
            params={"path": str(path), "actor_id": request.user.pk, "file_name": upload.name},
            user=request.user,
        )
        return redirect(self.job_url_name, pk=job.pk)


# What the job's page shows of a ledger import's result: (label, result key, element id).
LEDGER_FIGURES = (
    (_("Rows read"), "rows", "rows"),
    (pgettext_lazy("import rows", "Created"), "created", "created"),
    (_("Updated"), "updated", "updated"),
    (_("Unchanged"), "unchanged", "unchanged"),
    (_("Rejected"), "errors", "rejected"),
)


class LedgerImportJobView(View):
    """An import's page; htmx polls the progress fragment until the job is finished."""

    job_kind: str
    job_url_name: str
    errors_url_name: str
    upload_url_name: str
    heading = _("Import")
    again_label = _("Import another file")
    figures = LEDGER_FIGURES
    # The columns of the first rejected rows shown (``shown_columns`` of ledger_import).
    error_columns = (_("Line"), _("Reason"))
    template_name = "uploads/import_job.html"
    fragment_template_name = "uploads/_import_progress.html"

    def get(self, request, pk):
        job = _own_job(request, pk, self.job_kind)
        template = (
            self.fragment_template_name if request.headers.get("HX-Request") else self.template_name
        )
        context = {
            "job": job,
            "heading": self.heading,
            "again_label": self.again_label,
            "figures": [
                (label, job.result.get(key), element_id) for label, key, element_id in self.figures
            ],
            "error_columns": self.error_columns,
            "job_url": reverse(self.job_url_name, args=[job.pk]),
            "errors_url": reverse(self.errors_url_name, args=[job.pk]),
            "upload_url": reverse(self.upload_url_name),
        }
        return render(request, template, context)


class LedgerImportErrorsView(View):
    """The rejected rows of one of the user's own imports, with the reasons."""

    job_kind: str
    file_title: str  # the download's name, before ``_<job id>.xlsx``

    def get(self, request, pk):
        job = _own_job(request, pk, self.job_kind)
        if job.result.get(FILES_PURGED_KEY):
            context = {"job": job, "retention_days": settings.UPLOAD_RETENTION_DAYS}
            return render(request, "uploads/file_expired.html", context, status=404)
        error_file = job.result.get("error_file")
        if not error_file or not Path(error_file).is_relative_to(job_dir(job)):
            raise Http404
        return FileResponse(
            open(error_file, "rb"),  # noqa: SIM115  (the response closes it)
            as_attachment=True,
            filename=f"{self.file_title}_{job.pk}{Path(error_file).suffix}",
        )


# Set in a job's result when its files were deleted: the pages then say the file expired.
FILES_PURGED_KEY = "files_purged_at"


def _uploads_dir() -> Path:
    return Path(settings.JOB_FILES_DIR) / "uploads"


def _job_files(job) -> list[Path]:
    """The files of ``job`` kept under the job files folder: its upload and its own folder.

    ``tongchou import`` passes the operator's own file, wherever it lies: that one is
    not the platform's to delete.
    """
    files = []
    upload = job.params.get("path")
    if upload and Path(upload).resolve().is_relative_to(_uploads_dir().resolve()):
        files.append(Path(upload))
    if job_dir(job).exists():
        files.append(job_dir(job))
    return files


def _stray_uploads(cutoff, purged: list) -> list[Path]:
    """Uploads older than ``cutoff`` that no job holds (a queueing that failed), besides
    the ``purged`` jobs' own."""
    folder = _uploads_dir()
    if not folder.is_dir():
        return []
    holding = Job.objects.filter(params__has_key="path").exclude(pk__in=[j.pk for j in purged])
    wanted = {str(Path(p).resolve()) for p in holding.values_list("params__path", flat=True) if p}
    wanted |= {str(Path(j.params["path"]).resolve()) for j in purged if j.params.get("path")}
    return [
        path
        for path in folder.iterdir()
        if path.is_file()
        and path.stat().st_mtime < cutoff.timestamp()
        and str(path.resolve()) not in wanted
    ]


def job_files_purge(*, actor=None, now=None, days: int | None = None, dry_run=False) -> dict:
    """Delete the uploads and error files of jobs finished before the retention period,
    clear the paths their jobs kept, and write one audit event saying how many and why.

    Queued and running jobs keep their files, whatever their age.
    """
    from tongchou.core.services import audit_record

    days = settings.UPLOAD_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    jobs = list(
        Job.objects.filter(
            Q(params__has_key="path") | Q(result__has_key="error_file"),
            status__in=[JobStatus.DONE, JobStatus.FAILED],
            finished_at__lt=cutoff,
        )
    )
    files = [path for job in jobs for path in _job_files(job)] + _stray_uploads(cutoff, jobs)
    if not dry_run:
        purged_at = timezone.now().isoformat()
        for path in files:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        for job in jobs:
            job.params.pop("path", None)
            job.result.pop("error_file", None)
            job.result[FILES_PURGED_KEY] = purged_at
            job.save(update_fields=["params", "result"])
    summary = {
        "cutoff": cutoff.isoformat(),
        "retention_days": days,
        "jobs": len(jobs),
        "files": len(files),
        "dry_run": dry_run,
    }
    if not dry_run:
        audit_record(
            actor=actor,
            action="jobfile.purge",
            object_type="core.job",
            object_repr=f"< {cutoff:%Y-%m-%d %H:%M}",
            after=summary,
            reason=f"保留期{days}天",
        )
    return summary
