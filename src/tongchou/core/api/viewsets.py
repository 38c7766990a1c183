"""Base API views: every queryset is cut to the caller's jurisdiction before anything else."""

from rest_framework import mixins, viewsets


class ScopedViewSetMixin:
    """Restrict ``queryset`` to the request user's grants; out of scope is 404.

    Subclasses set ``queryset`` to a RestrictedQuerySet and never override
    ``get_queryset`` without calling this one.
    """

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve within jurisdiction."""


class ScopedModelViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """List, retrieve, create and update within jurisdiction; writes go through services."""
