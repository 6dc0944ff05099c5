import json

from django.core.cache import cache
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.core import ratelimits
from cchc.core.api import ERROR_SCHEMA, Conflict, TransitionOut, transition_schema
from cchc.core.pagination import PageNumberPagination
from cchc.core.permissions import require_staff
from cchc.dossiers import selectors, services, statistics
from cchc.dossiers.filters import PAGE_SIZE, QueueFilter
from cchc.dossiers.forms import ApplicantForm
from cchc.dossiers.models import Dossier
from cchc.dossiers.views import (
    LOOKUP_FLOOD,
    WRONG_CODE_OR_SECRET,
    _stats_agency,
    filing_limited,
    filing_notice_allowed,
    site_agency,
)
from cchc.procedures.models import Procedure


def _raise(error: DjangoValidationError):
    if isinstance(error, services.TransitionError):
        raise Conflict(error.messages[0])
    raise serializers.ValidationError(
        error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    )


class FilingIn(serializers.Serializer):
    procedure = serializers.IntegerField()
    applicant_kind = serializers.CharField()
    name = serializers.CharField()
    id_number = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField()
    representative_name = serializers.CharField(required=False, allow_blank=True)
    representative_phone = serializers.CharField(required=False, allow_blank=True)

    def validate(self, attrs):
        form = ApplicantForm(attrs)
        if not form.is_valid():
            raise serializers.ValidationError(
                {k: [str(m) for m in v] for k, v in form.errors.items()}
            )
        attrs["applicant"] = form.applicant()
        return attrs


class FilingOut(serializers.Serializer):
    code = serializers.CharField()
    secret = serializers.CharField()
    status = serializers.IntegerField()


class DossierOut(serializers.Serializer):
    code = serializers.CharField()
    procedure = serializers.CharField(source="procedure.name")
    status = serializers.IntegerField()
    status_label = serializers.CharField(source="get_status_display")
    submitted_at = serializers.DateTimeField()
    # Empty until the event happens (a dossier filed online is not yet received).
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    appointment_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    due_explanation = serializers.JSONField()


class LookupOut(serializers.Serializer):
    code = serializers.CharField()
    procedure = serializers.CharField()
    status = serializers.IntegerField()
    status_label = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    details = serializers.BooleanField()
    applicant_name = serializers.CharField(required=False)
    due_explanation = serializers.JSONField(required=False)
    timeline = serializers.ListField(child=serializers.DictField(), required=False)


class DossierFileApi(APIView):
    """Online filing (status 1): multipart with `component_<id>` files."""

    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="dossiers_file",
        request=FilingIn,
        responses={201: FilingOut, 400: ERROR_SCHEMA, 429: ERROR_SCHEMA},
    )
    def post(self, request):
        if filing_limited(request):
            raise exceptions.Throttled(
                detail=_("Đã nộp quá nhiều hồ sơ từ địa chỉ này. Vui lòng thử lại sau.")
            )
        data = FilingIn(data=request.data)
        data.is_valid(raise_exception=True)
        procedure = Procedure.objects.current().filter(pk=data.validated_data["procedure"]).first()
        if procedure is None:
            raise serializers.ValidationError({"procedure": [_("Không tìm thấy thủ tục.")]})
        try:
            dossier, secret = services.dossier_file_online(
                procedure=procedure,
                applicant=data.validated_data["applicant"],
                files=request.FILES,
                agency=site_agency(),
                owner=request.user,
                notify=filing_notice_allowed(request, data.validated_data["applicant"].email),
            )
        except DjangoValidationError as error:
            _raise(error)
        return Response(
            FilingOut({"code": dossier.code, "secret": secret, "status": dossier.status}).data,
            status=201,
        )


class DossierLookupApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        parameters=[
            OpenApiParameter("code", str, required=True),
            OpenApiParameter("secret", str, description="Mã tra cứu hoặc số điện thoại"),
        ],
        responses={200: LookupOut, 404: ERROR_SCHEMA, 429: ERROR_SCHEMA},
    )
    def get(self, request):
        code = request.query_params.get("code", "")[:40]
        secret = request.query_params.get("secret", "")[:20]
        # Every lookup counts, found or not (codes are sequential).
        ratelimits.check_api(request, "dossier-lookup", LOOKUP_FLOOD)
        dossier = selectors.lookup(code) if code else None
        details = dossier is not None and selectors.may_see_details(dossier, secret)
        if dossier is None or (secret and not details):
            if dossier is None:
                raise exceptions.NotFound(_("Không tìm thấy hồ sơ có mã này."))
            raise exceptions.PermissionDenied(
                _("Mã tra cứu hoặc số điện thoại không khớp với hồ sơ.")
            )
        body = selectors.public_status(dossier)
        if not details:
            data = LookupOut(body).data
            cache.set(
                selectors.lookup_cache_key(dossier.code),
                json.dumps(data).encode(),
                selectors.LOOKUP_TTL,
            )
            return Response(data)
        body["details"] = True
        if details:
            body["applicant_name"] = dossier.applicant_name
            body["timeline"] = [
                entry | {"at": entry["at"].isoformat()} for entry in selectors.timeline(dossier)
            ]
        data = LookupOut(body).data
        cache.set(
            selectors.lookup_cache_key(dossier.code, full=True),
            {
                "secret_hash": dossier.secret_hash,
                "phone": dossier.applicant_phone,
                "body": json.dumps(data).encode(),
            },
            selectors.LOOKUP_TTL,
        )
        return Response(data)


class DossierActionIn(serializers.Serializer):
    """The fields of the actions (documentation; the input is validated by the same form as
    on the detail page, see `services.FLOW`)."""

    reason = serializers.CharField(required=False, help_text="refuse, withdraw, stop, send-back")
    items = serializers.CharField(required=False, help_text="request-supplement")
    late_reason = serializers.CharField(required=False, help_text="request-supplement")
    note = serializers.CharField(required=False, help_text="hand-over, assign")
    result_text = serializers.CharField(required=False, help_text="decide")
    result_file = serializers.FileField(required=False, help_text="decide (multipart)")
    new_due_at = serializers.DateTimeField(required=False, help_text="apologise")
    amount = serializers.DecimalField(
        required=False, max_digits=14, decimal_places=0, help_text="require-fees"
    )
    to_user = serializers.IntegerField(required=False, help_text="hand-over, assign: officer id")
    to_step = serializers.IntegerField(
        required=False, help_text="hand-over (over optional steps only), send-back: step id"
    )
    step = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="hand-over, assign, send-back, decide: the step id the officer saw",
    )
    version = serializers.IntegerField(
        required=False, help_text="hand-over, assign, send-back, decide: the version seen"
    )


class DossierStepOut(serializers.Serializer):
    """The step a dossier is at (its own schema component: procedures.api has a StepOut)."""

    id = serializers.IntegerField()
    order = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField(allow_null=True)
    role = serializers.CharField()
    role_label = serializers.CharField()
    optional = serializers.BooleanField()
    is_decision = serializers.BooleanField()


class DossierDetailOut(DossierOut):
    version = serializers.IntegerField()
    step = DossierStepOut(allow_null=True)
    current_unit = serializers.CharField(allow_null=True)
    current_handler = serializers.CharField(allow_null=True)
    actions = TransitionOut(many=True)
    blocked = serializers.CharField(help_text="why the person cannot move it on, if so")


def _step(step):
    if step is None:
        return None
    return {
        "id": step.pk,
        "order": step.order,
        "name": step.name,
        "unit": step.unit.name if step.unit_id else None,
        "role": step.role,
        "role_label": step.get_role_display() if step.role else "",
        "optional": step.optional,
        "is_decision": step.is_decision,
    }


def detail_body(user, dossier) -> dict:
    from cchc.dossiers.views import blocked_reason

    body = DossierOut(dossier).data | {
        "version": dossier.version,
        "step": _step(dossier.current_step),
        "current_unit": dossier.current_unit.name if dossier.current_unit_id else None,
        "current_handler": dossier.current_handler.display_name
        if dossier.current_handler_id
        else None,
        "actions": [
            {"slug": t.slug, "label": str(t.label)} for t in services.FLOW.available(user, dossier)
        ],
        "blocked": blocked_reason(user, dossier),
    }
    return body  # the shape of DossierDetailOut (DossierOut's fields already serialised)


class DossierDetailApi(APIView):
    """One dossier for staff: its step, version and the actions the person may take now."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="dossiers_detail", responses={200: DossierDetailOut})
    def get(self, request, code):
        require_staff(request.user)
        dossier = selectors.get_dossier_for_user(request.user, code)
        return Response(detail_body(request.user, dossier))


class DossierActionApi(APIView):
    """Staff transitions, one slug each (the same as on the pages): see `services.FLOW`.
    A hand-over, assignment, send-back or decision names the `step` and `version` seen; a
    dossier that has moved on since gets 409."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @transition_schema(
        services.FLOW,
        request=DossierActionIn,
        response=DossierDetailOut,
        operation_id="dossiers_action",
    )
    def post(self, request, code, action):
        from cchc.dossiers.views import action_form, run_action

        require_staff(request.user)
        dossier = selectors.get_dossier_for_user(request.user, code)
        if action not in services.FLOW:
            raise exceptions.NotFound()
        form = action_form(dossier, action, data=request.data, files=request.FILES)
        if form is not None and not form.is_valid():
            raise serializers.ValidationError(
                {k: [str(m) for m in v] for k, v in form.errors.items()}
            )
        try:
            run_action(action, request.user, dossier, form.cleaned_data if form else {})
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error) or None) from None
        except DjangoValidationError as error:
            _raise(error)
        dossier = Dossier.objects.select_related(
            "procedure", "current_step__unit", "current_unit", "current_handler"
        ).get(pk=dossier.pk)
        return Response(detail_body(request.user, dossier), status=status.HTTP_200_OK)


class SupplementIn(serializers.Serializer):
    secret = serializers.CharField(max_length=20)


class DossierSupplementApi(APIView):
    """The applicant sends the requested supplement: the lookup secret and `component_<id>`
    files (multipart). Wrong secrets count towards the lookup rate limit."""

    permission_classes = [AllowAny]
    authentication_classes = []
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="dossiers_supplement",
        request=SupplementIn,
        responses={
            200: LookupOut,
            400: ERROR_SCHEMA,
            403: ERROR_SCHEMA,
            404: ERROR_SCHEMA,
            429: ERROR_SCHEMA,
        },
    )
    def post(self, request, code):
        ratelimits.check_api(request, "dossier-resubmit")
        ratelimits.check_api(request, "dossier-lookup", LOOKUP_FLOOD)
        data = SupplementIn(data=request.data)
        data.is_valid(raise_exception=True)
        # The same answer for an unknown code and a wrong secret: no guessing which exist.
        found = selectors.lookup(code)
        if found is None or not found.secret_matches(data.validated_data["secret"]):
            raise exceptions.PermissionDenied(WRONG_CODE_OR_SECRET)
        dossier = selectors.awaiting_supplement(code)
        if dossier is None:
            raise exceptions.NotFound(_("Hồ sơ không ở trạng thái chờ bổ sung."))
        try:
            dossier = services.dossier_supplement(dossier=dossier, files=request.FILES)
        except DjangoValidationError as error:
            _raise(error)
        return Response(LookupOut(selectors.public_status(dossier)).data)


class QueuePagination(PageNumberPagination):
    """The project's page-number pagination with the queue's page size; a bad page number is
    a 400 naming the `page` parameter, like a bad filter value."""

    page_size = PAGE_SIZE
    page_query_description = gettext_lazy("Số trang (từ 1), mỗi trang %(n)d hồ sơ.") % {
        "n": PAGE_SIZE
    }
    invalid_page_message = gettext_lazy("Không có trang này.")

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise serializers.ValidationError({"page": [_("Số trang không hợp lệ.")]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as error:
            raise serializers.ValidationError({"page": [str(error.detail)]}) from None

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["counts"] = COUNTS_SCHEMA
        paginated["required"] = [*paginated["required"], "counts"]
        return paginated


COUNTS_SCHEMA = {
    "type": "object",
    "description": "Với mỗi bộ lọc: các lựa chọn và số hồ sơ của từng lựa chọn (các bộ lọc khác "
    "đang chọn vẫn áp dụng).",
    "properties": {
        name: {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "value": {"type": "string"},
                    "label": {"type": "string"},
                    "count": {"type": "integer"},
                },
                "required": ["value", "label", "count"],
            },
        }
        for name in selectors.QUEUE_FACETS
    },
    "required": list(selectors.QUEUE_FACETS),
}


class DossierListApi(generics.ListAPIView):
    """The staff queue: the dossiers the person may see, filtered like the queue page, with
    the counts per filter option."""

    permission_classes = [IsAuthenticated]
    serializer_class = DossierOut
    filter_backends = [DjangoFilterBackend]
    filterset_class = QueueFilter
    pagination_class = QueuePagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Dossier.objects.none()
        require_staff(self.request.user)
        return selectors.queue_scope(self.request.user)

    @extend_schema(responses={200: DossierOut(many=True), 400: ERROR_SCHEMA})
    def get(self, request, *args, **kwargs):
        response = self.list(request, *args, **kwargs)
        filterset = QueueFilter(
            request.query_params, queryset=Dossier.objects.none(), request=request
        )
        filterset.is_valid()  # already validated by the filter backend
        response.data["counts"] = selectors.queue_counts(request.user, filterset.values)
        return response


class StatisticsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("start", str), OpenApiParameter("end", str)],
        responses={200: dict, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA},
    )
    def get(self, request):
        agency = _stats_agency(request.user)
        try:
            start, end = statistics.parse_period(
                request.query_params.get("start", ""),
                request.query_params.get("end", ""),
                today=timezone.localdate(),
            )
        except statistics.PeriodError as error:
            raise serializers.ValidationError({error.field: [str(error)]}) from None
        try:
            index, index_message = statistics.index_766(agency, start, end), ""
        except statistics.IndexVersionMissing as missing:
            index, index_message = [], str(missing)
        return Response(
            {
                "summary": statistics.summary(agency, start, end),
                "by_month": statistics.by_month(agency, start, end),
                "by_procedure": statistics.by_procedure(agency, start, end),
                "index_766": index,
                "index_766_message": index_message,
            }
        )


_lookup_api = DossierLookupApi.as_view()


def cached_lookup(request) -> bytes | None:
    """The answer already given to this lookup (filled by the API view, cleared by every
    transition of the dossier), the details only when the secret or phone matches; counted
    against the lookup limit. None: the API view must answer (failures included)."""
    code = request.GET.get("code", "")[:40]
    secret = request.GET.get("secret", "")[:20]
    if request.method != "GET" or not code:
        return None
    if secret:
        entry = cache.get(selectors.lookup_cache_key(code, full=True))
        matches = entry is not None and selectors.credentials_match(
            secret, entry["secret_hash"], entry["phone"]
        )
        cached = entry["body"] if matches else None
    else:
        cached = cache.get(selectors.lookup_cache_key(code))
    # Counted once per request: the API view below sees this count (ratelimits.limited).
    if cached is not None and not ratelimits.limited(request, "dossier-lookup"):
        return cached
    return None


@csrf_exempt
def lookup_view(request, *args, **kwargs):
    cached = cached_lookup(request)
    if cached is not None:
        return HttpResponse(cached, content_type="application/json")
    return _lookup_api(request, *args, **kwargs)


# drf-spectacular documents the wrapped API view.
lookup_view.cls = _lookup_api.cls
lookup_view.initkwargs = _lookup_api.initkwargs


class MyDossierFormOut(serializers.Serializer):
    code = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(help_text="PDF, for the owner only")


class MyDossierAskOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["supplement", "fees", "result"])
    text = serializers.CharField()


class MyDossierOut(DossierOut):
    asks = MyDossierAskOut(many=True, help_text="what the applicant has to do now")
    forms = MyDossierFormOut(many=True, help_text="the forms the applicant may download")


class ClaimIn(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    secret = serializers.CharField(max_length=20)


def _my_dossier(dossier) -> dict:
    from django.urls import reverse

    dossier.asks = selectors.asked_of_applicant(dossier)
    dossier.forms = [
        form
        | {"url": reverse("dossiers:my-dossier-form", args=[dossier.code, form["code"], "pdf"])}
        for form in selectors.applicant_forms(dossier)
    ]
    return MyDossierOut(dossier).data


class MyDossiersApi(APIView):
    """\"My dossiers\": GET lists the signed-in person's own dossiers (filed online while
    signed in, or claimed); POST claims one with its code and lookup secret (403 alike for an
    unknown code and a wrong secret, 409 when it is in another account's list, 429 over the
    limit of secrets tried)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="dossiers_mine_list", responses={200: MyDossierOut(many=True)})
    def get(self, request):
        return Response([_my_dossier(d) for d in selectors.dossiers_owned_by(request.user)])

    @extend_schema(
        operation_id="dossiers_mine_claim",
        request=ClaimIn,
        responses={
            200: MyDossierOut,
            400: ERROR_SCHEMA,
            403: ERROR_SCHEMA,
            409: ERROR_SCHEMA,
            429: ERROR_SCHEMA,
        },
    )
    def post(self, request):
        from cchc.dossiers.citizen_views import claim_limited

        if claim_limited(request):
            raise exceptions.Throttled(detail=ratelimits.default_message())
        data = ClaimIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            dossier, _added = services.dossier_claim(user=request.user, **data.validated_data)
        except DjangoPermissionDenied:
            raise exceptions.PermissionDenied(WRONG_CODE_OR_SECRET) from None
        except DjangoValidationError as error:
            _raise(error)
        dossier = selectors.get_owned_dossier(request.user, dossier.code)  # with prefetches
        return Response(_my_dossier(dossier))
