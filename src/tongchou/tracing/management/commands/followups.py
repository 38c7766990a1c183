"""``tongchou followups``: a task for every person under control whose follow-up is overdue."""

from django.core.management.base import BaseCommand

from tongchou.tracing.services import followups_overdue_alert


class Command(BaseCommand):
    help = (
        "Give the grid workers a task for each person under control whose daily follow-up "
        "is overdue (run it from cron after TONGCHOU_FOLLOWUP_DUE_HOUR); repeating it adds "
        "no second task for the same person."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"overdue follow-ups: {followups_overdue_alert()}")
