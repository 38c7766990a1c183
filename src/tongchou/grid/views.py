"""Pages of the grid: the tree with population counts, and its export."""

from django.http import HttpResponse
from django.views.generic import TemplateView

from tongchou.grid.selectors import grid_tree_with_population


class GridTreeView(TemplateView):
    """The user's part of the five-level grid, indented, with people per subtree."""

    template_name = "grid/tree.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nodes"] = grid_tree_with_population(user=self.request.user)
        return context


def grid_export(request):
    """The user's part of the tree as a grid ledger (.csv) that imports back unchanged."""
    import csv
    import io

    from tongchou.grid.models import GridNode

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["编码", "名称", "层级", "上级编码"])
    for node in GridNode.objects.restrict(request.user).select_related("parent"):
        writer.writerow([node.code, node.name, node.level, node.parent.code if node.parent else ""])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="grid.csv"'
    return response
