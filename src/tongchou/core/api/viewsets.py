"""Base API views: every queryset is cut to the caller's jurisdiction before anything else."""

from rest_framework import mixins, viewsets

from tongchou.core.querysets import action_for_method


class ScopedViewSetMixin:
    """Restrict ``queryset`` to the request user's grants; out of scope is 404.

    Subclasses set ``queryset`` to a RestrictedQuerySet; ``get_queryset`` (DRF's, or an
    override calling it) starts from the restricted one.
    """

    def initial(self, request, *args, **kwargs):
        # As NetBox does: the queryset is cut before any handler runs, so no action of
        # a subclass can reach an unrestricted row.
        super().initial(request, *args, **kwargs)
        self.queryset = self.queryset.restrict(request.user, action_for_method(request.method))


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve within jurisdiction."""


class ScopedModelViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """List, retrieve, create and update within jurisdiction; writes go through services."""
