"""Cases and their contacts: found from check-ins and households, tiers, evidence,
confirmation as tasks for the right grid worker, scope, and the purge's holds."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from tongchou.command.models import Task
from tongchou.core.models import AccessLog, AuditEvent
from tongchou.registry.models import Household
from tongchou.testing_support import PersonFactory, exported_rows
from tongchou.tracing.choices import (
    CaseFoundBy,
    CaseKind,
    ContactSource,
    ContactStatus,
    ContactTier,
    ControlKind,
)
from tongchou.tracing.models import Contact, ContactEvidence, Control
from tongchou.tracing.services import (
    case_record,
    case_trace,
    contact_confirm,
    contact_dismiss,
    contacts_import,
)
from tongchou.venues.choices import CheckInMethod, VenueKind
from tongchou.venues.models import CheckIn
from tongchou.venues.retention import checkins_purge
from tongchou.venues.services import Reading, checkins_ingest, venue_create


@pytest.fixture
def market(district):
    # A supermarket: visits within 30 minutes are close contact, within 2 hours co-location.
    return venue_create(
        actor=None, area=district["grid_a"], name="景园超市", kind=VenueKind.SUPERMARKET
    )


@pytest.fixture
def scene(district, people, market):
    """The case (李四, grid A) shopped at 10:00 two days ago. 王五 (grid B) came at 10:10,
    赵六 (grid C) at 11:30; 钱七 met 王五 later at the same market; 孙八 shared the case's
    household."""
    now = timezone.now()
    at = now.replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=2)
    qian = PersonFactory(name="钱七", area=district["grid_b"])
    household = Household.objects.create(area=district["grid_a"], number="2-201")
    sun = PersonFactory(name="孙八", area=district["grid_a"], household=household)
    case_person = people["a"]
    case_person.household = household
    case_person.save()
    checkins_ingest(
        [
            Reading(market.pk, case_person.pk, at, None),
            Reading(market.pk, people["b"].pk, at + timedelta(minutes=10), None),
            Reading(market.pk, people["c"].pk, at + timedelta(minutes=90), None),
            Reading(market.pk, people["b"].pk, at + timedelta(days=1), None),
            Reading(market.pk, qian.pk, at + timedelta(days=1, minutes=5), None),
            # Long before the look-back: never found.
            Reading(market.pk, people["a1"].pk, at - timedelta(days=20), None),
            Reading(market.pk, case_person.pk, at - timedelta(days=20, minutes=5), None),
        ],
        method=CheckInMethod.GATE,
    )
    return {"at": at, "qian": qian, "sun": sun, "case_person": case_person}


@pytest.fixture
def case(scene, personas):
    return case_record(
        actor=personas["tracer"],
        person=scene["case_person"],
        kind=CaseKind.CONFIRMED,
        found_by=CaseFoundBy.MASS_TESTING,
        found_place="第三轮全员核酸检测 景园社区采样点",
        confirmed_on=timezone.localdate(),
        lookback_days=7,
    )


def contacts_of(case):
    return {c.person.name: c for c in Contact.objects.filter(case=case).select_related("person")}


def test_tracing_finds_close_co_located_secondary_and_household_contacts(case, personas, scene):
    report = case_trace(actor=personas["tracer"], case=case)
    found = contacts_of(case)
    assert {name: c.tier for name, c in found.items()} == {
        "王五": ContactTier.CLOSE,
        "孙八": ContactTier.CLOSE,
        "赵六": ContactTier.CO_LOCATION,
        "钱七": ContactTier.SECONDARY,
    }
    assert found["孙八"].source == ContactSource.HOUSEHOLD
    wang = found["王五"]
    assert wang.venue.name == "景园超市" and wang.overlap_minutes == 20
    assert wang.met_at == scene["at"] + timedelta(minutes=10)
    assert found["钱七"].via == wang
    assert (report.close, report.secondary, report.co_location) == (2, 1, 1)
    evidence = ContactEvidence.objects.get(contact=wang)
    assert evidence.source_checkin.person_id == case.person_id
    assert "张三" not in found  # met the case 20 days ago: outside the look-back


def test_tracing_again_adds_nothing_twice(case, personas, scene):
    case_trace(actor=personas["tracer"], case=case)
    contacts, evidence = Contact.objects.count(), ContactEvidence.objects.count()
    again = case_trace(actor=personas["tracer"], case=case)
    assert (again.close, again.secondary, again.co_location) == (0, 0, 0)
    assert (Contact.objects.count(), ContactEvidence.objects.count()) == (contacts, evidence)


def test_a_case_without_check_ins_still_finds_the_household(district, personas):
    household = Household.objects.create(area=district["grid_b"], number="9-901")
    alone = PersonFactory(name="周九", area=district["grid_b"], household=household)
    PersonFactory(name="吴十", area=district["grid_b"], household=household)
    case = case_record(
        actor=personas["tracer"],
        person=alone,
        kind=CaseKind.ASYMPTOMATIC,
        found_by=CaseFoundBy.FEVER_CLINIC,
        confirmed_on=timezone.localdate(),
    )
    report = case_trace(actor=personas["tracer"], case=case)
    assert (report.close, report.co_location, report.secondary, report.evidence) == (1, 0, 0, 0)
    assert set(contacts_of(case)) == {"吴十"}


def test_a_case_without_check_ins_or_household_traces_to_an_empty_file(district, personas):
    alone = PersonFactory(name="独居者", area=district["grid_c"])
    case = case_record(
        actor=personas["tracer"],
        person=alone,
        kind=CaseKind.CONFIRMED,
        found_by=CaseFoundBy.SELF_REPORT,
        confirmed_on=timezone.localdate(),
    )
    report = case_trace(actor=personas["tracer"], case=case)
    assert report.as_dict() == {
        "close": 0,
        "secondary": 0,
        "co_location": 0,
        "household": 0,
        "evidence": 0,
        "raised": 0,
    }
    page = reverse("case-detail", args=[case.pk])
    from django.test import Client

    client = Client()
    client.force_login(personas["tracer"])
    assert client.get(page).status_code == 200


def test_confirming_a_contact_gives_their_grid_worker_a_task_and_starts_control(
    case, personas, scene, client_for
):
    case_trace(actor=personas["tracer"], case=case)
    wang = contacts_of(case)["王五"]  # lives in grid B
    contact_confirm(actor=personas["tracer"], contact=wang)
    task = Task.objects.get(source="tracing.contact")
    assert task.area == wang.area
    assert task in list(client_for("grid_b").get(reverse("my-tasks")).context["tasks"])
    assert task not in list(client_for("grid_a").get(reverse("my-tasks")).context["tasks"])
    control = Control.objects.get(person=wang.person)
    assert control.kind == ControlKind.CENTRAL_QUARANTINE and control.contact == wang
    assert AuditEvent.objects.filter(action="contact.confirm", object_id=str(wang.pk)).exists()


def test_dismissing_needs_a_reason_and_changes_nothing_without_one(case, personas, scene):
    case_trace(actor=personas["tracer"], case=case)
    zhao = contacts_of(case)["赵六"]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        contact_dismiss(actor=personas["tracer"], contact=zhao, reason="")
    zhao.refresh_from_db()
    assert zhao.status == ContactStatus.PENDING
    contact_dismiss(actor=personas["tracer"], contact=zhao, reason="同名不同人，已核实")
    zhao.refresh_from_db()
    assert zhao.status == ContactStatus.DISMISSED and zhao.note == "同名不同人，已核实"


def test_a_grid_worker_sees_only_the_contacts_living_in_their_grid(
    case, personas, scene, client_for
):
    case_trace(actor=personas["tracer"], case=case)
    names = lambda r: {c.person.name for c in r.context["contacts"]}  # noqa: E731
    assert names(client_for("grid_b").get(reverse("contact-list"))) == {"王五", "钱七"}
    assert names(client_for("grid_a").get(reverse("contact-list"))) == {"孙八"}
    assert names(client_for("grid_c").get(reverse("contact-list"))) == {"赵六"}
    api = client_for("grid_b").get("/api/contacts/").json()
    assert api["count"] == 2
    wang = contacts_of(case)["王五"]
    assert client_for("grid_a").get(f"/api/contacts/{wang.pk}/").status_code == 404


def test_only_tracing_staff_open_the_file_and_review_contacts(case, personas, scene, client_for):
    case_trace(actor=personas["tracer"], case=case)
    wang = contacts_of(case)["王五"]
    assert client_for("tracer").get(reverse("case-detail", args=[case.pk])).status_code == 200
    for persona in ("grid_a", "grid_b", "community_head", "venue_owner", "lab"):
        client = client_for(persona)
        assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404
        response = client.post(reverse("contact-review", args=[wang.pk]), {"action": "confirm"})
        assert response.status_code == 404
        assert client.post(reverse("case-trace", args=[case.pk]), {"days": 7}).status_code == 404
    wang.refresh_from_db()
    assert wang.status == ContactStatus.PENDING
    assert not Task.objects.filter(source="tracing.contact").exists()
    with pytest.raises(Http404):
        contact_confirm(actor=personas["grid_b"], contact=wang)


def test_the_file_page_draws_the_graph_and_confirms_from_the_page(
    case, personas, scene, client_for
):
    case_trace(actor=personas["tracer"], case=case)
    client = client_for("tracer")
    page = client.get(reverse("case-detail", args=[case.pk]))
    body = page.content.decode()
    assert body.count("<line") == 4 and 'class="node node-case' in body
    wang = contacts_of(case)["王五"]
    client.post(reverse("contact-review", args=[wang.pk]), {"action": "confirm"})
    wang.refresh_from_db()
    assert wang.status == ContactStatus.CONFIRMED


def test_the_joint_teams_list_adds_contacts_and_reports_bad_rows(case, personas, people, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        "身份证号,姓名,类别,备注\n"
        f"{people['c'].id_number},赵六,密接,同乘电梯\n"
        f"{people['a1'].id_number},错名,次密接,\n"
        "110101199003078888,无此人,密接,\n"
        f"{people['b'].id_number},王五,亲戚,\n",
        encoding="utf-8",
    )
    report = contacts_import(actor=personas["tracer"], case=case, path=path)
    assert report.added == 1 and len(report.errors) == 3
    zhao = contacts_of(case)["赵六"]
    assert zhao.tier == ContactTier.CLOSE and zhao.source == ContactSource.JOINT_TEAM


def test_the_contact_export_is_masked_and_logged(case, personas, scene, client_for):
    case_trace(actor=personas["tracer"], case=case)
    assert client_for("grid_b").get(reverse("contact-export")).status_code == 405
    response = client_for("grid_b").post(reverse("contact-export"), {"file_format": "csv"})
    body = str(exported_rows(response))
    assert "王五" in body and "孙八" not in body
    assert scene["case_person"].id_number not in body
    log = AccessLog.objects.get()
    assert log.row_count == 2 and log.object_type == "tracing.contact"


def test_the_purge_keeps_check_ins_a_tracing_file_holds(case, personas, scene, market, people):
    case_trace(actor=personas["tracer"], case=case)
    later = timezone.now() + timedelta(days=40)
    summary = checkins_purge(now=later)
    kept = set(CheckIn.objects.values_list("person__name", flat=True))
    # The case's trail (an open file) and its contacts' evidence stay; the rest goes.
    assert kept == {"李四", "王五", "赵六", "钱七"}
    assert summary["deleted"] == 1  # 张三's visit 20 days before, met nobody on file
    assert summary["held"] == CheckIn.objects.count()
