"""The browser fixtures, shared by every app's browser tests (see the module)."""

from tongchou.browser_fixtures import *  # noqa: F403  (pytest finds fixtures by name)
