"""The REST API router: one place lists every endpoint."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tongchou.command.api import TaskViewSet
from tongchou.grid.api import GridNodeViewSet
from tongchou.registry.api import HouseholdViewSet, PersonViewSet
from tongchou.tracing.api import CaseViewSet, ContactViewSet, ControlViewSet
from tongchou.venues.api import CheckInViewSet, FeverAlertViewSet, VenueViewSet

router = DefaultRouter()
router.register("areas", GridNodeViewSet, basename="area")
router.register("households", HouseholdViewSet, basename="household")
router.register("people", PersonViewSet, basename="person")
router.register("tasks", TaskViewSet, basename="task")
router.register("venues", VenueViewSet, basename="venue")
router.register("checkins", CheckInViewSet, basename="checkin")
router.register("fever-alerts", FeverAlertViewSet, basename="fever-alert")
router.register("cases", CaseViewSet, basename="case")
router.register("contacts", ContactViewSet, basename="contact")
router.register("controls", ControlViewSet, basename="control")

urlpatterns = [
    *router.urls,
    path("testing/", include("tongchou.testing.urls_api")),
]
