"""Registering many samples at once: a device's list of who went into which tube.

A device that sampled offline, or a site that keeps its tube lists on paper and
types them in, sends rows of (tube barcode, personal code, sampled at,
idempotency key) for one site. Each row is judged by the rules of a single
scan (``sample_scan``), with the same words: keys already stored change
nothing, unknown tubes and codes, people already in the tube, sealed or full
tubes, excluded groups, and people sampled already this round without a
reason are refused row by row; people of another zone are taken and noted; a
single tube answers its person's pending retest.

The checks run in the database, set-based, in one statement over the whole
upload: the rows are bulk-loaded into a temporary table (COPY on PostgreSQL),
joined to people, tubes and samples, ranked with window functions for what
depends on the rows before (the same person twice, a tube filling up), and
the good rows are copied into the sample table by an INSERT ... SELECT (on
PostgreSQL within the same statement). No per-row Python runs between the
upload and the table, so a million rows go in at close to the database's own
rate (``tongchou bench testing`` prints the share).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tongchou.common.bulk import bulk_insert
from tongchou.core.services import audit_record
from tongchou.grid.models import GridNode
from tongchou.registry.codes import token_from_personal_code
from tongchou.registry.models import Person
from tongchou.testing.choices import RetestStatus, TubeKind, TubeStatus
from tongchou.testing.models import Retest, Sample, SamplingSite, Tube, ZoneNode
from tongchou.testing.services.sampling import NUL, _site_for_sampler, key_problem

# The words of a single scan's refusals (sample_scan), so a device shows the same text.
REASONS = {
    "unknown_tube": "试管不存在或不属于本采样点",
    "unknown_code": "无法识别的个人码，请核对或现场登记",
    "in_tube": "此人已在本管中",
    "closed": "本管已封管，请换新管",
    "full": "本管已满，请封管后换新管",
    "excluded": "此人属于本轮不检测的人群",
    "already": "此人本轮已采样；如需重采请填写原因",
    "key_used": "扫码编号已用于另一条采样记录",
}
TUBE_BARCODE_LENGTH = Tube._meta.get_field("barcode").max_length
UPLOAD_TABLE = "tc_sample_upload"
UPLOAD_COLUMNS = ("line", "tube", "token", "idem", "sampled_at", "reason")
UPLOAD_TYPES = ("integer", "varchar", "varchar", "varchar", "timestamptz", "varchar")
CHECKED_TABLE = "tc_sample_checked"


class SampleRow(NamedTuple):
    """One line of an upload: who went into which tube, when, under the device's key."""

    tube: str
    code: str
    key: str
    sampled_at: datetime | None = None
    resample_reason: str = ""


@dataclass
class BatchReport:
    """What an upload did; ``errors`` holds (row number, key, reason) for each row not taken."""

    rows: int = 0
    added: int = 0
    unchanged: int = 0
    other_zone: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "added": self.added,
            "unchanged": self.unchanged,
            "other_zone": self.other_zone,
            "errors": len(self.errors),
        }


@transaction.atomic
def samples_register_batch(
    *, actor, site: SamplingSite, rows: Sequence[SampleRow | tuple]
) -> BatchReport:
    """Put the people of ``rows`` into their tubes at ``site``, one of the sampler's sites.

    Rows are judged in order: a key already stored or repeated in the upload
    changes nothing, and a tube of another site reads as unknown, like a tube
    that does not exist. When a row breaks several rules, one is reported.
    """
    site = _site_for_sampler(actor, site.pk)
    report = BatchReport(rows=len(rows))
    tokens: set[str] = set()
    with connection.cursor() as cursor:
        _create_tables(cursor)
        # The rows go to the database while they are read: the server takes in
        # one chunk as Python checks the next.
        loaded = bulk_insert(
            UPLOAD_TABLE, UPLOAD_COLUMNS, _upload_rows(rows, report, tokens), types=UPLOAD_TYPES
        )
        if loaded:
            _register(cursor, actor, site, report, loaded=loaded, repeats=len(tokens) < loaded)
        _execute_all(cursor, [f"DROP TABLE {UPLOAD_TABLE}", f"DROP TABLE {CHECKED_TABLE}"])
    report.errors.sort()
    audit_record(actor=actor, action="testing.samples.batch", instance=site, after=report.summary())
    return report


def _upload_rows(rows: Sequence[SampleRow | tuple], report: BatchReport, tokens: set[str]):
    """The rows worth judging in the database, in UPLOAD_COLUMNS order.

    The rest are settled here: a key missing or too long, a key repeated in the
    upload (a queue replayed: the first copy speaks for it), no tube, a bad time.
    ``tokens`` collects the personal codes' tokens as they pass.
    """
    adapt = _datetime_adapter()
    seen_keys: set[str] = set()
    for number, raw in enumerate(rows, start=1):
        row = raw if isinstance(raw, SampleRow) else SampleRow(*raw)
        key = row.key or ""
        if problem := key_problem(key):
            report.errors.append((number, key[:64], problem))
            continue
        if key in seen_keys:
            report.unchanged += 1
            continue
        seen_keys.add(key)
        tube = (row.tube or "").strip()
        code = row.code or ""
        reason = (row.resample_reason or "").strip()
        if not tube:
            report.errors.append((number, key, "请扫描试管条码"))
        elif len(tube) > TUBE_BARCODE_LENGTH:
            report.errors.append((number, key, REASONS["unknown_tube"]))
        elif NUL in tube or NUL in code or NUL in reason:
            report.errors.append((number, key, "含有无效字符，请重新扫码"))
        elif row.sampled_at is not None and not isinstance(row.sampled_at, datetime):
            report.errors.append((number, key, "采样时间无效"))
        else:
            # A token is at most 32 characters: a longer code, cut, still matches nobody.
            token = token_from_personal_code(code)[:64]
            tokens.add(token)
            yield (
                number,
                tube,
                token,
                key,
                adapt(row.sampled_at) if row.sampled_at else None,
                reason[:200],
            )


def _datetime_adapter():
    """Sampling times as the upload table takes them.

    A time without a zone is the district's local time, as Django reads one.
    """

    def aware(value: datetime) -> datetime:
        return value if timezone.is_aware(value) else timezone.make_aware(value)

    if connection.vendor == "postgresql":
        return aware  # binary COPY takes aware times only
    # Django's own adapter for SQLite, without its per-call settings lookups:
    # a million calls of it cost more than the insert.
    db_timezone = connection.timezone

    def adapt(value: datetime) -> str:
        return str(aware(value).astimezone(db_timezone).replace(tzinfo=None))

    return adapt


def _in_zone_sql(zone_id: int) -> tuple[str, list[str]]:
    """SQL that is true when the area ``a`` lies under one of the zone's nodes, and its params.

    The area's path starts with the node's path: a lookup of the path's first
    characters in the zone's paths of that length (one length when the zone's
    nodes are of one level), not a LIKE per node on every row.
    """
    by_length: dict[int, list[str]] = {}
    for path in ZoneNode.objects.filter(zone_id=zone_id).values_list("node__path", flat=True):
        by_length.setdefault(len(path), []).append(path)
    lengths = sorted(by_length)
    sql = " OR ".join(
        f"substr(a.path, 1, {length}) IN ({', '.join(['%s'] * len(by_length[length]))})"
        for length in lengths
    )
    return sql or "1 = 0", [path for length in lengths for path in by_length[length]]


def _execute_all(cursor, statements: Sequence[str]) -> None:
    """Run parameterless ``statements``: in one round trip on PostgreSQL, one by one on SQLite."""
    if connection.vendor == "postgresql":
        cursor.execute("; ".join(statements))
    else:
        for statement in statements:
            cursor.execute(statement)


def _create_tables(cursor) -> None:
    """The upload's rows and their verdicts, in temporary tables of this connection."""
    stamp_type = "timestamptz" if connection.vendor == "postgresql" else "datetime"
    _execute_all(
        cursor,
        [
            f"DROP TABLE IF EXISTS {UPLOAD_TABLE}",
            f"DROP TABLE IF EXISTS {CHECKED_TABLE}",
            f"CREATE TEMPORARY TABLE {UPLOAD_TABLE} (line integer, "
            f"tube varchar({TUBE_BARCODE_LENGTH}), token varchar(64), idem varchar(64), "
            f"sampled_at {stamp_type}, reason varchar(200))",
            f"CREATE TEMPORARY TABLE {CHECKED_TABLE} (line integer, idem varchar(64), "
            f"sampled_at {stamp_type}, reason varchar(200), tube_id bigint, person_id bigint, "
            "other_zone boolean, retest_id bigint, refused varchar(20))",
        ],
    )


def _register(
    cursor, actor, site: SamplingSite, report: BatchReport, *, loaded: int, repeats: bool
) -> None:
    """Judge the ``loaded`` rows of the upload table, store the good ones, fill ``report``."""
    testing_round = site.zone.round
    quote = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    names = {
        "upload": UPLOAD_TABLE,
        "checked": CHECKED_TABLE,
        "sample": quote(Sample._meta.db_table),
        "tube": quote(Tube._meta.db_table),
        "person": quote(Person._meta.db_table),
        "node": quote(GridNode._meta.db_table),
        "retest": quote(Retest._meta.db_table),
    }
    contains = "strpos(p.tags, %s) > 0" if postgres else "instr(p.tags, %s) > 0"
    excluded_tags = [f",{t}," for t in testing_round.excluded_tag_list]
    excluded = " OR ".join([contains] * len(excluded_tags)) or "1 = 0"
    in_zone, zone_paths = _in_zone_sql(site.zone_id)
    # The upload's tubes by their barcode index: PostgreSQL's planner, asked for
    # "IN (SELECT ...)", may walk the whole barcode index instead (90 thousand tubes).
    in_upload = (
        f"= ANY(ARRAY(SELECT DISTINCT tube FROM {UPLOAD_TABLE}))"
        if postgres
        else f"IN (SELECT tube FROM {UPLOAD_TABLE})"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    resolve_params = [
        site.pk,
        testing_round.pk,
        *excluded_tags,
        *zone_paths,
        TubeKind.SINGLE,
        testing_round.pk,
        RetestStatus.PENDING,
    ]
    insert_params = [testing_round.pk, now, actor.pk]

    def judge(cursor, stored_keys: str) -> None:
        """Judge every row into the checked table and insert the good ones."""
        # Each lookup of a key (a %s of stored_keys) is among the sampler's own.
        judge_params = [
            *resolve_params,
            *[actor.pk] * stored_keys.count("%s"),
            TubeStatus.OPEN,
        ]
        sql = JUDGE_SQL.format(
            **names,
            stored_keys=stored_keys.format(**names),
            excluded=excluded,
            in_zone=in_zone,
            in_upload=in_upload,
            # The same person twice in one upload is rare; without it, rows cannot
            # depend on each other but for filling a tube.
            person_checks=PERSON_CHECKS if repeats else "",
            before_fill="twice" if repeats else "alone",
        )
        insert = INSERT_SQL.format(**names)
        if postgres:
            # One statement: the good rows go straight into the sample table, and
            # only the rows the report or the retests need are kept aside.
            cursor.execute(
                f"{sql}, stored AS ({insert} FROM judged WHERE refused IS NULL ORDER BY line) "
                f"INSERT INTO {CHECKED_TABLE} SELECT * FROM judged "
                "WHERE refused IS NOT NULL OR other_zone OR retest_id IS NOT NULL",
                [*judge_params, *insert_params],
            )
        else:
            cursor.execute(f"{sql} INSERT INTO {CHECKED_TABLE} SELECT * FROM judged", judge_params)
            cursor.execute(
                f"{insert} FROM {CHECKED_TABLE} WHERE refused IS NULL ORDER BY line", insert_params
            )

    if postgres:
        # An upload is a few thousand rows against tables of a million: each
        # row's lookups should be index probes, not a scan of the table to
        # hash it, and compiling the statement to machine code (JIT) costs
        # more than running it. The cached tables make a probe cheap. The plan
        # needs the upload's row count and its tubes' spread, which analysing
        # one column gives at a tenth of the cost of all six; without any
        # statistics the bench's uploads took half as long again.
        cursor.execute(f"ANALYZE {UPLOAD_TABLE} (tube)")
        _execute_all(cursor, ["SET LOCAL jit = off", "SET LOCAL random_page_cost = 1.1"])
        # Lock the upload's tubes in id order, as a single scan locks its tube,
        # so an upload and a phone filling the same tube take turns.
        cursor.execute(
            f"SELECT t.id FROM {names['tube']} t WHERE t.site_id = %s "
            f"AND t.barcode {in_upload} ORDER BY t.id FOR UPDATE",
            [site.pk],
        )
    try:
        with transaction.atomic():
            judge(cursor, STORED_IF_SAMPLED_BEFORE)
    except IntegrityError:
        # Rare, so not checked on every row: a key stored already under someone
        # not sampled this round (a device reusing its keys), or the same rows
        # uploaded twice at the same moment. Judge again, looking every key up.
        cursor.execute(f"DELETE FROM {CHECKED_TABLE}")
        try:
            with transaction.atomic():
                judge(cursor, STORED_ANY)
        except IntegrityError:
            raise ValidationError("同一批扫码记录正在另一处上传，请稍后重新上传") from None
    cursor.execute(
        f"SELECT line, idem, refused FROM {CHECKED_TABLE} WHERE refused IS NOT NULL "
        f"UNION ALL SELECT COUNT(*), '', 'other_zone' FROM {CHECKED_TABLE} "
        "WHERE refused IS NULL AND other_zone "
        f"UNION ALL SELECT COUNT(*), '', 'retest' FROM {CHECKED_TABLE} "
        "WHERE refused IS NULL AND retest_id IS NOT NULL"
    )
    refused = 0
    counts = {"other_zone": 0, "retest": 0}  # their rows carry the count as the line
    for line, key, reason in cursor.fetchall():
        if reason in counts:
            counts[reason] = line
            continue
        refused += 1
        if reason == "stored":
            report.unchanged += 1
        else:
            report.errors.append((line, key, REASONS[reason]))
    report.added = loaded - refused
    report.other_zone = counts["other_zone"]
    # A single tube answers its person's pending retest (the first such row does).
    if counts["retest"]:
        cursor.execute(
            f"UPDATE {names['retest']} SET status = %s, updated_at = %s, retest_tube_id = "
            f"(SELECT MIN(c.tube_id) FROM {CHECKED_TABLE} c "
            f"WHERE c.retest_id = {names['retest']}.id AND c.refused IS NULL) "
            f"WHERE id IN (SELECT retest_id FROM {CHECKED_TABLE} "
            "WHERE refused IS NULL AND retest_id IS NOT NULL)",
            [RetestStatus.SAMPLED, now],
        )
    if postgres:
        _execute_all(cursor, ["SET LOCAL jit TO DEFAULT", "SET LOCAL random_page_cost TO DEFAULT"])


INSERT_SQL = (
    "INSERT INTO {sample} (round_id, tube_id, person_id, sampled_at, scanned_by_id, "
    "idempotency_key, other_zone, resample_reason) "
    "SELECT %s, tube_id, person_id, COALESCE(sampled_at, %s), %s, idem, other_zone, reason"
)
# Whether a row's key is stored already, among the sampler's own keys (each %s is
# the sampler): another sampler's same key is another scan. Only someone sampled
# this round can have one, so only they are looked up; after a key turned out to
# be taken by someone else, every row is, and a key stored for another tube or
# person is refused.
STORED_IF_SAMPLED_BEFORE = """
      WHEN CASE WHEN sampled_before THEN (
        SELECT 1 FROM {sample} s WHERE s.scanned_by_id = %s AND s.idempotency_key = resolved.idem
        LIMIT 1
      ) IS NOT NULL END THEN 'stored'"""
STORED_ANY = """
      WHEN (
        SELECT 1 FROM {sample} s WHERE s.scanned_by_id = %s AND s.idempotency_key = resolved.idem
        AND s.tube_id = resolved.tube_id AND s.person_id = resolved.person_id LIMIT 1
      ) IS NOT NULL THEN 'stored'
      WHEN (
        SELECT 1 FROM {sample} s WHERE s.scanned_by_id = %s AND s.idempotency_key = resolved.idem
        LIMIT 1
      ) IS NOT NULL THEN 'key_used'"""

# Every row of the upload, resolved and judged by sample_scan's checks, as the
# rows of "judged". The lookups are scalar subqueries with LIMIT 1, not EXISTS:
# PostgreSQL may turn an EXISTS into a hash of the whole sample table, a million
# rows for each upload. The checks that stand alone come first; then, among the
# rows still good, the ones that depend on the rows above, each ranked by line:
# the same person again with no reason, the same person twice in a tube
# (PERSON_CHECKS, when a person appears twice), and a tube filling up (a row
# refused for any reason takes no place in its tube).
JUDGE_SQL = """
WITH tubes AS MATERIALIZED (
  SELECT t.id, t.barcode, t.status, t.capacity, t.kind,
    (SELECT COUNT(*) FROM {sample} s WHERE s.tube_id = t.id) AS n
  FROM {tube} t WHERE t.site_id = %s AND t.barcode {in_upload}
),
resolved AS MATERIALIZED (
  SELECT u.line, u.idem, u.sampled_at, u.reason,
    t.id AS tube_id, t.status AS tube_status, t.capacity,
    p.id AS person_id,
    (SELECT 1 FROM {sample} s WHERE s.round_id = %s AND s.person_id = p.id LIMIT 1) IS NOT NULL
      AS sampled_before,
    ({excluded}) AS excluded,
    NOT ({in_zone}) AS other_zone,
    CASE WHEN t.kind = %s THEN (
      SELECT MIN(r.id) FROM {retest} r
      WHERE r.round_id = %s AND r.person_id = p.id AND r.status = %s
    ) END AS retest_id,
    t.n AS tube_count
  FROM {upload} u
  LEFT JOIN tubes t ON t.barcode = u.tube
  LEFT JOIN {person} p ON p.code_token = u.token
  LEFT JOIN {node} a ON a.id = p.area_id
),
alone AS (
  SELECT line, idem, sampled_at, reason, tube_id, person_id, capacity, other_zone, retest_id,
    tube_count,
    CASE{stored_keys}
      WHEN tube_id IS NULL THEN 'unknown_tube'
      WHEN person_id IS NULL THEN 'unknown_code'
      WHEN sampled_before AND (
        SELECT 1 FROM {sample} s WHERE s.tube_id = resolved.tube_id
        AND s.person_id = resolved.person_id LIMIT 1
      ) IS NOT NULL THEN 'in_tube'
      WHEN tube_status <> %s THEN 'closed'
      WHEN excluded THEN 'excluded'
      WHEN sampled_before AND retest_id IS NULL AND reason = '' THEN 'already'
    END AS refused
  FROM resolved
){person_checks},
judged AS (
  SELECT line, idem, sampled_at, reason, tube_id, person_id, other_zone, retest_id,
    CASE WHEN refused IS NULL AND tube_count + ROW_NUMBER() OVER (
      PARTITION BY refused, tube_id ORDER BY line) > capacity
    THEN 'full' ELSE refused END AS refused
  FROM {before_fill}
)
"""
PERSON_CHECKS = """,
again AS (
  SELECT line, idem, sampled_at, reason, tube_id, person_id, capacity, other_zone, retest_id,
    tube_count,
    CASE
      WHEN refused IS NOT NULL THEN refused
      WHEN reason = '' AND ROW_NUMBER() OVER person_rows > 1 THEN
        CASE WHEN LAG(tube_id) OVER person_rows = tube_id THEN 'in_tube' ELSE 'already' END
    END AS refused
  FROM alone
  WINDOW person_rows AS (PARTITION BY refused, person_id ORDER BY line)
),
twice AS (
  SELECT line, idem, sampled_at, reason, tube_id, person_id, capacity, other_zone, retest_id,
    tube_count,
    CASE WHEN refused IS NULL AND ROW_NUMBER() OVER (
      PARTITION BY refused, tube_id, person_id ORDER BY line) > 1
    THEN 'in_tube' ELSE refused END AS refused
  FROM again
)"""
