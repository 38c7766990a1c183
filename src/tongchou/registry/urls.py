from django.urls import path

from tongchou.registry import views, views_codes

urlpatterns = [
    path("", views.PersonListView.as_view(), name="person-list"),
    path("new/", views.PersonEditView.as_view(), name="person-create"),
    path("<int:pk>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("<int:pk>/edit/", views.PersonEditView.as_view(), name="person-edit"),
    path("<int:pk>/reveal/", views.PersonRevealView.as_view(), name="person-reveal"),
    path("import/", views.PersonImportView.as_view(), name="person-import"),
    path("import/<int:pk>/", views.ImportJobView.as_view(), name="import-job"),
    path("import/<int:pk>/errors/", views.ImportErrorsView.as_view(), name="import-errors"),
    path("export/", views.PersonExportView.as_view(), name="person-export"),
    path("duplicates/", views.PossibleDuplicatesView.as_view(), name="person-duplicates"),
    path(
        "households/<int:pk>/codes/",
        views_codes.HouseholdCodesView.as_view(),
        name="household-codes",
    ),
]
