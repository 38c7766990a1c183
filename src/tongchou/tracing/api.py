"""REST API of tracing: cases, contacts (confirm, dismiss) and control measures."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from tongchou.common.limits import MAX_ID
from tongchou.core.api.viewsets import ScopedReadOnlyViewSet
from tongchou.core.privacy import ROLES_TRACING
from tongchou.tracing import services
from tongchou.tracing.models import Case, Contact, Control


class CaseSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "person",
            "area_code",
            "kind",
            "found_by",
            "found_place",
            "onset_on",
            "sampled_on",
            "confirmed_on",
            "lookback_days",
            "status",
            "traced_at",
        ]


class ContactSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "case",
            "person",
            "area_code",
            "tier",
            "source",
            "status",
            "via",
            "venue",
            "met_at",
            "overlap_minutes",
        ]


class ControlSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)

    class Meta:
        model = Control
        fields = [
            "id",
            "person",
            "area_code",
            "kind",
            "status",
            "starts_on",
            "planned_end_on",
            "release_days",
            "tests_required",
            "source",
        ]


class TraceSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=28, required=False)
    secondary = serializers.BooleanField(default=True)


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=2, max_length=200)


class CaseViewSet(ScopedReadOnlyViewSet):
    queryset = Case.objects.select_related("area").order_by("-id")
    serializer_class = CaseSerializer

    @extend_schema(request=TraceSerializer, responses={200: dict})
    @action(detail=True, methods=["post"], serializer_class=TraceSerializer)
    def trace(self, request, pk=None, format=None):
        """Find the case's contacts from check-ins and households; only adds to the file."""
        if request.user.role not in ROLES_TRACING:
            raise NotFound
        case = self.get_object()
        payload = TraceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            report = services.case_trace(actor=request.user, case=case, **payload.validated_data)
        except ValidationError as exc:
            raise ApiValidationError({"detail": exc.messages}) from None
        return Response(report.as_dict())


class ContactQuerySerializer(serializers.Serializer):
    case = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class ContactViewSet(ScopedReadOnlyViewSet):
    """Contacts in the caller's area (a grid worker: those living in their grid)."""

    queryset = Contact.objects.select_related("area").order_by("id")
    serializer_class = ContactSerializer
    query_serializer_class = ContactQuerySerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        case = self.query.get("case")
        return queryset if case is None else queryset.filter(case_id=case)

    @extend_schema(request=None, responses={200: ContactSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None, format=None):
        if request.user.role not in ROLES_TRACING:
            raise NotFound
        contact = services.contact_confirm(actor=request.user, contact=self.get_object())
        return Response(ContactSerializer(contact).data)

    @extend_schema(request=DismissSerializer, responses={200: ContactSerializer})
    @action(detail=True, methods=["post"], serializer_class=DismissSerializer)
    def dismiss(self, request, pk=None, format=None):
        if request.user.role not in ROLES_TRACING:
            raise NotFound
        payload = DismissSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        contact = services.contact_dismiss(
            actor=request.user, contact=self.get_object(), reason=payload.validated_data["reason"]
        )
        return Response(ContactSerializer(contact).data)


class ControlViewSet(ScopedReadOnlyViewSet):
    queryset = Control.objects.select_related("area").order_by("-id")
    serializer_class = ControlSerializer
