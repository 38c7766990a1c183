"""The sampler's pages, under /testing/sample/."""

from django.urls import path

from tongchou.testing import views_sampler

urlpatterns = [
    path("", views_sampler.SamplerSitesView.as_view(), name="sampler-sites"),
    path("<int:site_id>/", views_sampler.SamplerPageView.as_view(), name="sampler-page"),
]
