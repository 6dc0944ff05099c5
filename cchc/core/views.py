from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
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


def _api_error(request, status: int, message: str):
    """Under /api/ an error answers in the API's JSON shape, not with an HTML page."""
    return JsonResponse({"errors": [{"field": None, "message": message}]}, status=status)


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return _api_error(request, 404, _("Không tìm thấy."))
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return _api_error(request, 500, _("Lỗi máy chủ, xin thử lại sau."))
    return defaults.server_error(request)
