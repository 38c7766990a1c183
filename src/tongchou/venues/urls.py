from django.urls import path

from tongchou.venues import views

urlpatterns = [
    path("", views.VenueListView.as_view(), name="venue-list"),
    path("new/", views.VenueEditView.as_view(), name="venue-create"),
    path("import/", views.VenueImportView.as_view(), name="venue-import"),
    path("import/<int:pk>/", views.VenueImportJobView.as_view(), name="venue-import-job"),
    path(
        "import/<int:pk>/errors/", views.VenueImportErrorsView.as_view(), name="venue-import-errors"
    ),
    path("alerts/", views.FeverAlertListView.as_view(), name="fever-alerts"),
    path(
        "alerts/<int:pk>/handle/", views.FeverAlertHandleView.as_view(), name="fever-alert-handle"
    ),
    path("checkins/", views.CheckInListView.as_view(), name="checkin-list"),
    path("checkins/export/", views.CheckInExportView.as_view(), name="checkin-export"),
    path("<int:pk>/", views.VenueDetailView.as_view(), name="venue-detail"),
    path("<int:pk>/edit/", views.VenueEditView.as_view(), name="venue-edit"),
    path("<int:pk>/duties/", views.VenueDutyView.as_view(), name="venue-duties"),
    path("<int:pk>/code/", views.VenueCodeView.as_view(), name="venue-code"),
    path("<int:pk>/door/", views.DoorCheckInView.as_view(), name="venue-door"),
]

# The pages a phone opens from a printed code, without signing in: kept short (/v/...).
public_urlpatterns = [
    path("me/", views.MyCodeView.as_view(), name="my-code"),
    path("forget/", views.PhoneForgetView.as_view(), name="phone-forget"),
    # A venue's token is URL-safe base64 (new_code_token): anything else cannot be one.
    path("<slug:token>/", views.PhoneCheckInView.as_view(), name="venue-checkin"),
]
