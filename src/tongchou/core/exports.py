"""The one export pipeline: every list that downloads goes through ``export_table``.

An export declares its columns, each with the personal kind it holds (or none).
The pipeline shows every personal cell as ``core.privacy.POLICY`` lets the
exporting user see it, writes the file (formula-like cells as text, a first line
naming who exported it and when, see ``common.spreadsheets.write_table``), and
writes one access-log row with the row count and the file's SHA-256. An
unmasked export needs a reason of at least ``EXPORT_REASON_MIN`` characters and
counts against the user's daily cap of unmasked rows.
"""

import hashlib
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import FileResponse, Http404
from django.utils import timezone

from tongchou.common.spreadsheets import write_table
from tongchou.core.choices import AccessKind
from tongchou.core.privacy import PersonalKind, revealable_kinds, shown

EXPORT_REASON_MIN = 10


@dataclass(frozen=True)
class Column:
    """One column of an export: its header, how to read it off a row, what it holds."""

    header: str
    value: Callable
    kind: PersonalKind | None = None


@dataclass(frozen=True)
class ExportResult:
    path: Path
    row_count: int
    sha256: str


def _full_rows_today(actor) -> int:
    from tongchou.core.models import AccessLog

    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        AccessLog.objects.filter(
            actor=actor, kind=AccessKind.EXPORT_FULL, created_at__gte=start
        ).aggregate(n=Sum("row_count"))["n"]
        or 0
    )


def export_table(
    *,
    actor,
    columns: list[Column],
    rows: Iterable,
    path: Path,
    object_type: str,
    object_id: str = "",
    reveal: bool = False,
    reason: str = "",
    address: str | None = None,
) -> ExportResult:
    """Write ``rows`` (already restricted to ``actor``) to ``path`` as ``actor`` may see
    them, and log it. ``reveal`` unmasks the kinds the actor's role may reveal."""
    from tongchou.core.services import access_log_record

    reason = reason.strip()
    unmasked = set()
    if reveal:
        unmasked = {c.kind for c in columns if c.kind} & revealable_kinds(actor)
        if not unmasked:
            raise Http404
        if len(reason) < EXPORT_REASON_MIN:
            raise ValidationError(f"导出完整信息须填写理由（至少{EXPORT_REASON_MIN}个字）")
    count = 0

    def cells():
        nonlocal count
        for row in rows:
            count += 1
            yield [
                _cell(column.value(row))
                if column.kind is None
                else shown(actor, column.kind, column.value(row), revealed=column.kind in unmasked)
                for column in columns
            ]

    now = timezone.localtime()
    who = f"{actor.full_name}（{actor.username}）" if actor.full_name else actor.username
    title = f"导出人：{who}　导出时间：{now:%Y-%m-%d %H:%M}"
    write_table(path, [c.header for c in columns], cells(), title=title)
    if unmasked:
        cap = settings.EXPORT_FULL_DAILY_ROWS
        if _full_rows_today(actor) + count > cap:
            path.unlink()
            raise ValidationError(
                f"今日导出完整信息已达上限（每人每日{cap}行），本次{count}行未导出；"
                "如确有需要请联系指挥部"
            )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    access_log_record(
        actor=actor,
        kind=AccessKind.EXPORT_FULL if unmasked else AccessKind.EXPORT,
        object_type=object_type,
        object_id=object_id,
        fields=",".join(sorted(k.value for k in unmasked)),
        reason=reason,
        row_count=count,
        address=address,
        sha256=digest,
    )
    return ExportResult(path=path, row_count=count, sha256=digest)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return str(value)


def export_path(file_name: str) -> Path:
    """A fresh path, in a folder of its own, for a spreadsheet about to be sent."""
    folder = Path(settings.JOB_FILES_DIR) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=folder)) / file_name


def export_response(path: Path, download_name: str) -> FileResponse:
    """Send the file at ``path`` as an attachment, and delete it."""
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115  (the response closes it)
        as_attachment=True,
        filename=download_name,
    )
    path.unlink()  # the open handle keeps the data until the response is sent
    path.parent.rmdir()
    return response


def export_download(request, *, download_name: str, **kwargs) -> FileResponse:
    """``export_table`` for a page: a fresh file, sent as ``download_name``, removed."""
    from tongchou.core.lockout import client_address

    path = export_path("export" + Path(download_name).suffix)
    try:
        export_table(actor=request.user, path=path, address=client_address(request), **kwargs)
    except BaseException:
        if path.exists():
            path.unlink()
        path.parent.rmdir()
        raise
    return export_response(path, download_name)


class ExportFormatForm(forms.Form):
    """What every export form posts: the file's format (the list itself is in the URL)."""

    file_format = forms.ChoiceField(choices=[("xlsx", ".xlsx"), ("csv", ".csv")])


def export_format(request) -> str:
    """The posted file format of an export; anything else is a missing page."""
    form = ExportFormatForm(request.POST)
    if not form.is_valid():
        raise Http404
    return form.cleaned_data["file_format"]
