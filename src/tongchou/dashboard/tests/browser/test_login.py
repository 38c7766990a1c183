"""Signing in and out through the real form."""

import pytest

from tongchou.testing_support import PASSWORD

pytestmark = pytest.mark.browser


def test_a_signed_out_visit_goes_to_the_login_page(page, url, personas):
    page.goto(url("person-list"))
    assert page.url == url("login") + "?next=/people/"
    assert page.locator("#id_username").is_visible()
    # Signing in from there comes back to the page asked for.
    page.fill("#id_username", "grid_a")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(url("person-list"))


def test_sign_in_with_a_wrong_then_the_right_password_and_sign_out(page, url, personas):
    page.goto(url("login"))
    page.fill("#id_username", "grid_a")
    page.fill("#id_password", "not-the-password")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.url == url("login")
    error = page.locator("main form .alert-danger")
    assert error.is_visible()
    assert error.inner_text().strip()
    assert page.locator("nav form[action='/logout/']").count() == 0

    page.fill("#id_username", "grid_a")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(url("home"))
    assert page.locator("#people-count").is_visible()
    assert page.locator("main .alert-danger").count() == 0

    page.click("nav form[action='/logout/'] button[type=submit]")
    page.wait_for_url(url("login"))
    page.goto(url("home"))
    assert page.url == url("login") + "?next=/"
