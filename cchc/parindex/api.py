"""REST API of the PAR Index (/api/v1/par/): one input and one output serializer per endpoint."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.core.api import ERROR_SCHEMA, Conflict, TransitionOut
from cchc.core.transitions import TransitionError
from cchc.parindex import selectors, services
from cchc.parindex.importer import parse_framework
from cchc.parindex.models import Score


def _raise(exc: ValidationError):
    raise exceptions.ValidationError(
        exc.message_dict if hasattr(exc, "message_dict") else {"non_field_errors": exc.messages}
    )


class PeriodOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    year = serializers.IntegerField()
    agency = serializers.CharField(source="agency.code")
    framework = serializers.CharField(source="framework.name")
    framework_year = serializers.IntegerField(source="framework.year")
    sample = serializers.BooleanField(source="framework.sample")
    self_deadline = serializers.DateField(allow_null=True)
    appraisal_deadline = serializers.DateField(allow_null=True)
    explanation_deadline = serializers.DateField(allow_null=True)
    publication_deadline = serializers.DateField(allow_null=True)


class PeriodListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PeriodOut(many=True)}, summary="Kỳ đánh giá Chỉ số CCHC")
    def get(self, request):
        periods = selectors.periods_for_user(request.user).order_by("-year")
        return Response(PeriodOut(periods, many=True).data)


class ScoreOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(source="node.code")
    name = serializers.CharField(source="node.name")
    max = serializers.DecimalField(source="node.max_points", max_digits=7, decimal_places=3)
    rule = serializers.CharField(source="node.rule_kind")
    self_points = serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True)
    self_measured = serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True)
    self_note = serializers.CharField()
    survey_points = serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True)
    round1_points = serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True)
    round1_reason = serializers.CharField()
    explanation = serializers.CharField()
    round2_points = serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True)
    round2_reason = serializers.CharField()
    final_points = serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True)
    evidence = serializers.SerializerMethodField()
    version = serializers.IntegerField()

    def get_evidence(self, score) -> list[dict]:
        return [
            {"name": e.original_name, "sha256": e.sha256, "stage": e.stage, "size": e.size}
            for e in score.evidence.all()
        ]


class AssessmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    period = serializers.IntegerField(source="period_id")
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    status = serializers.CharField()
    sample = serializers.BooleanField(source="period.framework.sample")
    scores = ScoreOut(many=True, source="score_list")


class AssessmentDetailApi(APIView):
    @extend_schema(
        responses={200: AssessmentOut, 404: ERROR_SCHEMA}, summary="Bản đánh giá và các điểm"
    )
    def get(self, request, pk):
        assessment = selectors.get_assessment_for_user(request.user, pk)
        assessment.score_list = selectors.score_rows(assessment)
        return Response(AssessmentOut(assessment).data)


class ScorePatchIn(serializers.Serializer):
    version = serializers.IntegerField(
        help_text="Phiên bản đã đọc (bắt buộc); sai thì trả 409, không ghi gì.",
        error_messages={
            "required": services.VERSION_REQUIRED,
            "null": services.VERSION_REQUIRED,
        },
    )
    self_points = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    self_measured = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    self_note = serializers.CharField(required=False, allow_blank=True)
    round1_points = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    round1_reason = serializers.CharField(required=False, allow_blank=True)
    explanation = serializers.CharField(required=False, allow_blank=True)
    round2_points = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    round2_reason = serializers.CharField(required=False, allow_blank=True)


class ScoreUpdateApi(APIView):
    @extend_schema(
        request=ScorePatchIn,
        responses={
            200: ScoreOut,
            400: ERROR_SCHEMA,
            403: ERROR_SCHEMA,
            404: ERROR_SCHEMA,
            409: ERROR_SCHEMA,
        },
        summary="Sửa một điểm (tự chấm, thẩm định, giải trình) theo vai trò và trạng thái",
    )
    def patch(self, request, pk):
        score = get_object_or_404(Score.objects.only("pk", "assessment_id"), pk=pk)
        selectors.get_assessment_for_user(request.user, score.assessment_id)
        incoming = ScorePatchIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        changes = dict(incoming.validated_data)
        version = changes.pop("version")  # required: no silent overwrite of a colleague's change
        if not changes:
            raise exceptions.ValidationError({"non_field_errors": ["Không có trường nào để sửa."]})
        try:
            score = services.score_update(
                score_id=score.pk, actor=request.user, changes=changes, version=version
            )
        except services.StaleScore as exc:
            return Response(
                {
                    "errors": [{"field": "version", "message": str(exc)}],
                    "current": ScoreOut(exc.score).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        except ValidationError as exc:
            _raise(exc)
        except PermissionDenied:
            raise exceptions.PermissionDenied from None
        return Response(
            ScoreOut(
                Score.objects.prefetch_related("evidence").select_related("node").get(pk=score.pk)
            ).data
        )


class FieldOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    points = serializers.FloatField()
    max = serializers.FloatField()
    percent = serializers.FloatField()


class LostOut(serializers.Serializer):
    code = serializers.CharField()
    lost = serializers.FloatField()


class ResultOut(serializers.Serializer):
    total = serializers.FloatField()
    index = serializers.FloatField()
    index_text = serializers.CharField(help_text="Chỉ số 3 chữ số thập phân, dấu phẩy: 76,473")
    scale = serializers.FloatField()
    fields = FieldOut(many=True)
    criteria_at_max = serializers.IntegerField()
    criteria_total = serializers.IntegerField()
    components_at_max = serializers.IntegerField()
    components_total = serializers.IntegerField()
    rank = serializers.IntegerField()
    units_ranked = serializers.IntegerField()
    lost = LostOut(many=True)
    previous_index = serializers.FloatField(allow_null=True)
    previous_note = serializers.SerializerMethodField(
        help_text="Khi không có năm trước cùng bộ tiêu chí (previous_index null): lý do"
    )
    sample = serializers.BooleanField(
        help_text="Kết quả theo bộ tiêu chí mẫu (chưa phải Bảng 1 thật)"
    )

    def get_previous_note(self, obj) -> str:
        return "" if obj["previous_index"] is not None else selectors.NO_PREVIOUS


class ResultApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: ResultOut, 404: ERROR_SCHEMA}, summary="Kết quả tính từ các điểm"
    )
    def get(self, request, pk):
        assessment = selectors.get_result_assessment_for_user(request.user, pk)
        result = selectors.assessment_result(assessment, request.user).as_dict()
        return Response(ResultOut({**result, "sample": assessment.period.framework.sample}).data)


class WhatIfIn(serializers.Serializer):
    leaves = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, default=list
    )
    fields = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, default=list
    )

    def validate(self, attrs):
        if not attrs["leaves"] and not attrs["fields"]:
            raise serializers.ValidationError("Chọn ít nhất một tiêu chí hoặc lĩnh vực.")
        return attrs


class WhatIfApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=WhatIfIn,
        responses={200: ResultOut, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
        summary="Giả định các tiêu chí đạt tối đa: tổng, chỉ số, hạng mới (không lưu gì)",
    )
    def post(self, request, pk):
        assessment = selectors.get_result_assessment_for_user(request.user, pk)
        incoming = WhatIfIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        tree_codes = set(assessment.period.framework.nodes.values_list("code", flat=True))
        unknown = [
            c
            for c in incoming.validated_data["leaves"] + incoming.validated_data["fields"]
            if c not in tree_codes
        ]
        if unknown:
            raise exceptions.ValidationError(
                {"leaves": [f"Không có tiêu chí mã {', '.join(unknown)}."]}
            )
        try:
            result = selectors.whatif(
                assessment,
                codes=incoming.validated_data["leaves"],
                fields=incoming.validated_data["fields"],
                user=request.user,
            )
        except Http404:
            raise exceptions.ValidationError({"fields": ["Mã lĩnh vực không hợp lệ."]}) from None
        return Response(
            ResultOut({**result.as_dict(), "sample": assessment.period.framework.sample}).data
        )


class AssessmentActionIn(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[t.slug for t in services.FLOW],
        help_text="Một thao tác của `services.FLOW`: " + ", ".join(t.slug for t in services.FLOW),
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Ghi chú (tối đa 2000 ký tự)"
    )


class AssessmentActionOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    allowed_actions = serializers.ListField(child=serializers.CharField())
    actions = TransitionOut(many=True)


class AssessmentActionApi(APIView):
    """The declared transitions (`services.FLOW`), one slug each, the same as on the pages:
    403 with the reason when the person may not, 409 from the wrong state."""

    @extend_schema(
        request=AssessmentActionIn,
        responses={
            200: AssessmentActionOut,
            400: ERROR_SCHEMA,
            403: ERROR_SCHEMA,
            404: ERROR_SCHEMA,
            409: ERROR_SCHEMA,
        },
        summary="Chuyển trạng thái bản đánh giá (nộp, thẩm định, giải trình, chốt, công bố)",
    )
    def post(self, request, pk):
        from cchc.parindex.views import action_form, run_action

        assessment = selectors.get_assessment_for_user(request.user, pk)
        incoming = AssessmentActionIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        action = incoming.validated_data["action"]
        form = action_form(action, data=request.data)
        if form is not None and not form.is_valid():
            raise exceptions.ValidationError(
                {k: [str(m) for m in v] for k, v in form.errors.items()}
            )
        try:
            assessment = run_action(
                action, request.user, assessment, form.cleaned_data if form else {}
            )
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from None
        except TransitionError as exc:
            raise Conflict(" ".join(exc.messages)) from None
        except ValidationError as exc:
            _raise(exc)
        available = services.FLOW.available(request.user, assessment)
        return Response(
            AssessmentActionOut(
                {
                    "id": assessment.pk,
                    "status": assessment.status,
                    "allowed_actions": [t.slug for t in available],
                    "actions": [{"slug": t.slug, "label": str(t.label)} for t in available],
                }
            ).data
        )


class FileIn(serializers.Serializer):
    file = serializers.FileField(
        help_text="YAML/Excel (bộ tiêu chí) hoặc CSV/Excel (điểm điều tra XHH)"
    )


class FrameworkOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    year = serializers.IntegerField()
    level = serializers.CharField()
    scale = serializers.DecimalField(max_digits=7, decimal_places=3)
    sample = serializers.BooleanField()


class SurveyOut(serializers.Serializer):
    imported = serializers.IntegerField()


def _problems(exc: services.ImportRefused):
    return Response(
        {"errors": [{"field": "file", "message": str(p)} for p in exc.problems]},
        status=status.HTTP_400_BAD_REQUEST,
    )


def _read_upload(request) -> tuple[str, bytes]:
    incoming = FileIn(data=request.data)
    incoming.is_valid(raise_exception=True)
    upload = incoming.validated_data["file"]
    if upload.size > 5 * 1024 * 1024:
        raise exceptions.ValidationError({"file": ["Tệp quá lớn (tối đa 5 MB)."]})
    return upload.name, upload.read()


class FrameworkImportApi(APIView):
    @extend_schema(
        request={"multipart/form-data": FileIn},
        responses={201: FrameworkOut, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
        summary="Nhập bộ tiêu chí (mọi lỗi kèm dòng và mã; tệp có lỗi thì không ghi gì)",
    )
    def post(self, request):
        user = request.user
        if not selectors.can_manage_frameworks(user):
            raise Http404
        name, data = _read_upload(request)
        try:
            framework = services.framework_import(spec=parse_framework(name, data), actor=user)
        except services.ImportRefused as exc:
            return _problems(exc)
        return Response(FrameworkOut(framework).data, status=status.HTTP_201_CREATED)


class SurveyImportApi(APIView):
    @extend_schema(
        request={"multipart/form-data": FileIn},
        responses={200: SurveyOut, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
        summary="Nhập điểm điều tra XHH của kỳ (cột unit, code, points)",
    )
    def post(self, request, pk):
        period = selectors.get_period_for_user(request.user, pk)
        if not selectors.can_manage(request.user, period.agency):
            raise Http404
        name, data = _read_upload(request)
        try:
            count = services.survey_import(
                period=period, filename=name, data=data, actor=request.user
            )
        except services.ImportRefused as exc:
            return _problems(exc)
        return Response(SurveyOut({"imported": count}).data)
