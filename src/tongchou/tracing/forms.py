"""Forms of tracing: a case, a trace run, contacts, a control measure, follow-ups, teams."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongchou.core.forms import BootstrapFormMixin, SpreadsheetForm
from tongchou.core.privacy import PersonalKind, shown
from tongchou.tracing.choices import (
    CaseFoundBy,
    CaseKind,
    ContactTier,
    ControlKind,
    SwabResult,
    TeamRole,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class CaseForm(BootstrapFormMixin, forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=24)
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    found_by = forms.ChoiceField(label=_("Found by"), choices=CaseFoundBy.choices)
    found_place = forms.CharField(label=_("Where found"), max_length=200, required=False)
    onset_on = forms.DateField(label=_("Onset of symptoms"), required=False, widget=DATE_INPUT)
    sampled_on = forms.DateField(label=_("Sampled on"), required=False, widget=DATE_INPUT)
    confirmed_on = forms.DateField(
        label=_("Confirmed on"), initial=timezone.localdate, widget=DATE_INPUT
    )
    lookback_days = forms.IntegerField(
        label=_("Days traced back"), min_value=1, max_value=28, initial=14
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TraceForm(BootstrapFormMixin, forms.Form):
    days = forms.IntegerField(label=_("Days traced back"), min_value=1, max_value=28)
    secondary = forms.BooleanField(
        label=_("Also the second hop (secondary contacts)"), required=False, initial=True
    )


class ContactAddForm(BootstrapFormMixin, forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=24)
    tier = forms.ChoiceField(label=_("Tier"), choices=ContactTier.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ContactImportForm(SpreadsheetForm):
    file_label = _("The joint team's list (.xlsx or .csv)")


class DismissForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, min_length=2)


class ControlStartForm(BootstrapFormMixin, forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=24)
    kind = forms.ChoiceField(label=_("Measure"), choices=ControlKind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    days = forms.IntegerField(
        label=_("Days before release"), min_value=1, max_value=60, required=False
    )
    tests_required = forms.IntegerField(
        label=_("Negative tests before release"), min_value=0, max_value=10, required=False
    )


class FollowUpForm(BootstrapFormMixin, forms.Form):
    on_date = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DATE_INPUT)
    temperature = forms.CharField(label=_("Temperature (°C)"), max_length=8, required=False)
    has_symptoms = forms.BooleanField(label=_("Symptoms"), required=False)
    symptoms = forms.CharField(label=_("Which symptoms"), max_length=200, required=False)
    swab = forms.ChoiceField(label=_("Test"), choices=SwabResult.choices, required=False)


class ReleaseForm(BootstrapFormMixin, forms.Form):
    early = forms.BooleanField(label=_("Release early"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class TeamForm(BootstrapFormMixin, forms.Form):
    """Five rows: a name and a phone for each role of the household team."""

    def __init__(self, *args, team=None, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {m.role: m for m in team.members.all()} if team else {}
        for role, label in TeamRole.choices:
            member = current.get(role)
            self.fields[f"{role}_name"] = forms.CharField(
                label=label,
                max_length=64,
                required=False,
                initial=member.member_name if member else "",
            )
            # A phone is never shown whole: left empty, the one on file stays.
            self.fields[f"{role}_phone"] = forms.CharField(
                label=_("Phone"), max_length=20, required=False
            )
            if member and member.phone:
                placeholder = shown(viewer, PersonalKind.PHONE, member.phone)
                self.fields[f"{role}_phone"].widget.attrs["placeholder"] = placeholder
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def members(self) -> dict:
        data = self.cleaned_data
        return {
            role: {"name": data[f"{role}_name"], "phone": data[f"{role}_phone"] or None}
            for role in TeamRole.values
            if data.get(f"{role}_name")
        }
