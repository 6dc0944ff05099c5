"""REST API of the records app: for every kind (kinds.py) a list + create endpoint, a detail
endpoint (get, patch, delete) and the Excel import, generated from the one declaration."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
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
from cchc.records.kinds import KINDS, Kind


def _raise(exc: DjangoValidationError):
    raise ValidationError(as_serializer_error(exc))


def _manager_agency(request):
    require_staff(request.user)
    agency = request.user.agency
    if agency is None or not may_manage_agency(request.user, agency.pk):
        raise Http404
    return agency


class ImportInput(serializers.Serializer):
    file = serializers.FileField()

    def validate_file(self, upload):
        if upload.size > ImportForm.MAX_BYTES:
            raise ValidationError(_("Tệp lớn hơn 5 MB; chưa nhập dòng nào."))
        return upload


class ImportOutput(serializers.Serializer):
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


def _apis(kind: Kind):
    name = kind.model.__name__
    unit_kwargs = {}
    if kind.has_unit:
        unit_kwargs["unit"] = AgencyUnitField(
            required=kind.unit_required, allow_null=not kind.unit_required
        )

    Output = type(
        f"{name}Output",
        (serializers.ModelSerializer,),
        {"Meta": type("Meta", (), {"model": kind.model, "exclude": ["agency"]})},
    )
    Input = type(
        f"{name}Input",
        (serializers.ModelSerializer,),
        {
            **unit_kwargs,
            "Meta": type(
                "Meta",
                (),
                {"model": kind.model, "fields": kind.form_fields, "validators": []},
            ),
        },
    )
    summary = str(kind.title)
    filters = [
        OpenApiParameter("year", int, description="Năm"),
        OpenApiParameter("ids", str, description="Mã bản ghi, cách nhau bằng dấu phẩy"),
    ]
    if kind.has_unit:
        filters.append(OpenApiParameter("unit", int, description="Mã (id) đơn vị"))

    class ListApi(APIView):
        permission_classes = [IsAuthenticated]
        parser_classes = [JSONParser, FormParser, MultiPartParser]

        @extend_schema(summary=summary, parameters=filters, responses={200: Output(many=True)})
        def get(self, request):
            require_staff(request.user)
            unit = parse_ids(request.query_params.get("unit", ""))
            items = selectors.records_listed(
                kind,
                request.user,
                year=parse_year(request.query_params.get("year", "")),
                unit=unit[0] if unit else None,
                ids=parse_ids(request.query_params.get("ids", "")) or None,
            )
            return Response(Output(items, many=True).data)

        @extend_schema(
            summary=summary + " — thêm",
            request=Input,
            responses={201: Output, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
        )
        def post(self, request):
            agency = _manager_agency(request)
            data = Input(data=request.data, context={"request": request})
            data.is_valid(raise_exception=True)
            try:
                item = services.record_create(
                    actor=request.user, kind=kind, agency=agency, **data.validated_data
                )
            except DjangoValidationError as exc:
                _raise(exc)
            return Response(Output(item).data, status=201)

    class DetailApi(APIView):
        permission_classes = [IsAuthenticated]
        parser_classes = [JSONParser, FormParser, MultiPartParser]

        def _get(self, request, pk):
            require_staff(request.user)
            return get_object_or_404(selectors.records_for_user(kind, request.user), pk=pk)

        @extend_schema(summary=summary + " — một bản ghi", responses={200: Output})
        def get(self, request, pk):
            return Response(Output(self._get(request, pk)).data)

        @extend_schema(
            summary=summary + " — sửa",
            request=Input(partial=True),
            responses={200: Output, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
        )
        def patch(self, request, pk):
            item = self._get(request, pk)
            require_manager(request.user, item.agency_id)
            data = Input(data=request.data, partial=True, context={"request": request})
            data.is_valid(raise_exception=True)
            try:
                item = services.record_update(
                    actor=request.user, kind=kind, record=item, **data.validated_data
                )
            except DjangoValidationError as exc:
                _raise(exc)
            return Response(Output(item).data)

        @extend_schema(summary=summary + " — xóa", responses={204: None, 404: ERROR_SCHEMA})
        def delete(self, request, pk):
            item = self._get(request, pk)
            require_manager(request.user, item.agency_id)
            services.record_delete(actor=request.user, kind=kind, record=item)
            return Response(status=204)

    class ImportApi(APIView):
        permission_classes = [IsAuthenticated]
        parser_classes = [MultiPartParser, FormParser]

        @extend_schema(
            summary=summary + " — nhập Excel (dòng trùng khóa cập nhật bản ghi đó; tệp có lỗi"
            " thì không ghi gì)",
            request={"multipart/form-data": ImportInput},
            responses={200: ImportOutput, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
        )
        def post(self, request):
            agency = _manager_agency(request)
            data = ImportInput(data=request.data)
            data.is_valid(raise_exception=True)
            try:
                report = services.records_import(
                    actor=request.user,
                    kind=kind,
                    agency=agency,
                    data=data.validated_data["file"].read(),
                )
            except services.ImportRefused as exc:
                errors: dict[str, list] = {}
                for row, message in exc.rows:  # the row in the field name: "file.row_4"
                    errors.setdefault(f"file.row_{row}" if row else "file", []).append(message)
                raise ValidationError(errors) from None
            return Response(
                ImportOutput(
                    {
                        "added": len(report.added),
                        "updated": len(report.updated),
                        "added_ids": [r.pk for r in report.added],
                        "updated_ids": [r.pk for r in report.updated],
                    }
                ).data
            )

    for view, suffix in ((ListApi, "ListApi"), (DetailApi, "DetailApi"), (ImportApi, "ImportApi")):
        view.__name__ = view.__qualname__ = f"{name}{suffix}"
    return ListApi, DetailApi, ImportApi


APIS = {kind.slug: _apis(kind) for kind in KINDS}
