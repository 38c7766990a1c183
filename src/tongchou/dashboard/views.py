"""The home page: where I am responsible, how many people, my open and overdue tasks."""

from django.views.generic import TemplateView

from tongchou.command.selectors import my_tasks, overdue_tasks_under
from tongchou.core.models import Grant
from tongchou.registry.models import Person


class HomeView(TemplateView):
    template_name = "dashboard/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["grants"] = Grant.objects.filter(user=user).select_related("node")
        context["people_count"] = Person.objects.restrict(user).count()
        context["open_tasks"] = my_tasks(user).filter(status__in=["open", "in_progress"])[:10]
        context["overdue_count"] = overdue_tasks_under(user).count()
        return context
