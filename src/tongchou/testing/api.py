"""REST API of mass testing: sampling devices scan and seal, labs report results.

Samplers reach only the sites they are assigned to; labs only their own
tubes, by barcode, with no names anywhere in what they send or receive.
"""

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import transaction
from django.http import Http404
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from tongchou.common.limits import MAX_ID
from tongchou.core.api.viewsets import RoleAPIView
from tongchou.core.choices import Role
from tongchou.testing import services
from tongchou.testing.choices import TubeKind
from tongchou.testing.services.batch import SampleRow
from tongchou.testing.services.sampling import sites_for

MAX_BATCH = 1000
# A day's tube lists of a busy site: 500 tubes of ten.
MAX_SAMPLE_BATCH = 5000


# Who may call the sampling and results endpoints; anyone else reads 404.
SAMPLING_ROLES = frozenset({Role.SAMPLER})
LAB_ROLES = frozenset({Role.LAB})


class TubeOpenSerializer(serializers.Serializer):
    site = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    barcode = serializers.CharField(max_length=40)
    kind = serializers.ChoiceField(choices=TubeKind.choices)


class ScanSerializer(serializers.Serializer):
    tube = serializers.CharField(max_length=40, help_text="tube barcode")
    code = serializers.CharField(max_length=64, help_text="the personal code's token")
    key = serializers.CharField(max_length=64, help_text="idempotency key made by the device")
    resample_reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    scanned_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ScanBatchSerializer(serializers.Serializer):
    scans = ScanSerializer(many=True)


class ScanQueueSerializer(serializers.Serializer):
    """What ScanBatchView reads first: the scans as they came, each checked on its own after,
    so one odd scan in a device's queue is answered alone instead of refusing its batch."""

    scans = serializers.ListField(child=serializers.DictField())


# The scan's fields, in the words of the sampler's page, for a scan the serializer refused.
SCAN_FIELDS = {
    "tube": "试管条码",
    "code": "个人码",
    "key": "扫码编号",
    "resample_reason": "重采原因",
    "scanned_at": "采样时间",
}


def _refusal(errors: dict) -> str:
    return "；".join(
        f"{SCAN_FIELDS.get(field, field)}：{''.join(str(m) for m in messages)}"
        for field, messages in errors.items()
    )


class WalkInSerializer(serializers.Serializer):
    tube = serializers.CharField(max_length=40, help_text="tube barcode")
    key = serializers.CharField(max_length=64, help_text="idempotency key made by the device")
    name = serializers.CharField(max_length=64)
    # Longer than 18: the service normalises spaces and a lower-case x itself.
    id_number = serializers.CharField(max_length=32)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class RowText(serializers.CharField):
    """A text of one upload row, taken as sent (missing, blank, too long, NUL characters):
    the service judges each row and reports a bad one alone, where the serializer would
    refuse the whole upload for it."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, default="", **kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]


class RowTime(serializers.DateTimeField):
    """A row's sampling time; one that cannot be read goes on as sent, for the service to
    report with its row (采样时间无效)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_null=True, default=None, **kwargs)

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except serializers.ValidationError:
            return str(value)


class SampleRowSerializer(serializers.Serializer):
    tube = RowText(help_text="tube barcode")
    code = RowText(help_text="the personal code's token")
    key = RowText(help_text="idempotency key made by the device, at most 64 characters")
    sampled_at = RowTime()
    resample_reason = RowText()


class SampleBatchSerializer(serializers.Serializer):
    site = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    samples = SampleRowSerializer(many=True)


class SealSerializer(serializers.Serializer):
    tube = serializers.CharField(max_length=40)


class ResultRowSerializer(serializers.Serializer):
    tube = RowText(help_text="tube barcode")
    result = RowText(help_text="阴性 / 阳性 / 无效 (negative / positive / invalid)")


class ResultBatchSerializer(serializers.Serializer):
    results = ResultRowSerializer(many=True)


def _api_call(func, **kwargs):
    try:
        return func(**kwargs)
    except ValidationError as exc:
        raise ApiValidationError({"detail": exc.messages}) from None


class TubeOpenView(RoleAPIView):
    """Open a tube at one of the sampler's sites."""

    allowed_roles = SAMPLING_ROLES

    @extend_schema(request=TubeOpenSerializer, responses={201: dict})
    def post(self, request):
        data = TubeOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        site = sites_for(request.user).filter(pk=data.validated_data["site"]).first()
        if site is None:
            raise NotFound
        tube = _api_call(
            services.tube_open,
            actor=request.user,
            site=site,
            barcode=data.validated_data["barcode"],
            kind=data.validated_data["kind"],
        )
        return Response(
            {
                "barcode": tube.barcode,
                "kind": tube.kind,
                "capacity": tube.capacity,
                "count": tube.samples.count(),
            },
            status=status.HTTP_201_CREATED,
        )


class ScanView(RoleAPIView):
    """One scan: the answer carries only the person's name and masked ID number."""

    allowed_roles = SAMPLING_ROLES

    @extend_schema(request=ScanSerializer, responses={200: dict})
    def post(self, request):
        data = ScanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = _scan(request.user, data.validated_data)
        return Response(result.as_dict())


def _scan(user, scan: dict):
    return _api_call(
        services.sample_scan,
        actor=user,
        tube_barcode=scan["tube"],
        code_token=scan["code"],
        idempotency_key=scan["key"],
        resample_reason=scan["resample_reason"],
        scanned_at=scan["scanned_at"],
    )


class ScanBatchView(RoleAPIView):
    """Many scans at once, from a device's offline queue; each is answered on its own."""

    allowed_roles = SAMPLING_ROLES

    @extend_schema(request=ScanBatchSerializer, responses={200: dict})
    def post(self, request):
        data = ScanQueueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scans = data.validated_data["scans"]
        if len(scans) > MAX_BATCH:
            raise ApiValidationError({"detail": [f"一次最多上传{MAX_BATCH}条"]})
        answers = []
        for sent in scans:
            checked = ScanSerializer(data=sent)
            if not checked.is_valid():
                key = sent.get("key")
                answers.append(
                    {
                        "key": key if isinstance(key, str) else "",
                        "outcome": "error",
                        "message": _refusal(checked.errors),
                    }
                )
                continue
            scan = checked.validated_data
            try:
                answers.append({"key": scan["key"], **_scan(request.user, scan).as_dict()})
            except ApiValidationError as exc:
                answers.append(
                    {
                        "key": scan["key"],
                        "outcome": "error",
                        "message": "；".join(exc.detail["detail"]),
                    }
                )
            except Http404:
                answers.append(
                    {
                        "key": scan["key"],
                        "outcome": "error",
                        "message": "试管不存在或不属于您的采样点",
                    }
                )
        return Response({"results": answers})


@method_decorator(sensitive_post_parameters("name", "id_number", "phone"), name="dispatch")
class WalkInView(RoleAPIView):
    """Register someone not on the ledger at the tube's site and sample them into the tube.

    The answer is a scan's answer, of what the sampler typed: the name as typed and the
    ID number masked, never the new code nor anything the ledger holds of the person.
    """

    allowed_roles = SAMPLING_ROLES

    @extend_schema(request=WalkInSerializer, responses={200: dict})
    @method_decorator(sensitive_variables("data", "scan"))
    def post(self, request):
        data = WalkInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scan = data.validated_data
        result = _api_call(
            services.walk_in_sample,
            actor=request.user,
            tube_barcode=scan["tube"],
            idempotency_key=scan["key"],
            name=scan["name"],
            id_number=scan["id_number"],
            phone=scan["phone"],
        )
        return Response({"key": scan["key"], **result.as_dict()})


class SampleBatchView(RoleAPIView):
    """A site's tube lists at once (who went into which tube); each bad row comes back."""

    allowed_roles = SAMPLING_ROLES

    @extend_schema(request=SampleBatchSerializer, responses={200: dict})
    def post(self, request):
        data = SampleBatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        samples = data.validated_data["samples"]
        if len(samples) > MAX_SAMPLE_BATCH:
            raise ApiValidationError({"detail": [f"一次最多上传{MAX_SAMPLE_BATCH}条"]})
        site = sites_for(request.user).filter(pk=data.validated_data["site"]).first()
        if site is None:
            raise NotFound
        rows = [
            SampleRow(s["tube"], s["code"], s["key"], s["sampled_at"], s["resample_reason"])
            for s in samples
        ]
        report = _api_call(
            services.samples_register_batch, actor=request.user, site=site, rows=rows
        )
        return Response(
            {
                **report.summary(),
                "errors": [
                    {"row": row, "key": key, "reason": reason} for row, key, reason in report.errors
                ],
            }
        )


class SealView(RoleAPIView):
    """Seal a tube of the sampler's sites: no more scans go into it."""

    allowed_roles = SAMPLING_ROLES

    @extend_schema(request=SealSerializer, responses={200: dict})
    def post(self, request):
        data = SealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tube = _api_call(
            services.tube_seal, actor=request.user, tube_barcode=data.validated_data["tube"]
        )
        return Response(
            {"barcode": tube.barcode, "status": tube.status, "count": tube.samples.count()}
        )


class ResultBatchView(RoleAPIView):
    """A lab's results by tube barcode; bad rows come back with their reasons."""

    allowed_roles = LAB_ROLES

    @extend_schema(request=ResultBatchSerializer, responses={200: dict})
    def post(self, request):
        data = ResultBatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = [
            (index, r["tube"], r["result"])
            for index, r in enumerate(data.validated_data["results"], start=1)
        ]
        with transaction.atomic():
            report = services.results_apply(lab=request.user, rows=rows, file_name="api")
        return Response(
            {
                **report.summary(),
                "errors": [
                    {"row": line, "tube": code, "reason": reason}
                    for line, code, reason in report.errors
                ],
            }
        )


class SiteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    zone = serializers.CharField()
    round = serializers.CharField()
    status = serializers.CharField()


class MySitesView(RoleAPIView):
    """The sites the signed-in sampler works at, for the device to choose from."""

    allowed_roles = SAMPLING_ROLES

    @extend_schema(responses={200: SiteSerializer(many=True)})
    def get(self, request):
        sites = sites_for(request.user).select_related("zone__round")
        return Response(
            [
                {
                    "id": s.pk,
                    "name": s.name,
                    "zone": s.zone.name,
                    "round": s.zone.round.name,
                    "status": s.zone.round.status,
                }
                for s in sites
            ]
        )
