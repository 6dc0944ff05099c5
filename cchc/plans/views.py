import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cchc.core.excel import XLSX
from cchc.core.files import upload_response
from cchc.core.forms import add_validation_errors
from cchc.core.permissions import may_manage_agency, require_manager, require_staff
from cchc.core.transitions import TransitionError
from cchc.core.years import parse_ids, parse_year
from cchc.plans import excel, selectors, services
from cchc.plans.forms import (
    EvidenceForm,
    ImportForm,
    LegalReviewForm,
    PlanForm,
    ProcedureReviewForm,
    ProgressForm,
    QualityRecordForm,
    RegulationForm,
    TaskForm,
)
from cchc.plans.models import LegalReview, ParField, PlanTask, ProcedureReview, QualityRecord


@login_required
def plan_list(request):
    require_staff(request.user)
    agency = request.user.agency
    may_manage = agency is not None and may_manage_agency(request.user, agency.pk)
    form = PlanForm(request.POST or None)
    if request.method == "POST":
        if not may_manage:
            raise Http404
        if form.is_valid():
            try:
                plan = services.plan_create(actor=request.user, agency=agency, **form.cleaned_data)
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                return redirect("plans:plan-detail", pk=plan.pk)
    plans = selectors.plans_for_user(request.user)
    return render(
        request,
        "plans/plan_list.html",
        {"plans": plans, "form": form, "may_manage": may_manage},
        status=400 if form.errors else 200,
    )


@login_required
def plan_detail(request, pk):
    plan = selectors.get_plan_for_user(request.user, pk)
    status = request.GET.get("status", "")
    field = request.GET.get("field", "")
    today = timezone.localdate()
    tasks = selectors.plan_tasks_listed(
        plan, today=today, status=status, field=field, ids=_ids_param(request)
    )
    # Counted as of today for the running year, so the numbers match the dashboard.
    summary = selectors.plan_summary(
        plan.agency, dt.date(plan.year, 1, 1), min(dt.date(plan.year, 12, 31), today)
    )
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "tasks": tasks,
            "summary": summary,
            "statuses": PlanTask.STATUS_LABELS.items(),
            "fields": ParField.choices,
            "status": status,
            "field": field,
            "may_manage": may_manage_agency(request.user, plan.agency_id),
            "import_form": ImportForm(),
        },
    )


@login_required
def plan_export(request, pk):
    plan = selectors.get_plan_for_user(request.user, pk)
    data = excel.export_plan(plan, selectors.plan_tasks(plan))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-cchc-{plan.year}.xlsx"'
    return response


@login_required
@require_POST
def plan_import(request, pk):
    plan = selectors.get_plan_for_user(request.user, pk)
    require_manager(request.user, plan.agency_id)
    form = ImportForm(request.POST, request.FILES)
    errors = []
    if form.is_valid():
        try:
            report = services.tasks_import(
                actor=request.user, plan=plan, data=form.cleaned_data["file"].read()
            )
        except services.ImportRefused as exc:
            errors = exc.rows
        else:
            messages.success(
                request,
                _("Đã nhập tệp: thêm %(a)d, cập nhật %(u)d, không đổi %(n)d nhiệm vụ.")
                % {"a": len(report.added), "u": len(report.updated), "n": len(report.unchanged)},
            )
            return redirect("plans:plan-detail", pk=plan.pk)
    return render(
        request,
        "plans/import_result.html",
        {"plan": plan, "form": form, "errors": errors},
        status=400,
    )


@login_required
def task_create(request, pk):
    plan = selectors.get_plan_for_user(request.user, pk)
    require_manager(request.user, plan.agency_id)
    units = selectors.units_of_agency(plan.agency_id)
    form = TaskForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        co_units = data.pop("co_units")
        try:
            task = services.task_create(actor=request.user, plan=plan, co_units=co_units, **data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return redirect("plans:task-detail", pk=task.pk)
    return render(
        request,
        "plans/task_form.html",
        {"plan": plan, "form": form},
        status=400 if form.errors else 200,
    )


def _task_context(user, task, *, edit_form=None, progress_form=None, forms=None, error=""):
    """The task page: the forms of the roles, and a button (with its form) for each of the
    transitions of services.FLOW the person may take now."""
    may_manage = may_manage_agency(user, task.plan.agency_id)
    if edit_form is None and may_manage:
        units = selectors.units_of_agency(task.plan.agency_id)
        edit_form = TaskForm(instance=task, units=units, prefix="edit")
    if progress_form is None:
        progress_form = ProgressForm(
            initial={
                "status": task.status,
                "progress": task.progress,
                "completed_on": task.completed_on,
            }
        )
    forms = forms or {}
    actions = [
        (t.slug, forms[t.slug] if t.slug in forms else action_form(t.slug, prefix=t.slug), t.label)
        for t in services.FLOW.available(user, task)
    ]
    return {
        "task": task,
        "status_label": task.effective_status_label(),
        "notes": task.notes.select_related("author"),
        "evidence": task.evidence.all(),
        "may_manage": may_manage,
        "may_update": selectors.may_update_task(user, task),
        "edit_form": edit_form,
        "progress_form": progress_form,
        "evidence_form": EvidenceForm(),
        "actions": actions,
        "error": error,
    }


@login_required
def task_detail(request, pk):
    task = selectors.get_task_for_user(request.user, pk)
    may_manage = may_manage_agency(request.user, task.plan.agency_id)
    edit_form = progress_form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "edit" and may_manage:
            units = selectors.units_of_agency(task.plan.agency_id)
            edit_form = TaskForm(
                request.POST, instance=PlanTask.objects.get(pk=task.pk), units=units, prefix="edit"
            )
            if edit_form.is_valid():
                data = {k: edit_form.cleaned_data[k] for k in edit_form.fields}
                co_units = list(data.pop("co_units"))
                try:
                    services.task_update(actor=request.user, task=task, co_units=co_units, **data)
                except ValidationError as exc:
                    add_validation_errors(edit_form, exc)
                else:
                    messages.success(request, _("Đã lưu nhiệm vụ."))
                    return redirect("plans:task-detail", pk=task.pk)
        elif action == "progress" and selectors.may_update_task(request.user, task):
            progress_form = ProgressForm(request.POST)
            if progress_form.is_valid():
                try:
                    services.task_progress_report(
                        actor=request.user, task=task, **progress_form.cleaned_data
                    )
                except ValidationError as exc:
                    add_validation_errors(progress_form, exc)
                else:
                    messages.success(request, _("Đã cập nhật tiến độ."))
                    return redirect("plans:task-detail", pk=task.pk)
        else:
            raise Http404
    context = _task_context(request.user, task, edit_form=edit_form, progress_form=progress_form)
    failed = (progress_form and progress_form.errors) or (edit_form and edit_form.errors)
    return render(request, "plans/task_detail.html", context, status=400 if failed else 200)


def action_form(slug, *args, **kwargs):
    """The transition's form (None when it takes no input), for pages and API alike."""
    form_class = services.FLOW.form_class(slug)
    return form_class(*args, **kwargs) if form_class else None


def run_action(slug, user, task, data: dict):
    """The one dispatch of pages and API: raises PermissionDenied or ValidationError."""
    return services.FLOW.run(slug, user, task, data)


@login_required
@require_POST
def task_action(request, pk, action):
    task = selectors.get_task_for_user(request.user, pk)
    if action not in services.FLOW:
        raise Http404
    form = action_form(action, request.POST, prefix=action)
    error, status = _("Vui lòng sửa các lỗi trong biểu mẫu."), 400
    if form is None or form.is_valid():
        try:
            run_action(action, request.user, task, form.cleaned_data if form else {})
        except PermissionDenied as exc:
            error, status = str(exc) or _("Bạn không có quyền thực hiện thao tác này."), 403
        except TransitionError as exc:
            error, status = " ".join(exc.messages), 409
        except ValidationError as exc:
            if form is not None:
                add_validation_errors(form, exc)
            else:
                error = " ".join(exc.messages)
        else:
            messages.success(request, _("Đã cập nhật trạng thái nhiệm vụ."))
            return redirect("plans:task-detail", pk=task.pk)
    task = selectors.get_task_for_user(request.user, pk)
    context = _task_context(request.user, task, forms={action: form}, error=error)
    return render(request, "plans/task_detail.html", context, status=status)


@login_required
@require_POST
def task_evidence_upload(request, pk):
    task = selectors.get_task_for_user(request.user, pk)
    if not selectors.may_update_task(request.user, task):
        raise Http404
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.task_evidence_add(
                actor=request.user, task=task, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã tải lên tài liệu kiểm chứng."))
    else:
        messages.error(request, _("Chưa chọn tệp."))
    return redirect("plans:task-detail", pk=task.pk)


@login_required
def task_evidence_download(request, pk, evidence_pk):
    task = selectors.get_task_for_user(request.user, pk)
    item = get_object_or_404(task.evidence, pk=evidence_pk)
    return upload_response(item.path, filename=item.original_name, mime=item.mime)


# --- record lists: regulations, legal and procedure reviews, ISO ------------------------------


def _record_page(request, *, queryset, form_class, create, template, extra=None):
    require_staff(request.user)
    agency = request.user.agency
    may_manage = agency is not None and may_manage_agency(request.user, agency.pk)
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_manage:
            raise Http404
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                create(actor=request.user, agency=agency, **data)
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu."))
                return redirect(request.path)
    context = {"items": queryset, "form": form, "may_manage": may_manage, **(extra or {})}
    return render(request, template, context, status=400 if form.errors else 200)


def _year_param(request):
    return parse_year(request.GET.get("year", ""))


def _ids_param(request):
    return parse_ids(request.GET.get("ids", ""))


@login_required
def regulation_list(request):
    def create(*, actor, agency, file=None, **data):
        return services.regulation_create(actor=actor, agency=agency, upload=file, **data)

    return _record_page(
        request,
        queryset=selectors.regulations_listed(request.user, today=timezone.localdate()),
        form_class=RegulationForm,
        create=create,
        template="plans/regulation_list.html",
    )


@login_required
def regulation_download(request, pk):
    item = get_object_or_404(selectors.regulations_for_user(request.user), pk=pk)
    if not item.file_path:
        raise Http404
    return upload_response(item.file_path, filename=item.file_name)


@login_required
def legal_review_list(request):
    year = _year_param(request)
    items = list(
        selectors.legal_reviews_listed(
            request.user, year=year, result=request.GET.get("result", ""), ids=_ids_param(request)
        )
    )
    return _record_page(
        request,
        queryset=items,
        form_class=LegalReviewForm,
        create=services.legal_review_create,
        template="plans/legal_review_list.html",
        extra={
            "year": year,
            "counts": selectors.count_by(items, "result", LegalReview.Result.choices),
        },
    )


@login_required
def procedure_review_list(request):
    year = _year_param(request)
    items = list(
        selectors.procedure_reviews_listed(
            request.user,
            year=year,
            proposal=request.GET.get("proposal", ""),
            ids=_ids_param(request),
        )
    )
    return _record_page(
        request,
        queryset=items,
        form_class=ProcedureReviewForm,
        create=services.procedure_review_create,
        template="plans/procedure_review_list.html",
        extra={
            "year": year,
            "counts": selectors.count_by(items, "proposal", ProcedureReview.Proposal.choices),
        },
    )


@login_required
def quality_list(request):
    items = selectors.quality_records_listed(
        request.user,
        today=timezone.localdate(),
        body_type=request.GET.get("type", ""),
        status=request.GET.get("status", ""),
        expiring=bool(request.GET.get("expiring")),
    )
    return _record_page(
        request,
        queryset=items,
        form_class=QualityRecordForm,
        create=services.quality_record_create,
        template="plans/quality_list.html",
        extra={
            "by_type": selectors.count_by(items, "body_type", QualityRecord.BodyType.choices),
            "by_status": selectors.count_by(items, "shown_status", QualityRecord.Status.choices),
            "expiring_count": sum(1 for i in items if i.expiring),
            "expiring_days": selectors.EXPIRING_DAYS,
        },
    )


# --- editing one record: the agency-wide roles of its agency, like adding -----------------------

RECORD_EDITS = {
    # kind: (queryset of the person, form, update service, list URL name, page title)
    "regulation": (
        selectors.regulations_for_user,
        RegulationForm,
        services.regulation_update,
        "plans:regulation-list",
        gettext_lazy("Sửa quy chế nội bộ"),
    ),
    "legal_review": (
        selectors.legal_reviews_for_user,
        LegalReviewForm,
        services.legal_review_update,
        "plans:legal-review-list",
        gettext_lazy("Sửa kết quả rà soát văn bản"),
    ),
    "procedure_review": (
        selectors.procedure_reviews_for_user,
        ProcedureReviewForm,
        services.procedure_review_update,
        "plans:procedure-review-list",
        gettext_lazy("Sửa đề xuất rà soát thủ tục"),
    ),
    "quality": (
        selectors.quality_records_for_user,
        QualityRecordForm,
        services.quality_record_update,
        "plans:quality-list",
        gettext_lazy("Sửa hệ thống quản lý chất lượng"),
    ),
}


@login_required
def record_edit(request, pk, kind):
    queryset, form_class, update, list_name, title = RECORD_EDITS[kind]
    require_staff(request.user)
    record = get_object_or_404(queryset(request.user), pk=pk)
    require_manager(request.user, record.agency_id)
    # The form works on its own copy: the service re-reads and locks the row it changes.
    form = form_class(
        request.POST or None, request.FILES or None, instance=queryset(request.user).get(pk=pk)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("file", None)
        if upload is not None:
            data["upload"] = upload
        try:
            update(actor=request.user, record=record, **data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect(list_name)
    return render(
        request,
        "plans/record_edit.html",
        {"form": form, "record": record, "title": title, "list_url": reverse(list_name)},
        status=400 if form.errors else 200,
    )
