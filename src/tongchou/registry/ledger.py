"""Importing and exporting the residents' ledger (居民台账).

The import reads a community's .xlsx or .csv with the headers units use,
checks every row with the same rules as the form, keeps good rows, reports
each bad row with its reason, and changes nothing when the same file comes
in twice (the ID number is the key). It writes in chunks with the fast bulk
path, so a district's million rows go in at close to the database's own rate.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from tongchou.common.bulk import bulk_insert
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
from tongchou.registry.validation import InvalidPerson, clean_person

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


def _scope_nodes(actor):
    nodes = GridNode.objects.all() if actor is None else GridNode.objects.restrict(actor)
    return nodes.values_list("id", "code", "name", "level", "parent_id")


def people_import(
    *,
    actor,
    path: str | Path,
    progress: Callable[[int, int, str], None] | None = None,
    chunk_rows: int = 5000,
) -> ImportReport:
    """Import a residents' ledger as ``actor`` (None: the operator, whole district).

    Raises SpreadsheetError when the file is not a ledger at all; otherwise
    every row ends up created, updated, unchanged, blank or in ``errors``.
    """
    path = Path(path)
    total = max(count_rows(path) - 1, 0)
    rows = read_rows(path)
    header_line, columns, header = find_header(rows, PEOPLE_HEADERS)
    missing = [PEOPLE_HEADERS[c][0] for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise SpreadsheetError(f"缺少必需的列：{'、'.join(missing)}")
    report = ImportReport(header_line=header_line, header=header)
    resolver = AreaResolver(_scope_nodes(actor))
    seen: dict[str, int] = {}
    chunk: list[tuple[int, list, object, int, str]] = []
    get = {
        name: (lambda row, i=index: row[i] if i < len(row) else None)
        for name, index in columns.items()
    }
    empty = lambda row: None  # noqa: E731
    cell = {name: get.get(name, empty) for name in PEOPLE_HEADERS}

    for line, row in enumerate(rows, start=header_line + 1):
        if not any(cell_text(v) for v in row):
            report.blank += 1
            continue
        report.rows += 1
        try:
            birth_cell = cell["birth_date"](row)
            clean = clean_person(
                name=cell_text(cell["name"](row)),
                id_number=cell_text(cell["id_number"](row)),
                phone=cell_text(cell["phone"](row)),
                address=cell_text(cell["address"](row)),
                relation=cell_text(cell["relation"](row)),
                tags=cell_text(cell["tags"](row)),
                birth_date=parse_date_cell(birth_cell) if cell_text(birth_cell) else None,
            )
            area_id = resolver.resolve(
                cell_text(cell["grid"](row)), cell_text(cell["building"](row))
            )
            first = seen.get(clean.id_number)
            if first is not None:
                raise InvalidPerson(f"与第{first}行是同一身份证号，重复登记")
        except (InvalidPerson, ValueError) as exc:
            report.errors.append((line, str(exc), list(row)))
            continue
        seen[clean.id_number] = line
        for warning in clean.warnings:
            report.warnings.append((line, warning))
        chunk.append((line, list(row), clean, area_id, cell_text(cell["household"](row))))
        if len(chunk) >= chunk_rows:
            _write_chunk(chunk, resolver.scope_ids, report)
            chunk = []
            if progress:
                progress(report.rows + report.blank, total, "")
    if chunk:
        _write_chunk(chunk, resolver.scope_ids, report)
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


def _household_ids(keys: set[tuple[int, str]], now) -> dict[tuple[int, str], int]:
    """Ids of the households for (area_id, number) keys, creating the missing ones."""
    if not keys:
        return {}
    areas = {area for area, _number in keys}
    numbers = {number for _area, number in keys}

    def lookup():
        return {
            (area, number): pk
            for pk, area, number in Household.objects.filter(
                area_id__in=areas, number__in=numbers
            ).values_list("id", "area_id", "number")
            if (area, number) in keys
        }

    found = lookup()
    missing = keys - found.keys()
    if missing:
        stamp = connection.ops.adapt_datetimefield_value(now)
        bulk_insert(
            Household._meta.db_table,
            ("created_at", "updated_at", "area_id", "number"),
            [(stamp, stamp, area, number) for area, number in sorted(missing)],
        )
        found = lookup()
    return found


def _write_chunk(chunk, scope_ids: set[int], report: ImportReport) -> None:
    now = timezone.now()
    with transaction.atomic():
        existing = {
            row["id_number"]: row
            for row in Person.objects.filter(id_number__in=[c[2].id_number for c in chunk]).values(
                "id", "id_number", *COMPARED_FIELDS
            )
        }
        households = _household_ids({(c[3], c[4]) for c in chunk if c[4]}, now)
        stamp = connection.ops.adapt_datetimefield_value(now)
        new_rows, updates = [], []
        for line, raw, clean, area_id, household in chunk:
            household_id = households.get((area_id, household)) if household else None
            old = existing.get(clean.id_number)
            if old is None:
                new_rows.append(
                    (
                        stamp,
                        stamp,
                        clean.name,
                        clean.id_number,
                        clean.sex,
                        connection.ops.adapt_datefield_value(clean.birth_date),
                        clean.phone,
                        clean.address,
                        area_id,
                        household_id,
                        clean.relation,
                        clean.tags,
                        secrets.token_urlsafe(12),
                    )
                )
                continue
            if old["area_id"] not in scope_ids:
                report.errors.append((line, "此身份证号已登记在您辖区以外，请联系指挥部处理", raw))
                continue
            values = {
                "name": clean.name,
                "phone": clean.phone,
                "address": clean.address,
                "area_id": area_id,
                "household_id": household_id,
                "relation": clean.relation,
                "tags": clean.tags,
            }
            if all(old[key] == value for key, value in values.items()):
                report.unchanged += 1
            else:
                updates.append(Person(id=old["id"], updated_at=now, **values))
        report.created += bulk_insert(Person._meta.db_table, PERSON_COLUMNS, new_rows)
        if updates:
            Person.objects.bulk_update(updates, [*values.keys(), "updated_at"], batch_size=500)
            report.updated += len(updates)


def export_rows(queryset, *, reveal: bool):
    """Header and rows of a residents' ledger export, masked unless ``reveal``.

    The export re-imports as is: the same headers, the grid by code.
    """
    from tongchou.common.masking import mask_id_number, mask_phone

    header = [
        PEOPLE_HEADERS[k][0]
        for k in ("name", "id_number", "phone", "address", "grid", "household", "relation", "tags")
    ]
    header[4] = "网格编码"

    def rows():
        from tongchou.registry.choices import Relation, Tag

        relations, tags = dict(Relation.choices), dict(Tag.choices)
        for person in queryset.select_related("area", "household").iterator(chunk_size=2000):
            yield [
                person.name,
                person.id_number if reveal else mask_id_number(person.id_number),
                person.phone if reveal else mask_phone(person.phone),
                person.address,
                person.area.code,
                person.household.number if person.household else "",
                str(relations.get(person.relation, "")),
                "、".join(str(tags.get(t, t)) for t in person.tag_list),
            ]

    return header, rows()
