"""Creating grid nodes and importing the tree from a spreadsheet."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from tongchou.common.spreadsheets import cell_text, find_header, read_rows
from tongchou.core.services import audit_record
from tongchou.grid.choices import LEVEL_BY_LABEL, LEVEL_DEPTH, Level
from tongchou.grid.models import GridNode

# Accepted headers of a grid ledger, Chinese as units write them and English.
GRID_HEADERS = {
    "code": ("编码", "代码", "code"),
    "name": ("名称", "name"),
    "level": ("层级", "级别", "level"),
    "parent_code": ("上级编码", "上级代码", "parent_code", "parent"),
}


@transaction.atomic
def grid_node_create(
    *, actor, code: str, name: str, level: str, parent: GridNode | None, owner=None
) -> GridNode:
    """Add a node under ``parent``; a district is the only root and levels go down one step."""
    if level not in Level.values:
        raise ValidationError({"level": f"未知层级：{level}"})
    if parent is None and level != Level.DISTRICT:
        raise ValidationError({"parent": "只有区（示范区）可以没有上级"})
    if parent is not None and LEVEL_DEPTH[level] != LEVEL_DEPTH[parent.level] + 1:
        raise ValidationError({"level": f"“{name}”的层级应比上级“{parent.name}”低一级"})
    node = GridNode(code=code, name=name, level=level, parent=parent, owner=owner, path="")
    node.full_clean(exclude=["path"])
    node.save()
    # Zero-padded keys make the path's text order the tree order, siblings by age.
    node.path = f"{parent.path if parent else '/'}{node.pk:08d}/"
    node.save(update_fields=["path"])
    audit_record(
        actor=actor,
        action="grid.create",
        instance=node,
        after={"code": code, "level": level, "parent": parent.code if parent else None},
    )
    return node


@dataclass
class GridImportReport:
    created: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


@transaction.atomic
def grid_import_rows(*, actor, rows: list[dict]) -> GridImportReport:
    """Create the nodes of a grid ledger, parents before children; existing codes are kept.

    Each row is a dict with code, name, level and parent_code; a bad row is
    reported with its line number and the others still go in.
    """
    report = GridImportReport()
    by_code = {n.code: n for n in GridNode.objects.all()}
    pending = list(enumerate(rows, start=2))
    # Rows may come in any order: keep passing until no row can be placed.
    while pending:
        still_pending = []
        for line, row in pending:
            code, name = str(row.get("code") or "").strip(), str(row.get("name") or "").strip()
            level = LEVEL_BY_LABEL.get(str(row.get("level") or "").strip().lower())
            parent_code = str(row.get("parent_code") or "").strip()
            if not code or not name:
                report.errors.append((line, "编码和名称不能为空"))
                continue
            if level is None:
                report.errors.append((line, f"层级“{row.get('level')}”无法识别"))
                continue
            if code in by_code:
                report.unchanged += 1
                continue
            if parent_code and parent_code not in by_code:
                still_pending.append((line, row))
                continue
            try:
                with transaction.atomic():
                    by_code[code] = grid_node_create(
                        actor=actor,
                        code=code,
                        name=name,
                        level=level,
                        parent=by_code.get(parent_code),
                    )
                report.created += 1
            except ValidationError as exc:
                report.errors.append((line, "；".join(exc.messages)))
        if len(still_pending) == len(pending):
            for line, row in still_pending:
                report.errors.append((line, f"上级编码“{row.get('parent_code')}”不存在"))
            break
        pending = still_pending
    report.errors.sort()
    audit_record(
        actor=actor,
        action="grid.import",
        object_type="grid.gridnode",
        after={
            "created": report.created,
            "unchanged": report.unchanged,
            "errors": len(report.errors),
        },
    )
    return report


def grid_import_file(*, actor, path) -> GridImportReport:
    """Import a grid ledger file (.xlsx or .csv); raises SpreadsheetError if it is none."""
    rows = read_rows(path)
    _line, columns, _header = find_header(rows, GRID_HEADERS)
    records = [
        {name: cell_text(row[i]) if i < len(row) else "" for name, i in columns.items()}
        for row in rows
        if any(cell_text(c) for c in row)
    ]
    return grid_import_rows(actor=actor, rows=records)
