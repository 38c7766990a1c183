"""Forms of tasks: the status a task is set to from the task tables."""

from django import forms

from tongchou.command.choices import TaskStatus


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(choices=TaskStatus.choices)
    note = forms.CharField(max_length=500, required=False)
    # Where to go back to; the view keeps it to this site.
    next = forms.CharField(max_length=2000, required=False)
