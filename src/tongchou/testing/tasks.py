"""Background jobs of mass testing: a lab's results file, uploaded and followed like a
ledger import (``core.uploads``)."""

from pathlib import Path

from tongchou.common.spreadsheets import SpreadsheetError, cell_text, find_header, read_rows
from tongchou.core.uploads import ledger_import
from tongchou.testing.services import ResultReport, results_apply

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


def results_file_apply(*, actor, path: Path, progress, file_name: str = "") -> ResultReport:
    """Apply a lab's results file (``actor`` is the lab that uploaded it)."""
    rows = read_result_rows(path)
    progress(0, len(rows), "")
    report = results_apply(lab=actor, rows=rows, file_name=file_name or path.name)
    progress(len(rows), len(rows), "")
    return report


def _results_error_table(report: ResultReport) -> tuple[list, list[list]]:
    # Only the tube barcode goes back, never the rest of the row: a lab sees tubes, and
    # whatever else its file held stays out of the job's files.
    return ["行号", "试管条码", "错误原因"], [list(error) for error in report.errors]


apply_results_file = ledger_import(
    RESULTS_FILE,
    importer=results_file_apply,
    job_params=("file_name",),
    error_table=_results_error_table,
    shown_columns=3,
    summary=lambda report: {**report.summary(), "positive_tubes": report.positives[:50]},
)
