"""The ledger import: bad rows are reported one by one, good rows kept, repeats change nothing."""

import csv
from datetime import date

import pytest
from django.db import connection
from openpyxl import Workbook

from tongchou.common.idnumbers import check_digit
from tongchou.common.spreadsheets import SpreadsheetError, read_rows
from tongchou.core.jobs import job_enqueue, run_pending_jobs
from tongchou.core.models import AuditEvent, Job
from tongchou.registry.ledger import people_import
from tongchou.registry.models import Household, Person
from tongchou.registry.tasks import IMPORT_PEOPLE
from tongchou.testing_support import valid_id_number

HEADER = [
    "姓名",
    "身份证号",
    "联系电话",
    "现住址",
    "所属网格",
    "楼栋",
    "户号",
    "与户主关系",
    "人员类别",
]


def write_csv(path, rows, header=HEADER):
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def row(
    name="张三",
    id_number=None,
    phone="13812345678",
    grid="GA",
    building="",
    household="1-1-0101",
    relation="户主",
    tags="",
):
    return [
        name,
        id_number or valid_id_number(),
        phone,
        "景园路1号",
        grid,
        building,
        household,
        relation,
        tags,
    ]


def wrong_check_digit(id_number):
    last = "0" if id_number[-1] != "0" else "1"
    return id_number[:-1] + last


def test_it_imports_good_rows_with_households_tags_and_buildings(tmp_path, district):
    path = write_csv(
        tmp_path / "ok.csv",
        [
            row("张三", tags="企业职工"),
            row("李梅", relation="配偶", building="1号楼"),
            row("王五", grid="景园社区第2网格", household="", relation="", tags="寄宿生、养老院"),
        ],
    )
    report = people_import(actor=None, path=path)
    assert report.summary()["created"] == 3 and not report.errors
    zhang = Person.objects.get(name="张三")
    assert zhang.area == district["grid_a"] and zhang.tags == ",enterprise_worker,"
    li = Person.objects.get(name="李梅")
    assert li.area == district["building_a1"] and li.relation == "spouse"
    wang = Person.objects.get(name="王五")
    assert wang.area == district["grid_b"] and wang.household is None
    assert wang.tags == ",boarding_pupil,elderly_home,"
    assert Household.objects.count() == 2


def test_importing_the_same_file_again_changes_nothing(tmp_path, district):
    path = write_csv(tmp_path / "ok.csv", [row(), row(household="2-1-0101")])
    people_import(actor=None, path=path)
    before = list(Person.objects.values().order_by("id"))
    households = Household.objects.count()
    report = people_import(actor=None, path=path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert list(Person.objects.values().order_by("id")) == before
    assert Household.objects.count() == households


def test_a_changed_row_updates_the_person(tmp_path, district):
    id_number = valid_id_number()
    people_import(actor=None, path=write_csv(tmp_path / "a.csv", [row(id_number=id_number)]))
    report = people_import(
        actor=None,
        path=write_csv(tmp_path / "b.csv", [row(id_number=id_number, phone="13900000000")]),
    )
    assert (report.created, report.updated) == (0, 1)
    assert Person.objects.get(id_number=id_number).phone == "13900000000"


def test_every_kind_of_bad_row_is_reported_and_good_rows_are_kept(tmp_path, district):
    good = valid_id_number()
    fullwidth = valid_id_number()
    lower_x = next(i for i in (valid_id_number() for _ in range(40)) if i.endswith("X"))
    bad_date = "41010219800231" + "001"
    rows = [
        row("好人", id_number=good),
        row(
            "全角",
            id_number=" ".join(
                fullwidth.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
            ),
        ),
        row("小写", id_number=lower_x.lower()),
        row("校验错", id_number=wrong_check_digit(valid_id_number())),
        row("日期错", id_number=bad_date + check_digit(bad_date)),
        ["", "", "", "", "", "", "", "", ""],
        row("重复", id_number=good),
        row("无网格", grid="不存在的网格"),
        row("电话错", phone="12345"),
        row("", id_number=valid_id_number()),
    ]
    report = people_import(actor=None, path=write_csv(tmp_path / "bad.csv", rows))
    assert report.created == 3 and report.blank == 1
    reasons = {line: reason for line, reason, _raw in report.errors}
    assert set(reasons) == {5, 6, 8, 9, 10, 11}
    assert "校验码" in reasons[5]
    assert "出生日期" in reasons[6]
    assert "第2行" in reasons[8] and "重复" in reasons[8]
    assert "不存在的网格" in reasons[9]
    assert "联系电话" in reasons[10]
    assert "姓名" in reasons[11]
    assert Person.objects.filter(id_number=fullwidth).exists()
    assert Person.objects.filter(id_number=lower_x).exists()


def test_a_title_row_merged_header_and_text_dates_in_xlsx(tmp_path, district):
    born = date(1990, 3, 28)
    id_number = valid_id_number(born=born)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["景园社区居民台账（2022年3月）"])
    sheet.merge_cells("A1:F1")
    sheet.append(["姓名", "身份证号", "联系电话", "所属网格", "出生日期", "户号"])
    sheet.append(["张三", id_number, 13812345678, "GA", "1990年3月28日", "1-1-0101"])
    sheet.append(["李四", valid_id_number(born=date(1985, 1, 2)), None, "GA", "1985.1.3", ""])
    path = tmp_path / "ledger.xlsx"
    workbook.save(path)
    report = people_import(actor=None, path=path)
    assert report.created == 1
    assert report.errors[0][0] == 4 and "出生日期" in report.errors[0][1]
    assert Person.objects.get(id_number=id_number).phone == "13812345678"


def test_a_file_that_is_not_a_spreadsheet_fails_the_job_with_a_reason(tmp_path, personas):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"this is not a spreadsheet at all")
    job = job_enqueue(
        kind=IMPORT_PEOPLE,
        params={"path": str(path), "actor_id": personas["command"].pk},
        user=personas["command"],
    )
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == "failed" and "Excel" in job.message
    assert Person.objects.count() == 0


def test_a_ledger_without_the_id_column_is_refused(tmp_path, district):
    path = write_csv(tmp_path / "x.csv", [["张三", "GA"]], header=["姓名", "所属网格"])
    with pytest.raises(SpreadsheetError, match="身份证号"):
        people_import(actor=None, path=path)


def test_a_grid_worker_cannot_import_into_another_grid(tmp_path, personas):
    path = write_csv(tmp_path / "x.csv", [row("甲", grid="GA"), row("乙", grid="GB")])
    report = people_import(actor=personas["grid_a"], path=path)
    assert report.created == 1
    assert "不在您的辖区" in report.errors[0][1]
    assert not Person.objects.filter(name="乙").exists()


def test_a_grid_worker_cannot_overwrite_someone_registered_elsewhere(tmp_path, personas, people):
    other = people["b"]
    path = write_csv(tmp_path / "x.csv", [row("冒名", id_number=other.id_number, grid="GA")])
    report = people_import(actor=personas["grid_a"], path=path)
    assert report.created == 0 and "辖区以外" in report.errors[0][1]
    other.refresh_from_db()
    assert other.name == "王五" and other.area.code == "GB"


def test_the_job_writes_an_error_file_and_an_audit_event(tmp_path, personas):
    rows = [row(f"居民{i}") for i in range(5)] + [row("坏", id_number="123")]
    path = write_csv(tmp_path / "x.csv", rows)
    job = job_enqueue(
        kind=IMPORT_PEOPLE,
        params={"path": str(path), "actor_id": personas["grid_a"].pk},
        user=personas["grid_a"],
    )
    run_pending_jobs()
    job = Job.objects.get(pk=job.pk)
    assert job.status == "done" and job.result["created"] == 5 and job.result["errors"] == 1
    error_rows = list(read_rows(job.result["error_file"]))
    assert error_rows[0][:3] == ["行号", "错误原因", "姓名"]
    assert error_rows[1][0] == "7" and "18位" in error_rows[1][1] and error_rows[1][2] == "坏"
    event = AuditEvent.objects.get(action="registry.import")
    assert event.actor == personas["grid_a"] and event.after["created"] == 5


def test_100000_rows_with_3_bad_keep_the_99997_good(tmp_path, district):
    from tongchou.dashboard.synthetic import residents

    generated = list(residents(100_000, seed=7))
    bad_lines = {10: "12345", 50_000: "41010219800231001X", 99_990: None}
    rows = []
    for index, person in enumerate(generated):
        values = list(person.values())
        values[4] = "GA"  # every row onto the personas' grid A
        values[5] = ""
        line = index + 2
        if line in bad_lines:
            values[1] = bad_lines[line] or wrong_check_digit(values[1])
        rows.append(values)
    path = write_csv(tmp_path / "big.csv", rows, header=list(generated[0]))
    report = people_import(actor=None, path=path)
    assert report.created == 99_997
    assert [line for line, _reason, _raw in report.errors] == sorted(bad_lines)
    assert Person.objects.count() == 99_997


def test_a_large_import_refreshes_the_planners_statistics(tmp_path, district):
    if connection.vendor != "postgresql":
        pytest.skip("statistics are refreshed on PostgreSQL only")

    def planner_rows() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'registry_person'")
            return cursor.fetchone()[0]

    path = write_csv(tmp_path / "ok.csv", [row(household=f"1-{n}") for n in range(4)])
    people_import(actor=None, path=path, analyze_rows=5)  # fewer rows than that: untouched
    assert planner_rows() != 4
    more = write_csv(tmp_path / "more.csv", [row(household=f"2-{n}") for n in range(5)])
    people_import(actor=None, path=more, analyze_rows=5)
    assert planner_rows() == 9
