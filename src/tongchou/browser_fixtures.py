"""Fixtures of the browser tests of every app: one headless Chromium per test package,
a fresh page per test, signing in through the real form, and a job worker thread.

A browser test package's conftest star-imports this module (pytest registers the
fixtures a conftest's namespace holds); each package then gets its own Chromium,
whose event loop runs only while that package's tests do.

The live server is pytest-django's ``live_server`` (static files served by
staticfiles' handler). With PostgreSQL every thread has its own connection. With
SQLite the test database lives in memory and the server's threads share the test's
one connection, as Django's LiveServerTestCase does; one connection cannot carry two
transactions at once, so there requests and jobs take turns (``DB_TURN``).
"""

import contextlib
import os
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from tongchou.core import jobs
from tongchou.testing_support import PASSWORD

__all__ = [
    "PHONE",
    "browser",
    "db_turn",
    "htmx_loaded",
    "job_worker",
    "new_page",
    "page",
    "server",
    "sign_in",
    "url",
]

CHROMIUM = "/usr/bin/chromium"
# The machine has no network: these keep Chromium from trying to reach it.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
# ``new_page(**PHONE)``: the screen of a common phone, for the pages used on one.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
DB_TURN = threading.Lock()


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in the test thread, and Django
    # refuses database calls from such a thread unless told they are safe here. The
    # loop stops with Playwright at the end of the package, and so does the setting.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    own = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as playwright:
            # With a loop running, Django would give this thread fresh connections (kept
            # per asyncio context): keep the ones it has, which the live server shares.
            for alias, conn in own.items():
                connections[alias] = conn
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _shares_connection(live_server) -> bool:
    return bool(live_server.thread.connections_override)


@pytest.fixture(scope="package")
def server(django_db_setup, live_server):
    """The live server, started once the test database exists (so that on SQLite it
    shares the in-memory database's connection); there each request takes its turn."""
    if not _shares_connection(live_server):
        yield live_server
        return
    httpd = live_server.thread.httpd
    app = httpd.get_app()

    def in_turn(environ, start_response):
        with DB_TURN:
            response = app(environ, start_response)
            try:
                body = b"".join(response)
            finally:
                if hasattr(response, "close"):
                    response.close()
        return [body]

    httpd.set_app(in_turn)
    yield live_server
    httpd.set_app(app)


@pytest.fixture
def db_turn(live_server):
    """``with db_turn():`` around the test's own database reads while the browser or
    the worker may be using the shared SQLite connection."""
    return (lambda: DB_TURN) if _shares_connection(live_server) else contextlib.nullcontext


@pytest.fixture
def url(server):
    """``url("person-list")``: the live server's address of a named page."""

    def make(name: str, *args) -> str:
        return server.url + reverse(name, args=args)

    return make


@pytest.fixture
def new_page(browser, server):
    """``new_page(**context_options)``: a page in a fresh context (no cookies); uncaught
    script errors on any of them fail the test."""
    contexts, errors = [], []

    def make(**options):
        context = browser.new_context(locale="zh-CN", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()
    with DB_TURN:
        pass  # a request still being answered ends before the database is emptied
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def sign_in(url, personas):
    """``sign_in(page, "grid_a")``: sign in through the login form; lands on the home page."""

    def go(page, username: str, password: str = PASSWORD) -> None:
        page.goto(url("login"))
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main form button[type=submit]")
        page.wait_for_url(url("home"))

    return go


def htmx_loaded(page) -> bool:
    return page.evaluate("typeof window.htmx === 'object' && typeof htmx.ajax === 'function'")


class JobWorker:
    """A thread running ``work_forever`` as ``tongchou serve`` does; ``start()`` it."""

    def __init__(self, shared: dict):
        self.shared = shared
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="test-job-worker", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        for alias, conn in self.shared.items():
            connections[alias] = conn
        try:
            jobs.work_forever(self.stop, poll_seconds=0.2)
        finally:
            connection.close()  # a no-op on the shared in-memory SQLite connection

    def join(self) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=15)
            assert not self.thread.is_alive(), "the job worker did not stop"


@pytest.fixture
def job_worker(server, monkeypatch):
    """The job worker, not yet started; it is stopped and joined at teardown."""
    shared = dict(server.thread.connections_override or {})
    if shared:
        run_pending_jobs = jobs.run_pending_jobs

        def in_turn(limit=None):
            with DB_TURN:
                return run_pending_jobs(limit)

        monkeypatch.setattr(jobs, "run_pending_jobs", in_turn)
    worker = JobWorker(shared)
    yield worker
    worker.join()
