"""Behind a TLS-terminating proxy: ``tongchou serve`` (waitress) takes the client's
address and the scheme from the trusted proxy's headers, and from no one else."""

import http.client
import threading
from contextlib import contextmanager

import pytest
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.test import RequestFactory
from waitress.server import create_server

from tongchou.core.lockout import client_address
from tongchou.core.management.commands.serve import proxy_options

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.9.8.7"}


@contextmanager
def served(app):
    """The app under waitress on 127.0.0.1 (a free port), with serve's proxy options."""
    server = create_server(app, host="127.0.0.1", port=0, threads=1, **proxy_options())
    stop = threading.Event()

    def run():
        # server.run() loops until its sockets are gone; closing them from another
        # thread while it waits on them fails, so it loops in short turns and closes here.
        while not stop.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)
        server.close()
        server.task_dispatcher.shutdown()

    thread = threading.Thread(target=run, name="waitress-under-test", daemon=True)
    thread.start()
    try:
        yield server.effective_port
    finally:
        stop.set()
        thread.join(timeout=10)


def get(port, path="/", headers=None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Connection": "close", **(headers or {})})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.fixture
def seen():
    """An app that notes what Django makes of each request: scheme, secure, address."""
    noted = []

    def app(environ, start_response):
        request = WSGIRequest(environ)
        noted.append((request.scheme, request.is_secure(), client_address(request)))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    return app, noted


def test_it_takes_scheme_and_address_from_the_trusted_proxy(settings, seen):
    settings.TRUSTED_PROXY = "127.0.0.1"
    app, noted = seen
    with served(app) as port:
        assert get(port, headers=FORWARDED).status == 200
    assert noted == [("https", True, "10.9.8.7")]


def test_without_the_setting_it_believes_no_forwarded_header(settings, seen):
    settings.TRUSTED_PROXY = ""
    app, noted = seen
    with served(app) as port:
        get(port, headers=FORWARDED)
    assert noted == [("http", False, "127.0.0.1")]


def test_it_believes_no_forwarded_header_from_another_address(settings, seen):
    settings.TRUSTED_PROXY = "10.0.0.254"  # the proxy; this request comes from 127.0.0.1
    app, noted = seen
    with served(app) as port:
        get(port, headers=FORWARDED)
    assert noted == [("http", False, "127.0.0.1")]


def test_it_takes_only_the_headers_named(settings, seen):
    settings.TRUSTED_PROXY = "127.0.0.1"
    settings.TRUSTED_PROXY_HEADERS = ["x-forwarded-proto"]
    app, noted = seen
    with served(app) as port:
        get(port, headers=FORWARDED)
    assert noted == [("https", True, "127.0.0.1")]


def test_behind_the_trusted_proxy_https_is_not_redirected_again(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXY = "127.0.0.1"
    with served(WSGIHandler()) as port:
        assert get(port, "/login/", headers={"X-Forwarded-Proto": "https"}).status == 200
        plain = get(port, "/login/")
        assert plain.status == 301 and plain.getheader("Location").startswith("https://")
    settings.TRUSTED_PROXY = ""
    with served(WSGIHandler()) as port:  # the loop the proxy would be caught in
        assert get(port, "/login/", headers={"X-Forwarded-Proto": "https"}).status == 301


def test_client_address_never_reads_x_forwarded_for(settings):
    settings.PRODUCTION = True
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.9.8.7")
    assert client_address(request) == "10.0.0.1"


def test_production_settings_trust_the_server_not_a_header():
    """Production's scheme is the server's (waitress, from the trusted proxy only), never
    an X-Forwarded-Proto that Django itself would believe from anyone."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "TONGCHOU_ENV": "production",
        "TONGCHOU_SECRET_KEY": "only-for-this-check-0123456789abcdefghijklmnopqrstuvwxyz",
    }
    env.pop("TONGCHOU_TRUSTED_PROXY", None)
    env.pop("TONGCHOU_TRUSTED_PROXY_HEADERS", None)
    check = (
        "import tongchou.settings as s; "
        "print(hasattr(s, 'SECURE_PROXY_SSL_HEADER'), s.SECURE_SSL_REDIRECT, "
        "repr(s.TRUSTED_PROXY), ' '.join(s.TRUSTED_PROXY_HEADERS))"
    )
    result = subprocess.run(  # noqa: S603  (our own interpreter and code)
        [sys.executable, "-c", check], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False True '' x-forwarded-for x-forwarded-proto"
