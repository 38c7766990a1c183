"""Forms of the grid."""

from django.utils.translation import gettext_lazy as _

from tongchou.core.forms import SpreadsheetForm


class GridImportForm(SpreadsheetForm):
    file_label = _("Grid ledger (.xlsx or .csv)")
