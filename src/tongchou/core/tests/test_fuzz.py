"""Crafted values never answer 500: every URL of the URLconf, with a path id past 64 bits
or a digit int() cannot read (``²``), query and form values of such numbers and NUL
characters, and paging past any page, as the command centre, a sampler, a lab, a venue's
owner and anonymously. The same on SQLite and on PostgreSQL."""

import json
import re
from urllib.parse import quote

import pytest
from django import forms
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework import serializers

from tongchou.command.choices import TaskStatus
from tongchou.command.services import task_create
from tongchou.core.tests.access_world import build_world
from tongchou.testing_support import url_routes as all_routes

HUGE = 2**70
# Read by int() or isdigit() wrongly, past a 64-bit column, or refused by PostgreSQL's text.
ODD_TEXTS = ["²", str(HUGE), str(-(10**30)), "1\x002"]
ODD_JSON = ["²", HUGE, -(10**30), "1\x002"]
# Paging past any page, asking for more rows than any page holds, and odd page numbers.
PAGINGS = [
    {"limit": str(10**12), "offset": str(HUGE), "page": str(HUGE)},
    {"limit": str(HUGE), "offset": "0", "page": "²"},
    {"limit": "²", "offset": "1\x002", "page": str(-HUGE)},
]
PAGING = PAGINGS[0]
# Query parameters views read by hand, beside every field of every form and serializer.
QUERY_NAMES = {
    "q", "all", "bound", "action", "status", "case", "venue", "person", "days",
    "actor_id", "area", "tag", "id_number", "phone", "next", "sex", "kind", "round",
}  # fmt: skip
# Signing out would sign the persona out of the rest of the run.
SKIPPED = {"logout"}


def url_routes() -> list[tuple[str, str]]:
    """Every (route, name) of the URLconf but those in SKIPPED, ``.json`` twins included."""
    return [(route, name) for route, name in all_routes() if name not in SKIPPED]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def parameter_names() -> tuple[list[str], list[str]]:
    """(the name of every field of the project's forms and serializers, and QUERY_NAMES;
    the names among them of list fields, such as a batch's scans)."""
    url_routes()  # imports every view, and so every form and serializer
    names, lists = set(QUERY_NAMES), set()
    for form in _subclasses(forms.BaseForm):
        if form.__module__.startswith("tongchou."):
            names.update(form.base_fields)
    for serializer in _subclasses(serializers.Serializer):
        if serializer.__module__.startswith("tongchou."):
            declared = serializer._declared_fields
            names.update(declared)
            names.update(getattr(getattr(serializer, "Meta", None), "fields", None) or ())
            many = (serializers.ListSerializer, serializers.ListField)
            lists.update(name for name, field in declared.items() if isinstance(field, many))
    return sorted(names - set(PAGING)), sorted(lists)


@pytest.fixture
def world(district, personas, people):
    """One of everything a URL can name, keyed by the route before the hole that names it:
    the permission matrix's world, its objects in grid A."""
    return build_world(district, personas)["own"]


HOLE = re.compile(r"<(?:(\w+):)?(\w+)>")


def urls_of(route: str, world: dict) -> tuple[str | None, list[str]]:
    """(the URL naming existing objects or None, URLs naming what cannot exist)."""
    holes = list(HOLE.finditer(route))
    if not holes:
        return route, []
    prefix = route[: holes[0].start()].lstrip("/")
    assert prefix in world, f"the fuzz test's world has nothing for {route}: add it"
    existing = HOLE.sub(lambda m: quote(str(world[route[: m.start()].lstrip("/")])), route)
    odd = []
    for value in (str(HUGE), "²", "\x00"):
        odd.append(HOLE.sub(lambda m, v=value: quote(v, safe=""), route))
    return existing, odd


def value_requests(names: list[str], lists: list[str], *, api: bool):
    """(method, keyword arguments for the test client) that send odd values under every
    parameter name: as a query, as a form, and to the API as JSON."""
    for value in ODD_TEXTS:
        yield "get", {"data": {**dict.fromkeys(names, value), **PAGINGS[0]}}
        yield "post", {"data": dict.fromkeys(names, value)}
    if not api:
        return
    for value in ODD_JSON:
        flat = dict.fromkeys(names, value)
        # Lists of such objects too, for the batch endpoints (scans, samples, results).
        nested = {**flat, **dict.fromkeys(lists, [flat])}
        for method, body in (("post", flat), ("post", nested), ("put", flat), ("patch", flat)):
            yield method, {"data": json.dumps(body), "content_type": "application/json"}


# A URL answering these to a plain GET and POST refuses the persona before reading any value.
REFUSALS = {301, 302, 401, 403, 404, 405}


class Prober:
    """Sends requests as one client and keeps each way a URL answered 500 (or raised),
    once, with the first request that did."""

    def __init__(self, client: Client):
        self.client = client
        self.found: dict[tuple, str] = {}

    def send(self, route: str, method: str, url: str, **kwargs) -> int | None:
        try:
            # Each request in a savepoint undone after it: one cannot spoil the next, and
            # an error on PostgreSQL does not abort the rest of the test.
            with transaction.atomic():
                status = getattr(self.client, method)(url, **kwargs).status_code
                transaction.set_rollback(True)
        except Exception as exc:  # noqa: BLE001  (reported below, with its request)
            failure, status = f"{type(exc).__name__}: {str(exc)[:80]}", None
        else:
            if status < 500:
                return status
            failure = str(status)
        data = kwargs.get("data")
        sent = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        self.found.setdefault((method, route, failure), f"{method.upper()} {url} {sent[:80]}")
        return status

    def probe(self, route: str, world: dict, names: tuple[list[str], list[str]]) -> None:
        existing, odd = urls_of(route, world)
        statuses = {self.send(route, "get", existing), self.send(route, "post", existing)}
        for paging in PAGINGS:
            self.send(route, "get", existing, data=paging)
        # A format suffix (.json) reaches the same view as the route without it.
        if ".json" in route:
            return
        for url in odd:
            self.send(route, "get", url, data=PAGINGS[0])
            self.send(route, "post", url, data={})
        if statuses <= REFUSALS:
            return
        for method, kwargs in value_requests(*names, api=route.startswith("/api/")):
            self.send(route, method, existing, **kwargs)

    def report(self) -> list[str]:
        return [f"{request}\n    {failure}" for (_m, _r, failure), request in self.found.items()]


@pytest.mark.parametrize("persona", ["command", "sampler", "lab", "venue_owner", None])
def test_no_crafted_value_answers_500(persona, personas, world):
    client = Client()
    if persona:
        client.force_login(personas[persona])
    prober, names = Prober(client), parameter_names()
    for route, _name in url_routes():
        prober.probe(route, world, names)
    found = prober.report()
    assert not found, f"{len(found)} answers of 500:\n" + "\n".join(found[:60])


# --- what the refusals say ------------------------------------------------------------


def test_an_api_list_refuses_a_limit_or_offset_it_cannot_page_by_in_words(client_for, people):
    client = client_for("command")
    assert client.get("/api/people/", {"limit": 500}).status_code == 200
    for limit in (str(10**12), str(HUGE), "²", "0", "-1"):
        response = client.get("/api/people/", {"limit": limit})
        assert response.status_code == 400, limit
        assert response.json() == {"limit": ["每页条数应为1至500之间的整数。"]}
    for offset in (str(HUGE), "²", "-1"):
        response = client.get("/api/people/", {"offset": offset})
        assert response.status_code == 400, offset
        assert response.json() == {"offset": ["起始位置应为不小于0的整数。"]}
    # Past the last row is an empty page, as before.
    assert client.get("/api/people/", {"offset": 10**6}).json()["results"] == []


def test_an_api_filter_refuses_an_id_it_cannot_read_and_a_nul_character(client_for, people):
    client = client_for("command")
    for venue in ("²", str(HUGE), "-3"):
        response = client.get("/api/checkins/", {"venue": venue})
        assert response.status_code == 400, venue
        assert list(response.json()) == ["venue"]
    assert client.get("/api/contacts/", {"case": "²"}).status_code == 400
    response = client.get("/api/people/", {"q": "张\x00三"})
    assert response.status_code == 400
    assert response.json() == {"q": ["不能含有空字符（NUL）。"]}
    # Left out or empty, a filter is not given.
    assert client.get("/api/checkins/", {"venue": ""}).json()["results"] == []
    assert client.get("/api/contacts/").status_code == 200


def test_a_page_answers_a_crafted_value_with_a_400_in_chinese(client_for, people, district):
    client = client_for("command")
    for venue in ("²", str(HUGE)):
        response = client.get("/venues/checkins/", {"venue": venue})
        assert response.status_code == 400
        assert "无法处理该请求" in response.content.decode()
    task = task_create(actor=None, title="核对", area=district["grid_a"], due_at=timezone.now())
    response = client.post(f"/tasks/{task.pk}/status/", {"status": "²"})
    assert response.status_code == 400
    assert "无法处理该请求" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
