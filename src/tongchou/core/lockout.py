"""Sign-in lockout by (username, address) and, at a higher bar, by address alone."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from tongchou.core.models import LoginAttempt


def _window_start():
    return timezone.now() - timedelta(seconds=settings.LOCKOUT_WINDOW_SECONDS)


def is_locked_out(*, username: str, address: str | None) -> bool:
    """Whether this username from this address (or this address at all) must wait."""
    recent = LoginAttempt.objects.filter(created_at__gte=_window_start())
    per_pair = recent.filter(username=username.lower(), address=address).count()
    if per_pair >= settings.LOCKOUT_MAX_PER_USER_ADDRESS:
        return True
    return recent.filter(address=address).count() >= settings.LOCKOUT_MAX_PER_ADDRESS


def login_failure_record(*, username: str, address: str | None) -> None:
    LoginAttempt.objects.create(username=username.lower(), address=address)


def login_success_record(*, username: str, address: str | None) -> None:
    """A good sign-in clears that pair's failures; old rows of everyone are purged."""
    LoginAttempt.objects.filter(username=username.lower(), address=address).delete()
    LoginAttempt.objects.filter(created_at__lt=_window_start()).delete()


def client_address(request) -> str | None:
    """The caller's address; behind the reverse proxy, the one it forwarded."""
    if settings.PRODUCTION:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")
