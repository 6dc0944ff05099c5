"""REST API of the records app: one set of endpoints for every kind (kinds.py), the kind in the
path: list (filters year, unit, ids) + create, one record (get, patch, delete), Excel import.
One set, not one per kind: the request and response bodies are the kind's fields (listed in
the description), validated by a serializer made from the kind's model."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.core.api import ERROR_SCHEMA, as_serializer_error
from cchc.core.models import Unit
from cchc.core.permissions import may_manage_agency, require_manager, require_staff
from cchc.core.years import parse_ids, parse_year
from cchc.records import selectors, services
from cchc.records.forms import ImportForm
from cchc.records.kinds import BY_SLUG, KINDS, Kind


def _raise(exc: DjangoValidationError):
    raise ValidationError(as_serializer_error(exc))


def _manager_agency(request):
    require_staff(request.user)
    agency = request.user.agency
    if agency is None or not may_manage_agency(request.user, agency.pk):
        raise Http404
    return agency


class RecordImportInput(serializers.Serializer):
    file = serializers.FileField()

    def validate_file(self, upload):
        if upload.size > ImportForm.MAX_BYTES:
            raise ValidationError(_("Tệp lớn hơn 5 MB; chưa nhập dòng nào."))
        return upload


class RecordImportOutput(serializers.Serializer):
    added = serializers.IntegerField()
    updated = serializers.IntegerField()
    added_ids = serializers.ListField(child=serializers.IntegerField())
    updated_ids = serializers.ListField(child=serializers.IntegerField())


class AgencyUnitField(serializers.PrimaryKeyRelatedField):
    """A unit id among the caller's agency's units."""

    def get_queryset(self):
        request = self.context.get("request")
        agency = getattr(getattr(request, "user", None), "agency", None)
        return Unit.objects.filter(agency=agency) if agency else Unit.objects.none()


def _serializers(kind: Kind):
    name = kind.model.__name__
    unit_kwargs = {}
    if kind.has_unit:
        unit_kwargs["unit"] = AgencyUnitField(
            required=kind.unit_required, allow_null=not kind.unit_required
        )
    output = type(
        f"{name}Output",
        (serializers.ModelSerializer,),
        {"Meta": type("Meta", (), {"model": kind.model, "exclude": ["agency"]})},
    )
    meta = type("Meta", (), {"model": kind.model, "fields": kind.form_fields, "validators": []})
    return output, type(
        f"{name}Input", (serializers.ModelSerializer,), {**unit_kwargs, "Meta": meta}
    )


SERIALIZERS = {kind.slug: _serializers(kind) for kind in KINDS}


def _kind(slug: str) -> Kind:
    spec = BY_SLUG.get(slug)
    if spec is None:
        raise Http404
    return spec


def _fields_help() -> str:
    return "; ".join(f"{k.slug}: {', '.join(k.form_fields)}" for k in KINDS)


KIND = OpenApiParameter(
    "kind",
    str,
    OpenApiParameter.PATH,
    enum=[k.slug for k in KINDS],
    description="Loại số liệu: " + "; ".join(f"{k.slug} ({k.title})" for k in KINDS),
)
FILTERS = [
    OpenApiParameter("year", int, description="Năm (2000-2100)"),
    OpenApiParameter("unit", int, description="Mã (id) đơn vị, với loại số liệu theo đơn vị"),
    OpenApiParameter(
        "ids",
        str,
        description="Mã bản ghi, cách nhau bằng dấu phẩy",
        pattern=r"^\d{1,9}(,\d{1,9})*$",
    ),
]
RECORD = OpenApiTypes.OBJECT  # the fields of the kind: see the endpoint's description


def _filters(request) -> dict:
    params, errors, out = request.query_params, {}, {}
    if params.get("year", "") != "":
        out["year"] = parse_year(params["year"])
        if out["year"] is None:
            errors["year"] = [_("Năm phải là số có 4 chữ số, từ 2000 đến 2100.")]
    if params.get("unit", "") != "":
        unit = parse_ids(params["unit"])
        if len(unit) != 1 or str(unit[0]) != params["unit"].strip():
            errors["unit"] = [_("Đơn vị phải là một mã (id) số.")]
        else:
            out["unit"] = unit[0]
    if params.get("ids", "") != "":
        ids = parse_ids(params["ids"])
        if not ids or len(ids) != len(params["ids"].split(",")):
            errors["ids"] = [_("Mã bản ghi phải là các số, cách nhau bằng dấu phẩy.")]
        else:
            out["ids"] = ids
    if errors:
        raise ValidationError(errors)
    return out


FIELDS_DOC = (
    "Trường của từng loại số liệu (ngày theo ISO 8601, tháng là ngày 1 của tháng, đơn vị là"
    " mã (id) đơn vị của cơ quan): " + _fields_help()
)


class RecordListApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        operation_id="records_list",
        summary="Số liệu CCHC (lĩnh vực 4-7) của cơ quan",
        description=FIELDS_DOC,
        parameters=[KIND, *FILTERS],
        responses={
            200: {"type": "array", "items": {"type": "object"}},
            400: ERROR_SCHEMA,
            404: ERROR_SCHEMA,
        },
    )
    def get(self, request, kind):
        spec = _kind(kind)
        require_staff(request.user)
        items = selectors.records_listed(spec, request.user, **_filters(request))
        return Response(SERIALIZERS[spec.slug][0](items, many=True).data)

    @extend_schema(
        summary="Số liệu CCHC — thêm (lãnh đạo cơ quan, đầu mối CCHC, quản trị)",
        description=FIELDS_DOC,
        parameters=[KIND],
        request=RECORD,
        responses={201: RECORD, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
    )
    def post(self, request, kind):
        spec = _kind(kind)
        agency = _manager_agency(request)
        output, input_ = SERIALIZERS[spec.slug]
        data = input_(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            item = services.record_create(
                actor=request.user, kind=spec, agency=agency, **data.validated_data
            )
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(output(item).data, status=201)


class RecordDetailApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def _get(self, request, kind, pk):
        spec = _kind(kind)
        require_staff(request.user)
        return spec, get_object_or_404(selectors.records_for_user(spec, request.user), pk=pk)

    @extend_schema(
        operation_id="records_retrieve",
        summary="Số liệu CCHC — một bản ghi",
        parameters=[KIND],
        responses={200: RECORD, 404: ERROR_SCHEMA},
    )
    def get(self, request, kind, pk):
        spec, item = self._get(request, kind, pk)
        return Response(SERIALIZERS[spec.slug][0](item).data)

    @extend_schema(
        summary="Số liệu CCHC — sửa",
        description=FIELDS_DOC,
        parameters=[KIND],
        request=RECORD,
        responses={200: RECORD, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
    )
    def patch(self, request, kind, pk):
        spec, item = self._get(request, kind, pk)
        require_manager(request.user, item.agency_id)
        output, input_ = SERIALIZERS[spec.slug]
        data = input_(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            item = services.record_update(
                actor=request.user, kind=spec, record=item, **data.validated_data
            )
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(output(item).data)

    @extend_schema(
        summary="Số liệu CCHC — xóa",
        parameters=[KIND],
        responses={204: None, 404: ERROR_SCHEMA},
    )
    def delete(self, request, kind, pk):
        spec, item = self._get(request, kind, pk)
        require_manager(request.user, item.agency_id)
        services.record_delete(actor=request.user, kind=spec, record=item)
        return Response(status=204)


class RecordImportApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Số liệu CCHC — nhập Excel theo mẫu (dòng trùng khóa cập nhật bản ghi đó; tệp"
        " có lỗi thì không ghi gì, lỗi từng dòng ở trường “file.row_<số dòng>”)",
        parameters=[KIND],
        request={"multipart/form-data": RecordImportInput},
        responses={200: RecordImportOutput, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
    )
    def post(self, request, kind):
        spec = _kind(kind)
        agency = _manager_agency(request)
        data = RecordImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            report = services.records_import(
                actor=request.user,
                kind=spec,
                agency=agency,
                data=data.validated_data["file"].read(),
            )
        except services.ImportRefused as exc:
            errors: dict[str, list] = {}
            for row, message in exc.rows:  # the row in the field name: "file.row_4"
                errors.setdefault(f"file.row_{row}" if row else "file", []).append(message)
            raise ValidationError(errors) from None
        return Response(
            RecordImportOutput(
                {
                    "added": len(report.added),
                    "updated": len(report.updated),
                    "added_ids": [r.pk for r in report.added],
                    "updated_ids": [r.pk for r in report.updated],
                }
            ).data
        )
