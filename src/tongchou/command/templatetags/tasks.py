"""A task's title as the signed-in viewer may read it, linked to its record."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def task_title(context, task) -> str:
    """``{% task_title task %}``: the title with the person's name as the policy allows,
    a link to the task's record when it has a page."""
    request = context.get("request")
    title = task.title_for(getattr(request, "user", None))
    url = task.record_url()
    if url:
        return format_html('<a href="{}">{}</a>', url, title)
    return format_html("{}", title)
