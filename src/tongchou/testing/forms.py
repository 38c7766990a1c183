"""Forms for planning a round, zones, sites and their hours, missing notes and lab result files."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongchou.common.limits import MAX_ID
from tongchou.core.choices import Role
from tongchou.core.forms import BootstrapFormMixin, ModelMultipleChoiceField, SpreadsheetForm
from tongchou.core.models import User
from tongchou.grid.choices import Level
from tongchou.grid.models import GridNode
from tongchou.grid.selectors import node_choices_for
from tongchou.registry.choices import Tag
from tongchou.testing.choices import MissingReason


def _codes(text: str, user) -> list[GridNode]:
    codes = [c.strip() for c in text.replace("，", ",").split(",") if c.strip()]
    nodes = {n.code: n for n in GridNode.objects.restrict(user).filter(code__in=codes)}
    unknown = [c for c in codes if c not in nodes]
    if unknown:
        raise forms.ValidationError(
            _("Unknown or out-of-scope node codes: %s") % ", ".join(unknown)
        )
    if not nodes:
        raise forms.ValidationError(_("Give at least one node code."))
    return [nodes[c] for c in codes]


class RoundForm(BootstrapFormMixin, forms.Form):
    number = forms.IntegerField(label=_("Round number"), min_value=1, max_value=9999)
    name = forms.CharField(label=_("Name"), max_length=100)
    area = forms.ModelChoiceField(queryset=None, label=_("Area"))
    excluded_tags = forms.MultipleChoiceField(
        label=_("Groups left out"),
        choices=Tag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expected_positivity = forms.FloatField(
        label=_("Expected positivity (%)"), min_value=0, max_value=99, initial=0.1
    )
    pool_size = forms.TypedChoiceField(
        label=_("Pool size"),
        coerce=int,
        initial=10,
        choices=[(1, _("Single")), (10, _("10 in 1")), (20, _("20 in 1"))],
    )
    queue_bound = forms.IntegerField(
        label=_("Longest queue allowed at a site"), min_value=1, max_value=100_000, initial=200
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = node_choices_for(user, levels=[Level.DISTRICT, Level.OFFICE])


class ZoneForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}))
    node_codes = forms.CharField(label=_("Node codes"), help_text=_("Separated by commas."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_node_codes(self):
        return _codes(self.cleaned_data["node_codes"], self.user)


class SiteForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    area_code = forms.CharField(label=_("Node code of the site"), max_length=32)
    hourly_capacity = forms.IntegerField(
        label=_("People per hour"), min_value=1, max_value=100_000, initial=300
    )
    lab = forms.ModelChoiceField(
        queryset=User.objects.filter(role=Role.LAB, is_active=True), label=_("Lab"), required=False
    )
    samplers = ModelMultipleChoiceField(
        queryset=User.objects.filter(role=Role.SAMPLER, is_active=True),
        label=_("Samplers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_area_code(self):
        return _codes(self.cleaned_data["area_code"], self.user)[0]


class ScheduleMoveForm(BootstrapFormMixin, forms.Form):
    """Call one building, grid or community of a zone in another hour."""

    node_code = forms.CharField(label=_("Building, grid or community"), widget=forms.Select)
    hour = forms.IntegerField(label=_("Hour"), min_value=0, max_value=23, widget=forms.Select)
    # The bound the page was proposing with, so the page comes back the same.
    bound = forms.IntegerField(
        min_value=1, max_value=100_000, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, user, nodes=(), hours=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["node_code"].widget.choices = nodes
        self.fields["hour"].widget.choices = [(h, f"{h}:00") for h in hours]

    def clean_node_code(self):
        return _codes(self.cleaned_data["node_code"], self.user)[0]


class ScheduleUndoForm(forms.Form):
    node_code = forms.CharField(max_length=32)
    bound = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_node_code(self):
        return _codes(self.cleaned_data["node_code"], self.user)[0]


class MissingForm(BootstrapFormMixin, forms.Form):
    person = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("Reason"), choices=MissingReason.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ResultFileForm(SpreadsheetForm):
    file_label = _("Results file (.xlsx or .csv)")
