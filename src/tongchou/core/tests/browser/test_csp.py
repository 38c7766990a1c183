"""Pages under the Content-Security-Policy in Chromium: nothing refused, and the
behaviours moved out of inline handlers (print, submit on change) still work."""

import pytest
from playwright.sync_api import expect

from tongchou.registry.models import Household
from tongchou.testing.tests.conftest import testing_round  # noqa: F401  (a fixture)
from tongchou.venues.choices import VenueKind
from tongchou.venues.services import venue_create

pytestmark = pytest.mark.browser

# Runs before the page's own scripts; CSP does not apply to what the browser injects.
WATCH = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__refused.push(e.violatedDirective + " " + e.blockedURI));
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""


@pytest.fixture
def watched(new_page):
    """A page whose CSP refusals (events and console messages) are collected."""
    page = new_page()
    page.add_init_script(WATCH)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    assert not console, console


def refused(page) -> list[str]:
    return page.evaluate("window.__refused")


def test_the_main_pages_load_with_nothing_refused(watched, url, sign_in, people, district):
    venue = venue_create(
        actor=None, area=district["grid_a"], name="景园超市", kind=VenueKind.SUPERMARKET
    )
    sign_in(watched, "command")
    for name, args in [
        ("home", ()),
        ("person-list", ()),
        ("person-detail", (people["a"].pk,)),
        ("tokens", ()),
        ("venue-code", (venue.pk,)),
    ]:
        watched.goto(url(name, *args), wait_until="networkidle")
        assert refused(watched) == [], name
    # The printable venue code's own <style> applies (inline styles are allowed).
    assert watched.evaluate("getComputedStyle(document.body).textAlign") == "center"


def test_the_policy_is_in_force(new_page, url, sign_in):
    page = new_page()
    page.add_init_script(WATCH)
    sign_in(page, "grid_a")
    ran = page.evaluate(
        """() => new Promise((resolve) => {
          const script = document.createElement("script");
          script.textContent = "window.__inline = true";
          document.body.append(script);
          setTimeout(() => resolve(window.__inline === true), 100);
        })"""
    )
    assert ran is False
    assert any(r.startswith("script-src") for r in refused(page)), refused(page)


def test_the_api_docs_render_under_the_policy(watched, url, sign_in):
    sign_in(watched, "command")
    watched.goto(url("api-docs"))
    expect(watched.locator("#swagger-ui .info .title")).to_contain_text("tongchou API")
    expect(watched.locator("#swagger-ui .opblock-tag").first).to_be_visible()
    assert refused(watched) == []


def test_the_print_button_of_a_households_codes_prints(watched, url, sign_in, district, people):
    home = Household.objects.create(area=district["grid_a"], number="1-101")
    people["a"].household = home
    people["a"].save(update_fields=["household"])
    sign_in(watched, "grid_a")
    watched.goto(url("household-codes", home.pk))
    watched.click("button[data-print]")
    assert watched.evaluate("window.__printed") == 1
    assert refused(watched) == []


def test_choosing_a_grid_on_the_missing_list_shows_it(
    watched,
    url,
    sign_in,
    testing_round,  # noqa: F811  (the fixture imported above)
    district,
    people,
):
    sign_in(watched, "community_head")
    watched.goto(url("round-missing", testing_round.pk))
    grid_b = district["grid_b"]
    with watched.expect_navigation():
        watched.select_option("select[name=node]", str(grid_b.pk))
    assert f"node={grid_b.pk}" in watched.url
    expect(watched.locator("#missing tbody")).to_contain_text("王五")
    assert refused(watched) == []
