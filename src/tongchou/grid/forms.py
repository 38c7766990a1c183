"""Forms of the grid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongchou.core.forms import BootstrapFormMixin


class GridImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("Grid ledger (.xlsx or .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Only .xlsx and .csv files can be imported."))
        return upload
