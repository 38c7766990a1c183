"""How often the API takes uploads, searches and wrong tokens from one caller.

Counts live in the database cache (``CACHES["throttle"]``), so every server process
sees the same counts and SQLite is enough; ``migrate`` creates its table. Rates are
``settings.API_THROTTLE_RATES``, read on every request so tests can lower them.

Uploads and searches are counted per signed-in user. Wrong API tokens are counted per
client address, inside the token authentication (DRF's throttles run only after a
caller is authenticated); once an address is over its rate, every token from it is
refused until the window has passed, so a refusal says nothing about a token.
"""

import math

from django.conf import settings
from django.core.cache import caches
from rest_framework.exceptions import Throttled
from rest_framework.throttling import SimpleRateThrottle

from tongchou.core.lockout import client_address

# POST endpoints that take a batch of rows (the names their URL patterns have).
UPLOAD_URL_NAMES = frozenset(
    {
        "checkin-upload",
        "testing-results",
        "testing-sample-batch",
        "testing-scan-batch",
    }
)
# Query parameters that look a resident up: ``q`` (name, ID number, phone) and the exact ones.
SEARCH_PARAMS = ("q", "id_number", "phone", "search")


class TooManyRequests(Throttled):
    """429 in plain Chinese, with the seconds to wait (and DRF's Retry-After header)."""

    default_detail = "请求过于频繁。"

    def __init__(self, wait: float | None = None):
        # DRF would join its two sentences with a space; Chinese runs them together.
        detail = self.default_detail
        if wait is not None:
            wait = math.ceil(wait)
            detail += f"请 {wait} 秒后再试。"
        super().__init__(detail=detail)
        self.wait = wait


class RateThrottle(SimpleRateThrottle):
    """A scope of ``settings.API_THROTTLE_RATES``, counted in the database cache."""

    cache_format = "throttle:%(scope)s:%(ident)s"

    def __init__(self):
        # SimpleRateThrottle reads its rate once, at import; these read it live.
        self.cache = caches["throttle"]
        super().__init__()

    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        # DRF's own get_ident believes X-Forwarded-For from anyone; ours is REMOTE_ADDR,
        # which the server sets from a trusted proxy's header only.
        return client_address(request) or "unknown"

    def applies(self, request, view) -> bool:
        return True

    def get_cache_key(self, request, view):
        if not self.applies(request, view):
            return None
        user = request.user
        ident = f"user-{user.pk}" if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def throttle_failure(self):
        raise TooManyRequests(wait=self.wait())


class UploadRateThrottle(RateThrottle):
    """Batches of rows posted by one user (gate devices, samplers' queues, labs)."""

    scope = "upload"

    def applies(self, request, view) -> bool:
        match = request.resolver_match
        return request.method == "POST" and match is not None and match.url_name in UPLOAD_URL_NAMES


class SearchRateThrottle(RateThrottle):
    """Look-ups of residents by name, ID number or phone by one user."""

    scope = "search"

    def applies(self, request, view) -> bool:
        params = request.query_params
        return request.method == "GET" and any(params.get(name) for name in SEARCH_PARAMS)


class TokenFailureThrottle(RateThrottle):
    """Wrong or revoked API tokens from one address; used by ApiTokenAuthentication."""

    scope = "token_failure"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def refuse_if_over(self, request) -> None:
        """Raise TooManyRequests while this address is over its rate of wrong tokens."""
        if self.rate is None:
            return
        self.key = self.get_cache_key(request, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            self.throttle_failure()

    def record_failure(self) -> None:
        """Count one wrong token (after ``refuse_if_over`` for the same request)."""
        if self.rate is None:
            return
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
