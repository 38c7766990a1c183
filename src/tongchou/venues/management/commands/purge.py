"""``tongchou purge``: delete check-ins older than the retention period, unless held, and
the uploaded ledgers and error files of jobs finished longer ago than theirs."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongchou.core.uploads import job_files_purge
from tongchou.venues.retention import checkins_purge


class Command(BaseCommand):
    help = (
        "Delete check-ins (whereabouts) older than the retention period "
        "(TONGCHOU_CHECKIN_RETENTION_DAYS, default 28) unless a tracing file holds them, "
        "and the uploaded ledgers and error files of jobs finished more than "
        "TONGCHOU_UPLOAD_RETENTION_DAYS (default 7) ago; each deletion is written to the "
        "audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"retention of check-ins in days (default {settings.CHECKIN_RETENTION_DAYS})",
        )
        parser.add_argument(
            "--upload-days",
            type=int,
            default=None,
            help=f"retention of job files in days (default {settings.UPLOAD_RETENTION_DAYS})",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would go; delete nothing"
        )

    def handle(self, *args, days=None, upload_days=None, dry_run=False, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1")
        if upload_days is not None and upload_days < 1:
            raise CommandError("--upload-days must be at least 1")
        summary = checkins_purge(days=days, dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(
            f"check-ins before {summary['cutoff']} (retention {summary['retention_days']} days): "
            f"{verb} {summary['deleted']}, "
            f"held by tracing files {summary['held']}"
        )
        files = job_files_purge(days=upload_days, dry_run=dry_run)
        self.stdout.write(
            f"job files of jobs finished before {files['cutoff']} "
            f"(retention {files['retention_days']} days): "
            f"{verb} {files['files']} files (of {files['jobs']} finished jobs, and stray uploads)"
        )
