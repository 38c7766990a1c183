"""Base API views: every queryset is cut to the caller's jurisdiction before anything else."""

from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

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

    #: A Serializer of the query parameters the view reads (``?venue=``, ``?q=``): each is
    #: checked there, so a value that cannot be one (``²`` for an id, an id past 64 bits, a
    #: NUL character) answers 400 instead of reaching the database. See ``query``.
    query_serializer_class = None

    @property
    def query(self) -> dict:
        """The query parameters as ``query_serializer_class`` reads them; 400 if it cannot."""
        if not hasattr(self, "_query"):
            self._query = {}
            if self.query_serializer_class is not None:
                serializer = self.query_serializer_class(data=self.request.query_params)
                serializer.is_valid(raise_exception=True)
                self._query = serializer.validated_data
        return self._query


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve within jurisdiction."""


class ScopedModelViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """List, retrieve, create and update within jurisdiction; writes go through services."""


class RoleAPIView(APIView):
    """An API view for the roles in ``allowed_roles`` only; anyone else reads 404, as for
    anything out of scope, before their request is even read. Objects the view reaches
    come through ``Model.objects.restrict(user)`` (a sampler's sites, a lab's tubes)."""

    allowed_roles: frozenset = frozenset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if getattr(request.user, "role", None) not in self.allowed_roles:
            raise NotFound
