import contextvars
import re
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
# What a proxy's request id may look like (nginx's $request_id is 32 hex digits).
_VALID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def current_request_id() -> str:
    return _request_id.get()


def choose_request_id(request) -> str:
    from cchc.core.clientip import from_trusted_proxy

    incoming = request.headers.get("X-Request-ID", "")
    trusted = from_trusted_proxy(request) and _VALID.fullmatch(incoming)
    return incoming if trusted else uuid.uuid4().hex


class RequestIdMiddleware:
    """Gives every request an id for logs and the audit chain: the X-Request-ID header only
    when the request comes straight from a trusted proxy (CCHC_TRUSTED_PROXIES, which sets
    it itself) and the id has the strict form above; otherwise a fresh random one, so a
    client can never write its own text into the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = choose_request_id(request)
        token = _request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request.id
        return response


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is larger than settings.UPLOAD_LIMITS["request"]
    with 413 before anything reads it (Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out).
    A Vietnamese page, or {"errors": [...]} under /api/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from cchc.core.files import MB, limit

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        cap = limit("request")
        if length > cap:
            return _too_large_response(request, length, cap / MB)
        return self.get_response(request)


def _too_large_response(request, length, cap_mb):
    from django.http import HttpResponse, JsonResponse
    from django.utils.html import escape
    from django.utils.translation import gettext as _

    message = _("Dữ liệu gửi lên quá lớn (%(size).1f MB); tối đa %(max).0f MB mỗi lần gửi.") % {
        "size": length / (1024 * 1024),
        "max": cap_mb,
    }
    # The body is never read (the server discards it).
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse({"errors": [{"field": None, "message": message}]}, status=413)
    else:
        response = HttpResponse(
            f'<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            f"<title>{escape(_('Dữ liệu quá lớn'))}</title></head><body>"
            f"<h1>{escape(_('Dữ liệu quá lớn'))}</h1><p>{escape(message)}</p>"
            f'<p><a href="/">{escape(_("Về trang chủ"))}</a></p>'
            f"</body></html>",
            status=413,
            content_type="text/html; charset=utf-8",
        )
    return response
