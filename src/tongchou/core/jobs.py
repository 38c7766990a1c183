"""Background jobs from a database queue, with progress a page can poll.

A handler is registered under a kind with ``@job_handler("kind")`` and is
called as ``handler(job, progress)``; ``progress(done, total, message)``
commits the figures so a page and the CLI can show them. Workers claim jobs
with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the
immediate transaction serialises the claim. Any number of workers may run.
"""

import logging
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tongchou.core.choices import JobStatus
from tongchou.core.models import Job

logger = logging.getLogger(__name__)
_HANDLERS: dict[str, Callable] = {}


def job_handler(kind: str):
    """Register ``func`` as the handler of jobs of ``kind``."""

    def register(func):
        _HANDLERS[kind] = func
        return func

    return register


def job_enqueue(*, kind: str, params: dict, user=None) -> Job:
    """Queue a job; a worker picks it up once the current transaction commits."""
    if kind not in _HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    return Job.objects.create(kind=kind, params=params, created_by=user)


def _claim_next() -> Job | None:
    with transaction.atomic():
        queued = Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            queued = queued.select_for_update(skip_locked=True)
        job = queued.first()
        if job is None:
            return None
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
        return job


def job_run(job: Job, on_progress: Callable | None = None) -> Job:
    """Run one claimed job to the end, recording progress, result or failure."""

    def progress(done: int, total: int, message: str = "") -> None:
        Job.objects.filter(pk=job.pk).update(progress=done, total=total, message=message[:200])
        job.progress, job.total, job.message = done, total, message
        if on_progress:
            on_progress(done, total, message)

    try:
        result = _HANDLERS[job.kind](job, progress)
    except Exception as exc:
        logger.exception("job %s failed", job.pk)
        job.status = JobStatus.FAILED
        job.message = str(exc)[:200]
        job.result = {"error": str(exc), "trace": traceback.format_exc()[-2000:]}
    else:
        job.status = JobStatus.DONE
        job.result = result or {}
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "result", "finished_at"])
    return job


def run_pending_jobs(limit: int | None = None) -> int:
    """Run queued jobs until none are left (or ``limit`` ran); return how many ran."""
    ran = 0
    while limit is None or ran < limit:
        job = _claim_next()
        if job is None:
            break
        job_run(job)
        ran += 1
    return ran


def work_forever(stop: threading.Event | None = None, poll_seconds: float = 1.0) -> None:
    """The worker loop that ``tongchou serve`` and ``tongchou worker`` run."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            if not run_pending_jobs(limit=1):
                stop.wait(poll_seconds)
        except Exception:
            logger.exception("worker loop error")
            time.sleep(poll_seconds)
        finally:
            connection.close_if_unusable_or_obsolete()


def store_upload(upload) -> Path:
    """Save an uploaded file where jobs read their input, under a name nobody can guess."""
    folder = Path(settings.JOB_FILES_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    with path.open("wb") as fh:
        for part in upload.chunks():
            fh.write(part)
    return path
