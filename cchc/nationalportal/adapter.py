"""The transport to the national side: an adapter in front of DVCQG (contract §2).

Everything deployment-specific is a setting (docs/dvcqg.md, "Settings"): the adapter URL, the
login, `dstcode`, `madonvi`, the envelope and the service names. The default "opencps"
envelope logs in with `{username, password}` → `{error_code: 0, session}`, then posts
`{session, madonvi, service, …fields}` and reads `{error_code, message, result}`.
"""

import threading

import requests
from django.conf import settings
from django.utils.translation import gettext as _

SESSION_REFUSED = {"401", "-401"}  # error_code of a refused session: log in again, once

_local = threading.local()


class AdapterError(Exception):
    """A call that did not succeed, with a Vietnamese message for the sync log and pages."""

    def __init__(self, message: str, *, reply: dict | None = None, retryable: bool = True):
        super().__init__(message)
        self.message = message
        self.reply = reply
        self.retryable = retryable


def service_name(service: str) -> str:
    return settings.DVCQG_SERVICE_NAMES.get(service, service)


def _headers() -> dict:
    headers = {"Content-Type": "application/json", "Charset": "utf-8"}
    if settings.DVCQG_DSTCODE:
        headers["dstcode"] = settings.DVCQG_DSTCODE
    return headers


def _post(url: str, body: dict) -> dict:
    if not settings.DVCQG_ADAPTER_URL:
        raise AdapterError(_("Chưa cấu hình địa chỉ kết nối Cổng DVCQG (DVCQG_ADAPTER_URL)."))
    try:
        response = requests.post(url, json=body, headers=_headers(), timeout=settings.DVCQG_TIMEOUT)
    except requests.Timeout:
        raise AdapterError(
            _("Cổng DVCQG không trả lời trong %(s)s giây.") % {"s": settings.DVCQG_TIMEOUT}
        ) from None
    except requests.RequestException as error:
        raise AdapterError(
            _("Không kết nối được Cổng DVCQG: %(e)s") % {"e": type(error).__name__}
        ) from None
    if response.status_code >= 400:
        raise AdapterError(_("Cổng DVCQG trả lỗi HTTP %(code)s.") % {"code": response.status_code})
    try:
        reply = response.json()
    except ValueError:
        raise AdapterError(_("Cổng DVCQG trả nội dung không phải JSON.")) from None
    if not isinstance(reply, dict):
        raise AdapterError(_("Cổng DVCQG trả nội dung không đúng khuôn dạng."))
    return reply


def _ok(reply: dict) -> bool:
    return str(reply.get("error_code")) == "0"


def login() -> str:
    reply = _post(
        settings.DVCQG_ADAPTER_URL + settings.DVCQG_AUTH_ENDPOINT,
        {"username": settings.DVCQG_USERNAME, "password": settings.DVCQG_PASSWORD},
    )
    session = reply.get("session")
    if not _ok(reply) or not isinstance(session, str) or not session:
        raise AdapterError(
            _("Đăng nhập Cổng DVCQG không thành công: %(m)s") % {"m": reply.get("message", "")},
            reply=reply,
        )
    _local.session = session
    return session


def forget_session() -> None:
    _local.session = None


def _session() -> str:
    return getattr(_local, "session", None) or login()


def _call(endpoint: str, service: str, fields: dict, madonvi: str = "") -> dict:
    url = settings.DVCQG_ADAPTER_URL + endpoint
    for attempt in (1, 2):
        body = request_body(service, fields, madonvi)
        if settings.DVCQG_ENVELOPE == "opencps":  # "plain": the gateway authenticates
            body = {"session": _session(), **body}
        reply = _post(url, body)
        if str(reply.get("error_code")) in SESSION_REFUSED and attempt == 1:
            forget_session()  # expired or revoked: log in again, once
            continue
        if not _ok(reply):
            raise AdapterError(
                _("Cổng DVCQG từ chối %(s)s (mã %(c)s): %(m)s")
                % {"s": service, "c": reply.get("error_code"), "m": reply.get("message", "")},
                reply=reply,
            )
        return reply
    raise AdapterError(_("Cổng DVCQG không chấp nhận phiên đăng nhập."))  # pragma: no cover


def call(service: str, fields: dict, *, madonvi: str = "") -> dict:
    """A business call on the integration endpoint; the whole reply (error_code 0)."""
    return _call(settings.DVCQG_INTEGRATION_ENDPOINT, service, fields, madonvi)


def share_call(service: str, fields: dict, *, madonvi: str = "") -> dict:
    """A call on the share endpoint (shared catalogues: LayDanhSachTTHC, LayDanhMucCoQuan…)."""
    return _call(settings.DVCQG_SHARE_ENDPOINT, service, fields, madonvi)


def request_body(service: str, fields: dict, madonvi: str = "") -> dict:
    """The body as sent, without the session (what the sync log stores)."""
    return {
        "madonvi": settings.DVCQG_MADONVI or madonvi,
        "service": service_name(service),
        **fields,
    }
