from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cchc.core import ratelimits
from cchc.core.files import upload_response
from cchc.core.filters import filtered_page
from cchc.core.forms import add_validation_errors
from cchc.core.permissions import require_staff
from cchc.core.selectors import site_agency
from cchc.core.text import MAX_QUERY, query_error
from cchc.core.transitions import TransitionError
from cchc.feedback import selectors, services
from cchc.feedback.filters import PAGE_SIZE, StaffQueueFilter
from cchc.feedback.forms import (
    LookupForm,
    PetitionForm,
)
from cchc.feedback.models import Petition

FIELDS = (
    "sender_name",
    "sender_phone",
    "sender_email",
    "sender_address",
    "subject",
    "content",
    "procedure_code",
    "procedure_name",
    "consent_to_publish",
    "attachments",
)

PETITION_FLOOD = _lazy(
    "Địa chỉ của bạn đã gửi quá nhiều phản ánh, kiến nghị trong thời gian ngắn. "
    "Vui lòng thử lại sau hoặc gọi điện cho cơ quan."
)


@require_http_methods(["GET", "HEAD", "POST"])
def petition_create(request):
    agency = site_agency()
    if agency is None:
        raise Http404
    form = PetitionForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if ratelimits.limited(request, "petition"):
            return ratelimits.too_many_page(request, PETITION_FLOOD)
        if form.is_bot():
            return render(request, "feedback/submitted.html", {"petition": None})
        if form.is_valid():
            try:
                petition = services.petition_submit(
                    agency=agency, **{k: form.cleaned_data[k] for k in FIELDS}
                )
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                return render(request, "feedback/submitted.html", {"petition": petition})
    return render(request, "feedback/petition_form.html", {"form": form})


@require_safe
def petition_lookup(request):
    form = LookupForm(request.GET or None)
    petition = None
    # Codes carry a random tail; the limit keeps anyone from trying them in bulk.
    if form.is_bound and ratelimits.limited(request, "petition-lookup"):
        return ratelimits.too_many_page(request)
    if form.is_valid():
        petition = (
            Petition.objects.select_related("agency", "unit")
            .filter(code=form.cleaned_data["code"].replace("\x00", "").strip().upper())
            .first()
        )
        if petition is None:
            form.add_error("code", _("Không tìm thấy PAKN có mã này."))
    context = {"form": form, "petition": petition}
    if petition is not None:
        context.update(
            panel=selectors.lookup_panel(petition, now=timezone.now()),
            timeline=selectors.lookup_timeline(petition),
        )
    return render(request, "feedback/lookup.html", context)


@require_safe
def answer_list(request):
    query = request.GET.get("q", "").strip()
    if error := query_error(query):
        context = {"page": Paginator([], 20).page(1), "query": query[:MAX_QUERY], "error": error}
        return render(request, "feedback/answer_list.html", context, status=400)
    paginator = Paginator(selectors.published_answers(query), 20)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404(_("Không có trang này.")) from None
    return render(request, "feedback/answer_list.html", {"page": page, "query": query})


@require_safe
def answer_detail(request, code):
    petition = get_object_or_404(Petition, code=code, status=Petition.Status.PUBLISHED)
    return render(request, "feedback/answer_detail.html", {"petition": petition})


@require_safe
def counting_rule(request):
    return render(
        request, "feedback/counting_rule.html", {"counters": selectors.summary(site_agency())}
    )


@login_required
@require_safe
def staff_queue(request):
    require_staff(request.user)
    filterset = StaffQueueFilter(request.GET, queryset=selectors.staff_queue(request.user))
    page, errors = filtered_page(filterset, PAGE_SIZE, request.GET.get("page"))
    return render(
        request,
        "feedback/staff_queue.html",
        {
            "page": page,
            "errors": errors,
            "description": "" if errors else filterset.description,
            "report_filters": [
                (name, request.GET[name])
                for name in ("received_from", "received_to", "group")
                if request.GET.get(name)
            ],
            "status": request.GET.get("status", ""),
            "statuses": Petition.Status.choices,
            "now": timezone.now(),
        },
        status=400 if errors else 200,
    )


def _petition_for(request, code) -> Petition:
    require_staff(request.user)
    return get_object_or_404(
        selectors.petitions_for_user(request.user).select_related("unit", "agency"), code=code
    )


def action_form(petition, slug, *args, **kwargs):
    """The transition's form (None when it takes no input), for pages and API alike."""
    form_class = services.FLOW.form_class(slug)
    if form_class is None:
        return None
    return form_class(*args, petition=petition, auto_id=f"{slug}_%s", **kwargs)


def run_action(slug, user, petition, data: dict):
    """The one dispatch of pages and API: raises PermissionDenied or ValidationError."""
    return services.FLOW.run(slug, user, petition, data)


def _detail_context(petition, user, forms=None, error=""):
    forms = forms or {}
    actions = [
        (t.slug, forms.get(t.slug) or action_form(petition, t.slug), t.label)
        for t in services.FLOW.available(user, petition)
    ]
    return {
        "petition": petition,
        "actions": actions,
        "error": error,
        "attachments": petition.attachments.all(),
        "overdue": petition.is_open and petition.due_at and petition.due_at < timezone.now(),
    }


@login_required
@require_safe
def staff_detail(request, code):
    petition = _petition_for(request, code)
    return render(request, "feedback/staff_detail.html", _detail_context(petition, request.user))


@login_required
@require_safe
def staff_attachment_download(request, code, attachment_pk):
    """One of the petition's attachments, for staff who may see the petition (404 otherwise):
    an attachment with the sniffed type and nosniff, never a MEDIA_URL link."""
    petition = _petition_for(request, code)
    item = get_object_or_404(petition.attachments, pk=attachment_pk)
    return upload_response(item.path, filename=item.original_name, mime=item.mime)


@login_required
@require_POST
def staff_action(request, code, action):
    petition = _petition_for(request, code)
    if action not in services.FLOW:
        raise Http404
    form = action_form(petition, action, request.POST)
    error, status = "", 400
    if form is not None and not form.is_valid():
        error = _("Vui lòng sửa các lỗi trong biểu mẫu.")
    else:
        try:
            run_action(action, request.user, petition, form.cleaned_data if form else {})
        except PermissionDenied as exc:
            error, status = str(exc) or _("Bạn không có quyền thực hiện thao tác này."), 403
        except TransitionError as exc:
            error, status = " ".join(exc.messages), 409
        except ValidationError as exc:
            if form is not None:
                add_validation_errors(form, exc)
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Đã cập nhật PAKN."))
            return redirect("feedback:staff-detail", code=petition.code)
    petition.refresh_from_db()
    context = _detail_context(petition, request.user, {action: form}, error)
    return render(request, "feedback/staff_detail.html", context, status=status)
