import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongchou.grid.forms import GridImportForm
from tongchou.registry.forms import ImportForm
from tongchou.testing.forms import ResultFileForm
from tongchou.tracing.forms import ContactImportForm
from tongchou.venues.forms import VenueImportForm

FORMS = [GridImportForm, ImportForm, ResultFileForm, ContactImportForm, VenueImportForm]


@pytest.mark.parametrize("form_class", FORMS)
def test_every_import_takes_a_spreadsheet_only(form_class):
    def form(name):
        return form_class(data={}, files={"file": SimpleUploadedFile(name, b"a,b\n1,2\n")})

    assert form("ledger.CSV").is_valid() and form("ledger.xlsx").is_valid()
    refused = form("ledger.txt")
    assert not refused.is_valid()
    assert "xlsx" in refused.errors["file"][0]
    # Each form names what its file holds.
    assert str(form_class().fields["file"].label) == str(form_class.file_label)
