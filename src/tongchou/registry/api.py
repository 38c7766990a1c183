"""REST API for households and people, restricted exactly as the pages are."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from tongchou.core.api.serializers import PersonalModelSerializer, SlugRelatedField
from tongchou.core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from tongchou.core.lockout import client_address
from tongchou.grid.models import GridNode
from tongchou.registry import services
from tongchou.registry.models import Household, Person
from tongchou.registry.selectors import person_search


class HouseholdSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)

    class Meta:
        model = Household
        fields = ["id", "number", "area", "area_code"]


class PersonSerializer(PersonalModelSerializer):
    # Any node's code parses; person_create and person_update refuse (404) an area
    # outside the caller's grants, as for the pages.
    area_code = SlugRelatedField(
        source="area", slug_field="code", queryset=GridNode.objects.unscoped_for_system_use()
    )
    household_number = serializers.CharField(required=False, allow_blank=True, write_only=True)
    household = serializers.SlugRelatedField(slug_field="number", read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), source="tag_list", required=False)
    age = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_number",
            "sex",
            "age",
            "phone",
            "address",
            "area_code",
            "household",
            "household_number",
            "relation",
            "tags",
        ]
        read_only_fields = ["sex"]
        extra_kwargs = {"id_number": {"required": True, "validators": []}}

    def get_age(self, person) -> int:
        today = date.today()
        born = person.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class PersonQuerySerializer(serializers.Serializer):
    """The list's filters; a NUL character, which no text column can hold, answers 400."""

    q = serializers.CharField(required=False, allow_blank=True)
    id_number = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    tag = serializers.CharField(required=False, allow_blank=True)
    area = serializers.CharField(required=False, allow_blank=True)


class RevealSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=2, max_length=200)


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="name, exact ID number or exact phone"),
        OpenApiParameter("id_number", str),
        OpenApiParameter("phone", str),
        OpenApiParameter("tag", str),
        OpenApiParameter("area", str, description="grid node code"),
    ]
)
# The API's bodies are JSON mostly, but a form-encoded one lands in request.POST.
@method_decorator(sensitive_post_parameters("id_number", "phone"), name="dispatch")
class PersonViewSet(ScopedModelViewSet):
    """Residents under the caller's grants; ID numbers and phones come masked."""

    queryset = Person.objects.select_related("area", "household").order_by("id")
    serializer_class = PersonSerializer
    query_serializer_class = PersonQuerySerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        params = self.query
        area = None
        if params.get("area"):
            area = GridNode.objects.restrict(self.request.user).filter(code=params["area"]).first()
            if area is None:
                return queryset.none()
        q = params.get("q") or params.get("id_number") or params.get("phone") or ""
        return person_search(queryset, q=q, tag=params.get("tag", ""), area=area)

    @method_decorator(sensitive_variables("data", "fields"))
    def _write(self, serializer, person=None):
        data = serializer.validated_data
        fields = {
            "area": data.get("area", person.area if person else None),
            "name": data.get("name", person.name if person else ""),
            "phone": data.get("phone", person.phone if person else ""),
            "address": data.get("address", person.address if person else ""),
            "household_number": data.get(
                "household_number", person.household.number if person and person.household else ""
            ),
            "relation": data.get("relation", person.relation if person else ""),
            "tags": ",".join(data.get("tag_list", person.tag_list if person else [])),
        }
        try:
            if person is None:
                return services.person_create(
                    actor=self.request.user, id_number=data["id_number"], **fields
                )
            return services.person_update(actor=self.request.user, person=person, **fields)
        except ValidationError as exc:
            raise ApiValidationError({"detail": exc.messages}) from None

    def perform_create(self, serializer):
        serializer.instance = self._write(serializer)

    def perform_update(self, serializer):
        serializer.instance = self._write(serializer, serializer.instance)

    @extend_schema(request=RevealSerializer, responses={200: dict})
    @action(detail=True, methods=["post"])
    @method_decorator(sensitive_variables("values"))
    def reveal(self, request, pk=None, format=None):
        """The full ID number and phone of one person, with a reason; written to the access log."""
        person = self.get_object()
        payload = RevealSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            values = services.person_reveal(
                actor=request.user,
                person=person,
                reason=payload.validated_data["reason"],
                address=client_address(request),
            )
        except ValidationError as exc:
            raise ApiValidationError({"reason": exc.messages}) from None
        return Response(values, status=status.HTTP_200_OK)


class HouseholdViewSet(ScopedReadOnlyViewSet):
    queryset = Household.objects.select_related("area").order_by("id")
    serializer_class = HouseholdSerializer
