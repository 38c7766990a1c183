"""The command centre manages users and their grants on pages; nobody else can."""

from django.urls import reverse

from tongchou.core.models import AuditEvent, User


def test_the_command_centre_creates_a_grid_worker_with_a_grant(client_for, district):
    response = client_for("command").post(
        reverse("user-create"),
        {
            "username": "new_grid",
            "full_name": "新网格员",
            "role": "grid_worker",
            "password": "a-good-password-7",
            "is_active": "on",
            "node_codes": "GA",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="new_grid")
    assert list(user.grants.values_list("node__code", flat=True)) == ["GA"]
    assert user.check_password("a-good-password-7")
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_moving_a_grant_moves_what_the_user_sees(client_for, personas, people):
    user = personas["grid_a"]
    client_for("command").post(
        reverse("user-edit", args=[user.pk]),
        {"username": "grid_a", "role": "grid_worker", "is_active": "on", "node_codes": "GB"},
    )
    assert set(user.grants.values_list("node__code", flat=True)) == {"GB"}
    listed = client_for("grid_a").get(reverse("person-list")).context["people"]
    assert {p.name for p in listed} == {"王五"}
    event = AuditEvent.objects.get(action="user.update")
    assert event.before["nodes"] != event.after["nodes"]


def test_unknown_node_codes_are_refused(client_for, personas):
    response = client_for("command").post(
        reverse("user-create"),
        {
            "username": "x",
            "role": "grid_worker",
            "password": "a-good-password-7",
            "node_codes": "NOPE",
        },
    )
    assert response.status_code == 200 and "NOPE" in response.content.decode()
    assert not User.objects.filter(username="x").exists()


def test_nobody_else_can_manage_users(client_for, personas):
    response = client_for("office_head").post(
        reverse("user-create"),
        {
            "username": "sneaky",
            "role": "command",
            "password": "a-good-password-7",
            "node_codes": "D",
        },
    )
    assert response.status_code == 404
    assert not User.objects.filter(username="sneaky").exists()
