"""URL map: pages per app, the API under /api/, the schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("tongchou.dashboard.urls")),
    path("", include("tongchou.core.urls")),
    path("grid/", include("tongchou.grid.urls")),
    path("people/", include("tongchou.registry.urls")),
    path("tasks/", include("tongchou.command.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include(("tongchou.api_urls", "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
