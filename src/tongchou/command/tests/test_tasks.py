"""Tasks reach their owner, the post's grid worker, and the head watching overdue work."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tongchou.command.models import Task
from tongchou.command.services import task_create
from tongchou.core.models import AuditEvent


@pytest.fixture
def tasks(personas, district, people):
    now = timezone.now()
    return {
        "post_a": task_create(
            actor=personas["command"],
            title="网格A核对",
            area=district["grid_a"],
            due_at=now + timedelta(days=1),
        ),
        "building_a1": task_create(
            actor=None,
            title="楼栋A1随访",
            area=district["building_a1"],
            due_at=now - timedelta(hours=2),
            source="testing.positive_pool",
            subject=people["a1"],
        ),
        "named_b": task_create(
            actor=personas["command"],
            title="网格B专项",
            area=district["grid_b"],
            due_at=now - timedelta(days=1),
            owner_user=personas["grid_b"],
        ),
        "grid_c": task_create(
            actor=personas["command"],
            title="网格C核对",
            area=district["grid_c"],
            due_at=now - timedelta(days=1),
        ),
    }


def titles(response):
    return {t.title for t in response.context["tasks"]}


def test_a_grid_worker_gets_the_tasks_of_their_post_and_below(client_for, tasks):
    assert titles(client_for("grid_a").get(reverse("my-tasks"))) == {"网格A核对", "楼栋A1随访"}
    assert titles(client_for("grid_b").get(reverse("my-tasks"))) == {"网格B专项"}


def test_a_community_head_sees_the_overdue_tasks_of_their_subtree_only(client_for, tasks):
    overdue = titles(client_for("community_head").get(reverse("overdue-tasks")))
    assert overdue == {"楼栋A1随访", "网格B专项"}
    assert titles(client_for("command").get(reverse("overdue-tasks"))) == {
        "楼栋A1随访",
        "网格B专项",
        "网格C核对",
    }
    assert titles(client_for("grid_a").get(reverse("overdue-tasks"))) == {"楼栋A1随访"}


def test_the_same_trigger_twice_makes_one_task(tasks, people, district):
    again = task_create(
        actor=None,
        title="楼栋A1随访",
        area=district["building_a1"],
        due_at=timezone.now(),
        source="testing.positive_pool",
        subject=people["a1"],
    )
    assert again.pk == tasks["building_a1"].pk
    assert Task.objects.filter(source="testing.positive_pool").count() == 1
    assert tasks["building_a1"].subject == people["a1"]


def test_finishing_a_task_is_audited_and_leaves_the_overdue_list(client_for, tasks):
    task = tasks["named_b"]
    client = client_for("grid_b")
    client.post(reverse("task-status", args=[task.pk]), {"status": "done", "note": "已完成"})
    task.refresh_from_db()
    assert task.status == "done" and task.completed_at is not None
    event = AuditEvent.objects.get(action="task.status")
    assert event.after == {"status": "done"} and event.reason == "已完成"
    assert "网格B专项" not in titles(client_for("community_head").get(reverse("overdue-tasks")))


def test_nobody_can_touch_a_task_out_of_their_scope(client_for, tasks):
    task = tasks["grid_c"]
    response = client_for("grid_a").post(reverse("task-status", args=[task.pk]), {"status": "done"})
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.status == "open"
    assert not AuditEvent.objects.filter(action="task.status").exists()


def test_the_task_api_is_scoped(personas, tasks):
    from django.test import Client

    from tongchou.core.services import api_token_create

    _token, key = api_token_create(user=personas["grid_a"], name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    listed = {t["title"] for t in client.get("/api/tasks/").json()["results"]}
    assert listed == {"网格A核对", "楼栋A1随访"}
    assert client.get(f"/api/tasks/{tasks['grid_c'].pk}/").status_code == 404
    done = client.post(
        f"/api/tasks/{tasks['post_a'].pk}/status/",
        {"status": "in_progress"},
        content_type="application/json",
    )
    assert done.json()["status"] == "in_progress"


@pytest.fixture
def contact_task(personas, district, people):
    return task_create(
        actor=None,
        title="密接管控",
        area=district["grid_a"],
        due_at=timezone.now() - timedelta(hours=1),
        subject=people["a"],
        person=people["a"],
        source="tracing.contact",
    )


def test_a_task_title_holds_no_name_and_each_viewer_reads_it_through_the_policy(
    client_for, contact_task, personas
):
    contact_task.refresh_from_db()
    assert "李四" not in contact_task.title
    assert contact_task.title_for(personas["grid_a"]) == "密接管控：李四"
    page = client_for("grid_a").get(reverse("my-tasks")).content.decode()
    assert "密接管控：李四" in page
    # The task links to the record it is about.
    assert reverse("person-detail", args=[contact_task.person_id]) in page
    api = client_for("grid_a").get("/api/tasks/").json()
    assert [t["title"] for t in api["results"]] == ["密接管控：李四"]
    event = AuditEvent.objects.get(action="task.create", object_id=str(contact_task.pk))
    assert "李四" not in event.object_repr


def test_roles_outside_the_task_chain_neither_see_nor_change_the_districts_tasks(
    client_for, contact_task, personas
):
    # The lab, inspectors, the project and discipline offices hold district grants.
    for name in ("lab", "tracer"):
        client = client_for(name)
        assert client.get("/api/tasks/").json()["results"] == []
        assert "李四" not in client.get(reverse("overdue-tasks")).content.decode()
        assert client.get(f"/api/tasks/{contact_task.pk}/").status_code == 404
        changed = client.post(reverse("task-status", args=[contact_task.pk]), {"status": "done"})
        assert changed.status_code == 404
    contact_task.refresh_from_db()
    assert contact_task.status == "open"
    # A grid worker of another grid does not see it either; the community head does.
    assert client_for("grid_b").get(f"/api/tasks/{contact_task.pk}/").status_code == 404
    assert client_for("community_head").get(f"/api/tasks/{contact_task.pk}/").status_code == 200


def test_a_task_named_to_someone_who_may_not_see_names_shows_none(contact_task, personas):
    contact_task.owner_user = personas["lab"]
    assert contact_task.title_for(personas["lab"]) == "密接管控"
    assert contact_task.title_for(personas["sampler"]) == "密接管控：李*"


def test_after_a_status_change_the_page_goes_back_only_to_this_site(client_for, contact_task):
    url = reverse("task-status", args=[contact_task.pk])
    for target in ("https://elsewhere.invalid/x", "//elsewhere.invalid/x"):
        response = client_for("grid_a").post(url, {"status": "in_progress", "next": target})
        assert response.status_code == 302 and response["Location"] == reverse("my-tasks")
    response = client_for("grid_a").post(url, {"status": "open", "next": "/tasks/?all=1"})
    assert response["Location"] == "/tasks/?all=1"


def test_an_audit_event_about_a_person_names_them_by_number(client_for, people, district):
    client_for("grid_a").post(
        reverse("person-edit", args=[people["a"].pk]),
        {"name": "李四", "phone": "13900001111", "area": district["grid_a"].pk, "reason": "更新"},
    )
    event = AuditEvent.objects.get(action="person.update")
    assert event.object_repr == f"registry.person #{people['a'].pk}"


def test_an_unknown_status_is_refused_and_changes_nothing(client_for, contact_task):
    response = client_for("grid_a").post(
        reverse("task-status", args=[contact_task.pk]), {"status": "bogus"}
    )
    assert response.status_code == 400
    contact_task.refresh_from_db()
    assert contact_task.status == "open"


def test_the_migration_takes_names_out_of_existing_titles(district, people, personas):
    import importlib

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from tongchou.tracing.choices import ControlKind
    from tongchou.tracing.services import control_start

    migration = importlib.import_module("tongchou.command.migrations.0003_task_person")
    control = control_start(
        actor=personas["command"],
        person=people["a"],
        kind=ControlKind.HOME_QUARANTINE,
        reason="密接",
        source="test",
    )
    old = [
        ("密接管控：李四", people["a"], "密接管控"),
        ("随访逾期：李四（居家隔离）", control, "随访逾期（居家隔离）"),
        ("核对本网格返乡人员台账", None, "核对本网格返乡人员台账"),
    ]
    made = []
    for title, subject, _new in old:
        made.append(
            Task.objects.create(
                title=title,
                area=district["grid_a"],
                due_at=timezone.now(),
                subject_type=ContentType.objects.get_for_model(subject) if subject else None,
                subject_id=str(subject.pk) if subject else "",
            )
        )
    migration.link_people(apps, None)
    for task, (_title, subject, new) in zip(made, old, strict=True):
        task.refresh_from_db()
        assert task.title == new
        assert task.person_id == (people["a"].pk if subject else None)
