"""``tongchou export people FILE [--user NAME] [--full --reason TEXT]``."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from tongchou.core.models import User
from tongchou.registry.models import Person
from tongchou.registry.services import people_export


class Command(BaseCommand):
    help = "Export the residents a user may see to .xlsx or .csv (masked unless --full)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["people"])
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user",
            required=True,
            help="export as this user: their scope, their masking, their name in the access log",
        )
        parser.add_argument("--full", action="store_true", help="unmasked (needs --reason)")
        parser.add_argument("--reason", default="")

    def handle(self, *args, kind, file, user, full, reason, **options):
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有可用的用户 {user}")
        queryset = Person.objects.restrict(actor).order_by("area__path", "id")
        try:
            count = people_export(
                actor=actor, queryset=queryset, path=file, reveal=full, reason=reason
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        except Http404:
            raise CommandError(f"用户 {user} 的角色不能导出完整信息") from None
        self.stdout.write(f"已导出 {count} 人到 {file}（已记入访问日志）")
