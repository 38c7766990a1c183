"""``tongchou bench NAME [options]``: run one of the benchmarks under the project's ``bench/``.

Each module ``bench/NAME.py`` that defines ``run(*, stdout, **options)`` is a
bench; its ``add_arguments(parser)``, if any, declares its options, and its
docstring is its help. A new bench plugs in by adding a file, nothing else.
"""

import argparse
import importlib
import sys
import traceback
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def bench_dir() -> Path:
    return Path(settings.PROJECT_DIR) / "bench"


def _import_bench(name: str):
    # bench/ lives beside src/, not in the installed package: it ships with the
    # source tree only, so it is found through the project directory.
    project = str(settings.PROJECT_DIR)
    if project not in sys.path:
        sys.path.insert(0, project)
    return importlib.import_module(f"bench.{name}")


def bench_names() -> list[str]:
    folder = bench_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))


BASE_OPTIONS = (
    "verbosity",
    "settings",
    "pythonpath",
    "traceback",
    "no_color",
    "force_color",
    "skip_checks",
)


class Command(BaseCommand):
    help = (
        "Run a benchmark from the project's bench/ folder and print its figures beside a "
        "baseline measured in the same run, e.g. `tongchou bench registry --people 100000`. "
        "`tongchou bench NAME --help` describes one bench."
    )

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(
            dest="bench", metavar="NAME", required=True, parser_class=CommandParser
        )
        self.broken = {}
        for name in bench_names():
            try:
                module = _import_bench(name)
            except Exception:
                # A bench being written must not break the others: report it when chosen.
                self.broken[name] = traceback.format_exc()
                subparsers.add_parser(name, help="(cannot be imported)")
                continue
            if not hasattr(module, "run"):
                continue
            doc = (module.__doc__ or "").strip()
            sub = subparsers.add_parser(
                name,
                help=doc.splitlines()[0] if doc else name,
                description=doc,
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
            if hasattr(module, "add_arguments"):
                module.add_arguments(sub)

    def handle(self, *args, bench, **options):
        if bench in self.broken:
            raise CommandError(f"bench {bench!r} cannot be imported:\n{self.broken[bench]}")
        module = _import_bench(bench)
        # Django's own options (and call_command's stdout/stderr) are not the bench's.
        for key in (*BASE_OPTIONS, "stdout", "stderr"):
            options.pop(key, None)
        module.run(stdout=self.stdout, **options)
