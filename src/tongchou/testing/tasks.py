"""Background jobs of mass testing: a lab's results file."""

from pathlib import Path

from django.conf import settings

from tongchou.common.spreadsheets import (
    SpreadsheetError,
    cell_text,
    find_header,
    read_rows,
    write_table,
)
from tongchou.core.jobs import job_handler
from tongchou.core.models import User
from tongchou.testing.services import results_apply

RESULTS_FILE = "testing.results_file"
RESULT_HEADERS = {
    "barcode": ("试管条码", "管码", "条码", "样本管条码", "barcode", "tube"),
    "result": ("检测结果", "结果", "result"),
}


def read_result_rows(path) -> list[tuple[int, str, str]]:
    """(line, barcode, result) for every non-blank row of a lab's results file."""
    rows = read_rows(path)
    header_line, columns, _header = find_header(rows, RESULT_HEADERS)
    if len(columns) < 2:
        raise SpreadsheetError("结果文件须包含“试管条码”和“检测结果”两列")
    b, r = columns["barcode"], columns["result"]
    found = []
    for line, row in enumerate(rows, start=header_line + 1):
        barcode = cell_text(row[b]) if b < len(row) else ""
        result = cell_text(row[r]) if r < len(row) else ""
        if barcode or result:
            found.append((line, barcode, result))
    return found


@job_handler(RESULTS_FILE)
def apply_results_file(job, progress) -> dict:
    lab = User.objects.get(pk=job.params["lab_id"])
    path = Path(job.params["path"])
    rows = read_result_rows(path)
    progress(0, len(rows), "")
    report = results_apply(lab=lab, rows=rows, file_name=job.params.get("file_name", path.name))
    progress(len(rows), len(rows), "")
    result = report.summary()
    if report.errors:
        error_file = Path(settings.JOB_FILES_DIR) / str(job.pk) / f"errors{path.suffix.lower()}"
        write_table(
            error_file,
            ["行号", "试管条码", "错误原因"],
            ([line, code, reason] for line, code, reason in report.errors),
        )
        result["error_file"] = str(error_file)
        result["first_errors"] = [list(e) for e in report.errors[:20]]
    result["positive_tubes"] = report.positives[:50]
    return result
