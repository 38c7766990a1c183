"""The tongchou command: generate, import with a progress bar, export, demo."""

import io

import pytest
from django.core.management import CommandError, call_command

from tongchou.core.models import AccessLog
from tongchou.registry.models import Person


def test_generate_is_the_same_for_the_same_seed(tmp_path):
    call_command("generate", people=500, seed=3, out=tmp_path / "a", stdout=io.StringIO())
    call_command("generate", people=500, seed=3, out=tmp_path / "b", stdout=io.StringIO())
    call_command("generate", people=500, seed=4, out=tmp_path / "c", stdout=io.StringIO())
    a = (tmp_path / "a" / "people.csv").read_bytes()
    assert a == (tmp_path / "b" / "people.csv").read_bytes()
    assert a != (tmp_path / "c" / "people.csv").read_bytes()
    assert a.decode("utf-8-sig").count("\n") == 501


def test_import_grid_then_people_from_the_command_line(tmp_path, db, capsys):
    call_command("generate", people=2000, seed=1, out=tmp_path, stdout=io.StringIO())
    call_command("import", "grid", str(tmp_path / "grid.csv"), stdout=io.StringIO())
    out = io.StringIO()
    call_command("import", "people", str(tmp_path / "people.csv"), stdout=out)
    assert "新增 2000" in out.getvalue()
    assert "100.0%" in capsys.readouterr().err  # the progress bar reached the end
    assert Person.objects.count() == 2000
    again = io.StringIO()
    call_command("import", "people", str(tmp_path / "people.csv"), stdout=again)
    assert "新增 0" in again.getvalue() and "未变 2000" in again.getvalue()


def test_import_of_a_non_spreadsheet_fails_with_a_clear_message(tmp_path, db):
    path = tmp_path / "x.xlsx"
    path.write_text("not a spreadsheet")
    with pytest.raises(CommandError, match="Excel"):
        call_command("import", "people", str(path), stdout=io.StringIO())


def test_export_from_the_command_line_is_scoped_masked_and_logged(tmp_path, personas, people):
    path = tmp_path / "out.csv"
    call_command("export", "people", str(path), user="grid_a", stdout=io.StringIO())
    text = path.read_text(encoding="utf-8-sig")
    assert "张三" in text and "王五" not in text and people["a1"].id_number not in text
    assert AccessLog.objects.get().row_count == 2
    with pytest.raises(CommandError):
        call_command(
            "export", "people", str(path), user="lab", full=True, reason="x y", stdout=io.StringIO()
        )


def test_demo_loads_the_district_from_the_source_page(db):
    from tongchou.grid.models import GridNode

    out = io.StringIO()
    call_command("demo", people=1500, stdout=out)
    names = set(GridNode.objects.values_list("name", flat=True))
    assert {"示范区", "文昌办事处", "景园社区", "中原社区", "天明社区"} <= names
    assert Person.objects.count() == 1500
    # A round is in progress: sampled people, results back, one positive pool followed up.
    from tongchou.testing.models import Retest, TestingRound

    testing_round = TestingRound.objects.get(number=3)
    assert testing_round.status == "running" and testing_round.zones.count() == 2
    assert Retest.objects.filter(round=testing_round).count() == 10
    assert "grid1" in out.getvalue() and "tongchou-demo" in out.getvalue()
    call_command("demo", people=1500, stdout=io.StringIO())  # a second run changes nothing
    assert Person.objects.count() == 1500
