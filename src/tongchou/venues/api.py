"""REST API for venues, fever alerts and check-ins; gate devices upload check-ins in batches."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from tongchou.common.limits import MAX_ID
from tongchou.core.api.serializers import PersonalModelSerializer
from tongchou.core.api.viewsets import ScopedReadOnlyViewSet
from tongchou.venues import services
from tongchou.venues.models import CheckIn, FeverAlert, Venue

MAX_BATCH = 5000


class VenueSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)

    class Meta:
        model = Venue
        fields = [
            "id",
            "name",
            "kind",
            "area_code",
            "address",
            "contact_window_minutes",
            "is_active",
        ]


class FeverAlertSerializer(PersonalModelSerializer):
    venue = serializers.CharField(source="venue.name", read_only=True)
    person_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = FeverAlert
        fields = ["id", "venue", "person_id", "checked_in_at", "temperature", "status", "note"]


class CheckInSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckIn
        fields = ["id", "venue", "person", "checked_in_at", "temperature", "method"]


class UploadItemSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="the device's own id for the reading; unique per venue")
    venue = serializers.CharField(help_text="the venue code (token or the page address)")
    person = serializers.CharField(help_text="the scanned personal code")
    at = serializers.CharField(help_text="ISO 8601 time, e.g. 2021-03-28T08:30:00+08:00")
    temperature = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class UploadSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.DictField(), max_length=MAX_BATCH)


class UploadResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    alerts = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())


class VenueViewSet(ScopedReadOnlyViewSet):
    """Venues in the caller's area (a venue's responsible person: their own venues)."""

    queryset = Venue.objects.select_related("area").order_by("id")
    serializer_class = VenueSerializer


class FeverAlertViewSet(ScopedReadOnlyViewSet):
    queryset = FeverAlert.objects.select_related("venue").order_by("-checked_in_at", "-id")
    serializer_class = FeverAlertSerializer


class CheckInQuerySerializer(serializers.Serializer):
    venue = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    person = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class CheckInViewSet(ScopedReadOnlyViewSet):
    """Check-ins, for tracing staff only, by ``venue`` or ``person`` id; and the gate upload."""

    queryset = CheckIn.objects.order_by("-checked_in_at", "-id")
    serializer_class = CheckInSerializer
    query_serializer_class = CheckInQuerySerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        venue, person = self.query.get("venue"), self.query.get("person")
        if venue is None and person is None:
            return queryset.none()
        if venue is not None:
            queryset = queryset.filter(venue_id=venue)
        if person is not None:
            queryset = queryset.filter(person_id=person)
        return queryset

    @extend_schema(request=UploadSerializer, responses={200: UploadResultSerializer})
    @action(detail=False, methods=["post"], serializer_class=UploadSerializer)
    def upload(self, request, format=None):
        """A gate device's batch of check-ins (up to 5,000). Each item's ``key`` makes the
        upload idempotent: sending the same batch again stores nothing twice. Bad items come
        back under ``errors`` with their index and reason; the good ones are stored."""
        if request.user.role not in services.ROLES_KEEPING_DOORS:
            raise NotFound
        payload = UploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = services.checkins_upload(actor=request.user, items=payload.validated_data["items"])
        return Response(report.as_dict(), status=status.HTTP_200_OK)
