import math

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from cchc.core import selectors, twofactor
from cchc.core.forms import DueDateForm, LoginForm, OTPCodeForm
from cchc.core.workcalendar import CalendarError, calendar


def home(request):
    return render(request, "core/home.html")


@require_safe
def glossary(request):
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.abbreviation_list(query), 100).get_page(request.GET.get("page"))
    return render(request, "core/glossary.html", {"page": page, "query": query})


@require_safe
def due_calculator(request):
    """Public due-date calculator: the same clock the one-stop desk uses, with its explanation."""
    form = DueDateForm(request.GET or None)
    result, error = None, None
    if form.is_bound and form.is_valid():
        try:
            result = calendar().add(
                form.cleaned_data["start"], form.cleaned_data["days"], form.cleaned_data["unit"]
            )
        except CalendarError as exc:
            error = str(exc)
    template = "core/calendar.html#result" if request.htmx else "core/calendar.html"
    return render(request, template, {"form": form, "result": result, "error": error})


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable", "database": False}, status=503)
    return JsonResponse({"status": "ok", "database": True})


def hello(request):
    return HttpResponse("hello")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self):
        return safe_next(self.request)

    def form_valid(self, form):
        response = super().form_valid(form)
        step = twofactor.pending_step(self.request)
        if step is not None:
            return redirect(twofactor.step_url(step, self.get_success_url()))
        return response


def lockout(request, original_response=None, credentials=None, *args, **kwargs):
    """django-axes calls this when a username+IP pair is locked: the login page, in Vietnamese,
    with 429. The same for a known and an unknown username (the lock does not look them up)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    message = _(
        "Bạn đã đăng nhập sai quá %(limit)s lần. Việc đăng nhập bằng tên này từ địa chỉ của bạn "
        "tạm khóa trong %(minutes)s phút. Vui lòng thử lại sau hoặc liên hệ quản trị hệ thống."
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": settings.AXES_COOLOFF_MINUTES}
    form = LoginForm(request, initial={"username": username[:150]})
    next_url = safe_next(request)
    response = render(
        request,
        "registration/login.html",
        {"form": form, "next": next_url, "lockout_message": message},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(settings.AXES_COOLOFF_MINUTES * 60)
    return response


def safe_next(request) -> str:
    """The ?next= (or posted next) page when it is a safe local path, else "".

    Only a path on this site ("/…", never "//host" or "/\\host", no scheme) counts, so that
    redirect() never takes a bare word for a URL name (500) and never leaves the site; and
    never a sign-in step itself, which would send a signed-in person round in a loop."""
    candidate = request.POST.get("next") or request.GET.get("next", "")
    if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return ""
    if not url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return ""
    steps = (reverse("login"), reverse("core:otp_verify"), reverse("core:otp_enrol"))
    if candidate.split("?", 1)[0] in steps:
        return ""
    return candidate


def _next_url(request) -> str:
    return safe_next(request) or reverse(settings.LOGIN_REDIRECT_URL)


def _throttle_message(device) -> str | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (info or {}).get("locked_until")
    seconds = (
        max(1, math.ceil((locked_until - timezone.now()).total_seconds())) if locked_until else 1
    )
    return _("Bạn vừa nhập sai mã. Vui lòng chờ %(seconds)s giây rồi thử lại.") % {
        "seconds": seconds
    }


def _check_code(form, device) -> tuple[bool, int]:
    """(accepted, status) for a submitted code: 429 while django-otp's back-off holds."""
    throttled = _throttle_message(device)
    if throttled:
        form.add_error("code", throttled)
        return False, 429
    return device.verify_token(form.cleaned_data["code"]), 200


def _mark_verified(request, device) -> None:
    django_otp.login(request, device)
    request.session.cycle_key()  # a new session id for the now fully signed-in session
    request.session.pop(twofactor.FAILURES_SESSION_KEY, None)


@never_cache
@login_required
def otp_verify(request):
    """Second step of sign-in: the 6-digit code from the person's authenticator app."""
    next_url = _next_url(request)
    step = twofactor.pending_step(request, fresh=True)
    device = twofactor.confirmed_device(request.user) if step == twofactor.VERIFY else None
    if device is None:
        return redirect(twofactor.step_url(step, next_url) if step else next_url)
    form = OTPCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        accepted, status = _check_code(form, device)
        if accepted:
            _mark_verified(request, device)
            return redirect(next_url)
        if status == 200:  # a wrong code (not a throttled attempt)
            failures = request.session.get(twofactor.FAILURES_SESSION_KEY, 0) + 1
            if failures >= settings.OTP_MAX_ATTEMPTS:
                logout(request)
                messages.error(
                    request,
                    _("Bạn đã nhập sai mã xác thực quá nhiều lần. Vui lòng đăng nhập lại."),
                )
                return redirect("login")
            request.session[twofactor.FAILURES_SESSION_KEY] = failures
            form.add_error(
                "code",
                _("Mã xác thực không đúng. Vui lòng thử lại (còn %(left)s lần).")
                % {"left": settings.OTP_MAX_ATTEMPTS - failures},
            )
    return render(request, "core/otp_verify.html", {"form": form, "next": next_url}, status=status)


@never_cache
@login_required
def otp_enrol(request):
    """Set up an authenticator app: QR code and key, then one code to confirm it works."""
    next_url = _next_url(request)
    if twofactor.confirmed_device(request.user) is not None:
        if twofactor.pending_step(request, fresh=True) == twofactor.VERIFY:
            return redirect(twofactor.step_url(twofactor.VERIFY, next_url))
        return redirect("core:otp_devices")
    device = twofactor.enrolment_device(request.user)
    form = OTPCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        accepted, status = _check_code(form, device)
        if accepted:
            twofactor.device_confirm(request=request, device=device)
            _mark_verified(request, device)
            messages.success(request, _("Đã thiết lập xác thực hai bước."))
            return redirect(next_url)
        if status == 200:  # a wrong code (not a throttled attempt)
            form.add_error(
                "code",
                _(
                    "Mã xác thực không đúng. Hãy kiểm tra đồng hồ của điện thoại và nhập mã "
                    "đang hiển thị."
                ),
            )
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": twofactor.qr_svg(device),
        "secret": twofactor.secret_text(device),
        "required": twofactor.role_requires_two_factor(request.user),
    }
    return render(request, "core/otp_enrol.html", context, status=status)


@never_cache
@login_required
def otp_devices(request):
    """The person's own authenticator devices: see them, remove one."""
    devices = TOTPDevice.objects.filter(user=request.user, confirmed=True).order_by("pk")
    if request.method == "POST":
        device_id = request.POST.get("device", "")
        if not device_id.isdigit():
            messages.error(request, _("Không tìm thấy thiết bị."))
            return redirect("core:otp_devices")
        device = get_object_or_404(devices, pk=int(device_id))
        twofactor.device_remove(request=request, device=device)
        messages.success(request, _("Đã gỡ thiết bị xác thực."))
        return redirect("core:otp_devices")
    context = {
        "devices": devices,
        "required": twofactor.role_requires_two_factor(request.user),
    }
    return render(request, "core/otp_devices.html", context)


def _api_error(request, status: int, message: str):
    """Under /api/ an error answers in the API's JSON shape, not with an HTML page."""
    return JsonResponse({"errors": [{"field": None, "message": message}]}, status=status)


def bad_request(request, exception=None):
    """400 in Vietnamese: a page, or {"errors": [...]} under /api/ (Django's own page is an
    English one-liner). Reached for a request Django refuses before any view: too many fields
    or files, fields larger than DATA_UPLOAD_MAX_MEMORY_SIZE, a broken multipart body."""
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
    from django.utils.translation import gettext as _

    if isinstance(exception, RequestDataTooBig):
        message = _("Dữ liệu gửi lên quá lớn (các ô nhập vượt giới hạn cho phép).")
    elif isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        message = _("Biểu mẫu gửi lên có quá nhiều trường hoặc quá nhiều tệp.")
    else:
        message = _("Yêu cầu không hợp lệ, không xử lý được. Vui lòng kiểm tra lại dữ liệu gửi.")
    if request.path.startswith("/api/"):
        return _api_error(request, 400, message)
    return render(request, "400.html", {"message": message}, status=400)


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return _api_error(request, 404, _("Không tìm thấy."))
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return _api_error(request, 500, _("Lỗi máy chủ, xin thử lại sau."))
    return defaults.server_error(request)
