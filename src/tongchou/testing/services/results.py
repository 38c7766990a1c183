"""A lab's results: applied per tube in bulk, with follow-up for positive and invalid tubes.

A positive pool puts each of its members under immediate control, on a
single-tube retest, and on their grid worker's task list; an invalid tube
asks for its members to be sampled again. Unknown tubes, repeated rows and
conflicting results are reported row by row; nothing good is lost.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tongchou.command.services import task_create
from tongchou.core.choices import Role
from tongchou.core.services import audit_record
from tongchou.testing.choices import (
    RESULT_BY_LABEL,
    RetestReason,
    RetestStatus,
    TubeResult,
    TubeStatus,
)
from tongchou.testing.models import ResultUpload, Retest, Sample, Tube
from tongchou.testing.services.sampling import NUL
from tongchou.tracing.services import control_start_for_positive_pool

CHUNK = 2000


@dataclass
class ResultReport:
    rows: int = 0
    applied: int = 0
    unchanged: int = 0
    positives: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # line, barcode, reason

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "applied": self.applied,
            "unchanged": self.unchanged,
            "positives": len(self.positives),
            "invalid": len(self.invalid),
            "errors": len(self.errors),
        }


BARCODE_LENGTH = Tube._meta.get_field("barcode").max_length


def _shown(text: str) -> str:
    """A text of a row as its error repeats it: cut, so a stray long cell stays short."""
    return text if len(text) <= BARCODE_LENGTH else text[:BARCODE_LENGTH] + "…"


def results_apply(*, lab, rows: list[tuple[int, str, str]], file_name: str = "") -> ResultReport:
    """Apply ``rows`` of (line, tube barcode, result text) from one lab's file or batch."""
    if lab.role != Role.LAB:
        raise PermissionError("only a lab reports results")
    report = ResultReport(rows=len(rows))
    wanted: dict[str, tuple[int, str]] = {}
    conflicted: set[str] = set()
    for line, barcode, text in rows:
        barcode = str(barcode or "").strip()
        text = str(text or "").strip()
        result = RESULT_BY_LABEL.get(text.lower())
        if not barcode:
            report.errors.append((line, barcode, "试管条码为空"))
        elif NUL in barcode or NUL in text:
            # Kept out of the database, whose text (and the upload's record) cannot hold it.
            shown = _shown(barcode.replace(NUL, "\ufffd"))
            report.errors.append((line, shown, "含有无效字符（空字符），请核对后重新上传"))
        elif len(barcode) > BARCODE_LENGTH:
            report.errors.append((line, _shown(barcode), "未知的试管条码"))
        elif result is None:
            report.errors.append(
                (line, barcode, f"检测结果“{_shown(text)}”无法识别（应为阴性、阳性或无效）")
            )
        elif barcode in wanted:
            first_line, first = wanted[barcode]
            if first == result:
                report.errors.append((line, barcode, f"与第{first_line}行重复，已忽略"))
            else:
                report.errors.append((line, barcode, f"与第{first_line}行结果矛盾，均未采用"))
                conflicted.add(barcode)
        else:
            wanted[barcode] = (line, result)
    for barcode in conflicted:
        first_line, _result = wanted.pop(barcode)
        report.errors.append((first_line, barcode, "同一试管在文件中结果矛盾，均未采用"))

    barcodes = list(wanted)
    for start in range(0, len(barcodes), CHUNK):
        _apply_chunk(lab, barcodes[start : start + CHUNK], wanted, report)
    report.errors.sort()
    with transaction.atomic():
        ResultUpload.objects.create(
            lab=lab,
            file_name=file_name,
            rows=report.rows,
            applied=report.applied,
            unchanged=report.unchanged,
            errors=[[line, code, reason] for line, code, reason in report.errors[:1000]],
        )
        audit_record(
            actor=lab,
            action="testing.results",
            object_type="testing.tube",
            object_repr=file_name,
            after=report.summary(),
        )
    return report


def _apply_chunk(lab, barcodes, wanted, report: ResultReport) -> None:
    now = timezone.now()
    with transaction.atomic():
        found = {
            t["barcode"]: t
            for t in Tube.objects.select_for_update()
            .filter(barcode__in=barcodes, site__lab=lab)
            .values("id", "barcode", "result", "is_retest")
        }
        by_result: dict[str, list[int]] = defaultdict(list)
        for barcode in barcodes:
            line, result = wanted[barcode]
            tube = found.get(barcode)
            if tube is None:
                # Another lab's tube reads as unknown too: a lab learns nothing of others.
                report.errors.append((line, barcode, "未知的试管条码"))
            elif tube["result"] == result:
                report.unchanged += 1
            elif tube["result"]:
                report.errors.append(
                    (line, barcode, f"与已上报结果“{TubeResult(tube['result']).label}”冲突，未采用")
                )
            else:
                by_result[result].append(tube["id"])
                report.applied += 1
        for result, ids in by_result.items():
            Tube.objects.filter(id__in=ids).update(
                status=TubeStatus.RESULTED, result=result, resulted_at=now, updated_at=now
            )
        retest_ids = [t["id"] for t in found.values() if t["is_retest"]]
        for result, ids in by_result.items():
            answered = [i for i in ids if i in set(retest_ids)]
            if answered and result in (TubeResult.NEGATIVE, TubeResult.POSITIVE):
                Retest.objects.filter(
                    retest_tube_id__in=answered, status=RetestStatus.SAMPLED
                ).update(status=RetestStatus(result), updated_at=now)
        for tube in Tube.objects.filter(
            id__in=by_result.get(TubeResult.POSITIVE, [])
        ).select_related("round"):
            report.positives.append(tube.barcode)
            _follow_up(tube, RetestReason.POSITIVE_POOL)
        for tube in Tube.objects.filter(
            id__in=by_result.get(TubeResult.INVALID, [])
        ).select_related("round"):
            report.invalid.append(tube.barcode)
            _follow_up(tube, RetestReason.INVALID_TUBE)


def _follow_up(tube: Tube, reason: str) -> None:
    """Retest, control and a task for every member of a positive or invalid tube."""
    members = list(Sample.objects.filter(tube=tube).select_related("person__area"))
    Retest.objects.bulk_create(
        [
            Retest(round=tube.round, person=s.person, source_tube=tube, reason=reason)
            for s in members
        ],
        ignore_conflicts=True,
    )
    positive = reason == RetestReason.POSITIVE_POOL
    due = timezone.now() + (timedelta(hours=2) if positive else timedelta(hours=12))
    for sample in members:
        person = sample.person
        if positive:
            _put_under_control(person, tube)
            title = "阳性混管人员立即管控并单采复核"
        else:
            title = "试管无效，请通知重新采样"
        task_create(
            actor=None,
            title=title,
            area=person.area,
            due_at=due,
            subject=person,
            person=person,
            source=f"testing.{reason}",
            description=f"{tube.round.name}，试管{tube.barcode}",
        )


def _put_under_control(person, tube: Tube) -> None:
    # Control lives in the tracing app; testing asks for it through tracing's service.
    control_start_for_positive_pool(person=person, source=f"tube:{tube.barcode}")
