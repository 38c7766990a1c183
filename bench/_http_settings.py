"""Settings of the server the testing bench starts: the project's, plus one bench-only URL.

Used only as DJANGO_SETTINGS_MODULE of that subprocess, so the bare baseline
view it adds is never reachable from a normal run.
"""

from tongchou.settings import *  # noqa: F403

ROOT_URLCONF = "bench._http_urls"
