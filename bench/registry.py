"""Import N people from a generated ledger; compare with bulk_create and the raw insert.

Prints, from one run on the configured database: rows per second of the
project's import (CSV parsing, every check, households, insert), of Django's
bulk_create of the same rows, and of the raw insert of the same rows into the
same table (executemany in one transaction on SQLite, COPY on PostgreSQL), then
the p50/p90 of an exact-ID-number lookup through the API with the N people
loaded.

Needs a database without people or households (a scratch one: for example
`TONGCHOU_VAR_DIR=/tmp/bench tongchou migrate` first, or a fresh PostgreSQL).
It loads the synthetic district's grid (kept; existing nodes are reused) and
imports the ledger once untimed to make the baselines' rows. The timed phases
run raw insert, bulk_create, then the project's import, each into the same
emptied table with all its indexes (the baselines find the households there;
the import makes its own). The lookups read what the import wrote. At the end
it removes the people and households unless --keep; its API user
`bench_command` stays, its token is revoked.
"""

import platform
import random
import tempfile
import time
import warnings
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client, override_settings

from bench._common import (
    Table,
    cpu_count,
    database_description,
    empty_tables,
    percentile,
    raw_insert,
    timed,
)

BULK_CREATE_BATCH = 1000
BENCH_USERNAME = "bench_command"


def add_arguments(parser) -> None:
    parser.add_argument("--people", type=int, default=100_000, help="rows to import")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic ledger")
    parser.add_argument("--lookups", type=int, default=500, help="API lookups to time")
    parser.add_argument(
        "--keep", action="store_true", help="leave the N people and their households loaded"
    )


def run(*, people: int, stdout, seed: int = 1, lookups: int = 500, keep: bool = False) -> dict:
    """Run the registry bench and write its table to ``stdout``; return the figures."""
    from tongchou.registry.models import Household, Person

    if people < 1 or lookups < 1:
        raise CommandError("--people and --lookups must be at least 1")
    if Person.objects.exists() or Household.objects.exists():
        raise CommandError(
            "the registry bench needs a database without people or households; "
            "point it at a scratch database (e.g. TONGCHOU_VAR_DIR=/tmp/bench tongchou migrate)"
        )
    out = Table(stdout)
    out.line(f"registry bench: {people:,} people, seed {seed}")
    out.line(f"database  {database_description()}")
    out.line(
        f"machine   {cpu_count()} CPUs, Python {platform.python_version()}, "
        f"Django {django.get_version()}"
    )
    try:
        figures = _run_phases(out, people=people, seed=seed, lookups=lookups)
    finally:
        if not keep:
            empty_tables(Person, Household)
    return figures


def _run_phases(out, *, people: int, seed: int, lookups: int) -> dict:
    from tongchou.registry.models import Household, Person

    with tempfile.TemporaryDirectory(prefix="tongchou-bench-") as tmp:
        started = time.perf_counter()
        ledger, nodes = _prepare(Path(tmp), people=people, seed=seed)
        # A first, untimed import makes the rows the baselines write: exactly the
        # import's rows, households included, so only the way of writing differs.
        _import(ledger, people)
        columns, rows = _snapshot()
        id_numbers = [row[columns.index("id_number")] for row in rows]
        households = Household.objects.count()
        empty_tables(Person)
        out.line(
            f"prepared  grid of {nodes:,} nodes, a {ledger.stat().st_size / 1e6:,.0f} MB CSV "
            f"ledger and the rows of the baselines in {time.perf_counter() - started:.1f} s"
        )
        out.line(
            f"each phase writes the same {people:,} people into the emptied table, all indexes "
            f"on; the baselines find their {households:,} households in place, the import "
            "creates them"
        )
        out.header()

        raw_rows = _adapt(columns, rows)
        raw = timed(raw_insert, Person._meta.db_table, columns, raw_rows)
        del raw_rows
        _check_count(people)
        how = "COPY" if connection.vendor == "postgresql" else "executemany, one transaction"
        out.phase(f"raw insert ({how})", people, raw)

        empty_tables(Person)
        instances = [Person(**dict(zip(columns, row, strict=True))) for row in rows]
        del rows
        bulk = timed(_bulk_create, instances)
        del instances
        _check_count(people)
        out.phase(f"Django bulk_create (batch {BULK_CREATE_BATCH})", people, bulk)

        # Last, so the lookups below read what the project's own import wrote.
        empty_tables(Person, Household)
        started = time.perf_counter()
        report = _import(ledger, people)
        project = time.perf_counter() - started
        out.phase("project import (checks included)", people, project)
        out.line(f"  (the import checked the rows {_where_checked(report, people)})")

    out.ratio("project / raw", raw / project, "(goal at 1,000,000: at least 60%)")
    out.ratio("bulk_create / raw", raw / bulk)

    latencies = _api_lookups(id_numbers, lookups=lookups, seed=seed)
    p50, p90, p99 = (percentile(latencies, q) for q in (50, 90, 99))
    out.line(
        f"API lookup by exact ID number, {people:,} people loaded "
        "(Django test Client in process: middleware, token auth, DRF, JSON; no socket):"
    )
    out.line(
        f"  {len(latencies)} lookups  p50 {p50:.2f} ms  p90 {p90:.2f} ms  "
        f"p99 {p99:.2f} ms  max {max(latencies):.2f} ms  (goal: p90 under 10 ms)"
    )
    return {
        "people": people,
        "project_rows_per_second": people / project,
        "bulk_create_rows_per_second": people / bulk,
        "raw_rows_per_second": people / raw,
        "lookup_p50_ms": p50,
        "lookup_p90_ms": p90,
    }


def _where_checked(report, people: int) -> str:
    from tongchou.registry.ledger import PARALLEL_MIN_ROWS

    if report.checked_apart:
        return "in a second process, beside the writes"
    if people < PARALLEL_MIN_ROWS:
        return "inline: a short ledger"
    return "inline: no core was idle when it started"


def _import(ledger: Path, people: int):
    from tongchou.registry.ledger import people_import

    report = people_import(actor=None, path=ledger)
    if report.created != people or report.errors:
        raise CommandError(f"the import did not take every row: {report.summary()}")
    return report


def _prepare(folder: Path, *, people: int, seed: int) -> tuple[Path, int]:
    from tongchou.dashboard.demo import write_ledgers
    from tongchou.dashboard.synthetic import district_tree
    from tongchou.grid.services import grid_import_rows

    _grid_path, people_path = write_ledgers(folder, people=people, seed=seed)
    nodes = [
        {"code": n.code, "name": n.name, "level": n.level, "parent_code": n.parent_code}
        for n in district_tree(people)
    ]
    report = grid_import_rows(actor=None, rows=nodes)
    if report.errors:
        raise CommandError(f"the synthetic grid did not load: {report.errors[:3]}")
    return people_path, len(nodes)


def _snapshot() -> tuple[tuple[str, ...], list[tuple]]:
    from tongchou.registry.ledger import PERSON_COLUMNS
    from tongchou.registry.models import Person

    rows = list(
        Person.objects.order_by("id").values_list(*PERSON_COLUMNS).iterator(chunk_size=20_000)
    )
    return PERSON_COLUMNS, rows


def _adapt(columns, rows) -> list[tuple]:
    """The rows as the driver takes them, the way the project's bulk path passes them."""
    ops = connection.ops
    adapters = {
        "created_at": ops.adapt_datetimefield_value,
        "updated_at": ops.adapt_datetimefield_value,
        "birth_date": ops.adapt_datefield_value,
    }
    convert = [(i, adapters[c]) for i, c in enumerate(columns) if c in adapters]
    adapted = []
    for row in rows:
        row = list(row)
        for i, adapt in convert:
            row[i] = adapt(row[i])
        adapted.append(tuple(row))
    return adapted


def _bulk_create(instances) -> None:
    from tongchou.registry.models import Person

    with transaction.atomic():
        Person.objects.bulk_create(instances, batch_size=BULK_CREATE_BATCH)


def _check_count(expected: int) -> None:
    from tongchou.registry.models import Person

    found = Person.objects.count()
    if found != expected:
        raise CommandError(f"expected {expected} people in the table, found {found}")


def _api_lookups(id_numbers: list[str], *, lookups: int, seed: int) -> list[float]:
    """Milliseconds per GET /api/people/?id_number=... as the command centre, by token."""
    from tongchou.core.models import ApiToken
    from tongchou.core.services import api_token_create, api_token_revoke

    user = _bench_user()
    token, key = api_token_create(user=user, name="registry bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    rng = random.Random(seed)
    latencies = []
    # The throttle stays on, so its cost is in the figure, at a rate the bench stays under.
    rates = {**settings.API_THROTTLE_RATES, "search": f"{lookups + 100}/min"}
    try:
        with override_settings(API_THROTTLE_RATES=rates), warnings.catch_warnings():
            # WhiteNoise warns that collectstatic has not run; the API does not need it.
            warnings.filterwarnings("ignore", message="No directory at")
            # The first requests load URL patterns, serializers and prepared statements.
            for id_number in rng.sample(id_numbers, min(20, len(id_numbers))):
                _check_lookup(_lookup(client, id_number), id_number)
            for _ in range(lookups):
                id_number = rng.choice(id_numbers)
                started = time.perf_counter()
                response = _lookup(client, id_number)
                latencies.append((time.perf_counter() - started) * 1000)
                _check_lookup(response, id_number)
    finally:
        api_token_revoke(user=user, token=ApiToken.objects.get(pk=token.pk))
    return latencies


def _lookup(client, id_number: str):
    return client.get("/api/people/", {"id_number": id_number}, secure=True)


def _check_lookup(response, id_number: str) -> None:
    body = response.json() if response.status_code == 200 else {}
    if body.get("count") != 1 or body["results"][0]["id_number"][-4:] != id_number[-4:]:
        raise CommandError(f"lookup of one ID number answered {response.status_code}: {body}")


def _bench_user():
    from tongchou.core.choices import Role
    from tongchou.core.models import Grant, User
    from tongchou.core.services import user_create
    from tongchou.grid.models import GridNode

    root = GridNode.objects.get(code="SFQ")
    user = User.objects.filter(username=BENCH_USERNAME).first()
    if user is None:
        import secrets

        user = user_create(
            actor=None,
            username=BENCH_USERNAME,
            password=secrets.token_urlsafe(24),
            role=Role.COMMAND,
            full_name="registry bench",
            node_ids=[root.pk],
        )
    elif user.role != Role.COMMAND or not Grant.objects.filter(user=user, node=root).exists():
        raise CommandError(f"user {BENCH_USERNAME!r} exists but is not the command centre's")
    return user
