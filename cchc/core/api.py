"""API base: Vietnamese JSON errors {"errors": [{"field", "message"}]} and the calendar endpoint."""

import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from cchc.core.transitions import TransitionError
from cchc.core.workcalendar import CalendarError, calendar


@extend_schema_field(OpenApiTypes.STR)
class StatusField(serializers.ChoiceField):
    """A status documented as text with its values in the description: every app has a
    "status", and named enum components would collide in the schema."""


def status_field(choices, **kwargs):
    values = ", ".join(f"{c} ({label})" for c, label in choices)
    return StatusField(choices=choices, help_text=values, **kwargs)


def as_serializer_error(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


_SURROGATES = re.compile(r"[\ud800-\udfff]")


def _encodable(text: str) -> str:
    """DRF echoes a wrong choice in its message; a lone surrogate (valid JSON, "\\udc80") cannot
    be written as UTF-8, so it is shown as the replacement character instead of a 500."""
    return _SURROGATES.sub("\ufffd", text)


def _flatten(detail, field=None):
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = (
                None
                if key in ("non_field_errors", "__all__")
                else (key if field is None else f"{field}.{key}")
            )
            yield from _flatten(value, name)
    elif isinstance(detail, list):
        for item in detail:
            yield from _flatten(item, field)
    else:
        yield {
            "field": None if field is None else _encodable(str(field)),
            "message": _encodable(str(detail)),
        }


class Conflict(exceptions.APIException):
    """Not allowed from the record's current state (a declared transition refused)."""

    status_code = 409
    default_detail = gettext_lazy("Thao tác không hợp lệ với trạng thái hiện tại.")


class TransitionOut(serializers.Serializer):
    """One declared transition the person may take now (`cchc.core.transitions`)."""

    slug = serializers.CharField()
    label = serializers.CharField()


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Không tìm thấy."))
    elif isinstance(exc, PermissionDenied):
        # A refused transition names its reason (which step, which unit, who can).
        exc = exceptions.PermissionDenied(
            str(exc) or _("Bạn không có quyền thực hiện thao tác này.")
        )
    elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF"):
        # DRF's session authentication refuses a write without the CSRF token (in English).
        exc = exceptions.PermissionDenied(
            _("Thiếu hoặc sai mã bảo vệ CSRF. Vui lòng tải lại trang rồi thử lại.")
        )
    elif isinstance(exc, TransitionError):
        exc = Conflict(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        # A model or service validation error is the client's mistake: 400, never 500.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    response.data = {"errors": list(_flatten(detail))}
    return response


ERROR_SCHEMA = inline_serializer(
    "Errors",
    {
        "errors": serializers.ListField(
            child=inline_serializer(
                "Error",
                {
                    "field": serializers.CharField(allow_null=True),
                    "message": serializers.CharField(),
                },
            )
        )
    },
)


def transition_schema(flow, *, request, response, **kwargs):
    """The OpenAPI description of an endpoint that runs one of `flow`'s transitions by slug."""
    return extend_schema(
        parameters=[
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=[t.slug for t in flow])
        ],
        request=request,
        responses={
            200: response,
            400: ERROR_SCHEMA,
            403: ERROR_SCHEMA,
            404: ERROR_SCHEMA,
            409: ERROR_SCHEMA,
        },
        **kwargs,
    )


class DueQuerySerializer(serializers.Serializer):
    start = serializers.DateTimeField(
        error_messages={
            "invalid": gettext_lazy(
                "Thời điểm bắt đầu không đúng định dạng ISO 8601 (ví dụ 2026-01-05T08:00)."
            ),
            "required": gettext_lazy("Thiếu thời điểm bắt đầu."),
        }
    )
    days = serializers.DecimalField(
        max_digits=7,
        decimal_places=1,
        min_value=Decimal(0),
        max_value=Decimal(3650),
        error_messages={
            "invalid": gettext_lazy("Số ngày phải là một số."),
            "required": gettext_lazy("Thiếu số ngày."),
            "min_value": gettext_lazy("Số ngày không được âm."),
            "max_value": gettext_lazy("Số ngày không được vượt quá 3650."),
            "max_decimal_places": gettext_lazy("Số ngày chỉ được lẻ nửa ngày (ví dụ 2.5)."),
            "max_digits": gettext_lazy("Số ngày không được vượt quá 3650."),
            "max_whole_digits": gettext_lazy("Số ngày không được vượt quá 3650."),
        },
    )
    unit = serializers.ChoiceField(
        choices=["working_days", "days"],
        default="working_days",
        error_messages={"invalid_choice": gettext_lazy("Đơn vị phải là working_days hoặc days.")},
    )


class CalendarDueView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Tính hạn theo lịch làm việc",
        parameters=[
            OpenApiParameter(
                "start", str, required=True, description="Thời điểm bắt đầu, ISO 8601"
            ),
            OpenApiParameter(
                "days", float, required=True, description="Số ngày (0 đến 3650, lẻ nửa ngày)"
            ),
            OpenApiParameter("unit", str, enum=["working_days", "days"], description="Đơn vị"),
        ],
        responses={
            200: inline_serializer(
                "DueDate",
                {
                    "due": serializers.DateTimeField(),
                    "explanation": serializers.ListField(
                        child=inline_serializer(
                            "DueStep",
                            {
                                "date": serializers.DateField(allow_null=True),
                                "kind": serializers.CharField(),
                                "text": serializers.CharField(),
                            },
                        )
                    ),
                },
            ),
            400: ERROR_SCHEMA,
        },
    )
    def get(self, request):
        query = DueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            result = calendar().add(data["start"], data["days"], data["unit"])
        except CalendarError as exc:
            raise exceptions.ValidationError({"days": [str(exc)]}) from None
        return Response(
            {
                "due": result.due.isoformat(),
                "explanation": [s.as_dict() for s in result.explanation],
            }
        )


def document_common_errors(result, generator, request, public):
    """drf-spectacular post-processing hook, documenting with the project's error body:
    401 on every operation (a wrong or expired token is refused before any permission is
    looked at; endpoints that need a login answer it to anonymous callers), 404 where the
    path names an object or the list is paginated, and 415 where a request body is read."""
    errors_ref = {"$ref": "#/components/schemas/Errors"}
    if "Errors" not in result.get("components", {}).get("schemas", {}):
        return result
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            parameters = operation.get("parameters", [])
            # A page past the end, or an object that does not exist (or that the caller may
            # not see), is a 404 wherever the path names an object or the list is paginated.
            if any(
                p.get("in") == "path" or (p.get("in") == "query" and p.get("name") == "page")
                for p in parameters
            ):
                responses.setdefault(
                    "404",
                    {
                        "content": {"application/json": {"schema": errors_ref}},
                        "description": "Không tìm thấy.",
                    },
                )
            # A body in a media type the view does not parse is refused before the view runs.
            if "requestBody" in operation:
                responses.setdefault(
                    "415",
                    {
                        "content": {"application/json": {"schema": errors_ref}},
                        "description": "Kiểu dữ liệu gửi lên không được hỗ trợ.",
                    },
                )
            responses.setdefault(
                "401",
                {
                    "content": {"application/json": {"schema": errors_ref}},
                    "description": "Chưa đăng nhập hoặc mã xác thực không hợp lệ.",
                },
            )
    return result
