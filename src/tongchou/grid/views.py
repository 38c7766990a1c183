"""Pages of the grid: the tree with population counts, its import and its export."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from tongchou.common.spreadsheets import SpreadsheetError
from tongchou.core.choices import ROLES_MANAGING_USERS
from tongchou.core.exports import Column, export_download, export_format
from tongchou.grid.forms import GridImportForm
from tongchou.grid.models import GridNode
from tongchou.grid.selectors import grid_tree_with_population
from tongchou.grid.services import grid_import_file

EXPORT_HEADER = ["编码", "名称", "层级", "上级编码"]


class GridTreeView(TemplateView):
    """The user's part of the five-level grid, indented, with people per subtree."""

    template_name = "grid/tree.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nodes"] = grid_tree_with_population(user=self.request.user)
        context["can_import"] = self.request.user.role in ROLES_MANAGING_USERS
        context["import_form"] = GridImportForm()
        return context

    def post(self, request):
        """The command centre adds nodes from a grid ledger; existing codes are kept."""
        if request.user.role not in ROLES_MANAGING_USERS:
            raise Http404
        form = GridImportForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "；".join(form.errors["file"]))
            return redirect("grid-tree")
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"grid{Path(upload.name).suffix.lower()}"
            path.write_bytes(upload.read())
            try:
                report = grid_import_file(actor=request.user, path=path)
            except SpreadsheetError as exc:
                messages.error(request, str(exc))
                return redirect("grid-tree")
        messages.success(
            request,
            _("Grid import: %(created)s added, %(unchanged)s already there, %(errors)s rejected.")
            % {
                "created": report.created,
                "unchanged": report.unchanged,
                "errors": len(report.errors),
            },
        )
        for line, reason in report.errors[:20]:
            messages.error(request, f"第{line}行：{reason}")
        return redirect("grid-tree")


@require_POST
def grid_export(request):
    """The user's part of the tree as a grid ledger that imports back unchanged."""
    suffix = export_format(request)
    code, name, level, parent = EXPORT_HEADER
    columns = [
        Column(code, lambda n: n.code),
        Column(name, lambda n: n.name),
        Column(level, lambda n: n.level),
        Column(parent, lambda n: n.parent.code if n.parent else ""),
    ]
    nodes = GridNode.objects.restrict(request.user).select_related("parent")
    return export_download(
        request,
        download_name=f"grid.{suffix}",
        columns=columns,
        rows=nodes.iterator(chunk_size=2000),
        object_type="grid.gridnode",
    )
