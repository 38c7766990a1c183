"""``tongchou worker``: run background jobs from the database queue until stopped."""

from django.core.management.base import BaseCommand

from tongchou.core.jobs import work_forever


class Command(BaseCommand):
    help = "Run queued background jobs (imports, exports) until interrupted."

    def handle(self, *args, **options):
        self.stdout.write("job worker started")
        try:
            work_forever()
        except KeyboardInterrupt:
            pass
