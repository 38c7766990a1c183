"""Importing and exporting the residents' ledger (居民台账).

The import reads a community's .xlsx or .csv with the headers units use,
checks every row with the same rules as the form, keeps good rows, reports
each bad row with its reason, and changes nothing when the same file comes
in twice (the ID number is the key). It writes in chunks with the fast bulk
path, so a district's million rows go in at close to the database's own rate.
"""

import base64
import multiprocessing
import os
import secrets
import sqlite3
import sys
import time
import warnings
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat
from operator import itemgetter
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tongchou.common.bulk import bulk_insert, refresh_statistics
from tongchou.common.spreadsheets import (
    SpreadsheetError,
    cell_text,
    count_rows,
    find_header,
    parse_date_cell,
    read_rows,
)
from tongchou.core.services import audit_record
from tongchou.grid.choices import Level
from tongchou.grid.models import GridNode
from tongchou.registry.models import Household, Person
from tongchou.registry.validation import InvalidPerson, person_values

# Accepted column headers; the first of each is what the export writes.
PEOPLE_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "name"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "id_number"),
    "phone": ("联系电话", "手机号", "手机号码", "电话", "联系方式", "phone"),
    "address": ("现住址", "住址", "现居住地址", "居住地址", "家庭住址", "address"),
    "grid": ("所属网格", "网格", "网格名称", "网格编码", "grid"),
    "building": ("楼栋", "楼号", "楼栋号", "building"),
    "household": ("户号", "门牌号", "房号", "household"),
    "relation": ("与户主关系", "relation"),
    "tags": ("人员类别", "人员标签", "标签", "tags"),
    "birth_date": ("出生日期", "birth_date"),
}
REQUIRED_COLUMNS = ("name", "id_number", "grid")
COMPARED_FIELDS = ("name", "phone", "address", "area_id", "household_id", "relation", "tags")
PERSON_COLUMNS = (
    "created_at",
    "updated_at",
    "name",
    "id_number",
    "sex",
    "birth_date",
    "phone",
    "address",
    "area_id",
    "household_id",
    "relation",
    "tags",
    "code_token",
)


@dataclass
class ImportReport:
    """What an import did, and every row it could not take with the reason."""

    header: list = field(default_factory=list)
    header_line: int = 0
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    blank: int = 0
    errors: list[tuple[int, str, list]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    # Whether the rows were checked in a second process (see PARALLEL_MIN_ROWS).
    checked_apart: bool = False

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "blank": self.blank,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }


class AreaResolver:
    """Turns the 所属网格 / 楼栋 cells into a grid node within the importer's scope."""

    def __init__(self, nodes):
        self.grid_by_code: dict[str, int] = {}
        self.grid_by_name: dict[str, list[int]] = {}
        self.building: dict[tuple[int, str], int] = {}
        self.scope_ids: set[int] = set()
        buildings = []
        for node_id, code, name, level, parent_id in nodes:
            self.scope_ids.add(node_id)
            if level == Level.GRID:
                self.grid_by_code[code] = node_id
                self.grid_by_name.setdefault(name, []).append(node_id)
            elif level == Level.BUILDING:
                # An export names a building resident's area by the building's code.
                self.grid_by_code[code] = node_id
                buildings.append((parent_id, name, code, node_id))
        for parent_id, name, code, node_id in buildings:
            self.building[(parent_id, name)] = node_id
            self.building[(parent_id, code)] = node_id

    def resolve(self, grid_text: str, building_text: str) -> int:
        if not grid_text:
            raise InvalidPerson("所属网格不能为空")
        grid_id = self.grid_by_code.get(grid_text)
        if grid_id is None:
            matches = self.grid_by_name.get(grid_text, [])
            if len(matches) > 1:
                raise InvalidPerson(f"网格名称“{grid_text}”不唯一，请填写网格编码")
            if not matches:
                raise InvalidPerson(f"所属网格“{grid_text}”不存在或不在您的辖区内")
            grid_id = matches[0]
        if not building_text:
            return grid_id
        building_id = self.building.get((grid_id, building_text))
        if building_id is None:
            raise InvalidPerson(f"楼栋“{building_text}”不在网格“{grid_text}”中")
        return building_id

    @classmethod
    def for_actor(cls, actor) -> "AreaResolver":
        """The nodes ``actor`` may import into (None: the operator, the whole district)."""
        nodes = GridNode.objects.all() if actor is None else GridNode.objects.restrict(actor)
        return cls(nodes.values_list("id", "code", "name", "level", "parent_id"))


def ledger_header(rows, headers: dict[str, tuple[str, ...]], required) -> tuple[int, dict, list]:
    """``find_header`` for a ledger that must have the ``required`` columns: the line of
    the header, the index of each known column, the header as written."""
    header_line, columns, header = find_header(rows, headers)
    missing = [headers[c][0] for c in required if c not in columns]
    if missing:
        raise SpreadsheetError(f"缺少必需的列：{'、'.join(missing)}")
    return header_line, columns, header


# A ledger this long is checked in a second process while this one writes,
# when a core is idle for it: the checks cost a good part of what the insert
# does, and with a core of their own they cost the import nothing. Shorter
# ledgers, and busy machines, check inline, where a second process would cost
# more than it saves.
PARALLEL_MIN_ROWS = 20_000
# Rows per transaction. Each commit on SQLite writes every index page the
# transaction touched, so small transactions rewrite the same random pages
# over and over; this many rows take a few seconds, which other writers wait
# out well within the busy timeout.
COMMIT_ROWS = 100_000
# A load this large changes the tables enough that queries planned on the old
# statistics can go wrong: in the registry bench, exact lookups just after a
# million-row import took 315 ms at p90 without refreshing them, 4 ms with.
ANALYZE_ROWS = 10_000


def people_import(
    *,
    actor,
    path: str | Path,
    progress: Callable[[int, int, str], None] | None = None,
    chunk_rows: int = 5000,
    commit_rows: int = COMMIT_ROWS,
    parallel: bool | None = None,
    analyze_rows: int = ANALYZE_ROWS,
) -> ImportReport:
    """Import a residents' ledger as ``actor`` (None: the operator, whole district).

    Raises SpreadsheetError when the file is not a ledger at all; otherwise
    every row ends up created, updated, unchanged, blank or in ``errors``.
    ``parallel`` checks the rows in a second process (None: for a long ledger when
    a core is idle). After ``analyze_rows`` or more rows written, the planner's
    statistics are refreshed (common.bulk.refresh_statistics).
    """
    path = Path(path)
    total = max(count_rows(path) - 1, 0)
    rows = read_rows(path)
    header_line, columns, header = ledger_header(rows, PEOPLE_HEADERS, REQUIRED_COLUMNS)
    report = ImportReport(header_line=header_line, header=header)
    resolver = AreaResolver.for_actor(actor)
    batches = _checked_batches(rows, columns, resolver, header_line + 1, chunk_rows)
    if parallel is None:
        parallel = total >= PARALLEL_MIN_ROWS and _can_fork() and _idle_core()
    if parallel:
        apart = _in_child_process(batches)
        if apart is not None:
            batches, report.checked_apart = apart, True
    writer = _ChunkWriter(resolver.scope_ids, report)
    with closing(batches):
        while True:
            written = 0
            with transaction.atomic():
                for good, rejected, noted, count, blank in batches:
                    report.rows += count
                    report.blank += blank
                    report.errors.extend(rejected)
                    report.warnings.extend(noted)
                    writer.write(good)
                    written += len(good)
                    if written >= commit_rows:
                        break
                else:
                    break
            # After the commit, so a page polling the job sees it.
            if progress:
                progress(report.rows + report.blank, total, "")
    if writer.lines_outside_scope:
        _add_rows_outside_scope(path, writer.lines_outside_scope, report)
    if report.created + report.updated >= analyze_rows:
        refresh_statistics(Person, Household)
    report.errors.sort(key=lambda e: e[0])
    audit_record(
        actor=actor,
        action="registry.import",
        object_type="registry.person",
        object_repr=path.name,
        after=report.summary(),
    )
    if progress:
        progress(total, total, "")
    return report


# The fields the checks take from each row, in the order they unpack them.
_ROW_FIELDS = (
    "name",
    "id_number",
    "phone",
    "address",
    "relation",
    "tags",
    "grid",
    "building",
    "household",
)
# A checked row holds line, name, id_number, sex, birth date (ISO text, as
# both databases take a date), phone, address, area_id, household, relation, tags.
_CHECKED_WIDTH = 11


def _checked_batches(rows, columns: dict[str, int], resolver: AreaResolver, first_line, size):
    """Check every row; yield (good rows by column, errors, warnings, rows, blank rows)
    for each ``size`` good rows.

    Needs no database, so it can run in another process.
    """
    seen: dict[str, int] = {}
    good, rejected, noted, count, blank = [], [], [], 0, 0
    # Each row's cells become text once; a column the ledger lacks reads the
    # empty text appended to every row, so one itemgetter call takes all fields.
    width = max(columns.values()) + 1
    take = itemgetter(*(columns.get(name, -1) for name in _ROW_FIELDS))
    birth_column = columns.get("birth_date")
    resolve = resolver.resolve
    today = date.today()
    for line, row in enumerate(rows, start=first_line):
        try:
            texts = list(map(str.strip, row))
        except TypeError:
            # A spreadsheet's numbers and dates: the general conversion.
            texts = [cell_text(v) for v in row]
        if not any(texts):
            blank += 1
            continue
        count += 1
        if len(texts) < width:
            texts.extend([""] * (width - len(texts)))
        texts.append("")
        name, id_number, phone, address, relation, tags, grid, building, household = take(texts)
        try:
            birth_date = None
            if birth_column is not None and texts[birth_column]:
                birth_date = parse_date_cell(row[birth_column])
            name, id_number, sex, born, phone, address, relation, tags, notes = person_values(
                name, id_number, phone, address, relation, tags, birth_date, today
            )
            area_id = resolve(grid, building)
            first = seen.get(id_number)
            if first is not None:
                raise InvalidPerson(f"与第{first}行是同一身份证号，重复登记")
        except (InvalidPerson, ValueError) as exc:
            rejected.append((line, str(exc), list(row)))
            continue
        seen[id_number] = line
        for note in notes:
            noted.append((line, note))
        good.append(
            (
                line,
                name,
                id_number,
                sex,
                born.isoformat(),
                phone,
                address,
                area_id,
                household,
                relation,
                tags,
            )
        )
        if len(good) >= size:
            yield _columns(good), rejected, noted, count, blank
            good, rejected, noted, count, blank = [], [], [], 0, 0
    yield _columns(good), rejected, noted, count, blank


def _columns(rows: list[tuple]) -> tuple[tuple, ...]:
    # Columns, not rows: fewer objects to pickle across the pipe, and the
    # writer zips them into insert rows without a Python loop.
    return tuple(zip(*rows, strict=True)) if rows else ((),) * _CHECKED_WIDTH


def _can_fork() -> bool:
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def _idle_core() -> bool:
    """Whether at least one core sat idle over the last tenth of a second."""

    def idle_and_total() -> tuple[int, int]:
        with open("/proc/stat") as fh:
            ticks = [int(v) for v in fh.readline().split()[1:]]
        return ticks[3] + ticks[4], sum(ticks)

    try:
        idle_before, total_before = idle_and_total()
        time.sleep(0.1)
        idle_after, total_after = idle_and_total()
    except (OSError, ValueError, IndexError):
        return False
    idle_share = (idle_after - idle_before) / max(total_after - total_before, 1)
    return idle_share * (os.cpu_count() or 1) >= 1


def _in_child_process(batches):
    """Run the ``batches`` generator in a forked process and yield what it yields;
    None when no process can be started here (in a daemonic one, say)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_send_batches, args=(batches, sender), daemon=True)
    try:
        with warnings.catch_warnings():
            # Forking beside threads is safe here: the child only checks rows it
            # already holds, talks to its pipe and leaves by os._exit, so it takes
            # no lock another thread could hold and never touches the database.
            warnings.simplefilter("ignore", DeprecationWarning)
            child.start()
    except (AssertionError, OSError):
        receiver.close()
        sender.close()
        return None
    sender.close()
    return _received(child, receiver)


def _received(child, receiver):
    try:
        while True:
            try:
                message = receiver.recv()
            except EOFError:
                raise RuntimeError("检查台账的子进程意外退出") from None
            if message is None:
                return
            if isinstance(message, BaseException):
                raise message
            yield message
    finally:
        receiver.close()
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
            child.join()


def _send_batches(batches, sender) -> None:
    try:
        for batch in batches:
            sender.send(batch)
        sender.send(None)
    except BaseException as exc:
        try:
            sender.send(exc)
        except Exception:  # the exception does not pickle: its text does
            sender.send(RuntimeError(f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()
        # No interpreter shutdown: nothing inherited from the parent (its
        # database connection above all) may be finalised here.
        os._exit(0)


def _add_rows_outside_scope(path: Path, lines: list[int], report: ImportReport) -> None:
    """Report rows whose person is registered outside the importer's scope, with their cells."""
    wanted = set(lines)
    for line, row in enumerate(read_rows(path), start=1):
        if line in wanted:
            report.errors.append(
                (line, "此身份证号已登记在您辖区以外，请联系指挥部处理", list(row))
            )


_EXISTING_COLUMNS = ("id", "id_number", *COMPARED_FIELDS, "code_token")


def _placeholders(count: int, width: int = 1) -> str:
    one = "%s" if width == 1 else f"({', '.join(['%s'] * width)})"
    return ", ".join([one] * count)


class _ChunkWriter:
    """Writes checked rows, with plain SQL where the ORM would spend more per row
    than the database does."""

    def __init__(self, scope_ids: set[int], report: ImportReport):
        self.scope_ids = scope_ids
        self.report = report
        self.lines_outside_scope: list[int] = []
        quote = connection.ops.quote_name
        self.person_table = quote(Person._meta.db_table)
        self.household_table = quote(Household._meta.db_table)
        self.existing_sql = (
            f"SELECT {', '.join(quote(c) for c in _EXISTING_COLUMNS)} "
            f"FROM {self.person_table} WHERE {quote('id_number')}"
        )
        self.expect_new = True
        # The partial unique index on id_number, as an ON CONFLICT target.
        self.id_number_target = f"({quote('id_number')}) WHERE {quote('id_number')} IS NOT NULL"

    def write(self, columns) -> None:
        """Insert the new people among the checked rows, update the changed ones; in the
        caller's transaction."""
        (
            lines,
            names,
            id_numbers,
            sexes,
            births,
            phones,
            addresses,
            areas,
            numbers,
            relations,
            tags,
        ) = columns
        if not lines:
            return
        now = timezone.now()
        count = len(lines)
        keys = {key for key in zip(areas, numbers, strict=True) if key[1]}
        found = self._household_ids(keys, now)
        # A row without a household number looks up (area, ""), which is never a key.
        household_ids = list(map(found.get, zip(areas, numbers, strict=True)))
        stamp = connection.ops.adapt_datetimefield_value(now)
        tokens = _code_tokens(count)
        rows = list(
            zip(
                repeat(stamp, count),
                repeat(stamp, count),
                names,
                id_numbers,
                sexes,
                births,
                phones,
                addresses,
                areas,
                household_ids,
                relations,
                tags,
                tokens,
                strict=True,
            )
        )
        if connection.vendor == "sqlite":
            # The unique index answers "is this ID number new?" during the insert
            # itself; only rows it left out are looked up (a re-import).
            inserted = bulk_insert(
                Person._meta.db_table, PERSON_COLUMNS, rows, skip_conflicts=self.id_number_target
            )
            self.report.created += inserted
            if inserted < count:
                ours = set(tokens)
                existing = {
                    id_number: old
                    for id_number, old in self._existing(id_numbers).items()
                    if old["code_token"] not in ours
                }
                self._split_existing(rows, lines, existing, now)
            return
        if self.expect_new:
            # COPY cannot skip a row, but most rows of most imports are new: try the
            # chunk as it is and let the unique index refuse it if anyone is not.
            # (On PostgreSQL a savepoint costs next to nothing; on SQLite it would
            # copy every page the chunk touches, hence the clause above.)
            try:
                with transaction.atomic():
                    self.report.created += bulk_insert(Person._meta.db_table, PERSON_COLUMNS, rows)
                return
            except (IntegrityError, connection.Database.IntegrityError):
                # A re-import: look each chunk up first from now on.
                self.expect_new = False
        existing = self._existing(id_numbers)
        if existing:
            rows = self._split_existing(rows, lines, existing, now)
        self.report.created += bulk_insert(Person._meta.db_table, PERSON_COLUMNS, rows)

    def _split_existing(self, rows, lines, existing, now) -> list[tuple]:
        """The rows of people not yet registered; the others update or stay unchanged."""
        new_rows, compared = [], []
        id_number_at = PERSON_COLUMNS.index("id_number")
        positions = [PERSON_COLUMNS.index(f) for f in COMPARED_FIELDS]
        for line, row in zip(lines, rows, strict=True):
            old = existing.get(row[id_number_at])
            if old is None:
                new_rows.append(row)
                continue
            if old["area_id"] not in self.scope_ids:
                # The row's cells are read again at the end: only this rare case needs them.
                self.lines_outside_scope.append(line)
                continue
            values = {field: row[i] for field, i in zip(COMPARED_FIELDS, positions, strict=True)}
            if all(old[key] == value for key, value in values.items()):
                self.report.unchanged += 1
            else:
                compared.append(Person(id=old["id"], updated_at=now, **values))
        if compared:
            Person.objects.bulk_update(compared, [*COMPARED_FIELDS, "updated_at"], batch_size=500)
            self.report.updated += len(compared)
        return new_rows

    def _existing(self, id_numbers) -> dict[str, dict]:
        """The people already registered under these ID numbers, by ID number."""
        found = {}
        with connection.cursor() as cursor:
            for batch in _batched(id_numbers, _max_params()):
                if connection.vendor == "postgresql":
                    cursor.execute(f"{self.existing_sql} = ANY(%s)", [list(batch)])
                else:
                    cursor.execute(f"{self.existing_sql} IN ({_placeholders(len(batch))})", batch)
                found.update(
                    (row[1], dict(zip(_EXISTING_COLUMNS, row, strict=True))) for row in cursor
                )
        return found

    def _household_ids(self, keys: set[tuple[int, str]], now) -> dict[tuple[int, str], int]:
        """Ids of the households for (area_id, number) keys, creating the missing ones."""
        if not keys:
            return {}
        stamp = connection.ops.adapt_datetimefield_value(now)
        ordered = sorted(keys)
        if not connection.features.can_return_columns_from_insert:
            found = self._find_households(keys)
            missing = [key for key in ordered if key not in found]
            if missing:
                bulk_insert(
                    Household._meta.db_table,
                    ("created_at", "updated_at", "area_id", "number"),
                    [(stamp, stamp, area, number) for area, number in missing],
                )
                found.update(self._find_households(missing))
            return found
        # One statement creates the new households and returns their ids; only
        # households that were there before need a lookup.
        quote = connection.ops.quote_name
        insert = (
            f"INSERT INTO {self.household_table} "
            f"({quote('created_at')}, {quote('updated_at')}, {quote('area_id')}, {quote('number')})"
        )
        conflict = (
            f"ON CONFLICT ({quote('area_id')}, {quote('number')}) DO NOTHING "
            f"RETURNING {quote('id')}, {quote('area_id')}, {quote('number')}"
        )
        found = {}
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Two arrays bind and plan far faster than thousands of parameters.
                cursor.execute(
                    f"{insert} SELECT %s, %s, k.area_id, k.number "
                    f"FROM unnest(%s::bigint[], %s::text[]) AS k(area_id, number) {conflict}",
                    [stamp, stamp, [k[0] for k in ordered], [k[1] for k in ordered]],
                )
                found.update(((area, number), pk) for pk, area, number in cursor.fetchall())
            else:
                for batch in _batched(ordered, _max_params() // 4):
                    cursor.execute(
                        f"{insert} VALUES {_placeholders(len(batch), 4)} {conflict}",
                        [value for area, number in batch for value in (stamp, stamp, area, number)],
                    )
                    found.update(((area, number), pk) for pk, area, number in cursor.fetchall())
        if len(found) < len(keys):
            found.update(self._find_households([key for key in ordered if key not in found]))
        return found

    def _find_households(self, keys) -> dict[tuple[int, str], int]:
        # Exact (area, number) pairs: asking for the areas and the numbers apart
        # returns every pair of them, which grows with the table.
        quote = connection.ops.quote_name
        found = {}
        with connection.cursor() as cursor:
            for batch in _batched(list(keys), _max_params() // 2):
                if connection.vendor == "postgresql":
                    cursor.execute(
                        f"SELECT h.id, h.area_id, h.number FROM {self.household_table} h "
                        "JOIN unnest(%s::bigint[], %s::text[]) AS k(area_id, number) "
                        "ON h.area_id = k.area_id AND h.number = k.number",
                        [[k[0] for k in batch], [k[1] for k in batch]],
                    )
                else:
                    # CROSS JOIN fixes the order on SQLite: one index seek per key,
                    # where a row-value IN reads the whole index.
                    cursor.execute(
                        "SELECT h.id, h.area_id, h.number "
                        f"FROM (VALUES {_placeholders(len(batch), 2)}) AS k "
                        f"CROSS JOIN {self.household_table} AS h "
                        f"ON h.{quote('area_id')} = k.column1 AND h.{quote('number')} = k.column2",
                        [value for key in batch for value in key],
                    )
                found.update(((area, number), pk) for pk, area, number in cursor)
        return found


def _max_params() -> int:
    """How many parameters one statement may carry on this database."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        limit = getattr(connection.connection, "getlimit", None)
        return limit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if limit else 999
    # PostgreSQL's protocol counts parameters in 16 bits.
    return 65535


def _batched(values, size: int):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _code_tokens(count: int) -> list[str]:
    """``count`` tokens like secrets.token_urlsafe(12), from one read of the OS's randomness."""
    # 12 random bytes encode to exactly 16 base64 characters, so slicing the
    # encoding of 12 * count bytes gives count independent tokens.
    text = base64.urlsafe_b64encode(secrets.token_bytes(12 * count)).decode("ascii")
    return [text[i : i + 16] for i in range(0, 16 * count, 16)]


def export_columns():
    """The columns of a residents' ledger export: the same headers as an import, the grid
    by code, so an export re-imports as is."""
    from tongchou.core.exports import Column
    from tongchou.core.privacy import PersonalKind
    from tongchou.registry.choices import Relation, Tag

    relations, tags = dict(Relation.choices), dict(Tag.choices)
    return [
        Column(PEOPLE_HEADERS["name"][0], lambda p: p.name, PersonalKind.NAME),
        Column(PEOPLE_HEADERS["id_number"][0], lambda p: p.id_number, PersonalKind.ID_NUMBER),
        Column(PEOPLE_HEADERS["phone"][0], lambda p: p.phone, PersonalKind.PHONE),
        Column(PEOPLE_HEADERS["address"][0], lambda p: p.address, PersonalKind.ADDRESS),
        Column("网格编码", lambda p: p.area.code),
        Column(
            PEOPLE_HEADERS["household"][0],
            lambda p: p.household.number if p.household else "",
            PersonalKind.ADDRESS,
        ),
        Column(PEOPLE_HEADERS["relation"][0], lambda p: relations.get(p.relation, "")),
        Column(
            PEOPLE_HEADERS["tags"][0],
            lambda p: "、".join(str(tags.get(t, t)) for t in p.tag_list),
        ),
    ]
