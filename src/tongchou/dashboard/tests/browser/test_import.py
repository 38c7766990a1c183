"""Importing a ledger through the page: upload, live progress, counts, rejected rows."""

import csv
import re

import pytest

from tongchou.registry.models import Person
from tongchou.testing_support import valid_id_number

from .conftest import htmx_loaded

pytestmark = pytest.mark.browser

JOB_PAGE = re.compile(r"/people/import/\d+/$")


def _ledger(tmp_path):
    good = [valid_id_number() for _ in range(3)]
    bad = valid_id_number()
    bad = bad[:-1] + ("1" if bad[-1] == "0" else "0")  # a wrong check digit
    path = tmp_path / "景园社区台账.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["景园社区居民台账"])
        writer.writerow(["姓名", "身份证号", "所属网格", "楼栋", "联系电话"])
        writer.writerow(["导入甲", good[0], "GA", "", "13900001111"])
        writer.writerow(["导入乙", good[1], "GA", "BA1", "13900002222"])
        writer.writerow(["导入丙", good[2], "景园社区第1网格", "", ""])
        writer.writerow(["导入丁", bad, "GA", "", "13900004444"])
    return path, good, bad


def _upload(page, url, path) -> None:
    page.goto(url("person-import"))
    page.set_input_files("#import-form input[type=file]", str(path))
    page.click("#import-form button[type=submit]")
    page.wait_for_url(JOB_PAGE)


def _finished(page) -> dict[str, str]:
    page.locator("#job-progress[data-status=done]").wait_for()
    return {key: page.inner_text(f"#{key}").strip() for key in ("created", "unchanged", "rejected")}


def test_importing_a_ledger_shows_progress_counts_and_the_rejected_rows(
    page, url, sign_in, tmp_path, job_worker, db_turn
):
    path, good, bad = _ledger(tmp_path)
    sign_in(page, "grid_a")

    _upload(page, url, path)
    assert htmx_loaded(page)
    # Queued, as the worker has not started: the bar is live and the page polls.
    progress = page.locator("#job-progress")
    assert progress.get_attribute("data-status") == "queued"
    assert progress.get_attribute("hx-get") == page.url.removeprefix(url("home")[:-1])
    assert page.locator("#job-progress .progress").is_visible()
    assert page.locator("#job-progress .progress-bar.progress-bar-animated").count() == 1
    assert page.locator("#job-result").count() == 0

    job_worker.start()
    assert _finished(page) == {"created": "3", "unchanged": "0", "rejected": "1"}
    assert page.locator("#job-progress").get_attribute("hx-get") is None  # polling stopped
    assert page.locator("#job-progress .progress-bar-animated").count() == 0
    assert page.locator("#job-progress table").inner_text().count("\n") >= 1
    with page.expect_download() as download_info:
        page.click("#error-file")
    rejected = download_info.value.path().read_text(encoding="utf-8-sig")
    assert bad in rejected and "导入丁" in rejected
    assert not any(number in rejected for number in good)
    with db_turn():
        imported = dict(
            Person.objects.filter(name__startswith="导入").values_list("name", "area__code")
        )
    assert imported == {"导入甲": "GA", "导入乙": "BA1", "导入丙": "GA"}

    # The same file again changes nothing.
    _upload(page, url, path)
    assert _finished(page) == {"created": "0", "unchanged": "3", "rejected": "1"}
    page.goto(url("person-import"))
    assert page.locator("main ul li a").count() == 2  # both imports under "recent"
