"""Check-in ingestion and contact tracing against plain SQL, e.g.
`tongchou bench tracing --checkins 5000000`.

Loads a synthetic district into an empty database: people (N/20), venues
(N/1000) of every kind with their contact windows, and N check-ins over 14
days (08:00-22:00). Then prints, each beside its baseline from the same run
on the same database:

- ingestion: a sample of gate-device items through the project's upload
  service (codes resolved, times and temperatures checked, duplicates by key
  skipped, bulk insert, fever alerts) against the raw insert of the very rows
  it wrote (COPY on PostgreSQL, one executemany on SQLite), both into the
  loaded table with all its indexes;
- close contacts of one case, median and p90 over --cases cases: the
  project's selector (SQL plus grouping into contacts with evidence) against
  the same question as one plain SELECT DISTINCT self-join on (venue, time);
- secondary contacts (the second hop over all close contacts): the same.

Needs a database without people, venues or check-ins (a scratch one, e.g.
TONGCHOU_VAR_DIR=/tmp/bench tongchou migrate); removes what it loaded unless
--keep.
"""

import itertools
import os
import platform
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import django
from django.core.management.base import CommandError
from django.db import connection, transaction

from bench._common import (
    alternating_rounds,
    cpu_count,
    database_description,
    empty_tables,
    percentile,
)

CHUNK = 200_000
UPLOAD_BATCH = 5000
BENCH_USERNAME = "bench_gate"


def add_arguments(parser) -> None:
    parser.add_argument("--checkins", type=int, default=20_000_000, help="check-ins to load")
    parser.add_argument("--people", type=int, default=None, help="default: check-ins / 20")
    parser.add_argument("--venues", type=int, default=None, help="default: check-ins / 1000")
    parser.add_argument("--days", type=int, default=14, help="days the check-ins span")
    parser.add_argument("--cases", type=int, default=20, help="cases to trace")
    parser.add_argument(
        "--ingest", type=int, default=None, help="rows in the ingestion comparison (default 1M)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="leave the loaded rows in place")


def run(
    *,
    stdout,
    checkins: int,
    people: int | None = None,
    venues: int | None = None,
    days: int = 14,
    cases: int = 20,
    ingest: int | None = None,
    seed: int = 1,
    keep: bool = False,
) -> dict:
    from tongchou.registry.models import Person
    from tongchou.venues.models import CheckIn, Venue

    if checkins < 1000:
        raise CommandError("--checkins must be at least 1000")
    people = people or max(checkins // 20, 100)
    venues = venues or max(checkins // 1000, 10)
    ingest = min(ingest or 1_000_000, checkins // 2)
    if Person.objects.exists() or Venue.objects.exists() or CheckIn.objects.exists():
        raise CommandError(
            "the tracing bench needs a database without people, venues or check-ins; point it "
            "at a scratch database (e.g. TONGCHOU_VAR_DIR=/tmp/bench tongchou migrate)"
        )
    out = _Out(stdout)
    out.line(
        f"tracing bench: {checkins:,} check-ins, {people:,} people, {venues:,} venues, "
        f"{days} days, seed {seed}"
    )
    out.line(f"database  {database_description()}")
    out.line(
        f"machine   {cpu_count()} CPUs, Python {platform.python_version()}, "
        f"Django {django.get_version()}"
    )
    rng = random.Random(seed)
    world = _World(rng, people=people, venues=venues, days=days)
    try:
        world.load_people_and_venues(out)
        world.load_checkins(out, checkins - ingest)
        figures = _ingestion(out, world, ingest)
        figures.update(_queries(out, world, cases))
    finally:
        if not keep:
            _empty()
    return figures


class _Out:
    def __init__(self, stdout):
        self.stdout = stdout

    def line(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()


class _World:
    """The synthetic district: who exists, which venues, and when people go out."""

    def __init__(self, rng: random.Random, *, people: int, venues: int, days: int):
        self.rng, self.people, self.venues, self.days = rng, people, venues, days
        self.end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        self.start = self.end - timedelta(days=days)
        self.person_ids: list[int] = []
        self.person_tokens: list[str] = []
        self.venue_ids: list[int] = []
        self.venue_tokens: list[str] = []
        self.venue_weights: list[float] = []

    def load_people_and_venues(self, out) -> None:
        from tongchou.common.bulk import bulk_insert
        from tongchou.dashboard.synthetic import district_tree
        from tongchou.grid.models import GridNode
        from tongchou.grid.services import grid_import_rows
        from tongchou.registry.models import Person
        from tongchou.venues.choices import CONTACT_WINDOW_MINUTES, VenueKind
        from tongchou.venues.models import Venue

        started = time.perf_counter()
        if not GridNode.objects.filter(code="SFQ").exists():
            grid_import_rows(
                actor=None,
                rows=[
                    {"code": n.code, "name": n.name, "level": n.level, "parent_code": n.parent_code}
                    for n in district_tree(min(self.people, 100_000))
                ],
            )
        grids = list(GridNode.objects.filter(level="grid").values_list("id", flat=True))
        rng = self.rng
        stamp = connection.ops.adapt_datetimefield_value(datetime.now(UTC))
        born = connection.ops.adapt_datefield_value(datetime(1980, 1, 1).date())
        tokens = [f"bp{i:010d}{rng.getrandbits(24):06x}" for i in range(self.people)]
        with transaction.atomic():
            for start in range(0, self.people, CHUNK):
                bulk_insert(
                    Person._meta.db_table,
                    (
                        "created_at",
                        "updated_at",
                        "name",
                        "sex",
                        "birth_date",
                        "phone",
                        "address",
                        "area_id",
                        "relation",
                        "tags",
                        "code_token",
                    ),
                    [
                        (
                            stamp,
                            stamp,
                            f"居民{i}",
                            "male",
                            born,
                            "",
                            "",
                            grids[i % len(grids)],
                            "",
                            "",
                            tokens[i],
                        )
                        for i in range(start, min(start + CHUNK, self.people))
                    ],
                )
        self.person_tokens = tokens
        self.person_ids = list(Person.objects.order_by("code_token").values_list("id", flat=True))
        # Shopping and parcels are where most visits happen; hotels and sites see fewer.
        kinds = [
            (VenueKind.SUPERMARKET, 6),
            (VenueKind.MALL, 2),
            (VenueKind.MARKET, 3),
            (VenueKind.PARCEL_POINT, 4),
            (VenueKind.SMALL_SHOP, 6),
            (VenueKind.SMALL_EATERY, 5),
            (VenueKind.SMALL_CLINIC, 2),
            (VenueKind.SMALL_BEAUTY, 1),
            (VenueKind.HOTEL, 0.3),
            (VenueKind.ONLINE_ROOM, 0.2),
            (VenueKind.SCHOOL, 0.3),
            (VenueKind.ENTERPRISE, 0.5),
            (VenueKind.CONSTRUCTION_SITE, 0.2),
            (VenueKind.ELDERLY_HOME, 0.1),
        ]
        names, weights = zip(*kinds, strict=True)
        venue_rows, self.venue_tokens = [], []
        for i in range(self.venues):
            kind = rng.choices(names, weights)[0]
            token = f"bv{i:08d}{rng.getrandbits(24):06x}"
            self.venue_tokens.append(token)
            venue_rows.append(
                (
                    stamp,
                    stamp,
                    f"场所{i}",
                    kind,
                    grids[i % len(grids)],
                    "",
                    token,
                    CONTACT_WINDOW_MINUTES[kind],
                    True,
                )
            )
        with transaction.atomic():
            bulk_insert(
                Venue._meta.db_table,
                (
                    "created_at",
                    "updated_at",
                    "name",
                    "kind",
                    "area_id",
                    "address",
                    "code_token",
                    "contact_window_minutes",
                    "is_active",
                ),
                venue_rows,
            )
        by_token = dict(Venue.objects.values_list("code_token", "id"))
        self.venue_ids = [by_token[t] for t in self.venue_tokens]
        # Busier and quieter venues (a log-normal spread: the busiest few see several
        # times the average, none sees the whole district).
        self.venue_weights = list(
            itertools.accumulate(rng.lognormvariate(0, 0.6) for _ in self.venue_ids)
        )
        out.line(
            f"prepared  {self.people:,} people and {self.venues:,} venues "
            f"in {time.perf_counter() - started:.1f} s"
        )

    def visits(self, count: int, offset: int = 0):
        """(venue index, person index, time, temperature text) for ``count`` visits."""
        rng = self.rng
        span = self.days * 24 * 3600
        venues = rng.choices(range(len(self.venue_ids)), cum_weights=self.venue_weights, k=count)
        for n in range(count):
            day_second = rng.randrange(0, span)
            # Fold the night into the opening hours 08:00-22:00.
            day, second = divmod(day_second, 24 * 3600)
            second = 8 * 3600 + second * 14 // 24
            at = self.start + timedelta(days=day, seconds=second)
            roll = rng.random()
            temperature = (
                "" if roll < 0.3 else ("37.6" if roll > 0.9999 else f"36.{int(roll * 10) % 10}")
            )
            yield venues[n], rng.randrange(self.people), at, temperature, offset + n

    def load_checkins(self, out, count: int) -> None:
        """Load ``count`` check-ins by the raw path (the bulk of the table, not compared)."""
        from tongchou.common.bulk import bulk_insert
        from tongchou.venues.models import CheckIn
        from tongchou.venues.services import CHECKIN_COLUMNS

        started = time.perf_counter()
        adapt = connection.ops.adapt_datetimefield_value
        done = 0
        while done < count:
            size = min(CHUNK, count - done)
            rows = [
                (
                    self.venue_ids[v],
                    self.person_ids[p],
                    adapt(at),
                    Decimal(t) if t else None,
                    "gate" if key % 2 else "venue_code",
                    f"L{key}" if key % 2 else None,
                    None,
                )
                for v, p, at, t, key in self.visits(size, offset=done)
            ]
            with transaction.atomic():
                bulk_insert(CheckIn._meta.db_table, CHECKIN_COLUMNS, rows)
            done += size
            if done % (CHUNK * 10) == 0 or done == count:
                rate = done / (time.perf_counter() - started)
                out.line(f"  loaded {done:,} check-ins ({rate:,.0f}/s)")
        _analyze()
        out.line(
            f"loaded    {count:,} check-ins by the raw path in "
            f"{time.perf_counter() - started:.1f} s (the table the comparisons run on)"
        )


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _bench_user():
    from tongchou.core.choices import Role
    from tongchou.core.models import User
    from tongchou.core.services import user_create
    from tongchou.grid.models import GridNode

    user = User.objects.filter(username=BENCH_USERNAME).first()
    if user is None:
        user = user_create(
            actor=None,
            username=BENCH_USERNAME,
            password=os.urandom(18).hex(),
            role=Role.COMMAND,
            full_name="tracing bench gate",
            node_ids=[GridNode.objects.get(code="SFQ").pk],
        )
    elif user.role != Role.COMMAND:
        raise CommandError(f"user {BENCH_USERNAME!r} exists but is not the command centre's")
    return user


def _ingestion(out, world: _World, count: int) -> dict:
    """The upload service against the raw insert of the same rows, into the loaded table.

    Two rounds each, alternating (project, raw, project, raw), every round into the
    same table after the previous round's rows are deleted, so neither gains from
    pages the other brought into the cache; the better round of each is compared.
    The rows are put back at the end, so the queries run on all N.
    """
    from tongchou.venues.models import CheckIn, FeverAlert

    user = _bench_user()
    items = [
        {
            "key": f"G{key}",
            "venue": world.venue_tokens[v],
            "person": world.person_tokens[p],
            "at": at.isoformat(),
            "temperature": t,
        }
        for v, p, at, t, key in world.visits(count, offset=10**9)
    ]
    before = CheckIn.objects.order_by("-id").values_list("id", flat=True).first() or 0
    out.line()
    title = "ingestion (better of two alternating rounds)"
    out.line(f"{title:<52} {'rows':>10} {'seconds':>8} {'rows/s':>10}")
    last: dict = {}  # the project round's rows and fever alerts, for the raw round and the report

    def project() -> float:
        seconds, created, last["alerts"] = _upload(user, items)
        if created != count:
            raise CommandError(f"the upload stored {created} of {count} rows")
        last["written"] = _written_after(before)
        _delete_after(before)
        FeverAlert.objects.all().delete()
        return seconds

    def raw() -> float:
        seconds = _raw_insert(last["written"])
        _delete_after(before)
        return seconds

    project_times, raw_times = alternating_rounds(project, raw)
    project, raw = min(project_times), min(raw_times)
    written, alerts = last["written"], last["alerts"]
    how = "COPY" if connection.vendor == "postgresql" else "executemany"
    out.line(
        f"{'project: gate upload service, batches of 5,000':<52} {count:>10,} "
        f"{project:>8.2f} {count / project:>10,.0f}"
    )
    out.line(
        f"{f'baseline: raw insert ({how}) of the same rows':<52} {count:>10,} "
        f"{raw:>8.2f} {count / raw:>10,.0f}"
    )
    out.line(f"{'project / raw (goal >= 60%)':<52} {raw / project:>10.0%}")
    out.line(
        f"  rounds: project {', '.join(f'{t:.2f}' for t in project_times)} s; "
        f"raw {', '.join(f'{t:.2f}' for t in raw_times)} s; "
        f"{alerts} fever alerts per project round, each with its task"
    )
    _raw_insert(written)  # the table holds all N check-ins for the queries
    _analyze()
    return {
        "ingest_rows": count,
        "ingest_project_rows_per_second": count / project,
        "ingest_raw_rows_per_second": count / raw,
    }


def _upload(user, items) -> tuple[float, int, int]:
    from tongchou.venues.services import checkins_upload

    now = datetime.now(UTC)
    created = alerts = 0
    started = time.perf_counter()
    for start in range(0, len(items), UPLOAD_BATCH):
        report = checkins_upload(actor=user, items=items[start : start + UPLOAD_BATCH], now=now)
        if report.errors:
            raise CommandError(f"the upload refused rows: {report.errors[:3]}")
        created += report.created
        alerts += report.alerts
    return time.perf_counter() - started, created, alerts


def _written_after(last_id: int) -> list[tuple]:
    """The rows the project wrote, as the driver takes them, for the raw insert."""
    from tongchou.venues.models import CheckIn
    from tongchou.venues.services import CHECKIN_COLUMNS

    adapt = connection.ops.adapt_datetimefield_value
    return [
        (v, p, adapt(at), t, m, k, r)
        for v, p, at, t, m, k, r in CheckIn.objects.filter(id__gt=last_id)
        .order_by("id")
        .values_list(*[c.removesuffix("_id") for c in CHECKIN_COLUMNS])
        .iterator(chunk_size=50_000)
    ]


def _raw_insert(rows: list[tuple]) -> float:
    """The database's own rate: COPY or executemany, one transaction per batch of 5,000."""
    from tongchou.common.bulk import bulk_insert
    from tongchou.venues.models import CheckIn
    from tongchou.venues.services import CHECKIN_COLUMNS

    started = time.perf_counter()
    for start in range(0, len(rows), UPLOAD_BATCH):
        with transaction.atomic():
            bulk_insert(CheckIn._meta.db_table, CHECKIN_COLUMNS, rows[start : start + UPLOAD_BATCH])
    return time.perf_counter() - started


def _delete_after(last_id: int) -> None:
    from tongchou.venues.models import CheckIn

    CheckIn.objects.filter(id__gt=last_id)._raw_delete(connection.alias)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {connection.ops.quote_name(CheckIn._meta.db_table)}")


def _plain_sql(source_count: int) -> str:
    """The question as one plain self-join on (venue, time): distinct people met."""
    from tongchou.tracing.selectors import _shifted

    window = "v.contact_window_minutes"
    sources = (
        "c1.person_id = ANY(%s)"
        if connection.vendor == "postgresql"
        else f"c1.person_id IN ({', '.join(['%s'] * source_count)})"
    )
    return (
        "SELECT DISTINCT c2.person_id FROM venues_checkin c1 "
        "JOIN venues_venue v ON v.id = c1.venue_id "
        "JOIN venues_checkin c2 ON c2.venue_id = c1.venue_id "
        f"AND c2.checked_in_at >= {_shifted('c1.checked_in_at', window, '-')} "
        f"AND c2.checked_in_at <= {_shifted('c1.checked_in_at', window, '+')} "
        f"WHERE {sources} AND c1.checked_in_at >= %s AND c1.checked_in_at < %s "
        "AND c2.person_id <> c1.person_id"
    )


def _plain(person_ids: list[int], since, until) -> set[int]:
    adapt = connection.ops.adapt_datetimefield_value
    ids = sorted(set(person_ids))
    params = [ids] if connection.vendor == "postgresql" else list(ids)
    with connection.cursor() as cursor:
        cursor.execute(_plain_sql(len(ids)), [*params, adapt(since), adapt(until)])
        return {row[0] for row in cursor.fetchall()}


def _queries(out, world: _World, cases: int) -> dict:
    from tongchou.tracing.selectors import close_contacts, secondary_contacts
    from tongchou.venues.models import CheckIn

    rng = random.Random(7)
    since, until = world.start, world.end + timedelta(days=1)
    # Cases are people who went out: a random check-in's person, twenty times.
    top = CheckIn.objects.order_by("-id").values_list("id", flat=True).first()
    chosen: list[int] = []
    while len(chosen) < cases:
        row = CheckIn.objects.filter(id__gte=rng.randrange(1, top)).order_by("id").first()
        if row and row.person_id not in chosen:
            chosen.append(row.person_id)
    # Warm the caches once for both, so neither pays for the first read from disk.
    close_contacts(person_id=chosen[0], since=since, until=until)
    _plain([chosen[0]], since, until)
    close_times, close_plain, second_times, second_plain = [], [], [], []
    sizes = []
    for person_id in chosen:
        started = time.perf_counter()
        plain = _plain([person_id], since, until)
        close_plain.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        found = close_contacts(person_id=person_id, since=since, until=until)
        close_times.append((time.perf_counter() - started) * 1000)
        if set(found) != plain - {person_id}:
            raise CommandError(f"close contacts of {person_id} differ from the plain query")
        close_ids = sorted(found)
        started = time.perf_counter()
        plain2 = _plain(close_ids, since, until) if close_ids else set()
        second_plain.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        second = secondary_contacts(
            close_person_ids=close_ids, since=since, until=until, exclude={person_id}
        )
        second_times.append((time.perf_counter() - started) * 1000)
        if set(second) != plain2 - set(close_ids) - {person_id}:
            raise CommandError(f"secondary contacts of {person_id} differ from the plain query")
        sizes.append((len(found), len(second)))
    out.line()
    out.line(
        f"tracing over {world.days} days, {cases} cases: close contacts per case median "
        f"{statistics.median(s[0] for s in sizes):.0f} (max {max(s[0] for s in sizes)}), "
        f"secondary median {statistics.median(s[1] for s in sizes):.0f} "
        f"(max {max(s[1] for s in sizes)})"
    )
    out.line(f"{'query (ms)':<52} {'median':>10} {'p90':>8} {'ratio':>10}")
    figures = {}
    for label, project, plain, key in (
        ("close contacts", close_times, close_plain, "close"),
        ("secondary contacts (second hop)", second_times, second_plain, "secondary"),
    ):
        p50, p90 = statistics.median(project), percentile(project, 90)
        b50, b90 = statistics.median(plain), percentile(plain, 90)
        out.line(f"{'project: ' + label:<52} {p50:>10.2f} {p90:>8.2f} {p50 / b50:>9.2f}x")
        out.line(f"{'baseline: plain SQL self-join, ' + label:<52} {b50:>10.2f} {b90:>8.2f}")
        figures[f"{key}_median_ms"], figures[f"{key}_plain_median_ms"] = p50, b50
    out.line("goal: project <= 2x the plain query")
    return figures


def _empty() -> None:
    """Remove what the bench loaded (check-ins, alerts and their tasks, venues, people)."""
    from tongchou.command.models import Task
    from tongchou.registry.models import Person
    from tongchou.venues.models import CheckIn, FeverAlert, Venue, VenueDuty

    with transaction.atomic():
        Task.objects.filter(source="venues.fever").delete()
        FeverAlert.objects.all().delete()
        empty_tables(CheckIn, VenueDuty, Venue, Person)
