"""Personas shared by all apps: a grid worker of grid A, one of grid B, a community
head, an office head, the command centre, a lab and a sampler, each with a client."""

import pytest
from django.db import connection
from django.test import Client

from tongchou.core.appendonly import create_statements, drop_statements
from tongchou.core.choices import Role
from tongchou.testing_support import PersonFactory, build_district, make_user


@pytest.fixture(autouse=True)
def _settings_for_tests(settings, tmp_path):
    # Argon2 is the production hasher (tested on its own); tests sign in thousands of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.JOB_FILES_DIR = tmp_path / "jobs"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _append_only_logs_flushable(request):
    """SQLite's append-only triggers also refuse the DELETE that empties the tables after
    a transactional test: drop them just before that flush, and make sure they exist
    before every test."""
    if (
        "db" not in request.fixturenames
        and "transactional_db" not in request.fixturenames
        and "live_server" not in request.fixturenames
    ):
        yield
        return
    transactional = bool({"transactional_db", "live_server"} & set(request.fixturenames))
    request.getfixturevalue("transactional_db" if transactional else "db")
    if connection.vendor == "sqlite":
        _sqlite_triggers(create=True)
    yield
    if transactional and connection.vendor == "sqlite":
        _sqlite_triggers(create=False)


def _sqlite_triggers(*, create: bool) -> None:
    statements = create_statements("sqlite") if create else drop_statements("sqlite")
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@pytest.fixture
def district(db):
    return build_district()


@pytest.fixture
def personas(district):
    return {
        "command": make_user("command", Role.COMMAND, district["district"]),
        "office_head": make_user("office_head", Role.OFFICE, district["office1"]),
        "community_head": make_user("community_head", Role.COMMUNITY, district["community1"]),
        "grid_a": make_user("grid_a", Role.GRID_WORKER, district["grid_a"]),
        "grid_b": make_user("grid_b", Role.GRID_WORKER, district["grid_b"]),
        "grid_c": make_user("grid_c", Role.GRID_WORKER, district["grid_c"]),
        "lab": make_user("lab", Role.LAB, district["district"]),
        "sampler": make_user("sampler", Role.SAMPLER, district["community1"]),
        "nobody": make_user("nobody", Role.GRID_WORKER),
        # The joint team's investigator (流调), and a venue's own responsible person, who
        # holds no grant: the venues named to them are their whole world.
        "tracer": make_user("tracer", Role.TRACER, district["district"]),
        "venue_owner": make_user("venue_owner", Role.VENUE_OWNER),
    }


@pytest.fixture
def people(district):
    """One resident in building A1 (grid A), one in grid A, one in grid B, one in grid C."""
    return {
        "a1": PersonFactory(name="张三", area=district["building_a1"], phone="13812345678"),
        "a": PersonFactory(name="李四", area=district["grid_a"]),
        "b": PersonFactory(name="王五", area=district["grid_b"]),
        "c": PersonFactory(name="赵六", area=district["grid_c"]),
    }


@pytest.fixture
def client_for(personas):
    """``client_for("grid_a")``: a test client signed in as that persona."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(personas[name])
        return client

    return make
