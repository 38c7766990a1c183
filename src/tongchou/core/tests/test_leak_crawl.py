"""The leak crawler: for each role, follow every link and GET form reachable from its home
page, read every API list and every object of the world through the API, run every export
its pages offer, and scan each response byte for byte (HTML, JSON, CSV, the XML inside
.xlsx) for a full ID number or mobile number, which no role sees without a logged reveal,
and for the names of residents the role may not see. A link that leads to a 404 or 403 is
a menu item that should not be there, and fails too.
"""

import io
import re
import zipfile
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from tongchou.core.privacy import PersonalKind, Shown, how_shown
from tongchou.core.tests.access_world import RELATIONS, build_world, demo_roles
from tongchou.core.tests.test_permission_matrix import ALL, REACH, filled, routes
from tongchou.registry.models import Person
from tongchou.venues.models import VenueDuty

MAX_PAGES = 250
SKIPPED_PATHS = ("/logout/", "/i18n/", "/static/", "/api/schema/", "/api/docs/")


class Links(HTMLParser):
    """The hrefs of a page, its htmx partials, its GET forms' targets and its export
    forms' targets."""

    def __init__(self):
        super().__init__()
        self.links, self.exports = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("hx-get"):  # an htmx partial the page loads
            self.links.append(attrs["hx-get"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            action = attrs.get("action") or ""
            if (attrs.get("method") or "get").lower() == "get":
                self.links.append(action)
            elif "export" in action:
                self.exports.append(action)


def texts_of(response) -> list[str]:
    """What a response says, as text: a spreadsheet's XML parts unzipped."""
    data = response.getvalue() if response.streaming else response.content
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    return [data.decode("utf-8", "replace")]


def forbidden_values(role: str, user, world) -> dict[str, str]:
    """value -> why the role must never read it whole."""
    forbidden = {}
    for person in Person.objects.all():
        forbidden[person.id_number] = f"the ID number of person {person.pk}"
        if person.phone:
            forbidden[person.phone] = f"the phone of person {person.pk}"
    for duty in VenueDuty.objects.exclude(phone=""):
        forbidden[duty.phone] = "a venue duty's phone"
    sees_names = how_shown(user, PersonalKind.NAME) is Shown.FULL
    reach = REACH.get(role, set(RELATIONS))
    for rel in RELATIONS:
        if not sees_names or rel not in reach:
            for person in world["people"][rel]:
                forbidden[person.name] = f"the name of a resident in the {rel} grid"
    if not sees_names:
        for duty in VenueDuty.objects.exclude(person_name=""):
            forbidden[duty.person_name] = "a venue duty's name"
    return forbidden


def crawl(client: Client, world) -> tuple[dict[str, list[str]], list[str]]:
    """{url: texts} of everything reachable, and the links that led nowhere."""
    seen, queue, dead, found = set(), ["/"], [], {}
    api_urls = [
        filled(r, world, rel) if "<" in r else r
        for r in routes()
        if r.startswith("/api/") and not r.startswith(SKIPPED_PATHS)
        for rel in (RELATIONS if "<" in r else ("-",))
    ]
    queue += api_urls
    exports = set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (403, 404) and url not in api_urls:
            dead.append(url)
            continue
        if response.status_code != 200:
            continue
        found[url] = texts_of(response)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(found[url][0])
        for href in parser.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(SKIPPED_PATHS):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        exports.update(urljoin(url, action) for action in parser.exports)
    for action in sorted(exports):
        for file_format in ("xlsx", "csv"):
            response = client.post(action, {"file_format": file_format})
            if response.status_code == 200:
                found[f"POST {action} {file_format}"] = texts_of(response)
    return found, dead


@pytest.fixture
def world(district, personas):
    return build_world(district, personas)


ROLES = sorted(ALL)


@pytest.mark.parametrize("role", ROLES)
def test_no_role_reads_what_the_policy_withholds(role, district, personas, world):
    user = demo_roles(district, personas)[role]
    client = Client()
    client.force_login(user)
    found, dead = crawl(client, world)
    forbidden = forbidden_values(role, user, world)
    pattern = re.compile("|".join(re.escape(v) for v in sorted(forbidden, key=len, reverse=True)))
    leaks = sorted(
        {
            f"{url}: {forbidden[match.group(0)]}"
            for url, texts in found.items()
            for text in texts
            for match in pattern.finditer(text)
        }
    )
    assert leaks == [], f"{role} reads:\n" + "\n".join(leaks)
    assert dead == [], f"{role}'s pages link to missing pages: {dead}"
    # The crawl did reach the role's world: its home, and more than the API root.
    assert "/" in found and len(found) > 10


HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_ADDRESS = '"><img src=x onerror=alert(1)>'


def test_hostile_names_and_addresses_are_shown_escaped_on_every_page(district, personas, world):
    """Names and addresses typed as markup (from a ledger, the API or the public page)
    reach every page, htmx partial, card and code page as text, never as markup."""
    from tongchou.command.services import task_create
    from tongchou.registry import services as registry_services
    from tongchou.testing_support import valid_id_number
    from tongchou.venues.choices import VenueKind
    from tongchou.venues.services import venue_create

    command = personas["command"]
    person = registry_services.person_create(
        actor=command,
        area=district["grid_a"],
        name=HOSTILE_NAME,
        id_number=valid_id_number(),
        address=HOSTILE_ADDRESS,
        household_number="9-901",
    )
    venue_create(actor=None, area=district["grid_a"], name=HOSTILE_NAME, kind=VenueKind.HOTEL)
    from django.utils import timezone

    task_create(
        actor=command, title="核对", area=district["grid_a"], due_at=timezone.now(), person=person
    )
    client = Client()
    client.force_login(command)
    found, _dead = crawl(client, world)
    pages = {url: texts for url, texts in found.items() if not url.startswith(("/api/", "POST"))}
    shown_escaped = [
        url for url, texts in pages.items() if "&lt;script&gt;alert(1)&lt;/script&gt;" in texts[0]
    ]
    assert len(shown_escaped) >= 3, "the crawl did not reach the hostile records"
    raw = [
        url
        for url, texts in pages.items()
        for raw in (HOSTILE_NAME, HOSTILE_ADDRESS)
        if raw in texts[0]
    ]
    assert raw == []
