"""URL map: pages per app, the API under /api/, the schema and its docs."""

from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from tongchou.registry.views_codes import resident_code
from tongchou.venues.urls import public_urlpatterns as venue_code_urls

urlpatterns = [
    path("", include("tongchou.dashboard.urls")),
    path("", include("tongchou.core.urls")),
    path("grid/", include("tongchou.grid.urls")),
    path("people/", include("tongchou.registry.urls")),
    path("tasks/", include("tongchou.command.urls")),
    # A resident's own code, opened from the link they were sent: no account, no sign-in.
    path("my-code/<slug:token>/", resident_code, name="resident-code"),
    path("venues/", include("tongchou.venues.urls")),
    path("v/", include(venue_code_urls)),
    path("tracing/", include("tongchou.tracing.urls")),
    path("testing/", include("tongchou.testing.urls")),
    # Switching language must work before signing in, on the login page itself.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("api/", include(("tongchou.api_urls", "api"))),
    # Both need a signed-in user (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]): the schema
    # answers 401 like the API; the docs page, a page, sends one to sign in. DRF's views
    # are exempt from LoginRequiredMiddleware, hence login_required here.
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the CSP runs no inline script.
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
