"""The permission matrix: every URL pattern of the URLconf x every demo role x the
object's relation to the user (in their own grid, a sibling grid of the same community,
under another office) x method -> the expected status.

A URL missing from ``MATRIX`` fails the test, so a new page cannot skip it. Out of scope
reads 404 with the same body as a missing object.
"""

import re
from urllib.parse import quote

import pytest
from django.test import Client

from tongchou.core.tests.access_world import RELATIONS, build_world, demo_roles
from tongchou.testing_support import url_routes

ALL = frozenset(
    {
        "command",
        "office",
        "community",
        "grid_a",
        "tracer",
        "taskforce",
        "sampler",
        "lab",
        "venue_owner",
        "inspector",
        "projects",
        "discipline",
    }
)
CMD = frozenset({"command"})
EDIT = frozenset({"command", "office", "community", "grid_a"})  # change residents, venues
PEOPLE = EDIT | {"tracer", "taskforce"}  # see residents by name
HEALTH = EDIT | {"tracer"}  # see cases, contacts, controls
TRACING = frozenset({"command", "tracer"})
VENUE_EDIT = EDIT | {"inspector"}
DOOR = EDIT | {"venue_owner"}
TASKS = EDIT  # a task's owner (grid A's worker) and the supervisors above it
SAMPLER = frozenset({"sampler"})
LAB = frozenset({"lab"})

# Which relations each role's grants reach. A venue's responsible person holds no grant:
# the venue named to them (in grid A) is all they reach.
REACH = {
    "grid_a": {"own"},
    "office": {"own", "sibling"},
    "community": {"own", "sibling"},
    "sampler": {"own", "sibling"},
    "venue_owner": {"own"},
}
VENUE_ROUTES = ("/venues/<int:pk>/", "/api/venues/")

# route -> (kind, roles, status for them). Kinds: "public" (anyone, signed in or not),
# "signed-out" (the sign-in page: the signed-in are sent home),
# "page" (no object in the URL), "area" (an object on the grid: by relation), "single"
# (an object not on one grid: a round, a site, a job, a token).
MATRIX = {
    "/": ("page", ALL, 200),
    "/login/": ("signed-out", ALL, 200),
    "/tokens/": ("page", ALL, 200),
    "/tokens/<int:pk>/revoke/": ("single", ALL, 405),
    "/users/": ("page", CMD, 200),
    "/users/new/": ("page", CMD, 200),
    "/users/<int:pk>/": ("single", CMD, 200),
    "/access-log/": ("page", CMD, 200),
    "/grid/": ("page", ALL, 200),
    "/grid/export/": ("page", ALL, 405),
    "/people/": ("page", ALL, 200),
    "/people/new/": ("page", EDIT, 200),
    "/people/<int:pk>/": ("area", PEOPLE, 200),
    "/people/<int:pk>/edit/": ("area", EDIT, 200),
    "/people/<int:pk>/reveal/": ("area", ALL, 405),
    "/people/import/": ("page", EDIT, 200),
    "/people/import/<int:pk>/": ("single", CMD, 200),  # the job's creator
    "/people/import/<int:pk>/errors/": ("single", frozenset(), 200),  # no error file yet
    "/people/export/": ("page", PEOPLE, 405),
    "/people/duplicates/": ("page", EDIT, 200),
    "/people/households/<int:pk>/codes/": ("area", PEOPLE, 200),
    "/tasks/": ("page", ALL, 200),
    "/tasks/overdue/": ("page", ALL, 200),
    "/tasks/<int:pk>/status/": ("area", ALL, 405),
    "/my-code/<slug:token>/": ("public", ALL, 200),
    "/venues/": ("page", ALL, 200),
    "/venues/new/": ("page", VENUE_EDIT, 200),
    "/venues/import/": ("page", VENUE_EDIT, 200),
    "/venues/import/<int:pk>/": ("single", CMD, 200),
    "/venues/import/<int:pk>/errors/": ("single", frozenset(), 200),
    "/venues/alerts/": ("page", ALL, 200),
    "/venues/alerts/<int:pk>/handle/": ("area", ALL, 405),
    "/venues/checkins/": ("page", ALL, 200),
    "/venues/checkins/export/": ("page", ALL, 405),
    "/venues/<int:pk>/": ("area", ALL, 200),
    "/venues/<int:pk>/edit/": ("area", VENUE_EDIT, 200),
    "/venues/<int:pk>/duties/": ("area", VENUE_EDIT, 200),
    "/venues/<int:pk>/code/": ("area", ALL, 200),
    "/venues/<int:pk>/door/": ("area", DOOR, 200),
    "/v/me/": ("public", frozenset(), 200),  # only with the phone's own cookie
    "/v/forget/": ("public", ALL, 405),
    "/v/<slug:token>/": ("public", ALL, 200),
    "/tracing/": ("page", ALL, 200),
    "/tracing/cases/new/": ("page", TRACING, 200),
    "/tracing/cases/<int:pk>/": ("area", TRACING, 200),  # the tracing file
    "/tracing/cases/<int:pk>/trace/": ("area", ALL, 405),
    "/tracing/cases/<int:pk>/contacts/add/": ("area", ALL, 405),
    "/tracing/cases/<int:pk>/contacts/import/": ("area", ALL, 405),
    "/tracing/contacts/": ("page", ALL, 200),
    "/tracing/contacts/export/": ("page", ALL, 405),
    "/tracing/contacts/<int:pk>/review/": ("area", ALL, 405),
    "/tracing/controls/": ("page", ALL, 200),
    "/tracing/controls/start/": ("page", HEALTH, 405),
    "/tracing/controls/<int:pk>/": ("area", HEALTH, 200),
    "/tracing/controls/<int:pk>/followup/": ("area", ALL, 405),
    "/tracing/controls/<int:pk>/release/": ("area", ALL, 405),
    "/tracing/controls/<int:pk>/team/": ("area", HEALTH, 200),
    "/testing/sample/": ("page", SAMPLER, 200),
    "/testing/sample/<int:site_id>/": ("single", SAMPLER, 200),
    "/testing/": ("page", PEOPLE, 200),
    "/testing/new/": ("page", CMD, 200),
    "/testing/<int:pk>/": ("single", PEOPLE, 200),
    "/testing/<int:pk>/status/": ("single", CMD, 405),
    "/testing/<int:pk>/zones/new/": ("single", CMD, 200),
    "/testing/zones/<int:pk>/sites/new/": ("single", CMD, 200),
    "/testing/zones/<int:pk>/schedule/": ("single", CMD, 200),
    "/testing/zones/<int:pk>/schedule/undo/": ("single", CMD, 405),
    "/testing/<int:pk>/missing/": ("single", PEOPLE, 200),
    "/testing/<int:pk>/missing/live/": ("single", PEOPLE, 200),
    "/testing/<int:pk>/missing/export/": ("single", frozenset(), 405),
    "/testing/<int:pk>/report/": ("single", PEOPLE, 200),
    "/testing/results/": ("page", LAB, 200),
    "/testing/results/<int:pk>/": ("single", LAB, 200),
    "/testing/results/<int:pk>/errors/": ("single", frozenset(), 200),
    "/i18n/setlang/": ("public", ALL, 302),
    "/api/": ("page", ALL, 200),
    "/api/areas/": ("page", ALL, 200),
    "/api/areas/<str:code>/": ("area", ALL - {"venue_owner"}, 200),
    "/api/households/": ("page", ALL, 200),
    "/api/households/<str:pk>/": ("area", PEOPLE, 200),
    "/api/people/": ("page", ALL, 200),
    "/api/people/<str:pk>/": ("area", PEOPLE, 200),
    "/api/people/<str:pk>/reveal/": ("area", ALL, 405),
    "/api/tasks/": ("page", ALL, 200),
    "/api/tasks/<str:pk>/": ("area", TASKS, 200),
    "/api/tasks/<str:pk>/status/": ("area", ALL, 405),
    "/api/venues/": ("page", ALL, 200),
    "/api/venues/<str:pk>/": ("area", ALL, 200),
    "/api/checkins/": ("page", ALL, 200),
    "/api/checkins/upload/": ("page", ALL, 405),
    # Check-ins are read by venue or by person (?venue=, ?person=), never one by one.
    "/api/checkins/<str:pk>/": ("area", frozenset(), 200),
    "/api/fever-alerts/": ("page", ALL, 200),
    "/api/fever-alerts/<str:pk>/": ("area", PEOPLE, 200),
    "/api/cases/": ("page", ALL, 200),
    "/api/cases/<str:pk>/": ("area", HEALTH, 200),
    "/api/cases/<str:pk>/trace/": ("area", ALL, 405),
    "/api/contacts/": ("page", ALL, 200),
    "/api/contacts/<str:pk>/": ("area", HEALTH, 200),
    "/api/contacts/<str:pk>/confirm/": ("area", ALL, 405),
    "/api/contacts/<str:pk>/dismiss/": ("area", ALL, 405),
    "/api/controls/": ("page", ALL, 200),
    "/api/controls/<str:pk>/": ("area", HEALTH, 200),
    "/api/testing/sites/": ("page", SAMPLER, 200),
    "/api/testing/tubes/": ("page", SAMPLER, 405),
    "/api/testing/scans/": ("page", SAMPLER, 405),
    "/api/testing/scans/batch/": ("page", SAMPLER, 405),
    "/api/testing/walk-ins/": ("page", SAMPLER, 405),
    "/api/testing/samples/batch/": ("page", SAMPLER, 405),
    "/api/testing/seal/": ("page", SAMPLER, 405),
    "/api/testing/results/": ("page", LAB, 405),
    "/api/schema/": ("page", ALL, 200),
    "/api/docs/": ("page", ALL, 200),
}
# Signing out would end the persona's session for the rest of the run.
NOT_CRAWLED = {"/logout/"}
HOLE = re.compile(r"<(?:(\w+):)?(\w+)>")


def reach(role: str, route: str) -> set:
    if role == "venue_owner" and not route.startswith(VENUE_ROUTES):
        return set()
    return REACH.get(role, set(RELATIONS))


def expected(route: str, role: str, rel: str) -> int:
    kind, roles, ok = MATRIX[route]
    if kind == "signed-out":
        return ok if role == "anon" else 302
    if kind == "public":
        return ok if (role in roles or role == "anon" and roles) else 404
    if role == "anon":
        # The API answers 401; pages, the API's documentation page too, send to sign-in.
        return 401 if route.startswith("/api/") and route != "/api/docs/" else 302
    if role not in roles:
        return 404
    # A GET of a page that only takes POST is refused before any object is looked up.
    if kind == "area" and ok != 405 and rel not in reach(role, route):
        return 404
    return ok


def filled(route: str, world: dict, rel: str) -> str:
    return HOLE.sub(lambda m: quote(str(world[rel][route[: m.start()].lstrip("/")])), route)


def routes() -> list[str]:
    return [r for r, _name in url_routes(formats=False) if r not in NOT_CRAWLED]


def test_every_url_pattern_is_in_the_matrix():
    missing = sorted(set(routes()) - set(MATRIX))
    assert missing == [], "add these to MATRIX with who may reach them: " + ", ".join(missing)
    assert sorted(set(MATRIX) - set(routes())) == []


@pytest.fixture
def world(district, personas):
    return build_world(district, personas)


@pytest.fixture
def clients(district, personas):
    made = {"anon": Client()}
    for name, user in demo_roles(district, personas).items():
        made[name] = Client()
        made[name].force_login(user)
    return made


def test_every_url_answers_every_role_as_the_matrix_says(world, clients):
    wrong, checked = [], 0
    for route in routes():
        relations = RELATIONS if HOLE.search(route) else ("-",)
        for rel in relations:
            url = route if rel == "-" else filled(route, world, rel)
            for role, client in clients.items():
                want = expected(route, role, "own" if rel == "-" else rel)
                got = client.get(url).status_code
                checked += 1
                if got != want:
                    wrong.append(f"GET {route} [{rel}] as {role}: {got}, expected {want}")
    assert wrong == [], f"{len(wrong)} of {checked}:\n" + "\n".join(wrong)


def test_out_of_scope_posts_are_404_and_change_nothing(world, clients):
    """A write aimed at another grid's object, or by a role that may not, is a missing
    page: the same as for an object that does not exist."""
    from tongchou.core.models import AuditEvent

    events = AuditEvent.objects.count()
    wrong = []
    for route in routes():
        if not HOLE.search(route) or MATRIX[route][0] != "area":
            continue
        for rel in RELATIONS:
            url = filled(route, world, rel)
            for role, client in clients.items():
                if role == "anon" or rel in reach(role, route) and role in MATRIX[route][1]:
                    continue
                got = client.post(url, {}).status_code
                if got not in (404, 405):
                    wrong.append(f"POST {route} [{rel}] as {role}: {got}")
    assert wrong == [], "\n".join(wrong)
    assert AuditEvent.objects.count() == events


def test_out_of_scope_reads_exactly_as_a_missing_object(world, clients):
    grid_a = clients["grid_a"]
    for route in ("/people/<int:pk>/", "/tracing/controls/<int:pk>/", "/api/people/<str:pk>/"):
        other = grid_a.get(filled(route, world, "other"))
        missing = grid_a.get(HOLE.sub("999999999", route))
        assert other.status_code == missing.status_code == 404
        assert other.content == missing.content
