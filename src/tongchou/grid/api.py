"""REST API for the grid: the nodes under the caller's grants."""

from rest_framework import serializers

from tongchou.core.api.viewsets import ScopedReadOnlyViewSet
from tongchou.grid.models import GridNode


class GridNodeSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)

    class Meta:
        model = GridNode
        fields = ["id", "code", "name", "level", "parent", "parent_code", "path"]


class GridNodeViewSet(ScopedReadOnlyViewSet):
    queryset = GridNode.objects.select_related("parent").order_by("path")
    serializer_class = GridNodeSerializer
    lookup_field = "code"
    # Any code but one with a NUL character, which PostgreSQL cannot compare (500, not 404).
    lookup_value_regex = r"[^/.\x00]+"
