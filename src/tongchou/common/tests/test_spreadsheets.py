from datetime import date, datetime

import pytest
from openpyxl import Workbook

from tongchou.common.spreadsheets import (
    SpreadsheetError,
    find_header,
    parse_date_cell,
    read_rows,
    write_table,
)

ALIASES = {"name": ("姓名",), "id_number": ("身份证号",), "grid": ("所属网格",)}


def test_it_finds_the_header_below_a_title_row_and_merged_cells(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["景园社区居民台账"])
    sheet.merge_cells("A1:C1")
    sheet.append(["基本信息", None, "网格信息"])
    sheet.merge_cells("A2:B2")
    sheet.append(["姓名", "身份证号", "所属网格"])
    sheet.append(["张三", "11010519491231002X", "GA"])
    path = tmp_path / "ledger.xlsx"
    workbook.save(path)
    rows = read_rows(path)
    line, columns, header = find_header(rows, ALIASES)
    assert line == 3
    assert columns == {"name": 0, "id_number": 1, "grid": 2}
    assert next(rows)[0] == "张三"


def test_it_reads_gbk_csv(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes("姓名,身份证号,所属网格\n张三,1,GA\n".encode("gb18030"))
    rows = read_rows(path)
    find_header(rows, ALIASES)
    assert next(rows) == ["张三", "1", "GA"]


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(SpreadsheetError, match="不是有效的 Excel"):
        list(read_rows(path))


def test_a_broken_zip_named_xlsx_is_refused(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"garbage" * 50)
    with pytest.raises(SpreadsheetError):
        list(read_rows(path))


def test_a_file_without_a_header_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(SpreadsheetError, match="找不到表头"):
        find_header(read_rows(path), ALIASES)


@pytest.mark.parametrize(
    "value",
    [
        "2021-3-28",
        "2021/03/28",
        "2021.3.28",
        "2021年3月28日",
        "20210328",
        datetime(2021, 3, 28, 0, 0),
        date(2021, 3, 28),
        44283,
    ],
)
def test_dates_typed_many_ways_are_read(value):
    assert parse_date_cell(value) == date(2021, 3, 28)


@pytest.mark.parametrize("value", ["2021-2-30", "三月", "28/03/2021"])
def test_bad_dates_say_why(value):
    with pytest.raises(ValueError, match="日期"):
        parse_date_cell(value)


def test_written_tables_read_back(tmp_path):
    for suffix in (".xlsx", ".csv"):
        path = write_table(tmp_path / f"out{suffix}", ["姓名", "身份证号"], [["张三", "1"]])
        rows = list(read_rows(path))
        assert rows[0] == ["姓名", "身份证号"] and rows[1][0] == "张三"
