"""The browser fixtures of the dashboard's browser tests (one Chromium, the live server,
fresh pages), reused here."""

from tongchou.dashboard.tests.browser.conftest import (  # noqa: F401  (fixtures)
    PHONE,
    browser,
    db_turn,
    new_page,
    server,
    url,
)
