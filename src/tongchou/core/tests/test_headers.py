"""Security headers on every page and API answer; no-store where personal data may be;
templates that need no inline script."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tongchou.core.services import api_token_create


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_security_headers(response):
    csp = directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def assert_no_store(response):
    assert "no-store" in response.get("Cache-Control", ""), response.get("Cache-Control")


def test_it_sends_the_headers_and_no_store_on_a_signed_in_page(client_for):
    response = client_for("grid_a").get(reverse("home"))
    assert response.status_code == 200
    assert_security_headers(response)
    assert_no_store(response)


def test_it_sends_the_headers_on_the_login_page(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_it_sends_no_store_once_signed_in_through_the_form(client, personas):
    from tongchou.testing_support import PASSWORD

    response = client.post(reverse("login"), {"username": "grid_a", "password": PASSWORD})
    assert response.status_code == 302
    assert_no_store(response)


@pytest.mark.parametrize("authorized", [True, False])
def test_it_sends_the_headers_and_no_store_on_api_answers(personas, authorized):
    headers = {}
    if authorized:
        _token, key = api_token_create(user=personas["grid_a"], name="t")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    response = Client(**headers).get("/api/people/")
    assert response.status_code == (200 if authorized else 401)
    assert_security_headers(response)
    assert_no_store(response)


def test_it_sends_no_store_on_api_answers_to_a_session(client_for):
    response = client_for("grid_a").get("/api/areas/")
    assert response.status_code == 200
    assert_security_headers(response)
    assert_no_store(response)


def test_it_leaves_static_files_cacheable(client_for):
    response = client_for("grid_a").get(settings.STATIC_URL + "tongchou/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_api_docs_page_loads_its_script_as_a_file(client_for):
    client = client_for("command")
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE)


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for path in sorted((settings.BASE_DIR / "templates").rglob("*.html")):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, SCRIPT_URL):
            found += [f"{path.name}: {m.group(0)[:60]}" for m in pattern.finditer(text)]
    assert not found, found


def test_the_template_scan_would_see_one():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert INLINE_HANDLER.search('<button type="button" onclick="window.print()">')
    assert not INLINE_HANDLER.search('<button type="button" data-print>')
    assert SCRIPT_URL.search('<a href="javascript:void(0)">')
