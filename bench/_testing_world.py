"""The testing bench's district: a round over N people, its sites, tubes, users and plans.

Nothing here is timed. The synthetic district's residents and households are
written with the raw bulk path (common/bulk.py: COPY on PostgreSQL), from the
same generator the demo and the registry bench use; the registry bench times
the checked import itself. Tubes are inserted in bulk too, as devices would
have opened them during the day.
"""

import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from bench._common import empty_tables

BENCH_PREFIX = "bench_testing_"
MISSING_SHARE = 0.03  # people expected and never sampled, so coverage has gaps to find
GRID_WORKERS = 10
POOL = 10


@dataclass
class World:
    round: object
    command: object
    lab: object
    sampler: object
    nodes: int
    sites: list
    grid_workers: list  # (user, grid node)
    uploads: list  # (site, [SampleRow, ...])
    http_people: dict  # site id -> [(person id, code token)]
    tube_count: int = 0
    tokens: list = field(default_factory=list)


def build(*, people: int, seed: int, http_people: int) -> World:
    from tongchou.dashboard.synthetic import district_tree
    from tongchou.grid.models import GridNode
    from tongchou.grid.services import grid_import_rows

    tree = district_tree(people)
    report = grid_import_rows(
        actor=None,
        rows=[
            {"code": n.code, "name": n.name, "level": n.level, "parent_code": n.parent_code}
            for n in tree
        ],
    )
    if report.errors:
        raise CommandError(f"the synthetic grid did not load: {report.errors[:3]}")
    _load_people(people=people, seed=seed)
    root = GridNode.objects.get(code="SFQ")
    users = _users(root)
    testing_round, sites = _round(root, users)
    world = World(
        round=testing_round,
        command=users["command"],
        lab=users["lab"],
        sampler=users["sampler"],
        nodes=len(tree),
        sites=sites,
        grid_workers=users["grid_workers"],
        uploads=[],
        http_people={},
    )
    _plan(world, seed=seed, http_people=http_people)
    _settle()
    return world


def _settle() -> None:
    """Vacuum and analyse what was just loaded, as autovacuum would have long before a round.

    A registry loaded minutes ago is not what a round meets: its rows still lack
    the hint bits that the first reader sets (writing every page it touches), and
    whichever timed phase ran first would pay that for the phases after it.
    """
    # VACUUM cannot run inside a transaction (a test's); ANALYZE alone still can.
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def _load_people(*, people: int, seed: int) -> None:
    """The synthetic residents and their households, written as the import would write them."""
    from tongchou.common.bulk import bulk_insert
    from tongchou.dashboard.synthetic import residents
    from tongchou.grid.models import GridNode
    from tongchou.registry.choices import RELATION_BY_LABEL, TAG_BY_LABEL
    from tongchou.registry.ledger import PERSON_COLUMNS
    from tongchou.registry.models import Household, Person

    node_id = dict(GridNode.objects.values_list("code", "id"))
    rows = list(residents(people, seed))
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    doors = sorted(
        {(node_id[f"{r['所属网格']}-B{r['楼栋'].removesuffix('号楼')}"], r["户号"]) for r in rows}
    )
    with transaction.atomic():
        bulk_insert(
            Household._meta.db_table,
            ("created_at", "updated_at", "area_id", "number"),
            [(stamp, stamp, area, number) for area, number in doors],
        )
    household = {
        (area, number): pk
        for pk, area, number in Household.objects.values_list("id", "area_id", "number")
    }
    adapt_date = connection.ops.adapt_datefield_value
    tokens = (secrets.token_urlsafe(12) for _ in range(len(rows)))
    people_rows = []
    for r, token in zip(rows, tokens, strict=True):
        id_number = r["身份证号"]
        area = node_id[f"{r['所属网格']}-B{r['楼栋'].removesuffix('号楼')}"]
        tags = [TAG_BY_LABEL[t] for t in r["人员类别"].split("、") if t]
        born = datetime.strptime(id_number[6:14], "%Y%m%d").date()  # noqa: DTZ007  (a date)
        people_rows.append(
            (
                stamp,
                stamp,
                r["姓名"],
                id_number,
                "male" if int(id_number[16]) % 2 else "female",
                adapt_date(born),
                r["联系电话"],
                r["现住址"],
                area,
                household[(area, r["户号"])],
                RELATION_BY_LABEL[r["与户主关系"]],
                f",{','.join(tags)}," if tags else "",
                token,
            )
        )
    del rows
    for start in range(0, len(people_rows), 50_000):
        with transaction.atomic():
            bulk_insert(Person._meta.db_table, PERSON_COLUMNS, people_rows[start : start + 50_000])


def _user(username: str, role: str, node, full_name: str):
    from tongchou.core.models import Grant, User
    from tongchou.core.services import user_create

    user = User.objects.filter(username=username).first()
    if user is None:
        return user_create(
            actor=None,
            username=username,
            password=secrets.token_urlsafe(24),
            role=role,
            full_name=full_name,
            node_ids=[node.pk],
        )
    if user.role != role or not Grant.objects.filter(user=user, node=node).exists():
        raise CommandError(f"user {username!r} exists with another role or grant")
    return user


def _users(root) -> dict:
    from tongchou.core.choices import Role
    from tongchou.grid.models import GridNode

    grids = list(GridNode.objects.filter(level="grid").order_by("code"))
    # Grids spread over the district, not the first few of one community.
    chosen = grids[:: max(len(grids) // GRID_WORKERS, 1)][:GRID_WORKERS]
    return {
        "command": _user(f"{BENCH_PREFIX}command", Role.COMMAND, root, "bench command"),
        "lab": _user(f"{BENCH_PREFIX}lab", Role.LAB, root, "bench lab"),
        "sampler": _user(f"{BENCH_PREFIX}sampler", Role.SAMPLER, root, "bench sampler"),
        "grid_workers": [
            (_user(f"{BENCH_PREFIX}grid_{n}", Role.GRID_WORKER, g, "bench grid worker"), g)
            for n, g in enumerate(chosen)
        ],
    }


def _round(root, users):
    from tongchou.grid.models import GridNode
    from tongchou.testing import services

    command = users["command"]
    today = timezone.localdate()
    testing_round = services.round_create(
        actor=command,
        number=1,
        name="基准测试全员核酸检测",
        area=root,
        excluded_tags=["boarding_pupil", "university_student"],
    )
    offices = list(GridNode.objects.filter(level="office").order_by("code"))
    half = max(len(offices) // 2, 1)
    sites = []
    for n, zone_offices in enumerate((offices[:half], offices[half:])):
        if not zone_offices:
            continue
        zone = services.zone_create(
            actor=command,
            testing_round=testing_round,
            name=f"第{n + 1}区域",
            day=today + timedelta(days=n),
            start=time(7),
            end=time(19),
            nodes=zone_offices,
        )
        for community in GridNode.objects.filter(
            level="community", parent__in=zone_offices
        ).order_by("code"):
            sites.append(
                services.site_create(
                    actor=command,
                    zone=zone,
                    # Names repeat across offices in a big district; codes do not.
                    name=f"{community.name}采样点（{community.code}）",
                    area=community,
                    hourly_capacity=1000,
                    lab=users["lab"],
                    samplers=[users["sampler"]],
                )
            )
    services.round_open(actor=command, testing_round=testing_round)
    return testing_round, sites


def _plan(world: World, *, seed: int, http_people: int) -> None:
    """Who is sampled where: everyone expected at their community's site, in tubes of 10,
    bar a few never sampled and the ones kept back for the HTTP scans."""
    from tongchou.testing.selectors import expected_people
    from tongchou.testing.services import SampleRow

    rng = random.Random(seed)
    site_of = {site.area_id: site for site in world.sites}
    by_site: dict[int, list[tuple[int, str]]] = {site.pk: [] for site in world.sites}
    for person_id, token, path in (
        expected_people(world.round)
        .order_by("area__path", "id")
        .values_list("id", "code_token", "area__path")
        .iterator(chunk_size=20_000)
    ):
        if rng.random() < MISSING_SHARE:
            continue
        community = int(path.strip("/").split("/")[2])
        by_site[site_of[community].pk].append((person_id, token))
    sites = [s for s in world.sites if by_site[s.pk]]
    per_site = -(-http_people // len(sites)) if http_people else 0
    for site in sites:
        members = by_site[site.pk]
        world.http_people[site.pk] = members[len(members) - per_site :] if per_site else []
        del members[len(members) - per_site :]
    now = timezone.now()
    tubes = []
    for site in sites:
        rows = []
        day_start = timezone.make_aware(datetime.combine(site.zone.date, site.zone.start_time))
        for n, start in enumerate(range(0, len(by_site[site.pk]), POOL)):
            barcode = f"P{site.pk}-{n + 1:05d}"
            tubes.append((site.pk, barcode))
            at = day_start + timedelta(seconds=40 * n)
            rows.extend(
                SampleRow(barcode, f"TCP:{token}", f"bench:{person_id}", at)
                for person_id, token in by_site[site.pk][start : start + POOL]
            )
        for start in range(0, len(rows), 5000):
            world.uploads.append((site, rows[start : start + 5000]))
    _insert_tubes(world, tubes, now)
    world.tube_count = len(tubes)


def _insert_tubes(world: World, tubes: list[tuple[int, str]], now) -> None:
    from tongchou.common.bulk import bulk_insert
    from tongchou.testing.models import Tube

    stamp = connection.ops.adapt_datetimefield_value(now)
    columns = (
        "created_at",
        "updated_at",
        "round_id",
        "site_id",
        "barcode",
        "kind",
        "capacity",
        "status",
        "result",
        "created_by_id",
        "is_retest",
    )
    rows = [
        (
            stamp,
            stamp,
            world.round.pk,
            site_id,
            code,
            "pool10",
            POOL,
            "open",
            "",
            world.sampler.pk,
            False,
        )
        for site_id, code in tubes
    ]
    with transaction.atomic():
        bulk_insert(Tube._meta.db_table, columns, rows)


def scan_plans(world: World, *, clients: int, per_client: int) -> list[list[dict]]:
    """Each client's scans: tubes of its own, ten people each, filled one after another."""
    from tongchou.core.services import api_token_create

    token, key = api_token_create(user=world.sampler, name="testing bench")
    world.tokens.append(token)
    tubes = []
    for site_id, people in world.http_people.items():
        for n, start in enumerate(range(0, len(people), POOL)):
            tubes.append((site_id, f"H{site_id}-{n + 1:05d}", people[start : start + POOL]))
    plans: list[list[dict]] = [[] for _ in range(clients)]
    used = []
    for n, (site_id, barcode, people) in enumerate(tubes):
        plan = plans[n % clients]
        if len(plan) >= per_client:
            continue
        used.append((site_id, barcode))
        plan.extend(
            {"token": key, "body": {"tube": barcode, "code": f"TCP:{t}", "key": f"http:{p}"}}
            for p, t in people
        )
    if min(len(plan) for plan in plans) < per_client:
        raise CommandError("too few people kept back for the HTTP scans")
    _insert_tubes(world, used, timezone.now())
    world.tube_count += len(used)
    return plans


def seal_batch_tubes(world: World) -> None:
    from tongchou.testing.models import Tube

    Tube.objects.filter(round=world.round, barcode__startswith="P").update(
        status="sealed", sealed_at=timezone.now()
    )


def revoke_tokens(world: World) -> None:
    from tongchou.core.services import api_token_revoke

    for token in world.tokens:
        token.refresh_from_db()
        api_token_revoke(user=token.user, token=token)


def clean_up() -> None:
    """Delete what the bench made, children first; the grid and the bench users stay."""
    from django.contrib.contenttypes.models import ContentType

    from tongchou.command.models import Task
    from tongchou.registry.models import Household, Person
    from tongchou.testing.models import (
        Missing,
        ResultUpload,
        Retest,
        Sample,
        SamplingSite,
        TestingRound,
        Tube,
        Zone,
        ZoneNode,
    )
    from tongchou.tracing.models import Control, FollowUp, HouseholdTeam

    # The bench needs a database without people, so every control, team and
    # follow-up here, and every task about a person or a team, is the bench's.
    kinds = ContentType.objects.get_for_models(Person, HouseholdTeam).values()
    with transaction.atomic():
        Task.objects.filter(subject_type__in=list(kinds)).delete()
        FollowUp.objects.all().delete()
        Control.objects.all().delete()
        HouseholdTeam.objects.all().delete()
        ResultUpload.objects.filter(lab__username__startswith=BENCH_PREFIX).delete()
        empty_tables(
            Retest,
            Missing,
            Sample,
            Tube,
            SamplingSite.samplers.through,
            SamplingSite,
            ZoneNode,
            Zone,
            TestingRound,
        )
    empty_tables(Person, Household)
