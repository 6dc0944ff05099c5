"""PAKN API: file a petition, read published answers and the public counters; staff read a
petition with the actions they may take now and take them (see `services.FLOW`)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.core import ratelimits
from cchc.core.api import ERROR_SCHEMA, TransitionOut, transition_schema
from cchc.core.selectors import site_agency
from cchc.core.text import search_query
from cchc.feedback import selectors, services
from cchc.feedback.models import Petition


class PetitionIn(serializers.Serializer):
    sender_name = serializers.CharField(max_length=160)
    sender_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    sender_email = serializers.EmailField(required=False, allow_blank=True)
    sender_address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    subject = serializers.CharField(max_length=255)
    content = serializers.CharField(max_length=5000)
    procedure_code = serializers.CharField(max_length=50, required=False, allow_blank=True)
    procedure_name = serializers.CharField(max_length=500, required=False, allow_blank=True)
    consent_to_publish = serializers.BooleanField(required=False, default=False)
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=services.MAX_ATTACHMENTS
    )
    website = serializers.CharField(required=False, allow_blank=True, help_text="Để trống.")


class PetitionOut(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Petition
        fields = ["code", "status", "status_label", "received_at", "triage_due_at", "due_at"]


class AnswerOut(serializers.ModelSerializer):
    class Meta:
        model = Petition
        fields = [
            "code",
            "subject",
            "content",
            "procedure_code",
            "procedure_name",
            "answer",
            "received_at",
            "answered_at",
            "published_at",
        ]


class CountersOut(serializers.Serializer):
    received = serializers.IntegerField()
    answered = serializers.IntegerField()
    in_process = serializers.IntegerField()
    refused = serializers.IntegerField()
    forwarded = serializers.IntegerField()
    overdue = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    rule = serializers.CharField()


class PetitionCreate(APIView):
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=PetitionIn, responses={201: PetitionOut, 400: ERROR_SCHEMA, 429: ERROR_SCHEMA}
    )
    def post(self, request):
        agency = site_agency()
        if agency is None:
            raise Http404
        ratelimits.check_api(request, "petition")
        data = request.data
        if hasattr(data, "getlist"):  # multipart: several files under one name
            data = {k: data.get(k) for k in data if k != "attachments"}
            data["attachments"] = request.FILES.getlist("attachments")
        incoming = PetitionIn(data=data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        if values.pop("website", ""):
            raise serializers.ValidationError({"website": _("Trường này phải để trống.")})
        try:
            petition = services.petition_submit(
                agency=agency, channel=Petition.Channel.API, **values
            )
        except DjangoValidationError as exc:
            detail = (
                exc.message_dict if hasattr(exc, "error_dict") else {"attachments": exc.messages}
            )
            raise serializers.ValidationError(detail) from None
        return Response(PetitionOut(petition).data, status=status.HTTP_201_CREATED)


class AnswerList(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = AnswerOut

    def get_queryset(self):
        return selectors.published_answers(search_query(self.request.query_params.get("q")))


class Counters(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: CountersOut})
    def get(self, request):
        summary = selectors.summary(site_agency())
        rule = _(
            "Đã trả lời: đã trả lời hoặc đã công khai; đang xử lý: mới tiếp nhận hoặc đã nhận "
            "xử lý chưa trả lời; từ chối: từ chối có lý do; chuyển cơ quan khác tính riêng."
        )
        return Response(CountersOut({**summary, "rule": rule}).data)


class StaffPetitionOut(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    unit = serializers.CharField(source="unit.name", allow_null=True, default=None)
    actions = TransitionOut(many=True, read_only=True, help_text="what the person may do now")

    class Meta:
        model = Petition
        fields = [
            "code",
            "status",
            "status_label",
            "subject",
            "unit",
            "received_at",
            "triage_due_at",
            "due_at",
            "answer",
            "actions",
        ]


def staff_body(user, petition) -> dict:
    actions = [
        {"slug": t.slug, "label": str(t.label)} for t in services.FLOW.available(user, petition)
    ]
    return StaffPetitionOut(petition).data | {"actions": actions}


class PetitionActionIn(serializers.Serializer):
    """The fields of the actions (documentation; the input is validated by the same form as
    on the staff page, see `services.FLOW`)."""

    unit = serializers.IntegerField(required=False, help_text="accept (optional), assign: unit id")
    reason = serializers.CharField(required=False, help_text="refuse")
    to = serializers.CharField(required=False, help_text="forward")
    late_reason = serializers.CharField(required=False, help_text="forward")
    answer = serializers.CharField(required=False, help_text="answer")


class StaffPetitionDetail(APIView):
    """One petition for staff who may see it, with the actions the person may take now."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="feedback_petition_detail",
        responses={200: StaffPetitionOut, 404: ERROR_SCHEMA},
    )
    def get(self, request, code):
        from cchc.feedback.views import _petition_for

        return Response(staff_body(request.user, _petition_for(request, code)))


class StaffPetitionAction(APIView):
    """Staff transitions, one slug each (the same as on the staff page): 403 with the reason
    when the person may not, 409 when the petition's state does not allow it."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @transition_schema(
        services.FLOW,
        request=PetitionActionIn,
        response=StaffPetitionOut,
        operation_id="feedback_petition_action",
    )
    def post(self, request, code, action):
        from cchc.feedback.views import _petition_for, action_form, run_action

        petition = _petition_for(request, code)
        if action not in services.FLOW:
            raise exceptions.NotFound()
        form = action_form(petition, action, request.data)
        if form is not None and not form.is_valid():
            raise serializers.ValidationError(
                {k: [str(m) for m in v] for k, v in form.errors.items()}
            )
        try:
            run_action(action, request.user, petition, form.cleaned_data if form else {})
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error) or None) from None
        petition = Petition.objects.select_related("unit").get(pk=petition.pk)
        return Response(staff_body(request.user, petition))
