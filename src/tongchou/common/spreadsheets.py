"""Reading and writing the ledgers units keep: .xlsx and .csv, Chinese headers.

A ledger often has a title row above the header ("景园社区居民台账") and merged
header cells; the header is the first row among the first few that names at
least two known columns. Cells come back as str, int, float, date or datetime.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

HEADER_SEARCH_ROWS = 15


class SpreadsheetError(ValueError):
    """The file cannot be read as a ledger; the message says why, in Chinese."""


def _normalize_header(text) -> str:
    return re.sub(r"[\s*＊:：()（）\n]", "", str(text or "")).lower()


def read_rows(path: str | Path) -> Iterator[list]:
    """Every row of the first sheet of an .xlsx, or of a .csv, as a list of cells."""
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        yield from _read_xlsx(path)
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入")
    elif path.suffix.lower() == ".xlsx":
        raise SpreadsheetError("文件扩展名是 .xlsx，但内容不是有效的 Excel 表格")
    else:
        yield from _read_csv(path)


def count_rows(path: str | Path) -> int:
    """How many rows the file holds (header and title rows included), for progress bars."""
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(b"PK\x03\x04"):
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).height
        except (CalamineError, ValueError, OSError):
            return 0
    with path.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


def _read_xlsx(path: Path) -> Iterator[list]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except (CalamineError, ValueError, OSError) as exc:
        raise SpreadsheetError(f"无法读取 Excel 文件：{exc}") from None
    yield from rows


def _read_csv(path: Path) -> Iterator[list]:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise SpreadsheetError("文件不是文本表格（CSV），也不是 Excel 表格")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetError("无法识别 CSV 文件的编码，请保存为 UTF-8 或 GBK")
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


def find_header(rows: Iterator[list], aliases: dict[str, Iterable[str]]) -> tuple[int, dict, list]:
    """Consume rows up to the header; return its 1-based line, {field: column}, its cells.

    ``aliases`` maps a field name to the header texts that mean it.
    """
    lookup = {_normalize_header(a): name for name, texts in aliases.items() for a in texts}
    for line in range(1, HEADER_SEARCH_ROWS + 1):
        try:
            row = next(rows)
        except StopIteration:
            break
        columns = {}
        for index, cell in enumerate(row):
            name = lookup.get(_normalize_header(cell))
            if name and name not in columns:
                columns[name] = index
        if len(columns) >= 2:
            return line, columns, [cell_text(c) for c in row]
    raise SpreadsheetError(
        "找不到表头：前{}行中没有一行包含至少两个可识别的列名（如 {}）".format(
            HEADER_SEARCH_ROWS, "、".join(next(iter(t)) for t in list(aliases.values())[:4])
        )
    )


def cell_text(value) -> str:
    """A cell as trimmed text; whole floats lose their ``.0`` (Excel stores numbers as floats)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date_cell(value) -> date:
    """A date from a real date cell, an Excel serial number, or text typed many ways.

    Accepts 2021-3-28, 2021/03/28, 2021.3.28, 2021年3月28日 and 20210328.
    Raises ValueError with a reason in Chinese.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and 1 < value < 100000:
        return _EXCEL_EPOCH + timedelta(days=int(value))
    text = cell_text(value)
    match = _DATE_TEXT.match(text)
    if match is None and re.fullmatch(r"\d{8}", text):
        match = re.match(r"(\d{4})(\d{2})(\d{2})", text)
    if match is None:
        raise ValueError(f"日期“{text}”格式无法识别（应如 2021-03-28）")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(f"日期“{text}”不存在") from None


# A cell a spreadsheet program would run as a formula: written as text instead.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    """Whether a text cell would be taken as a formula (or a DDE call) when opened."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def write_table(
    path: str | Path, header: list[str], rows: Iterable[list], *, title: str = ""
) -> Path:
    """Write an .xlsx (by the path's suffix) or a UTF-8 .csv with a BOM so Excel opens it.

    Every file the platform writes goes through here, so no cell that came from
    someone's typing (``=HYPERLINK(...)`` as a name) becomes a live formula: in .xlsx
    such a cell is stored as a text cell, in .csv it is prefixed with an apostrophe.
    ``title``, when given, is a first line above the header (who exported, when);
    the importers skip a title row, so an export still imports back.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()

        def cells(row):
            for value in row:
                if is_formula_like(value):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"
                    yield cell
                else:
                    yield value

        if title:
            sheet.append(list(cells([title])))
        sheet.append(list(cells(header)))
        for row in rows:
            sheet.append(list(cells(row)))
        workbook.save(path)
    else:
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            if title:
                writer.writerow([_csv_text(title)])
            writer.writerow([_csv_text(v) for v in header])
            writer.writerows([_csv_text(v) for v in row] for row in rows)
    return path


def _csv_text(value):
    return "'" + value if is_formula_like(value) else value
