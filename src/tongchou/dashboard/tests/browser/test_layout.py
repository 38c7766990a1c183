"""The people list on a phone, and pages that load nothing from outside the server."""

import pytest

from .conftest import PHONE, htmx_loaded

pytestmark = pytest.mark.browser


def test_the_people_list_fits_a_phone_and_the_nav_collapses(new_page, url, sign_in, people):
    page = new_page(**PHONE)
    sign_in(page, "grid_a")
    page.goto(url("person-list"))
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth,"
        " body: document.body.scrollWidth})"
    )
    assert widths["client"] == 390
    assert widths["scroll"] <= widths["client"], widths
    assert widths["body"] <= widths["client"], widths
    assert page.locator("#people tbody tr").count() == 2

    toggler = page.locator("nav .navbar-toggler")
    assert toggler.is_visible()
    assert not page.locator("#nav").is_visible()
    toggler.click()
    page.locator("#nav form[action='/logout/'] button").wait_for()  # Bootstrap's collapse works
    assert page.locator("#nav a[href='/people/']").is_visible()


def test_a_page_requests_nothing_from_outside_the_server(page, url, sign_in, people):
    sign_in(page, "grid_a")
    requested, failed = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(url("person-list"), wait_until="networkidle")
    assert htmx_loaded(page)
    assert page.evaluate("typeof window.bootstrap === 'object'")
    origin = url("home")
    outside = [u for u in requested if not u.startswith(origin)]
    assert not outside, outside
    assert not failed, failed
    assert any(u.endswith("/htmx.min.js") for u in requested), requested
    assert any(u.endswith("/bootstrap.min.css") for u in requested), requested
    # The stylesheet really applied: Bootstrap's navbar is laid out as flex.
    assert page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).display") == "flex"
