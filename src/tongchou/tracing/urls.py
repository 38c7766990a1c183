from django.urls import path

from tongchou.tracing import views

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case-list"),
    path("cases/new/", views.CaseCreateView.as_view(), name="case-create"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("cases/<int:pk>/trace/", views.CaseTraceView.as_view(), name="case-trace"),
    path("cases/<int:pk>/contacts/add/", views.ContactAddView.as_view(), name="contact-add"),
    path(
        "cases/<int:pk>/contacts/import/", views.ContactImportView.as_view(), name="contact-import"
    ),
    path("contacts/", views.ContactListView.as_view(), name="contact-list"),
    path("contacts/export/", views.ContactExportView.as_view(), name="contact-export"),
    path("contacts/<int:pk>/review/", views.ContactReviewView.as_view(), name="contact-review"),
    path("controls/", views.ControlListView.as_view(), name="control-list"),
    path("controls/start/", views.ControlStartView.as_view(), name="control-start"),
    path("controls/<int:pk>/", views.ControlDetailView.as_view(), name="control-detail"),
    path("controls/<int:pk>/followup/", views.FollowUpView.as_view(), name="control-followup"),
    path("controls/<int:pk>/release/", views.ReleaseView.as_view(), name="control-release"),
    path("controls/<int:pk>/team/", views.TeamView.as_view(), name="control-team"),
]
