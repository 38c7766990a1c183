"""The five-level grid: levels in order, materialised paths, import and export."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongchou.grid.models import GridNode
from tongchou.grid.services import grid_import_rows, grid_node_create
from tongchou.testing_support import exported_rows


def test_paths_make_a_subtree_one_prefix_filter(district):
    community = district["community1"]
    below = GridNode.objects.filter(path__startswith=community.path)
    assert set(below.values_list("code", flat=True)) == {"C1", "GA", "GB", "BA1"}
    assert district["building_a1"].path.startswith(district["grid_a"].path)
    assert district["building_a1"].depth == 4


@pytest.mark.parametrize(
    "level,parent",
    [("grid", "office1"), ("office", None), ("building", "community1"), ("town", "district")],
)
def test_levels_go_down_one_step_at_a_time(district, level, parent):
    with pytest.raises(ValidationError):
        grid_node_create(
            actor=None, code="X", name="X", level=level, parent=district[parent] if parent else None
        )
    assert not GridNode.objects.filter(code="X").exists()


def test_import_takes_rows_in_any_order_and_reports_bad_ones(db):
    rows = [
        {"code": "G1", "name": "一网格", "level": "网格", "parent_code": "C1"},
        {"code": "D", "name": "示范区", "level": "区", "parent_code": ""},
        {"code": "C1", "name": "景园社区", "level": "社区", "parent_code": "O1"},
        {"code": "O1", "name": "文昌办事处", "level": "办事处", "parent_code": "D"},
        {"code": "X", "name": "孤儿", "level": "网格", "parent_code": "NOPE"},
        {"code": "Y", "name": "坏层级", "level": "乡", "parent_code": "D"},
        {"code": "Z", "name": "跳级", "level": "楼栋", "parent_code": "O1"},
    ]
    report = grid_import_rows(actor=None, rows=rows)
    assert report.created == 4
    assert [line for line, _reason in report.errors] == [6, 7, 8]
    again = grid_import_rows(actor=None, rows=rows[:4])
    assert (again.created, again.unchanged) == (0, 4)


def test_export_reimports_unchanged_and_is_scoped(client_for, personas, tmp_path):
    response = client_for("community_head").post(reverse("grid-export"), {"file_format": "xlsx"})
    rows = exported_rows(response)
    assert rows[0] == ["编码", "名称", "层级", "上级编码"]
    assert {r[0] for r in rows[1:]} == {"C1", "GA", "GB", "BA1"}
    report = grid_import_rows(
        actor=None,
        rows=[
            dict(zip(("code", "name", "level", "parent_code"), r, strict=True)) for r in rows[1:]
        ],
    )
    assert report.created == 0 and report.unchanged == 4 and not report.errors


def test_the_command_centre_imports_a_grid_ledger_on_the_tree_page(client_for, personas):
    ledger = "编码,名称,层级,上级编码\nGD,景园社区第3网格,网格,C1\nGE,坏,网格,NOPE\n"
    upload = SimpleUploadedFile("grid.csv", ledger.encode("utf-8"))
    client_for("command").post(reverse("grid-tree"), {"file": upload})
    assert GridNode.objects.get(code="GD").parent.code == "C1"
    assert not GridNode.objects.filter(code="GE").exists()
    refused = client_for("community_head").post(
        reverse("grid-tree"), {"file": SimpleUploadedFile("grid.csv", ledger.encode())}
    )
    assert refused.status_code == 404
