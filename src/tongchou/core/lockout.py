"""Counting attempts in a window: sign-in lockout by (username, address) and, at a higher
bar, by address alone; other pages (the public phone check-in) count their own attempts
under names starting with ``#``, which no account's username can."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from tongchou.core.models import LoginAttempt

# Django usernames cannot contain "#", so these rows never count as anyone's sign-ins.
PSEUDO_NAME_PREFIX = "#"
# Count attempts from every address (``None`` is an address too: the caller's was unknown).
ANY_ADDRESS = object()


def _since(seconds: int):
    return LoginAttempt.objects.filter(created_at__gte=timezone.now() - timedelta(seconds=seconds))


def attempt_record(*, name: str, address: str | None) -> None:
    """One attempt under ``name`` (a username, or a ``#`` pseudo-name) from ``address``."""
    LoginAttempt.objects.create(username=name.lower(), address=address)


def attempts_count(
    *,
    seconds: int,
    name: str | None = None,
    name_prefix: str | None = None,
    address: object = ANY_ADDRESS,
) -> int:
    """Attempts in the last ``seconds`` under ``name`` (or any name with ``name_prefix``),
    from ``address`` unless it is ``ANY_ADDRESS``."""
    recent = _since(seconds)
    if name is not None:
        recent = recent.filter(username=name.lower())
    if name_prefix is not None:
        recent = recent.filter(username__startswith=name_prefix.lower())
    if address is not ANY_ADDRESS:
        recent = recent.filter(address=address)
    return recent.count()


def attempts_purge() -> None:
    """Forget attempts older than the longest window anything counts over."""
    longest = max(
        settings.LOCKOUT_WINDOW_SECONDS,
        settings.VISITOR_ADDRESS_WINDOW_SECONDS,
        settings.VISITOR_DEVICE_WINDOW_SECONDS,
    )
    LoginAttempt.objects.filter(created_at__lt=timezone.now() - timedelta(seconds=longest)).delete()


def is_locked_out(*, username: str, address: str | None) -> bool:
    """Whether this username from this address (or this address at all) must wait."""
    window = settings.LOCKOUT_WINDOW_SECONDS
    per_pair = attempts_count(seconds=window, name=username, address=address)
    if per_pair >= settings.LOCKOUT_MAX_PER_USER_ADDRESS:
        return True
    per_address = (
        _since(window)
        .filter(address=address)
        .exclude(username__startswith=PSEUDO_NAME_PREFIX)
        .count()
    )
    return per_address >= settings.LOCKOUT_MAX_PER_ADDRESS


def login_failure_record(*, username: str, address: str | None) -> None:
    attempt_record(name=username, address=address)


def login_success_record(*, username: str, address: str | None) -> None:
    """A good sign-in clears that pair's failures; old rows of everyone are purged."""
    LoginAttempt.objects.filter(username=username.lower(), address=address).delete()
    attempts_purge()


def client_address(request) -> str | None:
    """The caller's address: REMOTE_ADDR, and nothing a caller can write.

    Behind a reverse proxy, ``tongchou serve`` (waitress, with TONGCHOU_TRUSTED_PROXY)
    puts the address the proxy forwarded there, and only for requests that came from
    the proxy; an X-Forwarded-For from anyone else is dropped before the app sees it.
    """
    return request.META.get("REMOTE_ADDR")
