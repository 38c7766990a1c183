"""Forms for residents: the search bar, the edit form, reveal and import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongchou.core.forms import BootstrapFormMixin, SpreadsheetForm
from tongchou.core.privacy import PersonalKind, is_masked_echo
from tongchou.grid.choices import Level
from tongchou.grid.selectors import node_choices_for
from tongchou.registry.choices import Relation, Sex, Tag


class PersonSearchForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Name, ID number or phone"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name, ID number or phone")}),
    )
    area = forms.ModelChoiceField(
        queryset=None, label=_("Area"), required=False, empty_label=_("All areas")
    )
    tag = forms.ChoiceField(
        label=_("Tag"), choices=[("", _("All groups"))] + Tag.choices, required=False
    )
    sex = forms.ChoiceField(
        label=_("Sex"), choices=[("", _("Either sex"))] + Sex.choices, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = node_choices_for(
            user, levels=[Level.OFFICE, Level.COMMUNITY, Level.GRID]
        )


class PersonForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), max_length=24)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    area = forms.ModelChoiceField(queryset=None, label=_("Grid or building"))
    household_number = forms.CharField(label=_("Household number"), max_length=64, required=False)
    relation = forms.ChoiceField(
        label=_("Relation to head"), choices=[("", "---")] + Relation.choices, required=False
    )
    tags = forms.MultipleChoiceField(
        label=_("Tags"), choices=Tag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label=_("Reason for the change"), max_length=200, required=False)

    def __init__(self, *args, user, editing=False, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = node_choices_for(user, levels=[Level.GRID, Level.BUILDING])
        # The person edited: their phone is shown masked, as everywhere (see clean_phone).
        self.person = person
        if editing:
            del self.fields["id_number"]
        else:
            del self.fields["reason"]

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        # Sent back masked as the form showed it, the phone is unchanged: no reveal needed
        # to change a name. A number typed anew replaces it.
        if self.person is not None and is_masked_echo(PersonalKind.PHONE, phone, self.person.phone):
            return self.person.phone
        return phone


class RevealForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full number?"), max_length=200, min_length=2
    )


class ImportForm(SpreadsheetForm):
    file_label = _("Ledger file (.xlsx or .csv)")


class ExportForm(BootstrapFormMixin, forms.Form):
    file_format = forms.ChoiceField(
        choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV")], initial="xlsx", label=_("Format")
    )
    reveal = forms.BooleanField(required=False, label=_("Full ID numbers and phones"))
    reason = forms.CharField(required=False, max_length=200, label=_("Reason"))
