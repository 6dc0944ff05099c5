from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
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
from cchc.core.permissions import require_staff
from cchc.core.selectors import site_agency
from cchc.core.text import MAX_QUERY, query_error
from cchc.feedback import selectors, services
from cchc.feedback.filters import PAGE_SIZE, StaffQueueFilter
from cchc.feedback.forms import (
    AcceptForm,
    AnswerForm,
    AssignForm,
    ForwardForm,
    LookupForm,
    PetitionForm,
    RefuseForm,
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


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


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
                _form_errors(form, exc)
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
        petition = Petition.objects.filter(code=form.cleaned_data["code"].strip().upper()).first()
        if petition is None:
            form.add_error("code", _("Không tìm thấy PAKN có mã này."))
    return render(request, "feedback/lookup.html", {"form": form, "petition": petition})


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


@login_required
@require_safe
def staff_detail(request, code):
    petition = _petition_for(request, code)
    handler = services.is_handler(request.user, petition.agency)
    return render(
        request,
        "feedback/staff_detail.html",
        {
            "petition": petition,
            "handler": handler,
            "can_answer": services.can_answer(request.user, petition),
            "accept_form": AcceptForm(agency=petition.agency),
            "assign_form": AssignForm(agency=petition.agency, auto_id="assign_%s"),
            "refuse_form": RefuseForm(),
            "forward_form": ForwardForm(),
            "answer_form": AnswerForm(),
            "attachments": petition.attachments.all(),
            "overdue": petition.is_open and petition.due_at and petition.due_at < timezone.now(),
        },
    )


@login_required
@require_safe
def staff_attachment_download(request, code, attachment_pk):
    """One of the petition's attachments, for staff who may see the petition (404 otherwise):
    an attachment with the sniffed type and nosniff, never a MEDIA_URL link."""
    petition = _petition_for(request, code)
    item = get_object_or_404(petition.attachments, pk=attachment_pk)
    return upload_response(item.path, filename=item.original_name, mime=item.mime)


ACTIONS = {
    "accept": (AcceptForm, services.petition_accept, True),
    "assign": (AssignForm, services.petition_assign, True),
    "refuse": (RefuseForm, services.petition_refuse, False),
    "forward": (ForwardForm, services.petition_forward, False),
    "answer": (AnswerForm, services.petition_answer, False),
    "publish": (None, services.petition_publish, False),
}


@login_required
@require_POST
def staff_action(request, code, action):
    petition = _petition_for(request, code)
    if action not in ACTIONS:
        raise Http404
    form_class, service, needs_agency = ACTIONS[action]
    kwargs = {}
    if form_class is not None:
        form = (
            form_class(request.POST, agency=petition.agency)
            if needs_agency
            else form_class(request.POST)
        )
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("feedback:staff-detail", code=petition.code)
        kwargs = form.cleaned_data
    try:
        service(actor=request.user, petition=petition, **kwargs)
    except PermissionError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã cập nhật PAKN."))
    return redirect("feedback:staff-detail", code=petition.code)
