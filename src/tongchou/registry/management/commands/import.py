"""``tongchou import people FILE``, ``tongchou import venues FILE`` and
``tongchou import grid FILE``.

A ledger import (people, venues: whatever an app declares with
``core.uploads.ledger_import``) runs the same job the page queues, in this process,
with a progress bar.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongchou.common.progress import ProgressBar
from tongchou.common.spreadsheets import SpreadsheetError
from tongchou.core.choices import JobStatus
from tongchou.core.jobs import job_enqueue, job_run
from tongchou.core.models import User
from tongchou.core.uploads import LEDGER_IMPORTS
from tongchou.grid.services import grid_import_file


class Command(BaseCommand):
    help = (
        "Import a residents' ledger (people), a venue survey ledger (venues) or a grid "
        "ledger (grid) from .xlsx or .csv."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[*sorted(LEDGER_IMPORTS), "grid"])
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user",
            help="import as this user, within their grants (default: the operator, whole district)",
        )

    def handle(self, *args, kind, file, user=None, **options):
        if not file.exists():
            raise CommandError(f"文件不存在：{file}")
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"没有用户 {user}")
        if kind == "grid":
            return self.import_grid(actor, file)
        # The CLI runs the same job the page queues, in this process, with a bar.
        job = job_enqueue(
            kind=LEDGER_IMPORTS[kind],
            user=actor,
            params={
                "path": str(file.resolve()),
                "actor_id": actor.pk if actor else None,
                "file_name": file.name,
            },
        )
        job = job_run(job, on_progress=ProgressBar("导入"))
        if job.status == JobStatus.FAILED:
            raise CommandError(job.message)
        result = job.result
        self.stdout.write(
            f"读取 {result['rows']} 行：新增 {result['created']}，更新 {result['updated']}，"
            f"未变 {result['unchanged']}，空行 {result['blank']}，错误 {result['errors']}"
        )
        for line, reason in result.get("first_errors", []):
            self.stdout.write(f"  第{line}行：{reason}")
        if result.get("error_file"):
            self.stdout.write(f"错误行及原因已写入：{result['error_file']}")

    def import_grid(self, actor, file):
        try:
            report = grid_import_file(actor=actor, path=file)
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"新增 {report.created} 个网格节点，已存在 {report.unchanged}，"
            f"错误 {len(report.errors)}"
        )
        for line, reason in report.errors[:50]:
            self.stdout.write(f"  第{line}行：{reason}")
