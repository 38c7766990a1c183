"""Forms for signing in, tokens and user management."""

import contextlib

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from tongchou.common.limits import MAX_ID
from tongchou.core.choices import Role
from tongchou.core.lockout import (
    client_address,
    is_locked_out,
    login_failure_record,
    login_success_record,
)
from tongchou.core.models import User


class BootstrapFormMixin:
    """Give every widget Bootstrap's class, so templates render fields plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, with an id past 64 bits refused as a choice that does not exist: Django
    looks the chosen ids up with ``__in``, which SQLite cannot bind past 64 bits (500)."""

    def _check_values(self, value):
        if self.to_field_name is None:
            for pk in value:
                with contextlib.suppress(TypeError, ValueError):
                    if abs(int(pk)) > MAX_ID:
                        raise forms.ValidationError(
                            self.error_messages["invalid_choice"],
                            code="invalid_choice",
                            params={"value": pk},
                        )
        return super()._check_values(value)


class SpreadsheetForm(BootstrapFormMixin, forms.Form):
    """One .xlsx or .csv file to import; a subclass names what it holds in ``file_label``."""

    file_label = _("File (.xlsx or .csv)")
    file = forms.FileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = self.file_label

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Only .xlsx and .csv files can be imported."))
        return upload


class LockoutAuthenticationForm(BootstrapFormMixin, AuthenticationForm):
    """Django's sign-in form that refuses a locked-out username/address first."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked_out": _(
            "Too many failed sign-ins. Wait %(minutes)s minutes, or ask the command "
            "centre to check your account."
        ),
    }

    def clean(self):
        from django.conf import settings

        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        if is_locked_out(username=username, address=address):
            raise forms.ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"minutes": settings.LOCKOUT_WINDOW_SECONDS // 60},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, address=address)
            raise
        login_success_record(username=username, address=address)
        return cleaned


class ApiTokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)


class UserForm(BootstrapFormMixin, forms.Form):
    """Create or edit a user: role, name and the nodes their grants cover."""

    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=64, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    # Its length and the rest are AUTH_PASSWORD_VALIDATORS', checked in clean().
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    node_codes = forms.CharField(
        label=_("Grid node codes"),
        help_text=_("Codes of the nodes this user is responsible for, separated by commas."),
        required=False,
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["username"].disabled = True

    def clean_node_codes(self):
        from tongchou.grid.models import GridNode

        codes = [c.strip() for c in self.cleaned_data["node_codes"].replace("，", ",").split(",")]
        codes = [c for c in codes if c]
        nodes = dict(GridNode.objects.filter(code__in=codes).values_list("code", "id"))
        unknown = [c for c in codes if c not in nodes]
        if unknown:
            raise forms.ValidationError(_("Unknown node codes: %s") % ", ".join(unknown))
        return [nodes[c] for c in codes]

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if not self.editing and not password:
            self.add_error("password", _("A new user needs a password."))
        if password:
            # Django's validators (length, common, all digits, like the username or name),
            # for a new user as for a changed password.
            user = User(
                username=cleaned.get("username") or self.initial.get("username", ""),
                full_name=cleaned.get("full_name", ""),
            )
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned
