"""The REST API router: one place lists every endpoint."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tongchou.command.api import TaskViewSet
from tongchou.grid.api import GridNodeViewSet
from tongchou.registry.api import HouseholdViewSet, PersonViewSet

router = DefaultRouter()
router.register("areas", GridNodeViewSet, basename="area")
router.register("households", HouseholdViewSet, basename="household")
router.register("people", PersonViewSet, basename="person")
router.register("tasks", TaskViewSet, basename="task")

urlpatterns = [
    *router.urls,
    path("testing/", include("tongchou.testing.urls_api")),
]
