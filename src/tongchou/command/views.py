"""Pages of tasks: my tasks, the overdue tasks of my area, and changing a task's status."""

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from tongchou.command import services
from tongchou.command.choices import OPEN_STATUSES, TaskStatus
from tongchou.command.forms import TaskStatusForm
from tongchou.command.selectors import my_tasks, overdue_tasks_under, tasks_visible_to


class MyTaskListView(ListView):
    template_name = "command/my_tasks.html"
    context_object_name = "tasks"
    paginate_by = 50

    def get_queryset(self):
        tasks = my_tasks(self.request.user)
        if self.request.GET.get("all") != "1":
            tasks = tasks.filter(status__in=OPEN_STATUSES)
        return tasks

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statuses"] = TaskStatus.choices
        return context


class OverdueTaskListView(ListView):
    template_name = "command/overdue.html"
    context_object_name = "tasks"
    paginate_by = 100

    def get_queryset(self):
        return overdue_tasks_under(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statuses"] = TaskStatus.choices
        return context


class TaskStatusView(View):
    def post(self, request, pk):
        task = get_object_or_404(tasks_visible_to(request.user, "change"), pk=pk)
        form = TaskStatusForm(request.POST)
        if not form.is_valid():
            # The page offers only valid statuses: anything else was typed by hand.
            raise BadRequest
        services.task_set_status(
            actor=request.user,
            task=task,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Task updated."))
        back = form.cleaned_data["next"]
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = "my-tasks"
        return redirect(back or "my-tasks")
