"""API routes of mass testing, under /api/testing/."""

from django.urls import path

from tongchou.testing import api

urlpatterns = [
    path("sites/", api.MySitesView.as_view(), name="testing-sites"),
    path("tubes/", api.TubeOpenView.as_view(), name="testing-tube-open"),
    path("scans/", api.ScanView.as_view(), name="testing-scan"),
    path("scans/batch/", api.ScanBatchView.as_view(), name="testing-scan-batch"),
    path("walk-ins/", api.WalkInView.as_view(), name="testing-walk-in"),
    path("samples/batch/", api.SampleBatchView.as_view(), name="testing-sample-batch"),
    path("seal/", api.SealView.as_view(), name="testing-seal"),
    path("results/", api.ResultBatchView.as_view(), name="testing-results"),
]
