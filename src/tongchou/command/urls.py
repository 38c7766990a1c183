from django.urls import path

from tongchou.command import views

urlpatterns = [
    path("", views.MyTaskListView.as_view(), name="my-tasks"),
    path("overdue/", views.OverdueTaskListView.as_view(), name="overdue-tasks"),
    path("<int:pk>/status/", views.TaskStatusView.as_view(), name="task-status"),
]
