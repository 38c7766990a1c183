"""The people list as a grid worker sees it: masked, searchable, scoped; revealing one."""

import re

import pytest

from tongchou.core.choices import AccessKind
from tongchou.core.models import AccessLog

from .conftest import htmx_loaded

pytestmark = pytest.mark.browser

MASKED_ID = re.compile(r"^\d{4}\*{10}[\dX]{4}$")
MASKED_PHONE = re.compile(r"^\d{3}\*{4}\d{4}$")


def _rows(page) -> dict[str, list[str]]:
    """Name -> the row's cells, for every resident on the page."""
    rows = {}
    for row in page.locator("#people tbody tr").all():
        if row.locator("a").count():
            cells = [c.strip() for c in row.locator("td").all_inner_texts()]
            rows[cells[0]] = cells
    return rows


def _search(page, text: str) -> None:
    page.fill("#search input[name=q]", text)
    page.click("#search button[type=submit]")
    page.wait_for_load_state()


def test_a_grid_worker_sees_their_people_masked_and_searches_them(page, url, sign_in, people):
    sign_in(page, "grid_a")
    page.goto(url("person-list"))
    rows = _rows(page)
    assert set(rows) == {"张三", "李四"}  # not 王五 of grid B, not 赵六 of grid C
    for _name, id_number, phone, *_rest in rows.values():
        assert MASKED_ID.match(id_number), id_number
        assert MASKED_PHONE.match(phone), phone
    zhang = people["a1"]
    assert rows["张三"][1] == f"{zhang.id_number[:4]}{'*' * 10}{zhang.id_number[-4:]}"
    assert rows["张三"][2] == "138****5678"
    html = page.content()
    for person in people.values():
        assert person.id_number not in html

    _search(page, "张三")
    assert set(_rows(page)) == {"张三"}
    assert "s=" in page.url and "q=" not in page.url  # the search is posted, kept by key

    _search(page, people["a"].id_number)
    assert set(_rows(page)) == {"李四"}
    assert people["a"].id_number not in page.url

    _search(page, people["b"].id_number)  # grid B's resident: not found, not a hint
    assert _rows(page) == {}
    assert page.locator("#people tbody td.text-muted").is_visible()


def test_revealing_a_full_id_number_shows_it_in_place_and_logs_it(
    page, url, sign_in, people, personas, db_turn
):
    zhang = people["a1"]
    sign_in(page, "grid_a")
    page.goto(url("person-list"))
    page.click("#people a:text('张三')")
    page.wait_for_url(url("person-detail", zhang.pk))
    assert htmx_loaded(page)
    assert MASKED_ID.match(page.inner_text("#id-number").strip())
    assert zhang.id_number not in page.content()

    page.fill("#reveal-reason", "核实核酸检测登记信息")
    page.click("#reveal button[type=submit]")
    revealed = page.locator("#reveal #revealed")
    revealed.wait_for()
    assert zhang.id_number in revealed.inner_text()
    assert "13812345678" in revealed.inner_text()
    # An htmx fragment: the page itself stayed where it was.
    assert page.url == url("person-detail", zhang.pk)
    assert page.locator("h1").inner_text() == "张三"

    with db_turn():
        logs = list(AccessLog.objects.filter(actor=personas["grid_a"]))
    assert len(logs) == 1
    assert logs[0].kind == AccessKind.REVEAL
    assert logs[0].object_type == "registry.person"
    assert logs[0].object_id == str(zhang.pk)
    assert logs[0].reason == "核实核酸检测登记信息"
    assert logs[0].address == "127.0.0.1"


def test_revealing_without_a_reason_is_refused_in_place(page, url, sign_in, people, db_turn):
    sign_in(page, "grid_a")
    page.goto(url("person-detail", people["a"].pk))
    # The browser's own check would stop an empty reason; one letter reaches the server.
    page.fill("#reveal-reason", "a")
    page.click("#reveal button[type=submit]")
    page.locator("#reveal .text-danger").wait_for()
    assert page.locator("#revealed").count() == 0
    assert people["a"].id_number not in page.content()
    with db_turn():
        assert not AccessLog.objects.exists()
