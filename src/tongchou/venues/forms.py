"""Forms for venues: search, edit, duties, the door keeper's scan, a resident's check-in."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongchou.common.idnumbers import InvalidIdNumber, InvalidPhone, parse_id_number, parse_phone
from tongchou.common.limits import MAX_ID
from tongchou.core.forms import BootstrapFormMixin, SpreadsheetForm
from tongchou.grid.choices import Level
from tongchou.grid.selectors import node_choices_for
from tongchou.venues.choices import Duty, VenueKind
from tongchou.venues.validation import InvalidCheckIn, parse_temperature


class CheckInLookupForm(forms.Form):
    """Whose or where the check-in list is of (``?venue=`` / ``?person=``, ids)."""

    venue = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    person = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class VenueSearchForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Venue name"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Venue name")}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds"))] + VenueKind.choices, required=False
    )
    area = forms.ModelChoiceField(
        queryset=None, label=_("Area"), required=False, empty_label=_("All areas")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = node_choices_for(
            user, levels=[Level.OFFICE, Level.COMMUNITY, Level.GRID]
        )


class VenueForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Venue name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=VenueKind.choices)
    area = forms.ModelChoiceField(queryset=None, label=_("Grid"))
    address = forms.CharField(label=_("Venue address"), max_length=200, required=False)
    contact_window_minutes = forms.IntegerField(
        label=_("Contact window (minutes)"),
        required=False,
        min_value=1,
        max_value=7 * 24 * 60,
        help_text=_("Empty: the usual window for this kind of venue."),
    )
    is_active = forms.BooleanField(label=_("Open"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = node_choices_for(user, levels=[Level.GRID, Level.BUILDING])


class DutyForm(BootstrapFormMixin, forms.Form):
    duty = forms.ChoiceField(label=_("Duty"), choices=Duty.choices)
    holder = forms.CharField(label=_("Unit or department"), max_length=100, required=False)
    person_name = forms.CharField(label=_("Responsible person"), max_length=64, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    username = forms.CharField(
        label=_("Account of the venue's responsible person"),
        max_length=150,
        required=False,
        help_text=_("Unit and individual duties only: they will see this venue's figures."),
    )


class DoorCheckInForm(BootstrapFormMixin, forms.Form):
    person_code = forms.CharField(
        label=_("Personal code"),
        max_length=200,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    temperature = forms.CharField(
        label=_("Temperature (°C)"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class PhoneCheckInForm(BootstrapFormMixin, forms.Form):
    """A phone that remembers its owner: the temperature, if one was taken."""

    temperature = forms.CharField(
        label=_("Temperature (°C), if taken"),
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def clean_temperature(self):
        # Checked before anyone is looked up or registered, so a slipped finger registers nobody.
        try:
            return parse_temperature(self.cleaned_data["temperature"])
        except InvalidCheckIn as exc:
            raise forms.ValidationError(str(exc)) from None


class PhoneIdentityForm(PhoneCheckInForm):
    """The first check-in from a phone: who is checking in (a resident or a visitor)."""

    name = forms.CharField(label=_("Name"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), max_length=24)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    field_order = ["name", "id_number", "phone", "temperature"]

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_id_number(self):
        try:
            return parse_id_number(self.cleaned_data["id_number"]).value
        except InvalidIdNumber as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_phone(self):
        try:
            return parse_phone(self.cleaned_data["phone"])
        except InvalidPhone as exc:
            raise forms.ValidationError(str(exc)) from None


class AlertHandleForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=500, min_length=2)


class VenueImportForm(SpreadsheetForm):
    file_label = _("Venue ledger (.xlsx or .csv)")


class CheckInExportForm(forms.Form):
    file_format = forms.ChoiceField(choices=[("xlsx", ".xlsx"), ("csv", ".csv")])
