"""Importing the venue survey ledger (重点场所摸排台账), .xlsx or .csv, as units keep it.

A venue is keyed by its grid and name: the same file twice changes nothing,
a changed row updates the venue and its four responsible parties. Rows are
checked by the same rules as the form; bad rows come back with the reason.
"""

from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from tongchou.common.idnumbers import InvalidPhone, parse_phone
from tongchou.common.spreadsheets import cell_text, count_rows, read_rows
from tongchou.core.services import audit_record
from tongchou.registry.ledger import AreaResolver, ImportReport, ledger_header
from tongchou.registry.validation import InvalidPerson
from tongchou.venues.choices import VENUE_KIND_BY_LABEL, Duty, VenueKind
from tongchou.venues.models import Venue, VenueDuty
from tongchou.venues.services import clean_venue_fields, new_code_token

VENUE_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("场所名称", "单位名称", "名称", "name"),
    "kind": ("场所类型", "场所类别", "类型", "kind"),
    "grid": ("所属网格", "网格", "网格编码", "grid"),
    "address": ("场所地址", "地址", "详细地址", "address"),
    "window": ("密接判定时长（分钟）", "密接判定时长", "window"),
    "territorial_holder": ("属地责任单位",),
    "territorial_name": ("属地责任人",),
    "territorial_phone": ("属地责任人电话",),
    "department_holder": ("行业主管部门", "主管部门"),
    "department_name": ("部门责任人",),
    "department_phone": ("部门责任人电话",),
    "unit_holder": ("责任单位", "经营单位"),
    "unit_name": ("单位责任人",),
    "unit_phone": ("单位责任人电话",),
    "individual_name": ("个人责任人", "经营者", "负责人"),
    "individual_phone": ("个人责任人电话", "经营者电话", "负责人电话"),
}
REQUIRED_COLUMNS = ("name", "kind", "grid")
_KINDS_BY_TEXT = {
    **VENUE_KIND_BY_LABEL,
    **{str(label): kind for kind, label in VenueKind.choices},
    **{kind: kind for kind in VenueKind.values},
}


def _duties(get) -> dict[str, tuple[str, str, str]]:
    """(holder, person, phone) of each of the four parties the row names."""
    duties = {}
    for duty in Duty.values:
        holder = get(f"{duty}_holder")
        name = get(f"{duty}_name")
        phone = get(f"{duty}_phone")
        if phone:
            try:
                phone = parse_phone(phone)
            except InvalidPhone as exc:
                raise ValidationError(f"{Duty(duty).label}责任人电话：{exc}") from None
        if holder or name or phone:
            duties[duty] = (holder[:100], name[:64], phone)
    return duties


# Rows per transaction: a page polling the job sees the progress after each commit.
COMMIT_ROWS = 500


def venues_import(
    *,
    actor,
    path: str | Path,
    progress: Callable[[int, int, str], None] | None = None,
    commit_rows: int = COMMIT_ROWS,
) -> ImportReport:
    """Import a venue survey ledger as ``actor`` (None: the operator, whole district).

    Raises SpreadsheetError when the file is not a ledger at all; otherwise every
    row ends up created, updated, unchanged, blank or in ``errors``.
    """
    path = Path(path)
    total = max(count_rows(path) - 1, 0)
    rows = read_rows(path)
    header_line, columns, header = ledger_header(rows, VENUE_HEADERS, REQUIRED_COLUMNS)
    report = ImportReport(header_line=header_line, header=header)
    resolver = AreaResolver.for_actor(actor)
    existing = {
        (v.area_id, v.name): v
        for v in Venue.objects.filter(area_id__in=resolver.scope_ids).prefetch_related("duties")
    }
    seen: dict[tuple[int, str], int] = {}
    lines = enumerate(rows, start=header_line + 1)
    while True:
        with transaction.atomic():
            taken = 0
            for line, row in lines:
                _import_row(line, row, columns, resolver, existing, seen, report)
                taken += 1
                if taken >= commit_rows:
                    break
        if progress:
            progress(report.rows + report.blank, total, "")
        if taken < commit_rows:
            break
    audit_record(
        actor=actor,
        action="venues.import",
        object_type="venues.venue",
        object_repr=path.name,
        after=report.summary(),
    )
    if progress:
        progress(total, total, "")
    return report


def _import_row(line, row, columns, resolver, existing, seen, report) -> None:
    """Check one row by the form's rules and write it, or report why not."""
    texts = [cell_text(v) for v in row]
    if not any(texts):
        report.blank += 1
        return
    report.rows += 1

    def get(name):
        index = columns.get(name)
        return texts[index] if index is not None and index < len(texts) else ""

    try:
        kind_text = get("kind")
        kind = _KINDS_BY_TEXT.get(kind_text)
        if kind is None:
            raise ValidationError(f"场所类型“{kind_text}”无法识别")
        name, kind, window = clean_venue_fields(
            name=get("name"), kind=kind, window=get("window") or None
        )
        area_id = resolver.resolve(get("grid"), "")
        duties = _duties(get)
        key = (area_id, name)
        if key in seen:
            raise ValidationError(f"与第{seen[key]}行是同一网格的同名场所，重复登记")
    except (ValidationError, InvalidPerson) as exc:
        reason = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        report.errors.append((line, reason, list(row)))
        return
    seen[key] = line
    _write(existing, key, kind, get("address")[:200], window, duties, report)


def _write(existing, key, kind, address, window, duties, report) -> None:
    """Create or update one venue and the parties the row names; count what happened."""
    area_id, name = key
    venue = existing.get(key)
    if venue is None:
        venue = Venue.objects.create(
            area_id=area_id,
            name=name,
            kind=kind,
            address=address,
            contact_window_minutes=window,
            code_token=new_code_token(),
        )
        existing[key] = venue
        VenueDuty.objects.bulk_create(
            [
                VenueDuty(venue=venue, duty=duty, holder=h, person_name=n, phone=p)
                for duty, (h, n, p) in duties.items()
            ]
        )
        report.created += 1
        return
    changed = (venue.kind, venue.address, venue.contact_window_minutes) != (kind, address, window)
    if changed:
        venue.kind, venue.address, venue.contact_window_minutes = kind, address, window
        venue.save(update_fields=["kind", "address", "contact_window_minutes", "updated_at"])
    old_duties = {d.duty: d for d in venue.duties.all()}
    for duty, (holder, person_name, phone) in duties.items():
        old = old_duties.get(duty)
        if old is None:
            VenueDuty.objects.create(
                venue=venue, duty=duty, holder=holder, person_name=person_name, phone=phone
            )
            changed = True
        elif (old.holder, old.person_name, old.phone) != (holder, person_name, phone):
            # A user linked to the duty stays linked: the ledger does not know accounts.
            old.holder, old.person_name, old.phone = holder, person_name, phone
            old.save(update_fields=["holder", "person_name", "phone"])
            changed = True
    if changed:
        report.updated += 1
    else:
        report.unchanged += 1
