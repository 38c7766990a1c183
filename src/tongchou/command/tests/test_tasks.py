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
