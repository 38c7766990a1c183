"""Personal fields are declared, masked everywhere, and seen in full only through the log."""

import hashlib
import re

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from tongchou.core.choices import AccessKind
from tongchou.core.models import AccessLog, AuditEvent
from tongchou.core.services import access_log_record, audit_record

# Field names that hold personal data whatever the model; each must be declared.
PERSONAL_NAME = re.compile(
    r"(^|_)(name|id_number|id_card|phone|mobile|tel|address|birth|born)(_|$)"
)


def project_models():
    return [m for m in apps.get_models() if m.__module__.startswith("tongchou.")]


def test_every_project_model_declares_its_personal_fields():
    for model in project_models():
        assert hasattr(model, "personal_fields"), f"{model.__name__} lacks personal_fields"


def test_no_model_holds_an_undeclared_personal_field():
    undeclared = []
    for model in project_models():
        declared = set(model.personal_fields)
        for field in model._meta.concrete_fields:
            cleared = getattr(model, "not_personal_fields", set())
            if PERSONAL_NAME.search(field.name) and field.name not in declared | cleared:
                undeclared.append(f"{model._meta.label}.{field.name}")
    # A field listed here must go into the model's personal_fields (masked and logged),
    # or, when it holds no one's personal data (a site's name), into not_personal_fields.
    assert undeclared == []


def test_the_checker_would_catch_an_undeclared_field():
    assert PERSONAL_NAME.search("contact_phone") and PERSONAL_NAME.search("home_address")
    assert PERSONAL_NAME.search("id_number") and not PERSONAL_NAME.search("phonetic")


def test_pages_show_masked_id_numbers_and_phones(client_for, people):
    person = people["a1"]
    for url in (reverse("person-list"), reverse("person-detail", args=[person.pk])):
        body = client_for("grid_a").get(url).content.decode()
        assert person.id_number not in body and person.phone not in body
        assert f"{person.id_number[:4]}**********{person.id_number[-4:]}" in body
        assert "138****5678" in body


def test_revealing_needs_a_reason_and_writes_the_access_log(client_for, people, personas):
    person = people["a1"]
    client = client_for("grid_a")
    url = reverse("person-reveal", args=[person.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and not AccessLog.objects.exists()
    shown = client.post(url, {"reason": "上门核实身份"})
    assert person.id_number in shown.content.decode() and person.phone in shown.content.decode()
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.kind, entry.object_id, entry.reason) == (
        personas["grid_a"],
        AccessKind.REVEAL,
        str(person.pk),
        "上门核实身份",
    )


def test_revealing_someone_out_of_scope_is_404_and_logs_nothing(client_for, people):
    response = client_for("grid_a").post(
        reverse("person-reveal", args=[people["b"].pk]), {"reason": "想看看"}
    )
    assert response.status_code == 404 and not AccessLog.objects.exists()


def test_roles_that_may_not_reveal_cannot(client_for, people, personas):
    from tongchou.core.models import Grant

    Grant.objects.create(user=personas["lab"], node=people["a"].area)
    response = client_for("lab").post(
        reverse("person-reveal", args=[people["a"].pk]), {"reason": "想看看"}
    )
    assert response.status_code == 404 and not AccessLog.objects.exists()


def test_a_full_export_needs_a_reason_and_is_logged_with_its_row_count(client_for, people):
    client = client_for("community_head")
    for reason in ("", "报送疾控"):  # none, and shorter than ten characters
        refused = client.post(
            reverse("person-export"), {"file_format": "csv", "reveal": "on", "reason": reason}
        )
        assert refused.status_code == 302 and not AccessLog.objects.exists()
    reason = "报送区疾控中心核对密接名单"
    response = client.post(
        reverse("person-export"), {"file_format": "csv", "reveal": "on", "reason": reason}
    )
    data = response.getvalue()
    body = data.decode("utf-8-sig")
    assert people["a1"].id_number in body and people["a1"].phone in body
    entry = AccessLog.objects.get()
    assert entry.kind == AccessKind.EXPORT_FULL and entry.row_count == 3
    assert entry.sha256 == hashlib.sha256(data).hexdigest()


def test_a_masked_export_is_masked_and_logged(client_for, people):
    response = client_for("community_head").post(reverse("person-export"), {"file_format": "csv"})
    body = response.getvalue().decode("utf-8-sig")
    assert people["a1"].id_number not in body and "138****5678" in body
    assert AccessLog.objects.get().kind == AccessKind.EXPORT


@pytest.mark.parametrize(
    "make",
    [
        lambda actor: audit_record(actor=actor, action="x", object_type="t"),
        lambda actor: access_log_record(actor=actor, kind=AccessKind.REVEAL, object_type="t"),
    ],
)
def test_the_logs_cannot_be_edited_or_deleted_even_by_raw_sql(personas, make):
    entry = make(personas["command"])
    table = entry._meta.db_table
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    for sql in (f"UPDATE {table} SET object_type = 'changed'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    entry.refresh_from_db()
    assert entry.object_type == "t"


def test_changing_a_person_leaves_an_audit_event_without_the_full_id(client_for, people, district):
    person = people["a"]
    client_for("grid_a").post(
        reverse("person-edit", args=[person.pk]),
        {
            "name": "李四",
            "phone": "13900001111",
            "area": district["grid_a"].pk,
            "reason": "电话更新",
        },
    )
    event = AuditEvent.objects.get(action="person.update")
    assert event.before["phone"] == "138****" + person.phone[-4:]
    assert event.after["phone"] == "139****1111" and event.reason == "电话更新"
    assert person.id_number not in str(event.before) + str(event.after)


def test_readme_prints_the_policy_as_it_is():
    from pathlib import Path

    from tongchou.core.privacy import policy_markdown

    readme = Path(__file__).resolve().parents[4] / "README.md"
    assert policy_markdown() in readme.read_text()


def test_the_policy_decides_every_kind_for_every_role():
    from tongchou.core.choices import Role
    from tongchou.core.privacy import POLICY, PersonalKind, Shown, shown

    assert set(Role.values) <= set(POLICY)
    assert all(set(row) == set(PersonalKind) for row in POLICY.values())
    # Roles that work by number see no one; a sampler sees what the scan needs.
    for role in (Role.LAB, Role.PROJECT_OFFICE, Role.DISCIPLINE):
        assert all(how is Shown.WITHHELD for how in POLICY[role].values())
    assert shown(Role.SAMPLER, PersonalKind.NAME, "张三丰") == "张**"
    assert shown(Role.SAMPLER, PersonalKind.PHONE, "13812345678") == ""
    assert shown(Role.GRID_WORKER, PersonalKind.PHONE, "13812345678") == "138****5678"
    assert shown(Role.GRID_WORKER, PersonalKind.PHONE, "13812345678", revealed=True) == (
        "13812345678"
    )
    # A tracer may reveal a phone (they must call), never an ID number.
    assert shown(Role.TRACER, PersonalKind.PHONE, "13812345678", revealed=True) == "13812345678"
    assert shown(Role.TRACER, PersonalKind.ID_NUMBER, "410102199001011234", revealed=True) == (
        "4101**********1234"
    )
    assert shown(None, PersonalKind.NAME, "张三") == ""
