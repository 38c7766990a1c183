"""Chinese by default, the security headers every page and API answer carries, and the
absolute lifetime of a signed-in session."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but ignores Accept-Language.

    Staff phones and office PCs often come set to English; the platform's
    working language is Chinese, and English is there for those who pick it
    with the switch at the bottom of every page (a cookie).
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in dict(settings.LANGUAGES):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # No inline script anywhere: templates ask for behaviour with data- attributes
        # that static/tongchou/behaviours.js (and the pages' own files) act on.
        "script-src 'self'",
        # Styles may be inline: templates size progress bars and the hourly chart with
        # style="" from the data, the printable venue code carries its own <style>, and
        # so do htmx (its indicators) and the API docs page. A style cannot run code.
        "style-src 'self' 'unsafe-inline'",
        # Bootstrap draws form arrows, check marks and the menu icon as data: SVG.
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every answer, and ``Cache-Control: no-store`` on what
    signed-in users and API callers get, so no browser or proxy keeps personal data.

    It sits after WhiteNoise, which answers static files before this runs: those stay
    cacheable. X-Frame-Options, X-Content-Type-Options and Referrer-Policy come from
    Django's own middleware (settings X_FRAME_OPTIONS, SECURE_CONTENT_TYPE_NOSNIFF,
    SECURE_REFERRER_POLICY), for DRF's answers as for pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.path_info.startswith(settings.STATIC_URL):
            return response
        user = getattr(request, "user", None)
        if request.path_info.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
        return response


SIGNED_IN_AT = "tongchou_signed_in_at"


class SessionLifetimeMiddleware:
    """Sign out a session older than ``settings.SESSION_MAX_SECONDS``, however active.

    The idle timeout (SESSION_COOKIE_AGE, renewed on every request) never ends a session
    that keeps being used; this ends it a fixed time after the sign-in. The time is kept
    in the session from the first answer that sees the user signed in (the sign-in
    itself, through the form). Signed out here, the user meets LoginRequiredMiddleware
    like anyone else (pages send them to sign in, the API answers 401/403).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        # The session's own sign-in, not request.user: an API token signs in no session.
        if session is not None and SESSION_KEY in session:
            signed_in_at = session.get(SIGNED_IN_AT)
            if signed_in_at is None:
                session[SIGNED_IN_AT] = int(time.time())
            elif time.time() - signed_in_at > settings.SESSION_MAX_SECONDS:
                logout(request)
                hours = settings.SESSION_MAX_SECONDS / 3600
                messages.info(request, f"登录已满 {hours:g} 小时，请重新登录。")
        response = self.get_response(request)
        # The sign-in request itself: its session is signed in only once the view has run.
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session and SIGNED_IN_AT not in session:
            session[SIGNED_IN_AT] = int(time.time())
        return response
