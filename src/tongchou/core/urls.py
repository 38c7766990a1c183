from django.contrib.auth import views as auth_views
from django.urls import path

from tongchou.core import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.ApiTokenListView.as_view(), name="tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="token-revoke"),
    path("users/", views.UserListView.as_view(), name="user-list"),
    path("users/new/", views.UserEditView.as_view(), name="user-create"),
    path("users/<int:pk>/", views.UserEditView.as_view(), name="user-edit"),
    path("access-log/", views.AccessLogView.as_view(), name="access-log"),
]
