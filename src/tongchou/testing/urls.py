"""Pages of mass testing, under /testing/."""

from django.urls import include, path

from tongchou.testing import views

urlpatterns = [
    path("sample/", include("tongchou.testing.urls_sampler")),
    path("", views.RoundListView.as_view(), name="round-list"),
    path("new/", views.RoundCreateView.as_view(), name="round-create"),
    path("<int:pk>/", views.RoundDetailView.as_view(), name="round-detail"),
    path("<int:pk>/status/", views.RoundStatusView.as_view(), name="round-status"),
    path("<int:pk>/zones/new/", views.ZoneCreateView.as_view(), name="zone-create"),
    path("zones/<int:pk>/sites/new/", views.SiteCreateView.as_view(), name="site-create"),
    path("zones/<int:pk>/schedule/", views.ScheduleView.as_view(), name="zone-schedule"),
    path(
        "zones/<int:pk>/schedule/undo/", views.ScheduleUndoView.as_view(), name="zone-schedule-undo"
    ),
    path("<int:pk>/missing/", views.MissingListView.as_view(), name="round-missing"),
    path("<int:pk>/missing/live/", views.MissingLiveView.as_view(), name="round-missing-live"),
    path(
        "<int:pk>/missing/export/", views.MissingExportView.as_view(), name="round-missing-export"
    ),
    path("<int:pk>/report/", views.RoundReportView.as_view(), name="round-report"),
    path("results/", views.ResultUploadView.as_view(), name="results-upload"),
    path("results/<int:pk>/", views.ResultJobView.as_view(), name="results-job"),
    path("results/<int:pk>/errors/", views.ResultErrorsView.as_view(), name="results-errors"),
]
