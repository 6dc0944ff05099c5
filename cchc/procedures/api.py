from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from cchc.core.text import search_query
from cchc.procedures import selectors
from cchc.procedures.models import Component, LegalBasis, Procedure, ProcedureStep


class LegalBasisOut(serializers.ModelSerializer):
    class Meta:
        model = LegalBasis
        fields = ["title", "valid_from", "valid_to"]


class ComponentOut(serializers.ModelSerializer):
    upload_field = serializers.SerializerMethodField(
        help_text="Tên trường tệp của thành phần này khi nộp hoặc bổ sung hồ sơ (multipart)"
    )

    class Meta:
        model = Component
        fields = ["id", "order", "name", "copies", "form", "required", "upload_field"]

    def get_upload_field(self, component) -> str:
        return f"component_{component.pk}"


class StepOut(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.name", default=None)

    class Meta:
        model = ProcedureStep
        fields = ["order", "name", "unit", "role", "working_days", "optional", "is_decision"]


class ProcedureOut(serializers.ModelSerializer):
    accepts_dossiers = serializers.BooleanField(read_only=True)

    class Meta:
        model = Procedure
        fields = [
            "id",
            "code",
            "name",
            "field",
            "level",
            "time",
            "time_unit",
            "full_online_time",
            "fee_kind",
            "fee_text",
            "fee_amount",
            "fee_percent",
            "fee_min",
            "fee_max",
            "online_form",
            "result_type",
            "version",
            "accepts_dossiers",
        ]


class ProcedureDetailOut(ProcedureOut):
    legal_bases = LegalBasisOut(many=True)
    components = ComponentOut(many=True)
    steps = StepOut(many=True)

    class Meta(ProcedureOut.Meta):
        fields = [*ProcedureOut.Meta.fields, "legal_bases", "components", "steps", "note"]


@extend_schema(
    parameters=[
        OpenApiParameter("field", str, description="Lĩnh vực"),
        OpenApiParameter("q", str, description="Tìm theo tên hoặc mã (không phân biệt dấu)"),
    ]
)
class ProcedureListApi(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ProcedureOut

    def get_queryset(self):
        params = self.request.query_params
        return selectors.catalogue(
            field=params.get("field", ""), query=search_query(params.get("q"))
        )


class ProcedureDetailApi(generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = ProcedureDetailOut

    def get_object(self):
        return selectors.procedure_detail(self.kwargs["pk"])
