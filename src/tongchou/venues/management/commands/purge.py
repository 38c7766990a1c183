"""``tongchou purge``: delete check-ins older than the retention period, unless held."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongchou.venues.retention import checkins_purge


class Command(BaseCommand):
    help = (
        "Delete check-ins (whereabouts) older than the retention period "
        "(TONGCHOU_CHECKIN_RETENTION_DAYS, default 28) unless a tracing file holds them; "
        "the deletion is written to the audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"retention in days (default {settings.CHECKIN_RETENTION_DAYS})",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would go; delete nothing"
        )

    def handle(self, *args, days=None, dry_run=False, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1")
        summary = checkins_purge(days=days, dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(
            f"check-ins before {summary['cutoff']} (retention {summary['retention_days']} days): "
            f"{verb} {summary['deleted']}, "
            f"held by tracing files {summary['held']}"
        )
