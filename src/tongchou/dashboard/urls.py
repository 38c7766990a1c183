from django.urls import path

from tongchou.dashboard import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
]
