"""The sampler's phone page in Chromium: a tube of ten through a dropped connection, and
the scans that need the sampler to act."""

import pytest
from playwright.sync_api import expect

from tongchou.browser_fixtures import PHONE
from tongchou.common.masking import mask_name
from tongchou.registry.codes import personal_code_payload
from tongchou.testing import services
from tongchou.testing.choices import TubeStatus
from tongchou.testing.models import Sample, Tube
from tongchou.testing_support import PersonFactory, valid_id_number

pytestmark = pytest.mark.browser


def open_sampler_page(new_page, url, sign_in, site):
    page = new_page(**PHONE)
    sign_in(page, "sampler")
    page.goto(url("sampler-sites"))
    page.click(f"#sites a[href='/testing/sample/{site.pk}/']")
    page.wait_for_url(url("sampler-page", site.pk))
    return page


def open_tube(page, barcode: str, kind: str = "pool10") -> None:
    page.click(f"label[for=kind-{kind}]")
    page.fill("#tube-barcode", barcode)
    page.press("#tube-barcode", "Enter")
    expect(page.locator("#tube-shown")).to_have_text(barcode)


def scan(page, code: str) -> None:
    page.fill("#person-code", code)
    page.press("#person-code", "Enter")


def test_a_tube_of_ten_fills_through_a_lost_connection_and_is_sealed(
    new_page, url, sign_in, site, district, db_turn
):
    residents = PersonFactory.create_batch(10, area=district["grid_a"])
    page = open_sampler_page(new_page, url, sign_in, site)
    count, waiting = page.locator("#tube-count"), page.locator("#sync-waiting")
    open_tube(page, "T0001")
    expect(count).to_have_text("0 / 10")

    offline = range(4, 8)  # the 4th to the 7th scans are made with no connection
    for n, person in enumerate(residents, start=1):
        if n == offline.start:
            page.context.set_offline(True)
        scan(page, personal_code_payload(person.code_token))
        expect(count).to_have_text(f"{n} / 10")  # counted at once, online or not
        if n in offline:
            expect(waiting).to_have_attribute("data-count", str(n - offline.start + 1))
        else:
            expect(waiting).to_have_attribute("data-count", "0")
            expect(page.locator("#notice-person")).to_contain_text(mask_name(person.name))
        if n == offline.stop - 1:
            expect(page.locator("#sync-state")).not_to_be_empty()
            with db_turn():
                assert Sample.objects.filter(tube__barcode="T0001").count() == offline.start - 1
            page.context.set_offline(False)
            expect(waiting).to_have_attribute("data-count", "0")
            expect(page.locator("#entries [data-key]")).to_have_count(n)
            expect(page.locator("#entries .text-bg-secondary")).to_have_count(0)  # none pending

    page.click("#seal")
    expect(page.locator("#open-form")).to_be_visible()
    expect(page.locator("#notice")).to_contain_text("T0001")
    expect(waiting).to_have_attribute("data-count", "0")
    html = page.content()
    assert not any(p.id_number in html or p.phone in html for p in residents)
    assert page.evaluate("Object.values(localStorage).join('')").count("pending") == 0
    with db_turn():
        tube = Tube.objects.get(barcode="T0001")
        assert tube.status == TubeStatus.SEALED
        assert set(Sample.objects.filter(tube=tube).values_list("person_id", flat=True)) == {
            p.pk for p in residents
        }
        assert Sample.objects.count() == 10


def test_already_sampled_unknown_and_excluded_scans_are_shown_and_handled(
    new_page, url, sign_in, site, district, personas, db_turn
):
    sampled_before, pupil = PersonFactory.create_batch(2, area=district["grid_a"])
    pupil.tags = ",boarding_pupil,"
    pupil.save(update_fields=["tags"])
    earlier = services.tube_open(actor=personas["sampler"], site=site, barcode="E1", kind="single")
    services.sample_scan(
        actor=personas["sampler"],
        tube_barcode=earlier.barcode,
        code_token=sampled_before.code_token,
        idempotency_key="earlier",
    )
    page = open_sampler_page(new_page, url, sign_in, site)
    open_tube(page, "T0002")
    attention = page.locator("#attention-list")

    scan(page, personal_code_payload(pupil.code_token))
    expect(attention.locator("[data-outcome=excluded]")).to_have_count(1)

    scan(page, personal_code_payload(sampled_before.code_token))
    resample = attention.locator("[data-outcome=already_sampled]")
    expect(resample).to_contain_text(mask_name(sampled_before.name))
    resample.locator("input[name=reason]").fill("第一次采样管破损")
    resample.locator("button[type=submit]").click()
    expect(page.locator("#tube-count")).to_have_text("1 / 10")
    expect(page.locator("#notice")).to_have_attribute("data-outcome", "added")

    scan(page, "TCP:no-such-person-code")
    unknown = attention.locator("[data-outcome=unknown_code]")
    id_number = valid_id_number()
    unknown.locator("input[name=name]").fill("临时")
    unknown.locator("input[name=id_number]").fill(id_number)
    unknown.locator("input[name=phone]").fill("13900001111")
    unknown.locator("button[type=submit]").click()
    expect(page.locator("#tube-count")).to_have_text("2 / 10")
    expect(page.locator("#entries")).to_contain_text("临时")
    expect(attention.locator("[data-outcome=unknown_code]")).to_have_count(0)
    assert id_number not in page.content()

    with db_turn():
        names = set(
            Sample.objects.filter(tube__barcode="T0002").values_list("person__name", flat=True)
        )
        assert names == {sampled_before.name, "临时"}
        again = Sample.objects.get(tube__barcode="T0002", person=sampled_before)
        assert again.resample_reason == "第一次采样管破损"


def stored(page) -> str:
    """Everything this origin keeps in the phone's localStorage, as one text."""
    return page.evaluate("JSON.stringify(Object.assign({}, localStorage))")


def sign_out(page) -> None:
    """Press "sign out" in the menu, folded on a phone: opened first, and fully (a press
    while Bootstrap's collapse is still unfolding can miss the button)."""
    if not page.locator("#nav.show").count():
        page.click("nav .navbar-toggler")
        page.locator("#nav.collapse.show").wait_for()
    page.click("nav form[data-sign-out] button[type=submit]")


def sign_out_answering(page, accept: bool) -> tuple[str, str]:
    """Sign out, answer the dialog it opens; return the dialog's type and message."""
    said = []

    def answer(dialog):
        said.append((dialog.type, dialog.message))
        dialog.accept() if accept else dialog.dismiss()

    # Answered as it opens: the press that opened it returns only once it is closed.
    page.once("dialog", answer)
    sign_out(page)
    assert len(said) == 1, "no dialog opened"
    return said[0]


def test_the_phone_keeps_no_one_it_has_synced_and_forgets_everything_at_sign_out(
    new_page, url, sign_in, site, district, personas, db_turn
):
    residents = PersonFactory.create_batch(3, area=district["grid_a"])
    page = open_sampler_page(new_page, url, sign_in, site)
    store = f"tongchou.sampler.{personas['sampler'].pk}"
    open_tube(page, "T0003")
    page.context.set_offline(True)
    for person in residents:
        scan(page, personal_code_payload(person.code_token))
    scan(page, "TCP:no-such-person-code")
    expect(page.locator("#sync-waiting")).to_have_attribute("data-count", "4")
    assert all(p.code_token in stored(page) for p in residents)  # kept until it is sent

    page.context.set_offline(False)
    expect(page.locator("#sync-waiting")).to_have_attribute("data-count", "0")
    unknown = page.locator("#attention-list [data-outcome=unknown_code]")
    id_number = valid_id_number()
    unknown.locator("input[name=name]").fill("临时")
    unknown.locator("input[name=id_number]").fill(id_number)
    unknown.locator("button[type=submit]").click()
    expect(page.locator("#tube-count")).to_have_text("4 / 10")
    expect(page.locator("#entries")).to_contain_text("临时")
    # Who each scan was is shown on the page, from the answers in memory...
    shown = page.locator("#entries [data-key] > span:first-child").all_inner_texts()
    assert len(shown) == 4 and all(text.strip() not in ("", "—") for text in shown)
    kept = stored(page)  # ...but not kept on the phone
    assert not [part for text in shown for part in text.split() if part in kept]
    for person in residents:
        for value in (person.name, person.id_number, person.id_number[-4:], person.code_token):
            assert value not in kept
    assert "临时" not in kept and id_number not in kept and id_number[-4:] not in kept
    assert '"name"' not in kept and '"masked_id"' not in kept
    assert store in page.evaluate("Object.keys(localStorage)")

    page.reload()  # what the phone kept is enough to carry on
    expect(page.locator("#tube-count")).to_have_text("4 / 10")
    page.click("#seal")
    expect(page.locator("#open-form")).to_be_visible()
    expect(page.locator("#notice")).to_contain_text("T0003")
    assert page.evaluate(f"JSON.parse(localStorage[{store!r}]).tubes.T0003.entries") == []

    sign_out(page)
    page.wait_for_url(url("login"))
    assert not [k for k in page.evaluate("Object.keys(localStorage)") if k.startswith("tongchou.")]
    with db_turn():
        assert Sample.objects.filter(tube__barcode="T0003").count() == 4


def test_signing_out_with_scans_not_yet_sent_asks_first_and_offline_is_refused(
    new_page, url, sign_in, site, district, personas, db_turn
):
    person = PersonFactory(area=district["grid_a"])
    page = open_sampler_page(new_page, url, sign_in, site)
    store = f"tongchou.sampler.{personas['sampler'].pk}"
    open_tube(page, "T0004")
    # Online, but the scans cannot get through (a proxy dropping them): the queue waits.
    page.route("**/api/testing/scans/batch/", lambda route: route.abort())
    scan(page, personal_code_payload(person.code_token))
    expect(page.locator("#sync-waiting")).to_have_attribute("data-count", "1")
    asked = sign_out_answering(page, accept=False)
    assert asked[0] == "confirm" and "1条记录尚未上传" in asked[1]
    expect(page.locator("#sync-waiting")).to_have_attribute("data-count", "1")
    assert page.url == url("sampler-page", site.pk)
    assert store in page.evaluate("Object.keys(localStorage)")

    page.context.set_offline(True)
    assert sign_out_answering(page, accept=True) == ("alert", "退出登录需要网络连接，请联网后再试")
    expect(page.locator("#sync-state")).not_to_be_empty()
    assert page.url == url("sampler-page", site.pk)
    assert store in page.evaluate("Object.keys(localStorage)")

    page.context.set_offline(False)
    assert sign_out_answering(page, accept=True)[0] == "confirm"  # lose it: told so
    page.wait_for_url(url("login"))
    assert store not in page.evaluate("Object.keys(localStorage)")
    with db_turn():
        assert not Sample.objects.exists()
