from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cchc.core import selectors
from cchc.core.forms import DueDateForm, LoginForm
from cchc.core.workcalendar import CalendarError, calendar


def home(request):
    return render(request, "core/home.html")


@require_GET
def glossary(request):
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.abbreviation_list(query), 100).get_page(request.GET.get("page"))
    return render(request, "core/glossary.html", {"page": page, "query": query})


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
        return JsonResponse({"errors": [{"field": None, "message": message}]}, status=400)
    return render(request, "400.html", {"message": message}, status=400)
