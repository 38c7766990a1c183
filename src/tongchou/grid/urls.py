from django.urls import path

from tongchou.grid import views

urlpatterns = [
    path("", views.GridTreeView.as_view(), name="grid-tree"),
    path("export/", views.grid_export, name="grid-export"),
]
