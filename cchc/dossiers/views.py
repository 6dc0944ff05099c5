from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from cchc.core import ratelimits
from cchc.core.files import accept, upload_response
from cchc.core.filters import filtered_page
from cchc.core.models import Agency, Unit
from cchc.core.permissions import require_staff
from cchc.core.roles import Role
from cchc.core.workcalendar import group_explanation
from cchc.dossiers import documents, selectors, services
from cchc.dossiers.filters import PAGE_SIZE, QueueFilter
from cchc.dossiers.forms import (
    ApplicantForm,
    LookupForm,
    PaperForm,
)
from cchc.dossiers.models import Status
from cchc.payments import selectors as payment_selectors
from cchc.procedures.models import Procedure
from cchc.procedures.selectors import fields as procedure_fields


def filing_limited(request) -> bool:
    """Online filings per client address: every attempt is counted, before the work."""
    return ratelimits.limited(request, "dossier-file")


def filing_notice_allowed(request, email: str) -> bool:
    """Whether the filing notice may go to the address the filer typed. Notices are counted
    per sender (client address) and per recipient, so that the public form cannot flood
    someone's mailbox; over either limit the dossier is still filed, without the notice."""
    if not email:
        return True
    by_sender = ratelimits.limited(request, "filing-mail")
    by_recipient = ratelimits.limited(request, "filing-mail-recipient", key=email.strip().lower())
    return not (by_sender or by_recipient)


def site_agency() -> Agency:
    return get_object_or_404(Agency, code=settings.SITE_AGENCY_CODE)


def _component_fields(procedure):
    return [(c, f"component_{c.pk}") for c in procedure.components.all()]


def dossier_file(request, procedure_pk):
    """Online filing: applicant details and one upload per component."""
    procedure = get_object_or_404(
        Procedure.objects.current().prefetch_related("components"), pk=procedure_pk
    )
    if not procedure.accepts_dossiers or procedure.online_form == Procedure.OnlineForm.NONE:
        raise Http404
    form = ApplicantForm(request.POST or None)
    file_errors = {}
    limited = request.method == "POST" and filing_limited(request)
    if limited:
        file_errors = {
            "__all__": [_("Đã nộp quá nhiều hồ sơ từ địa chỉ này. Vui lòng thử lại sau.")]
        }
    elif request.method == "POST" and not form.is_valid():
        # Every error at once: the uploads are checked too, without filing anything.
        try:
            services.check_component_files(procedure, request.FILES)
        except ValidationError as error:
            file_errors = error.message_dict
    elif request.method == "POST":
        applicant = form.applicant()
        try:
            dossier, secret = services.dossier_file_online(
                procedure=procedure,
                applicant=applicant,
                files=request.FILES,
                agency=site_agency(),
                owner=request.user,
                notify=filing_notice_allowed(request, applicant.email),
            )
        except ValidationError as error:
            file_errors = (
                error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            )
        else:
            request.session["filed"] = {"code": dossier.code, "secret": secret}
            return redirect("dossiers:dossier-filed")
    components = [(c, name, file_errors.get(name, [])) for c, name in _component_fields(procedure)]
    # Every error outside the form object, for the error summary: general first, then uploads.
    extra_errors = [("", e) for e in file_errors.get("__all__", [])] + [
        (f"id_{name}", e) for _c, name, errors in components for e in errors
    ]
    return render(
        request,
        "dossiers/file.html",
        {
            "procedure": procedure,
            "form": form,
            "components": components,
            "extra_errors": extra_errors,
            "accept": accept(),
            # A browser never keeps chosen files across a page: say so when some were sent.
            "choose_again": bool(extra_errors or form.errors) and bool(request.FILES),
        },
        status=429 if limited else 200,
    )


@require_safe
@never_cache  # the lookup secret is on this page once: no copy in any cache or history
def dossier_filed(request):
    filed = request.session.pop("filed", None)
    if not filed:
        return redirect("procedures:procedure-list")
    return render(
        request,
        "dossiers/filed.html",
        {**filed, "next": selectors.filing_next_steps(filed["code"])},
    )


LOOKUP_FLOOD = gettext_lazy("Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút.")
WRONG_CODE_OR_SECRET = gettext_lazy("Mã hồ sơ hoặc mã tra cứu không đúng.")


@require_safe
def dossier_lookup(request):
    """Every lookup counts towards the address's limit, found or not: codes are sequential,
    so counting only misses let anyone read every dossier of a day."""
    form = LookupForm(request.GET or None)
    context = {"form": form}
    if form.is_bound and form.is_valid():
        if ratelimits.limited(request, "dossier-lookup"):
            context["error"] = LOOKUP_FLOOD
            return render(request, "dossiers/lookup.html", context, status=429)
        dossier = selectors.lookup(form.cleaned_data["code"])
        secret = form.cleaned_data["secret"]
        details = dossier is not None and selectors.may_see_details(dossier, secret)
        if dossier is None or (secret and not details):
            context["error"] = (
                _("Không tìm thấy hồ sơ có mã này.")
                if dossier is None
                else _("Mã tra cứu hoặc số điện thoại không khớp với hồ sơ.")
            )
            context["error_field"] = form["code"] if dossier is None else form["secret"]
        else:
            context.update(
                dossier=dossier,
                details=details,
                panel=selectors.status_panel(dossier, now=timezone.now()),
                explanation=group_explanation(dossier.due_explanation),
                timeline=selectors.timeline(dossier) if details else None,
                supplement=dossier.supplements.filter(fulfilled_at__isnull=True).last()
                if details and dossier.status == Status.SUPPLEMENT
                else None,
                fees=payment_selectors.fees_due(dossier) if details else None,
            )
            if details:
                from cchc.dossiers.ratings import lookup_block

                context.update(lookup_block(dossier))
    return render(request, "dossiers/lookup.html", context)


def dossier_resubmit(request, code):
    """The applicant sends the requested supplement (code + secret).

    Without the right secret the page says the same for every code, so that it does not tell
    which codes exist or await a supplement: it asks for the secret, then shows what is asked
    for and the components."""
    error, error_field = "", ""
    dossier = None
    if request.method == "POST":
        if ratelimits.limited(request, "dossier-resubmit"):
            return ratelimits.too_many_page(request)
        if ratelimits.limited(request, "dossier-lookup"):
            return ratelimits.too_many_page(request, LOOKUP_FLOOD)
        found = selectors.lookup(code)
        secret = request.POST.get("secret", "")
        if found is None or not found.secret_matches(secret):
            error, error_field = WRONG_CODE_OR_SECRET, "secret"
        elif found.status != Status.SUPPLEMENT:
            error = _("Hồ sơ không ở trạng thái chờ bổ sung.")
        else:
            dossier = selectors.awaiting_supplement(code)
            # The second step ("send") with no file is refused too, not shown again silently.
            if request.FILES or request.POST.get("step") == "send":
                try:
                    services.dossier_supplement(
                        dossier=dossier, files=request.FILES, actor=request.user
                    )
                except ValidationError as e:
                    error = " ".join(e.messages)
                    error_field = _first_file_field(dossier, request.FILES)
                else:
                    messages.success(request, _("Đã nhận hồ sơ bổ sung."))
                    return redirect(f"{_lookup_url()}?code={dossier.code}")
    context = {
        "code": selectors.clean_code(code),
        "error": error,
        "extra_errors": [(error_field, error)] if error else [],
        "secret_error": error if error_field == "secret" else "",
        "files_error": error if error_field not in ("", "secret") else "",
        "dossier": dossier,
        "accept": accept(),
    }
    if dossier is not None:
        # Shown only with the secret: what is asked for may name the applicant.
        context.update(
            secret=request.POST.get("secret", ""),
            components=dossier.procedure.components.all(),
            supplement=dossier.supplements.filter(fulfilled_at__isnull=True).last(),
        )
    return render(request, "dossiers/resubmit.html", context, status=400 if error else 200)


def _first_file_field(dossier, files) -> str:
    """The id the error summary links to for a refused supplement: the first file sent, or
    the first file input of the page."""
    if files:
        return next(iter(files))
    first = dossier.procedure.components.first()
    return f"component_{first.pk}" if first else "extra"


def _lookup_url():
    from django.urls import reverse

    return reverse("dossiers:dossier-lookup")


# Staff pages


def dossier_queue(request):
    """The staff queue, filtered (QueueFilter) with counts per option, PAGE_SIZE a page; a bad
    filter value or page number is a 400 page naming it."""
    require_staff(request.user)
    filterset = QueueFilter(
        request.GET, queryset=selectors.queue_scope(request.user), request=request
    )
    page, errors = filtered_page(filterset, PAGE_SIZE, request.GET.get("page"))
    counts = {} if errors else selectors.queue_counts(request.user, filterset.values)
    facets = [
        {
            "name": name,
            "label": filterset.filters[name].label,
            "chosen": request.GET.get(name, ""),
            "options": counts.get(name, []),
        }
        for name in selectors.QUEUE_FACETS
    ]
    context = {
        "page": page,
        "counts": counts,
        "facets": facets,
        "errors": errors,
        "description": "" if errors else filterset.description,
        "report_filters": [
            (name, request.GET[name]) for name in selectors.REPORT_FILTERS if request.GET.get(name)
        ],
        "which": request.GET.get("loc", ""),
        "filters": [("", _("Tất cả")), *selectors.LOC_CHOICES],
    }
    template = "dossiers/queue.html#results" if request.htmx else "dossiers/queue.html"
    return render(request, template, context, status=400 if errors else 200)


def unit_load(request):
    require_staff(request.user)
    if not request.user.has_role(Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.SYSTEM_ADMIN):
        raise Http404
    return render(request, "dossiers/load.html", {"rows": selectors.unit_load(request.user)})


def _chosen_procedure(procedures, chosen: str):
    valid = chosen.isascii() and chosen.isdigit()  # "²".isdigit() is True, int("²") fails
    return procedures.filter(pk=int(chosen)).first() if valid else None


def dossier_receive(request):
    """Paper reception; once a procedure is chosen, an optional scan per component."""
    require_staff(request.user)
    if not request.user.has_role(*services.DESK_ROLES):
        raise Http404
    procedures = Procedure.objects.current().filter(time__isnull=False)
    form = PaperForm(request.POST or None)
    chosen = request.POST.get("procedure", "") or request.GET.get("thu_tuc", "")
    procedure = _chosen_procedure(procedures, chosen)
    error, file_errors = "", {}
    if request.method == "POST" and form.is_valid():
        if procedure is None:
            error = _("Vui lòng chọn thủ tục.")
        else:
            try:
                dossier, secret = services.dossier_receive_paper(
                    actor=request.user,
                    procedure=procedure,
                    applicant=form.applicant(),
                    channel=form.cleaned_data["channel"],
                    files=request.FILES,
                )
            except ValidationError as e:
                error = " ".join(e.messages)
                file_errors = e.message_dict if hasattr(e, "error_dict") else {}
            else:
                request.session["filed"] = {"code": dossier.code, "secret": secret}
                messages.success(
                    request,
                    _("Đã tiếp nhận hồ sơ %(code)s. Mã tra cứu: %(secret)s")
                    % {"code": dossier.code, "secret": secret},
                )
                return redirect("dossiers:dossier-detail", dossier.code)
    components = (
        [(c, name, file_errors.get(name, [])) for c, name in _component_fields(procedure)]
        if procedure
        else []
    )
    return render(
        request,
        "dossiers/receive.html",
        {
            "form": form,
            "procedures": procedures,
            "procedure": procedure,
            "components": components,
            "error": error,
        },
        status=400 if error else 200,
    )


def dossier_detail(request, code):
    require_staff(request.user)
    dossier = selectors.get_dossier_for_user(request.user, code)
    return render(
        request,
        "dossiers/detail.html",
        _detail_context(dossier, _blank_forms(dossier), user=request.user),
    )


@require_safe
def dossier_file_download(request, code, file_pk):
    """One of the dossier's files (a component or the result), for staff who may see the
    dossier: an attachment, never a MEDIA_URL link."""
    require_staff(request.user)
    dossier = selectors.get_dossier_for_user(request.user, code)
    item = get_object_or_404(dossier.files, pk=file_pk)
    return upload_response(item.path, filename=item.original_name or item.name, mime=item.mime)


def action_form(dossier, slug, *args, **kwargs):
    """The transition's form (None when it takes no input), for pages and API alike."""
    form_class = services.FLOW.form_class(slug)
    return form_class(*args, dossier=dossier, **kwargs) if form_class else None


def _blank_forms(dossier):
    return {t.slug: action_form(dossier, t.slug, prefix=t.slug) for t in services.FLOW}


def _detail_context(dossier, forms, error="", user=None):
    available = {t.slug for t in services.FLOW.available(user, dossier)} if user else set()
    forms = [(t.slug, forms.get(t.slug), t.label) for t in services.FLOW if t.slug in available]
    return {
        "dossier": dossier,
        "forms": forms,
        "error": error,
        "blocked": blocked_reason(user, dossier) if user else "",
        "handovers": dossier.handovers.select_related("from_user", "to_unit"),
        "supplements": dossier.supplements.all(),
        "files": dossier.files.all(),
        "steps": dossier.procedure.steps.select_related("unit"),
    }


STEP_ACTIONS = ("hand-over", "decide", "return")


def blocked_reason(user, dossier) -> str:
    """Why the person cannot move the dossier on from its step (which step, which unit, who
    can); empty when they can, or when the dossier is not waiting at a step."""
    startable = [s for s in STEP_ACTIONS if dossier.status in services.FLOW[s].sources]
    if not startable or not dossier.current_step_id:
        return ""
    refusals = [services.FLOW.refusal(s, user, dossier) for s in startable]
    if any(r is None for r in refusals):
        return ""
    return refusals[0][1]


def done_message(dossier, done) -> str:
    done = done if isinstance(done, type(dossier)) else dossier
    done.refresh_from_db()
    text = _("Đã cập nhật hồ sơ %(code)s: %(status)s") % {
        "code": done.code,
        "status": done.get_status_display(),
    }
    if done.current_step_id and done.status in (Status.RECEIVED, Status.PROCESSING, Status.DECIDED):
        text += _(", bước %(step)s tại %(unit)s") % {
            "step": services.step_text(done.current_step),
            "unit": done.current_unit.name if done.current_unit_id else "",
        }
    return text + "."


def run_action(slug, user, dossier, data: dict):
    """The one dispatch of pages and API: raises PermissionDenied or ValidationError."""
    return services.FLOW.run(slug, user, dossier, data)


@require_POST
def dossier_action(request, code, action):
    require_staff(request.user)
    dossier = selectors.get_dossier_for_user(request.user, code)
    if action not in services.FLOW:
        raise Http404
    form = action_form(dossier, action, request.POST, request.FILES, prefix=action)
    error, status = "", 400
    if form is not None and not form.is_valid():
        hidden = [e for f in form.hidden_fields() for e in f.errors]
        error = " ".join([_("Vui lòng sửa các lỗi trong biểu mẫu."), *hidden])
    else:
        try:
            done = run_action(action, request.user, dossier, form.cleaned_data if form else {})
        except PermissionDenied as e:
            error, status = str(e) or _("Bạn không có quyền thực hiện thao tác này."), 403
        except services.TransitionError as e:
            error, status = " ".join(e.messages), 409
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            messages.success(request, done_message(dossier, done))
            if selectors.dossiers_for_user(request.user).filter(pk=dossier.pk).exists():
                return redirect("dossiers:dossier-detail", dossier.code)
            # Handed to another unit: the person's queue, not a page they may no longer see.
            return redirect("dossiers:dossier-queue")
    forms = _blank_forms(dossier)
    if form is not None:
        forms[action] = form
    dossier.refresh_from_db()
    return render(
        request,
        "dossiers/detail.html",
        _detail_context(dossier, forms, error, request.user),
        status=status,
    )


def dossier_form(request, code, form_code, fmt):
    """BM.01-BM.05 as HTML or PDF."""
    require_staff(request.user)
    dossier = selectors.get_dossier_for_user(request.user, code)
    if (
        fmt not in ("html", "pdf")
        or form_code not in documents.FORMS
        or not documents.applies(dossier, form_code)
    ):
        raise Http404
    if fmt == "pdf":
        pdf = documents.form_pdf(dossier, form_code, request=request)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{dossier.code}-{form_code}.pdf"'
        return response
    return render(
        request,
        "dossiers/form_page.html",
        documents.form_context(dossier, form_code, request=request),
    )


class _BadPeriod(Exception):
    def __init__(self, message: str):
        self.message = message


def _period(request):
    """The period asked for; an unreadable, out-of-range or reversed one raises _BadPeriod
    (the statistics page answers 400 with the message, for this year's figures)."""
    from django.utils import timezone

    from cchc.dossiers import statistics

    try:
        return statistics.parse_period(
            request.GET.get("tu", ""), request.GET.get("den", ""), today=timezone.localdate()
        )
    except statistics.PeriodError as error:
        raise _BadPeriod(str(error)) from None


def _stats_agency(user):
    require_staff(user)
    if not (
        user.is_superuser
        or user.is_agency_wide
        or user.has_role(Role.ONE_STOP_OFFICER, Role.UNIT_LEADER)
    ):
        raise Http404
    return user.agency or site_agency()


def statistics_page(request):
    from django.utils import timezone

    from cchc.core import charts
    from cchc.dossiers import statistics

    agency = _stats_agency(request.user)
    error = ""
    try:
        start, end = _period(request)
    except _BadPeriod as bad:
        error = bad.message
        start, end = statistics.parse_period("", "", today=timezone.localdate())
    field = request.GET.get("linh_vuc", "")[:200].replace("\x00", "")
    units = list(Unit.objects.filter(agency=agency))
    unit = next((u for u in units if str(u.pk) == request.GET.get("don_vi")), None)
    summary = statistics.summary(agency, start, end, field=field, unit=unit)
    months = statistics.by_month(agency, start, end)
    try:
        index, index_error = statistics.index_766(agency, start, end), ""
    except statistics.IndexVersionMissing as missing:
        index, index_error = [], str(missing)
    context = {
        "error": error,
        "start": start,
        "end": end,
        "field": field,
        "fields": procedure_fields(),
        "unit": unit,
        "units": units,
        "summary": summary,
        "months": months,
        "procedures": statistics.by_procedure(agency, start, end)[:50],
        "index": index,
        "index_error": index_error,
        "chart_received": charts.bar_svg(
            [m["month"] for m in months],
            [m["received"] for m in months],
            title=_("Hồ sơ tiếp nhận theo tháng"),
        )
        if summary
        else "",
        "chart_on_time": charts.line_svg(
            [m["month"] for m in months],
            {_("Tỷ lệ đúng hạn (%)"): [round((m["on_time_rate"] or 0) * 100, 1) for m in months]},
            title=_("Tỷ lệ giải quyết đúng hạn"),
            unit="%",
        )
        if summary
        else "",
    }
    return render(request, "dossiers/statistics.html", context, status=400 if error else 200)


def statistics_excel(request):
    from openpyxl import Workbook

    from cchc.core.excel import workbook_bytes
    from cchc.dossiers import statistics

    agency = _stats_agency(request.user)
    try:
        start, end = _period(request)
    except _BadPeriod:
        return statistics_page(request)  # the message, with 400
    wb = Workbook()
    ws = wb.active
    ws.title = "Tong hop"
    summary = statistics.summary(agency, start, end) or {}
    ws.append([f"Thống kê hồ sơ từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"])
    for key, label in STAT_LABELS:
        ws.append([label, summary.get(key)])
    ws2 = wb.create_sheet("Theo thu tuc")
    ws2.append(
        ["Mã", "Thủ tục", "Tiếp nhận", "Đã giải quyết", "Đúng hạn", "Quá hạn", "Tỷ lệ đúng hạn"]
    )
    for r in statistics.by_procedure(agency, start, end):
        ws2.append(
            [
                r["procedure__code"],
                r["procedure__name"],
                r["received"],
                r["processed"],
                r["on_time"],
                r["late"],
                r["on_time_rate"],
            ]
        )
    ws3 = wb.create_sheet("Theo thang")
    ws3.append(["Tháng", "Tiếp nhận", "Đã giải quyết", "Tỷ lệ đúng hạn"])
    for m in statistics.by_month(agency, start, end):
        ws3.append([m["month"], m["received"], m["processed"], m["on_time_rate"]])
    ws4 = wb.create_sheet("Thu tuc theo thang")
    ws4.append(
        ["Thủ tục", "Tháng", "Tiếp nhận", "Đã giải quyết", "Trước hạn", "Đúng hạn", "Quá hạn"]
    )
    for r in statistics.by_procedure_and_month(agency, start, end):
        ws4.append(
            [
                r["procedure__name"],
                f"{r['month']:%Y-%m}",
                r["received"],
                r["decided"],
                r["early"],
                r["on_time"],
                r["late"],
            ]
        )
    response = HttpResponse(
        workbook_bytes(wb),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="thong-ke-ho-so-{start}-{end}.xlsx"'
    return response


def tracking_book(request):
    from cchc.dossiers import statistics

    agency = _stats_agency(request.user)
    try:
        start, end = _period(request)
    except _BadPeriod:
        return statistics_page(request)  # the message, with 400
    field = request.GET.get("linh_vuc", "")[:200].replace("\x00", "")
    title = f"SỔ THEO DÕI HỒ SƠ (Mẫu số 06) — {field or 'Tất cả lĩnh vực'} — {start:%d/%m/%Y} đến {end:%d/%m/%Y}"
    rows = statistics.tracking_rows(agency, start, end, field=field)
    if request.GET.get("dang") == "pdf":  # the print layout, A4 landscape
        content = documents.tracking_book_pdf(
            agency,
            rows,
            title=title,
            period=f"{field or 'Tất cả lĩnh vực'} — {start:%d/%m/%Y} đến {end:%d/%m/%Y}",
        )
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="so-theo-doi-{start}-{end}.pdf"'
        return response
    content = documents.tracking_book(rows, title=title)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="so-theo-doi-{start}-{end}.xlsx"'
    return response


STAT_LABELS = [
    ("carried_over", "Kỳ trước chuyển sang"),
    ("received", "Tiếp nhận mới trong kỳ"),
    ("processed_early", "Đã giải quyết trước hạn"),
    ("processed_on_time", "Đã giải quyết đúng hạn"),
    ("processed_late", "Đã giải quyết quá hạn"),
    ("in_process_on_time", "Đang giải quyết trong hạn"),
    ("in_process_overdue", "Đang giải quyết quá hạn"),
    ("online_share", "Tỷ lệ nộp trực tuyến"),
    ("full_online_share", "Tỷ lệ nộp toàn trình"),
    ("digitised_share", "Tỷ lệ số hóa thành phần hồ sơ"),
    ("on_time_rate", "Tỷ lệ giải quyết đúng hạn"),
    ("average_days", "Thời gian giải quyết trung bình (ngày, kể từ khi bắt đầu tính hạn)"),
    ("late_supplements", "Yêu cầu bổ sung quá 3 ngày làm việc (vi phạm)"),
]
