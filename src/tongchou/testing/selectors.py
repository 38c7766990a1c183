"""Reads of a round: who is expected, coverage by area, missing lists, throughput, pool size."""

from collections import defaultdict

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import ExtractHour

from tongchou.grid.choices import Level
from tongchou.grid.models import GridNode
from tongchou.registry.models import Person
from tongchou.testing.models import Missing, Sample, TestingRound, Tube, Zone, ZoneNode


def expected_people(testing_round: TestingRound, queryset=None):
    """Everyone the round must sample: its area, less the excluded groups."""
    people = Person.objects.all() if queryset is None else queryset
    people = people.filter(area__path__startswith=testing_round.area.path)
    for tag in testing_round.excluded_tag_list:
        people = people.exclude(tags__contains=f",{tag},")
    return people


def _sampled(testing_round: TestingRound):
    return Sample.objects.filter(round=testing_round, person=OuterRef("pk"))


def coverage_by_node(testing_round: TestingRound, *, user) -> list[dict]:
    """Expected, sampled and missing for every node the user sees, rolled up the tree.

    One grouped query counts people per node they live on; the sums up the
    tree run over nodes (thousands), not people (a million).
    """
    nodes = list(
        GridNode.objects.restrict(user)
        .filter(path__startswith=testing_round.area.path)
        .order_by("path")
        .values("id", "code", "name", "level", "path")
    )
    if not nodes:
        return []
    per_area = coverage_per_area(testing_round, user=user)
    path_of = {n["id"]: n["path"] for n in nodes}
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in per_area:
        path = path_of.get(row["area_id"])
        if path is None:
            continue
        for ancestor in path.strip("/").split("/"):
            totals[int(ancestor)][0] += row["expected"]
            totals[int(ancestor)][1] += row["sampled"]
    top_depth = min(n["path"].count("/") for n in nodes)
    for node in nodes:
        expected, sampled = totals[node["id"]]
        node.update(
            indent=node["path"].count("/") - top_depth,
            expected=expected,
            sampled=sampled,
            missing=expected - sampled,
            rate=(sampled / expected) if expected else 1.0,
        )
    return [n for n in nodes if n["id"] in totals or n["level"] != Level.BUILDING]


def coverage_per_area(testing_round: TestingRound, *, user) -> list[dict]:
    """Expected and sampled people per node they live on (area_id), in the user's scope.

    The people come from the ORM, cut to the user's grants as everywhere. On
    PostgreSQL the samples are joined to them as one distinct list of the
    round's people, which the database hashes once, instead of a lookup per
    person (about twice as fast at a million people).
    """
    people = expected_people(testing_round, Person.objects.restrict(user)).order_by()
    if connection.vendor != "postgresql":
        # SQLite has no hash join: a probe of the (round, person) index per person
        # is its fastest way, and the plain grouped query with EXISTS does that.
        return list(
            people.values("area_id").annotate(
                expected=Count("id"),
                sampled=Count("id", filter=Q(Exists(_sampled(testing_round)))),
            )
        )
    people = people.values("id", "area_id")
    try:
        people_sql, people_params = people.query.sql_with_params()
    except EmptyResultSet:
        return []  # a role that sees no people
    sample = connection.ops.quote_name(Sample._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.area_id, COUNT(*), COUNT(s.person_id) "  # noqa: S608
            f"FROM ({people_sql}) e LEFT JOIN "
            f"(SELECT DISTINCT person_id FROM {sample} WHERE round_id = %s) s "
            "ON s.person_id = e.id GROUP BY e.area_id",
            [*people_params, testing_round.pk],
        )
        return [
            {"area_id": area_id, "expected": expected, "sampled": sampled}
            for area_id, expected, sampled in cursor.fetchall()
        ]


def grid_live_figures(testing_round: TestingRound, node: GridNode, *, user) -> dict:
    """A grid worker's live figures for one node: small queries on indexes, so always fast."""
    # The node's areas first, then their people through the person-by-area
    # index: SQLite cannot use the path index for a LIKE (it folds case), and
    # would otherwise read every person of the district to find a grid's thousand.
    areas = GridNode.objects.filter(path__startswith=node.path).values("id")
    people = expected_people(testing_round, Person.objects.restrict(user)).filter(area_id__in=areas)
    counts = people.aggregate(
        expected=Count("id"), sampled=Count("id", filter=Q(Exists(_sampled(testing_round))))
    )
    counts["missing"] = counts["expected"] - counts["sampled"]
    return counts


def missing_people(testing_round: TestingRound, *, user, node: GridNode | None = None):
    """People expected and not yet sampled, with the grid worker's reason when there is one."""
    people = expected_people(testing_round, Person.objects.restrict(user))
    if node is not None:
        people = people.filter(area__path__startswith=node.path)
    reason = Missing.objects.filter(round=testing_round, person=OuterRef("pk"))
    return (
        people.filter(~Exists(_sampled(testing_round)))
        .annotate(
            missing_reason=Subquery(reason.values("reason")[:1]),
            missing_note=Subquery(reason.values("note")[:1]),
        )
        .select_related("area", "household")
        .order_by("area__path", "household_id", "id")
    )


def zone_of_nodes(testing_round: TestingRound) -> list[tuple[str, Zone]]:
    zones = {z.pk: z for z in testing_round.zones.all()}
    return [
        (path, zones[zone_id])
        for path, zone_id in ZoneNode.objects.filter(round=testing_round).values_list(
            "node__path", "zone_id"
        )
    ]


def throughput_by_site_hour(testing_round: TestingRound) -> list[dict]:
    """Samples per site per clock hour (local time), for the report and the site chart."""
    return list(
        Sample.objects.filter(round=testing_round)
        .annotate(hour=ExtractHour("sampled_at"))
        .values("tube__site__name", "hour")
        .annotate(n=Count("id"))
        .order_by("tube__site__name", "hour")
    )


def tube_figures(testing_round: TestingRound) -> dict:
    tubes = Tube.objects.filter(round=testing_round)
    by = tubes.aggregate(
        total=Count("id"),
        pools=Count("id", filter=Q(capacity__gt=1)),
        singles=Count("id", filter=Q(capacity=1)),
        resulted=Count("id", filter=Q(status="resulted")),
        positive=Count("id", filter=Q(result="positive")),
        invalid=Count("id", filter=Q(result="invalid")),
    )
    return by


def dorfman_tests_per_person(pool_size: int, positivity: float) -> float:
    """Expected tests per person with pools of ``pool_size`` (Dorfman, 1943).

    One test per pool, plus a single test for each member of a positive pool.
    """
    if pool_size <= 1:
        return 1.0
    return 1 / pool_size + 1 - (1 - positivity) ** pool_size


def recommend_pool_size(positivity: float, choices=(1, 5, 10, 20)) -> dict:
    """The pool size (among those kits exist for) with the fewest tests per person."""
    table = [
        {"size": k, "tests_per_person": dorfman_tests_per_person(k, positivity)} for k in choices
    ]
    best = min(table, key=lambda row: row["tests_per_person"])
    optimum = min(range(1, 51), key=lambda k: dorfman_tests_per_person(k, positivity))
    return {"recommended": best["size"], "table": table, "unconstrained_optimum": optimum}


def rounds_visible_to(user):
    """Rounds whose area overlaps the user's grants: a grid worker sees the district's round."""
    return TestingRound.objects.restrict(user).select_related("area")


def coverage_by_zone(testing_round: TestingRound, coverage: list[dict], zones=None) -> list[dict]:
    """Expected and sampled per zone, summed over the topmost nodes the user sees in it."""
    paths = zone_of_nodes(testing_round)
    figures = []
    for zone in testing_round.zones.all() if zones is None else zones:
        zone_paths = [p for p, z in paths if z.pk == zone.pk]
        inside = [n for n in coverage if any(n["path"].startswith(p) for p in zone_paths)]
        inside_paths = {n["path"] for n in inside}
        top = [
            n
            for n in inside
            if not any(n["path"] != other and n["path"].startswith(other) for other in inside_paths)
        ]
        expected = sum(n["expected"] for n in top)
        sampled = sum(n["sampled"] for n in top)
        figures.append(
            {
                "zone": zone,
                "expected": expected,
                "sampled": sampled,
                "rate": sampled / expected if expected else 1.0,
            }
        )
    return figures


def round_report(testing_round: TestingRound, *, user) -> dict:
    """The final report's figures and a short written summary in the style of the page."""
    coverage = coverage_by_node(testing_round, user=user)
    zones = coverage_by_zone(testing_round, coverage)
    tubes = tube_figures(testing_round)
    retests = testing_round.retests.values("status").annotate(n=Count("id"))
    retest_counts = {r["status"]: r["n"] for r in retests}
    root = coverage[0] if coverage else {"expected": 0, "sampled": 0, "missing": 0, "rate": 1}
    throughput = throughput_by_site_hour(testing_round)
    summary = _summary_text(testing_round, root, zones, tubes, retest_counts)
    return {
        "coverage": coverage,
        "zones": zones,
        "tubes": tubes,
        "retests": retest_counts,
        "throughput": throughput,
        "root": root,
        "summary": summary,
    }


def _summary_text(testing_round, root, zones, tubes, retests) -> str:
    parts = [f"{testing_round.name}："]
    for z in zones:
        zone = z["zone"]
        parts.append(
            f"{zone.date.month}月{zone.date.day}日{zone.start_time.hour}时至{zone.end_time.hour}时"
            f"为{zone.name}区域居民采集时间，应检{z['expected']}人，已检{z['sampled']}人；"
        )
    parts.append(
        f"全区应检{root['expected']}人，实检{root['sampled']}人，"
        f"覆盖率{root['rate']:.1%}，尚有{root['missing']}人未检。"
    )
    parts.append(
        f"共采集样本管{tubes['total']}支，其中混采管{tubes['pools']}支、单采管{tubes['singles']}支，"
        f"已出结果{tubes['resulted']}支。"
    )
    if tubes["positive"]:
        parts.append(
            f"阳性管{tubes['positive']}支，相关人员已全部落实管控并单采复核"
            f"（待复核{retests.get('pending', 0) + retests.get('sampled', 0)}人）。"
        )
    else:
        parts.append("结果均为阴性。")
    if root["missing"]:
        parts.append("各网格要逐户核对未检人员，做到应检尽检、不漏一人。")
    else:
        parts.append("做到了应检尽检、不漏一人。")
    return "".join(parts)
