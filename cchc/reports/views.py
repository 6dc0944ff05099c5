import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.core.forms import add_validation_errors
from cchc.core.permissions import may_manage_agency, require_manager, require_staff
from cchc.plans.selectors import plan_of_year
from cchc.reports import charts as report_charts
from cchc.reports import documents, selectors, services
from cchc.reports.forms import NarrativeForm, ReportForm


@login_required
def dashboard(request):
    require_staff(request.user)
    agency = request.user.agency
    if agency is None:
        raise Http404
    year, start, end = selectors.dashboard_period(request.GET.get("year", ""), timezone.localdate())
    data = selectors.collect_figures(agency, start, end)
    plan = plan_of_year(agency, year)
    data["plan_id"] = plan.pk if plan else None
    charts = [
        {"title": spec["title"], "svg": selectors.render_chart(spec, "svg")}
        for spec in selectors.chart_specs(data)
    ]
    return render(
        request,
        "reports/dashboard.html",
        {
            "year": year,
            "end": end,
            "plan": plan,
            "figures": data["figures"],
            "headline": selectors.dashboard_figures(data),
            "charts": charts,
            "trends": report_charts.dashboard_trends(agency, year, start, end, data),
            "tables": selectors.tables(data),
            "no_data": selectors.NO_DATA,
        },
    )


@login_required
def report_list(request):
    require_staff(request.user)
    agency = request.user.agency
    may_manage = agency is not None and may_manage_agency(request.user, agency.pk)
    today = timezone.localdate()
    form = ReportForm(
        request.POST or None,
        initial={
            "year": today.year - 1,
            "as_of": dt.date(today.year - 1, 12, 31),
            "issued_on": today,
            "number": selectors.next_report_number(agency, today.year - 1) if agency else 1,
            "signer_title": "GIÁM ĐỐC",
        },
    )
    if request.method == "POST":
        if not may_manage:
            raise Http404
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in form.fields}
            try:
                report = services.report_create(actor=request.user, agency=agency, **data)
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                if report.is_empty:
                    messages.warning(request, documents.empty_statement(report))
                return redirect("reports:report-detail", pk=report.pk)
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": selectors.reports_for_user(request.user),
            "form": form,
            "may_manage": may_manage,
        },
        status=400 if form.errors else 200,
    )


@login_required
def report_detail(request, pk):
    report = selectors.get_report_for_user(request.user, pk)
    may_manage = may_manage_agency(request.user, report.agency_id)
    form = NarrativeForm(initial=report.narrative)
    if request.method == "POST":
        require_manager(request.user, report.agency_id)
        form = NarrativeForm(request.POST)
        if form.is_valid():
            try:
                services.report_narrative_update(
                    actor=request.user, report=report, narrative=form.cleaned_data
                )
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu phần viết. Tạo lại tệp để cập nhật báo cáo."))
                return redirect("reports:report-detail", pk=report.pk)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "form": form,
            "may_manage": may_manage,
            "tables": []
            if report.is_empty
            else selectors.tables(report.data, report.data.get("plan_id")),
            "sections": documents.sections(report),
            "empty_statement": documents.empty_statement(report) if report.is_empty else "",
            "title": documents.report_title(report),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def report_generate(request, pk):
    report = selectors.get_report_for_user(request.user, pk)
    require_manager(request.user, report.agency_id)
    report = services.report_generation_request(actor=request.user, report=report)
    if request.htmx:
        report.refresh_from_db()
        return render(request, "reports/report_detail.html#progress", {"report": report})
    return redirect("reports:report-detail", pk=report.pk)


@login_required
def report_progress(request, pk):
    report = selectors.get_report_for_user(request.user, pk)
    return render(request, "reports/report_detail.html#progress", {"report": report})


@login_required
def report_download(request, pk, fmt):
    report = selectors.get_report_for_user(request.user, pk)
    return documents.file_response(report, fmt)
