"""Reading settings from the environment."""

import os
from urllib.parse import parse_qsl, unquote, urlsplit


def env_str(name: str, default: str) -> str:
    """The variable's value, or ``default`` when it is unset or empty."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    """True for 1/true/yes/on, False for 0/false/no/off, else ``default``."""
    value = os.environ.get(name, "").strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    return default


def env_int(name: str, default: int) -> int:
    """The variable as an integer, or ``default``."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def database_from_url(url: str) -> dict:
    """Django's DATABASES entry for ``sqlite:///path`` or ``postgres://...``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            # IMMEDIATE transactions take the write lock up front, so two
            # writers queue on the busy timeout instead of failing on upgrade.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-65536;"
                ),
            },
            "TEST": {"NAME": os.environ.get("TONGCHOU_SQLITE_TEST_NAME") or None},
        }
    if parts.scheme in {"postgres", "postgresql"}:
        query = dict(parse_qsl(parts.query))
        # Statements run through common.statements.prepared_cursor are prepared
        # once per connection (Django's own cursors bind on the client and never
        # are). A pooler in transaction mode needs ?prepare_threshold=off.
        threshold = query.pop("prepare_threshold", "5")
        query["prepare_threshold"] = None if threshold == "off" else int(threshold)
        # Those statements are written for one plan whatever their values: plan
        # them once, not again on every call as PostgreSQL may choose to.
        generic = "-c plan_cache_mode=force_generic_plan"
        query["options"] = f"{query['options']} {generic}" if "options" in query else generic
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": query.pop("host", parts.hostname or ""),
            "PORT": str(parts.port or query.pop("port", "")),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": query,
        }
    raise ValueError(f"unsupported DATABASE_URL scheme: {parts.scheme!r}")
