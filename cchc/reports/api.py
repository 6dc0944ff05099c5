"""REST API of the reports app: live dashboard figures and the annual report snapshots."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.core.api import ERROR_SCHEMA, status_field
from cchc.core.permissions import may_manage_agency, require_manager
from cchc.reports import documents, selectors, services
from cchc.reports.models import ReportSnapshot


class FiguresOutput(serializers.Serializer):
    year = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    figures = serializers.DictField(
        help_text="plans.summary, parindex.latest, dossiers.summary, feedback.summary (null: chưa có dữ liệu)"
    )
    metrics = serializers.DictField(help_text="Tỷ lệ 0..1 hoặc null")
    empty = serializers.BooleanField()


class DashboardQuery(serializers.Serializer):
    year = serializers.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": _("Năm phải là một số nguyên."),
            "min_value": _("Năm phải từ 2000 đến 2100."),
            "max_value": _("Năm phải từ 2000 đến 2100."),
        },
    )


class DashboardApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Số liệu tổng quan CCHC của cơ quan (trực tiếp)",
        parameters=[DashboardQuery],
        responses={200: FiguresOutput, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
    )
    def get(self, request):
        agency = request.user.agency
        if agency is None:
            raise Http404
        if request.query_params.get("year") == "":  # a form's empty value is not "this year"
            raise ValidationError({"year": [_("Năm phải là một số nguyên.")]})
        query = DashboardQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        _year, start, end = selectors.dashboard_period(
            str(query.validated_data.get("year", "")), timezone.localdate()
        )
        data = selectors.collect_figures(agency, start, end)
        return Response(FiguresOutput(data).data)


class ReportOutput(serializers.ModelSerializer):
    number_text = serializers.CharField()
    files = serializers.SerializerMethodField()
    status = status_field(ReportSnapshot.Status.choices)

    class Meta:
        model = ReportSnapshot
        fields = [
            "id",
            "year",
            "as_of",
            "number",
            "number_text",
            "issued_on",
            "status",
            "progress",
            "narrative",
            "data",
            "files",
            "created_at",
            "generated_at",
        ]

    def get_files(self, report) -> dict:
        request = self.context.get("request")
        out = {}
        for fmt in documents.CONTENT_TYPES:
            if getattr(report, f"{fmt}_path"):
                url = f"/api/v1/reports/{report.pk}/download/{fmt}/"
                out[fmt] = request.build_absolute_uri(url) if request else url
        return out


class ReportInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    as_of = serializers.DateField()
    number = serializers.IntegerField(min_value=1, max_value=99999)
    issued_on = serializers.DateField()
    signer_title = serializers.CharField(max_length=100, default="GIÁM ĐỐC")
    signer_name = serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True
    )
    recipients = serializers.CharField(required=False, default="", allow_blank=True)


class ReportListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Báo cáo CCHC năm đã chốt số liệu", responses={200: ReportOutput(many=True)}
    )
    def get(self, request):
        reports = selectors.reports_for_user(request.user)
        return Response(ReportOutput(reports, many=True, context={"request": request}).data)

    @extend_schema(
        summary="Chốt số liệu báo cáo năm",
        request=ReportInput,
        responses={201: ReportOutput, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
    )
    def post(self, request):
        agency = request.user.agency
        if agency is None or not may_manage_agency(request.user, agency.pk):
            raise Http404
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            report = services.report_create(
                actor=request.user, agency=agency, **data.validated_data
            )
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            raise ValidationError(detail) from None
        return Response(ReportOutput(report, context={"request": request}).data, status=201)


class ReportDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Một báo cáo", responses={200: ReportOutput, 404: ERROR_SCHEMA})
    def get(self, request, pk):
        report = selectors.get_report_for_user(request.user, pk)
        return Response(ReportOutput(report, context={"request": request}).data)


class ReportGenerateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Tạo tệp Word, PDF, Excel (chạy nền; theo dõi trường progress)",
        request=None,
        responses={202: ReportOutput, 404: ERROR_SCHEMA},
    )
    def post(self, request, pk):
        report = selectors.get_report_for_user(request.user, pk)
        require_manager(request.user, report.agency_id)
        report = services.report_generation_request(actor=request.user, report=report)
        return Response(ReportOutput(report, context={"request": request}).data, status=202)


class ReportDownloadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Tải tệp báo cáo",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ERROR_SCHEMA},
    )
    def get(self, request, pk, fmt):
        report = selectors.get_report_for_user(request.user, pk)
        return documents.file_response(report, fmt)
