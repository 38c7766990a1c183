"""Reads over the grid: the tree a user may see, with population counts."""

from collections import defaultdict

from django.db.models import Count

from tongchou.grid.choices import Level
from tongchou.grid.models import GridNode


def grid_tree_with_population(*, user) -> list[dict]:
    """The nodes under the user's grants in tree order, each with the people in its subtree.

    People are counted per node in one grouped query, then summed up the tree
    over the nodes (thousands), never over the people (millions).
    """
    from tongchou.registry.models import Person

    nodes = list(
        GridNode.objects.restrict(user)
        .order_by("path")
        .values("id", "code", "name", "level", "path", "parent_id")
    )
    if not nodes:
        return []
    direct = dict(
        Person.objects.unscoped_for_system_use()
        .filter(area__in=GridNode.objects.restrict(user))
        .values("area_id")
        .annotate(n=Count("id"))
        .values_list("area_id", "n")
    )
    totals: dict[int, int] = defaultdict(int)
    for node in nodes:
        count = direct.get(node["id"], 0)
        for ancestor_id in node["path"].strip("/").split("/"):
            totals[int(ancestor_id)] += count
    top_depth = min(n["path"].count("/") for n in nodes)
    labels = dict(Level.choices)
    for node in nodes:
        node["population"] = totals[node["id"]]
        node["level_label"] = labels[node["level"]]
        node["indent"] = node["path"].count("/") - top_depth
    return nodes


def node_choices_for(user, levels=None):
    """Nodes a user may place things on, for form choices."""
    qs = GridNode.objects.restrict(user)
    if levels:
        qs = qs.filter(level__in=levels)
    return qs.order_by("path")
