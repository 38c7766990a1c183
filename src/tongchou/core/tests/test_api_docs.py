"""The API schema and its docs page are for signed-in users only."""

import pytest
from django.test import Client
from django.urls import reverse

from tongchou.core.services import api_token_create


@pytest.mark.parametrize("query", [{}, {"format": "json"}, {"format": "yaml"}])
def test_it_refuses_the_schema_to_anyone_not_signed_in(client, db, query):
    response = client.get(reverse("api-schema"), query)
    assert response.status_code in (401, 403)
    assert b"openapi" not in response.content and b"/api/people/" not in response.content


@pytest.mark.parametrize("query", [{}, {"script": ""}])
def test_it_sends_anyone_not_signed_in_from_the_docs_to_the_sign_in_page(client, db, query):
    response = client.get(reverse("api-docs"), query)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert b"SwaggerUIBundle" not in response.content


def test_it_serves_the_schema_and_docs_to_a_signed_in_user(client_for):
    client = client_for("grid_a")
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200 and b"/api/people/" in schema.content
    assert client.get(reverse("api-docs")).status_code == 200
    assert b"SwaggerUIBundle" in client.get(reverse("api-docs"), {"script": ""}).content


def test_it_serves_the_schema_to_an_api_token(personas):
    _token, key = api_token_create(user=personas["lab"], name="t")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(reverse("api-schema"))
    assert response.status_code == 200 and b"/api/people/" in response.content
