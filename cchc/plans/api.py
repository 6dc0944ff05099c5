"""REST API of the plans app: one input and one output serializer per endpoint, then a service."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.core.api import (
    ERROR_SCHEMA,
    Conflict,
    StatusField,
    TransitionOut,
    status_field,
    transition_schema,
)
from cchc.core.models import Unit
from cchc.core.permissions import may_manage_agency, require_manager
from cchc.core.transitions import TransitionError
from cchc.core.years import parse_year
from cchc.plans import selectors, services
from cchc.plans.forms import ImportForm
from cchc.plans.models import (
    LegalReview,
    ParField,
    Plan,
    PlanTask,
    ProcedureReview,
    QualityRecord,
    Regulation,
)


def _raise(exc: DjangoValidationError):
    if isinstance(exc, TransitionError):
        raise Conflict(exc.messages[0])
    raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


def _agency_of(request):
    agency = request.user.agency
    if agency is None or not may_manage_agency(request.user, agency.pk):
        raise Http404
    return agency


# --- plans -----------------------------------------------------------------------------------


class PlanOutput(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code")

    class Meta:
        model = Plan
        fields = ["id", "agency", "year", "title", "decision"]


class PlanInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=255)
    decision = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class PlanListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Danh sách kế hoạch CCHC", responses={200: PlanOutput(many=True)})
    def get(self, request):
        return Response(PlanOutput(selectors.plans_for_user(request.user), many=True).data)

    @extend_schema(
        summary="Lập kế hoạch CCHC năm",
        request=PlanInput,
        responses={201: PlanOutput, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
    )
    def post(self, request):
        agency = _agency_of(request)
        data = PlanInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            plan = services.plan_create(actor=request.user, agency=agency, **data.validated_data)
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(PlanOutput(plan).data, status=201)


class PlanUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=255, required=False)
    decision = serializers.CharField(max_length=255, required=False, allow_blank=True)


class PlanDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Một kế hoạch CCHC", responses={200: PlanOutput, 404: ERROR_SCHEMA})
    def get(self, request, pk):
        return Response(PlanOutput(selectors.get_plan_for_user(request.user, pk)).data)

    @extend_schema(
        summary="Sửa tên, văn bản ban hành kế hoạch",
        request=PlanUpdateInput,
        responses={200: PlanOutput, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
    )
    def patch(self, request, pk):
        plan = selectors.get_plan_for_user(request.user, pk)
        require_manager(request.user, plan.agency_id)
        data = PlanUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_update(actor=request.user, plan=plan, **data.validated_data)
        return Response(PlanOutput(plan).data)

    @extend_schema(
        summary="Xóa kế hoạch chưa có nhiệm vụ",
        responses={204: None, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
    )
    def delete(self, request, pk):
        plan = selectors.get_plan_for_user(request.user, pk)
        require_manager(request.user, plan.agency_id)
        try:
            services.plan_delete(actor=request.user, plan=plan)
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(status=204)


# --- tasks -----------------------------------------------------------------------------------


class TaskOutput(serializers.ModelSerializer):
    lead_unit = serializers.CharField(source="lead_unit.code")
    co_units = serializers.SerializerMethodField()
    effective_status = serializers.SerializerMethodField()
    status = status_field(PlanTask.Status.choices)

    class Meta:
        model = PlanTask
        fields = [
            "id",
            "plan",
            "order",
            "field",
            "content",
            "lead_unit",
            "co_units",
            "deadline",
            "expected_output",
            "status",
            "effective_status",
            "progress",
            "completed_on",
        ]

    def get_co_units(self, task) -> list[str]:
        return [u.code for u in task.co_units.all()]

    def get_effective_status(self, task) -> str:
        if hasattr(task, "shown_status"):  # already derived by selectors.plan_tasks_listed
            return task.shown_status
        # One calendar for the whole list: each new one reads the calendar overrides again.
        cal = self.context.setdefault("calendar", selectors.WorkingCalendar())
        return selectors.task_status(task, cal=cal)


class TaskDetailOutput(TaskOutput):
    actions = serializers.SerializerMethodField(
        help_text="the transitions the person may take now (services.FLOW)"
    )

    class Meta(TaskOutput.Meta):
        fields = [*TaskOutput.Meta.fields, "actions"]

    @extend_schema_field(TransitionOut(many=True))
    def get_actions(self, task) -> list:
        user = self.context["user"]
        return [
            {"slug": t.slug, "label": str(t.label)} for t in services.FLOW.available(user, task)
        ]


def _detail(request, task) -> Response:
    task = selectors.get_task_for_user(request.user, task.pk)
    return Response(TaskDetailOutput(task, context={"user": request.user}).data)


class UnitCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Unit.objects.all(), **kwargs)

    def get_queryset(self):
        return Unit.objects.filter(agency=self.context["agency"])


class TaskInput(serializers.Serializer):
    field = serializers.ChoiceField(choices=ParField.choices)
    content = serializers.CharField()
    lead_unit = UnitCodeField(
        error_messages={"does_not_exist": _("Không có đơn vị mã “{value}” trong cơ quan.")}
    )
    co_units = UnitCodeField(many=True, required=False, default=list)
    deadline = serializers.DateField()
    expected_output = serializers.CharField(
        max_length=500, required=False, default="", allow_blank=True
    )
    status = status_field(PlanTask.Status.choices, default="not_started")
    progress = serializers.IntegerField(min_value=0, max_value=100, default=0)
    completed_on = serializers.DateField(required=False, allow_null=True, default=None)


class ProgressInput(serializers.Serializer):
    """What the lead unit may change through PATCH."""

    status = status_field(PlanTask.Status.choices, required=False)
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False)
    completed_on = serializers.DateField(required=False, allow_null=True)


class TaskListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Nhiệm vụ của một kế hoạch",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=list(PlanTask.STATUS_LABELS),
                description="Trạng thái (gồm overdue)",
            )
        ],
        responses={200: TaskOutput(many=True), 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
    )
    def get(self, request, plan_pk):
        plan = selectors.get_plan_for_user(request.user, plan_pk)
        status = request.query_params.get("status")
        if status is not None and status not in PlanTask.STATUS_LABELS:
            raise ValidationError({"status": [_("Trạng thái lọc không hợp lệ.")]})
        tasks = selectors.plan_tasks_listed(plan, status=status or "")
        return Response(TaskOutput(tasks, many=True).data)

    @extend_schema(
        summary="Thêm nhiệm vụ",
        request=TaskInput,
        responses={201: TaskOutput, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
    )
    def post(self, request, plan_pk):
        plan = selectors.get_plan_for_user(request.user, plan_pk)
        require_manager(request.user, plan.agency_id)
        data = TaskInput(data=request.data, context={"agency": plan.agency})
        data.is_valid(raise_exception=True)
        try:
            task = services.task_create(actor=request.user, plan=plan, **data.validated_data)
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(TaskOutput(task).data, status=201)


class TaskDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Một nhiệm vụ, với các thao tác người dùng được làm",
        responses={200: TaskDetailOutput, 404: ERROR_SCHEMA},
    )
    def get(self, request, pk):
        return _detail(request, selectors.get_task_for_user(request.user, pk))

    @extend_schema(
        summary="Sửa nhiệm vụ (đầu mối: mọi trường; đơn vị chủ trì: trạng thái, tiến độ). Đổi"
        " trạng thái là một thao tác khai báo (xem actions): không được phép thì 403/409.",
        request=TaskInput(partial=True),
        responses={
            200: TaskDetailOutput,
            400: ERROR_SCHEMA,
            403: ERROR_SCHEMA,
            404: ERROR_SCHEMA,
            409: ERROR_SCHEMA,
        },
    )
    def patch(self, request, pk):
        task = selectors.get_task_for_user(request.user, pk)
        if may_manage_agency(request.user, task.plan.agency_id):
            data = TaskInput(data=request.data, partial=True, context={"agency": task.plan.agency})
        elif selectors.may_update_task(request.user, task):
            data = ProgressInput(data=request.data)
        else:
            raise Http404
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        co_units = changes.pop("co_units", None)
        try:
            task = services.task_update(actor=request.user, task=task, co_units=co_units, **changes)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from None
        except DjangoValidationError as exc:
            _raise(exc)
        return _detail(request, task)

    @extend_schema(summary="Xóa nhiệm vụ", responses={204: None, 404: ERROR_SCHEMA})
    def delete(self, request, pk):
        task = selectors.get_task_for_user(request.user, pk)
        require_manager(request.user, task.plan.agency_id)
        services.task_delete(actor=request.user, task=task)
        return Response(status=204)


class TaskActionIn(serializers.Serializer):
    """The fields of the actions (documentation; the input is validated by the same form as
    on the task page, see `services.FLOW`)."""

    note = serializers.CharField(required=False, help_text="every action: kept in the audit")
    completed_on = serializers.DateField(
        required=False, help_text="complete: the day it was done (today when left out)"
    )


class TaskActionApi(APIView):
    """A task's status transitions, one slug each (the same as on the page): `services.FLOW`."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @transition_schema(
        services.FLOW,
        request=TaskActionIn,
        response=TaskDetailOutput,
        summary="Chuyển trạng thái nhiệm vụ",
    )
    def post(self, request, pk, action):
        from cchc.plans.views import action_form, run_action

        task = selectors.get_task_for_user(request.user, pk)
        if action not in services.FLOW:
            raise exceptions.NotFound()
        # The documented fields are checked for every action, even one that ignores them.
        TaskActionIn(data=request.data).is_valid(raise_exception=True)
        form = action_form(action, data=request.data)
        if form is not None and not form.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        try:
            run_action(action, request.user, task, form.cleaned_data if form else {})
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from None
        except DjangoValidationError as exc:
            _raise(exc)
        return _detail(request, task)


class ImportInput(serializers.Serializer):
    file = serializers.FileField()

    def validate_file(self, upload):
        if upload.size > ImportForm.MAX_BYTES:
            raise ValidationError(_("Tệp lớn hơn 5 MB; chưa nhập nhiệm vụ nào."))
        return upload


class ImportOutput(serializers.Serializer):
    added = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    added_ids = serializers.ListField(child=serializers.IntegerField())
    updated_ids = serializers.ListField(child=serializers.IntegerField())


class TaskImportApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Nhập nhiệm vụ từ Excel (dòng có “Mã nhiệm vụ” cập nhật nhiệm vụ đó, dòng không"
        " có mã là nhiệm vụ mới; tệp có lỗi thì không ghi gì)",
        request={"multipart/form-data": ImportInput},
        responses={200: ImportOutput, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
    )
    def post(self, request, plan_pk):
        plan = selectors.get_plan_for_user(request.user, plan_pk)
        require_manager(request.user, plan.agency_id)
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            report = services.tasks_import(
                actor=request.user, plan=plan, data=data.validated_data["file"].read()
            )
        except services.ImportRefused as exc:
            raise ValidationError(
                {
                    "file": [
                        _("Dòng %(row)d: %(message)s") % {"row": row, "message": message}
                        if row
                        else message
                        for row, message in exc.rows
                    ]
                }
            ) from None
        return Response(
            ImportOutput(
                {
                    "added": len(report.added),
                    "updated": len(report.updated),
                    "unchanged": len(report.unchanged),
                    "added_ids": [t.pk for t in report.added],
                    "updated_ids": [t.pk for t in report.updated],
                }
            ).data
        )


# --- records ---------------------------------------------------------------------------------


def _record_api(model, create, update, summary):
    """GET (list within the agency) and POST (agency-wide roles) for one kind of record, and its
    detail: GET, and PATCH by the agency-wide roles of the record's agency (404 for others)."""

    stored_status = any(f.name == "status" for f in model._meta.concrete_fields)
    status_choices = model.Status.choices if stored_status else None

    class Output(serializers.ModelSerializer):
        if status_choices:
            status = status_field(status_choices)
        elif model is QualityRecord:  # derived from the dates, as of today
            status = StatusField(
                choices=QualityRecord.Status.choices,
                source="status_today",
                read_only=True,
                help_text=", ".join(f"{c} ({label})" for c, label in QualityRecord.Status.choices),
            )

        class Meta:
            exclude = ["agency"] + (["file_path"] if model is Regulation else [])

    Output.Meta.model = model
    Output.__name__ = f"{model.__name__}Output"

    class Input(serializers.ModelSerializer):
        if status_choices:  # the model's default when left out, as on the page
            status = status_field(
                status_choices, required=False, default=model._meta.get_field("status").default
            )

        class Meta:
            exclude = ["id", "agency"] + (["file_path", "file_name"] if model is Regulation else [])

    Input.Meta.model = model
    Input.__name__ = f"{model.__name__}Input"
    listing = {
        LegalReview: selectors.legal_reviews_for_user,
        ProcedureReview: selectors.procedure_reviews_for_user,
        QualityRecord: selectors.quality_records_for_user,
        Regulation: selectors.regulations_for_user,
    }[model]

    def shown(item):
        if model is QualityRecord:
            item.status_today = item.status_on(timezone.localdate())
        return item

    class Api(APIView):
        permission_classes = [IsAuthenticated]

        @extend_schema(summary=summary, responses={200: Output(many=True)})
        def get(self, request):
            items = listing(request.user)
            year = parse_year(request.query_params.get("year", ""))
            if year and hasattr(model, "review_year"):
                items = items.filter(review_year=year)
            return Response(Output([shown(i) for i in items], many=True).data)

        @extend_schema(
            summary=summary + " — thêm",
            request=Input,
            responses={201: Output, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
        )
        def post(self, request):
            agency = _agency_of(request)
            data = Input(data=request.data)
            data.is_valid(raise_exception=True)
            try:
                item = create(actor=request.user, agency=agency, **data.validated_data)
            except DjangoValidationError as exc:
                _raise(exc)
            return Response(Output(shown(item)).data, status=201)

    class DetailApi(APIView):
        permission_classes = [IsAuthenticated]

        @extend_schema(
            summary=summary + " — một bản ghi", responses={200: Output, 404: ERROR_SCHEMA}
        )
        def get(self, request, pk):
            return Response(Output(shown(get_object_or_404(listing(request.user), pk=pk))).data)

        @extend_schema(
            summary=summary + " — sửa",
            request=Input(partial=True),
            responses={200: Output, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
        )
        def patch(self, request, pk):
            item = get_object_or_404(listing(request.user), pk=pk)
            require_manager(request.user, item.agency_id)
            data = Input(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            try:
                item = update(actor=request.user, record=item, **data.validated_data)
            except DjangoValidationError as exc:
                _raise(exc)
            return Response(Output(shown(item)).data)

    Api.__name__ = f"{model.__name__}Api"
    DetailApi.__name__ = f"{model.__name__}DetailApi"
    return Api, DetailApi


LegalReviewApi, LegalReviewDetailApi = _record_api(
    LegalReview,
    services.legal_review_create,
    services.legal_review_update,
    "Rà soát văn bản QPPL",
)
ProcedureReviewApi, ProcedureReviewDetailApi = _record_api(
    ProcedureReview,
    services.procedure_review_create,
    services.procedure_review_update,
    "Rà soát TTHC",
)
QualityRecordApi, QualityRecordDetailApi = _record_api(
    QualityRecord,
    services.quality_record_create,
    services.quality_record_update,
    "Hệ thống quản lý chất lượng ISO 9001",
)
RegulationApi, RegulationDetailApi = _record_api(
    Regulation, services.regulation_create, services.regulation_update, "Quy chế nội bộ"
)
