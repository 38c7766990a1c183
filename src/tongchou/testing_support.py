"""Factories and personas shared by every app's tests.

The district of the personas: 示范区 > 文昌办事处 > 景园社区 > grid A and grid B,
with building A1 under grid A; 示范区 > 武盛办事处 > 盛和社区 > grid C.
"""

import itertools
import random
import secrets
from datetime import date

import factory

from tongchou.common.idnumbers import check_digit
from tongchou.core.models import Grant, User
from tongchou.grid.models import GridNode
from tongchou.grid.services import grid_node_create
from tongchou.registry.models import Person

PASSWORD = "persona-password-1"  # noqa: S105  (test personas only)
_serial = itertools.count(1)


def valid_id_number(
    born: date = date(1980, 5, 17), female: bool = False, region: str = "410102"
) -> str:
    """A fresh valid ID number (unique within a test run)."""
    n = next(_serial)
    # Digits 15-16 count up; digit 17 is odd for men and even for women.
    sex_digit = (n % 5) * 2 + (0 if female else 1)
    first17 = f"{region}{born:%Y%m%d}{(n // 5) % 100:02d}{sex_digit}"
    return first17 + check_digit(first17)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"居民{n}")
    id_number = factory.LazyFunction(valid_id_number)
    sex = "male"
    birth_date = date(1980, 5, 17)
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    address = "文昌路1号"
    code_token = factory.LazyFunction(lambda: secrets.token_urlsafe(12))


def build_district() -> dict[str, GridNode]:
    def node(code, name, level, parent=None):
        return grid_node_create(actor=None, code=code, name=name, level=level, parent=parent)

    d = node("D", "示范区", "district")
    o1 = node("O1", "文昌办事处", "office", d)
    c1 = node("C1", "景园社区", "community", o1)
    ga = node("GA", "景园社区第1网格", "grid", c1)
    gb = node("GB", "景园社区第2网格", "grid", c1)
    ba1 = node("BA1", "1号楼", "building", ga)
    o2 = node("O2", "武盛办事处", "office", d)
    c3 = node("C3", "盛和社区", "community", o2)
    gc = node("GC", "盛和社区第1网格", "grid", c3)
    return {
        "district": d,
        "office1": o1,
        "community1": c1,
        "grid_a": ga,
        "grid_b": gb,
        "building_a1": ba1,
        "office2": o2,
        "community3": c3,
        "grid_c": gc,
    }


def make_user(username: str, role: str, *nodes: GridNode) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role)
    for n in nodes:
        Grant.objects.create(user=user, node=n)
    return user


def random_phone(rng: random.Random) -> str:
    return f"13{rng.randrange(0, 10)}{rng.randrange(0, 10**8):08d}"


def exported_rows(response) -> list[list[str]]:
    """The rows of a downloaded export below its title line (who exported it, when),
    read as .xlsx or .csv by the file name, every cell as text."""
    import csv
    import io

    from openpyxl import load_workbook

    data = b"".join(response.streaming_content)
    if ".xlsx" in response["Content-Disposition"]:
        sheet = load_workbook(io.BytesIO(data), read_only=True).active
        rows = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    else:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0].startswith("导出人："), rows[0]
    return rows[1:]


def url_routes(*, formats: bool = True) -> list[tuple[str, str]]:
    """Every (route, name) of the URLconf, a route being ``/people/<int:pk>/``-like; DRF's
    regex routes are written the same way. ``formats=False`` leaves out the ``.json``
    twins of API routes."""
    import re

    from django.urls import URLResolver, get_resolver

    def route_text(pattern) -> str:
        text = str(pattern)
        if not text.startswith("^"):
            return text
        text = text.strip("^$").replace("/?", "/")
        text = re.sub(r"\\\.\(\?P<format>[^)]*\)", ".json", text)
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<str:\1>", text)
        return text.replace("\\", "")

    routes = []

    def walk(resolver, prefix):
        for entry in resolver.url_patterns:
            text = prefix + route_text(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, text)
                continue
            text = "/" + text.replace("<drf_format_suffix:format>", ".json")
            if formats or ".json" not in text:
                routes.append((text, entry.name))

    walk(get_resolver(), "")
    return routes
