"""The endpoint the national portal pushes dossiers to: POST /api/v1/dvcqg/ho-so.

No session and no CSRF: the caller is authenticated by the HMAC signature of the body
(`inbound.authenticate`). Replies are the contract's envelope: `error_code` 0 created, 1 received
before (both HTTP 200, with the local code), -1 refused, with the project's `errors` list."""

import logging
import time

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.core import ratelimits
from cchc.core.files import MB, limit
from cchc.nationalportal import inbound

logger = logging.getLogger(__name__)

_ERROR = inline_serializer(
    "DvcqgInboundError",
    {
        "error_code": serializers.IntegerField(),
        "message": serializers.CharField(),
        "errors": serializers.ListField(
            child=inline_serializer(
                "DvcqgInboundErrorItem",
                {
                    "field": serializers.CharField(allow_null=True),
                    "message": serializers.CharField(),
                },
            )
        ),
    },
)
_REPLY = inline_serializer(
    "DvcqgInboundReply",
    {
        "error_code": serializers.IntegerField(),
        "message": serializers.CharField(),
        "result": inline_serializer(
            "DvcqgInboundResult",
            {
                "MaHoSo": serializers.CharField(),
                "MaHoSoDonVi": serializers.CharField(),
                "MaTraCuu": serializers.CharField(
                    help_text="Mã bí mật tra cứu của người nộp (trên trang tra cứu của hệ thống)"
                ),
            },
        ),
    },
)


def _refused(status: int, errors: list) -> Response:
    return Response(
        {"error_code": -1, "message": errors[0]["message"], "errors": errors}, status=status
    )


class InboundDossierView(APIView):
    authentication_classes = []  # the signature is the authentication: no session, no CSRF
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Nhận hồ sơ nộp trên Cổng Dịch vụ công quốc gia",
        description=(
            "Thân: JSON theo cchc/nationalportal/schemas/inbound-dossier.json. Ký bằng "
            "HMAC-SHA256 với khóa bí mật dùng chung trên chuỗi `<X-DVCQG-Timestamp>.<thân>`."
        ),
        parameters=[
            OpenApiParameter(
                "X-DVCQG-Timestamp",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="Thời điểm ký yyyyMMddHHmmss, giờ Việt Nam, lệch tối đa 300 giây",
            ),
            OpenApiParameter(
                "X-DVCQG-Signature",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="sha256=<hex>",
            ),
        ],
        request=OpenApiTypes.OBJECT,
        responses={
            200: _REPLY,
            400: _ERROR,
            401: _ERROR,
            413: _ERROR,
            422: _ERROR,
            429: _ERROR,
            503: _ERROR,
        },
    )
    def post(self, request):
        ratelimits.check_api(request, "dvcqg-inbound")
        secret = getattr(settings, "DVCQG_INBOUND_SECRET", "")
        if not secret:
            return _refused(
                503,
                [
                    {
                        "field": None,
                        "message": _(
                            "Chưa bật nhận hồ sơ từ Cổng DVCQG: chưa cấu hình khóa bí mật "
                            "DVCQG_INBOUND_SECRET."
                        ),
                    }
                ],
            )
        # Read past DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): base64 files make larger bodies; the
        # whole body is still capped by RequestSizeLimitMiddleware (UPLOAD_LIMITS["request"]).
        cap = limit("request")
        raw = request._request.read(cap + 1)
        if len(raw) > cap:
            return _refused(
                413,
                [
                    {
                        "field": None,
                        "message": _("Dữ liệu gửi lên quá lớn; tối đa %(max)d MB mỗi lần gửi.")
                        % {"max": cap // MB},
                    }
                ],
            )
        try:
            inbound.authenticate(
                secret=secret,
                timestamp=request.headers.get("X-DVCQG-Timestamp", ""),
                signature=request.headers.get("X-DVCQG-Signature", ""),
                body=raw,
            )
        except inbound.InboundError as error:
            # Unauthenticated: only the application log (never the body: personal data).
            logger.warning("DVCQG push refused (%s): %s", error.status, error.errors)
            return _refused(error.status, error.errors)
        started = time.monotonic()
        try:
            dossier, created = inbound.receive(raw)
        except inbound.InboundError as error:
            logger.warning("DVCQG push refused (%s): %s", error.status, error.errors)
            response = _refused(error.status, error.errors)
            inbound.log_push(
                raw,
                response.data,
                error=error.errors[0]["message"],
                duration_ms=int((time.monotonic() - started) * 1000),
            )
            return response
        result = {"MaHoSo": dossier.national_code, "MaHoSoDonVi": dossier.code}
        lookup_secret = inbound.lookup_secret(dossier.national_code)
        if dossier.secret_matches(lookup_secret):  # not after a change of SECRET_KEY
            result["MaTraCuu"] = lookup_secret
        reply = {
            "error_code": 0 if created else 1,
            "message": f"{dossier.national_code}|{dossier.code}",
            "result": result,
        }
        logged = {
            **reply,
            "result": {**result, "MaTraCuu": "***"} if "MaTraCuu" in result else result,
        }
        inbound.log_push(
            raw, logged, dossier=dossier, duration_ms=int((time.monotonic() - started) * 1000)
        )
        return Response(reply)
