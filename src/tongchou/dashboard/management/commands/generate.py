"""``tongchou generate --people N --seed S``: write a synthetic district's ledgers."""

from pathlib import Path

from django.core.management.base import BaseCommand

from tongchou.dashboard.demo import write_ledgers


class Command(BaseCommand):
    help = "Write grid and residents' ledgers of a synthetic district (same seed, same files)."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--out", type=Path, default=Path("var/generated"))
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")

    def handle(self, *args, people, seed, out, format, **options):
        grid, residents = write_ledgers(out, people=people, seed=seed, suffix=f".{format}")
        self.stdout.write(f"网格台账：{grid}\n居民台账：{residents}（{people} 人）")
