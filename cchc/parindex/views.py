"""Pages of the PAR Index: thin views over selectors and services."""

import base64

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cchc.core import charts
from cchc.core.documents import render_pdf
from cchc.core.files import upload_response
from cchc.core.permissions import require_staff
from cchc.core.transitions import TransitionError
from cchc.parindex import exports, selectors, services
from cchc.parindex.forms import AssignmentForm, PeriodForm
from cchc.parindex.importer import parse_framework
from cchc.parindex.models import SAMPLE_BANNER, Assessment, Evidence, Node, Score
from cchc.parindex.rules import fmt

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _error_text(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


@require_safe
def home(request):
    user = request.user
    periods = list(selectors.periods_for_user(user).order_by("-year"))
    public = None
    if not (user.is_authenticated and (user.is_superuser or user.unit_id)):
        public = list(selectors.published_assessments().order_by("-period__year", "unit__order"))
    return render(
        request,
        "parindex/home.html",
        {
            "periods": periods,
            "public": public,
            "can_import": selectors.can_manage_frameworks(user),
            "sample_banner": SAMPLE_BANNER,
            "any_sample": any(p.framework.sample for p in periods),
        },
    )


@require_safe
def framework_list(request):
    require_staff(request.user)
    return render(
        request,
        "parindex/framework_list.html",
        {"frameworks": selectors.frameworks_for_user(request.user), "sample_banner": SAMPLE_BANNER},
    )


@require_safe
def framework_detail(request, pk):
    require_staff(request.user)
    framework = get_object_or_404(selectors.frameworks_for_user(request.user), pk=pk)
    return render(
        request,
        "parindex/framework_detail.html",
        {
            "framework": framework,
            "can_manage": selectors.can_manage_frameworks(request.user),
            "nodes": framework.nodes.order_by("order"),
            "sample_banner": SAMPLE_BANNER,
            "counts": {level: framework.nodes.filter(level=level).count() for level in (1, 2, 3)},
        },
    )


def framework_import_page(request):
    user = request.user
    if not selectors.can_manage_frameworks(user):
        raise Http404
    problems, framework = [], None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = ["Chọn tệp YAML hoặc Excel."]
        elif not upload.size:
            problems = ["Tệp gửi lên rỗng."]
        elif upload.size > MAX_IMPORT_BYTES:
            problems = ["Tệp quá lớn (tối đa 5 MB)."]
        else:
            spec = parse_framework(upload.name, upload.read())
            try:
                framework = services.framework_import(spec=spec, actor=user)
            except services.ImportRefused as exc:
                problems = [str(p) for p in exc.problems]
            else:
                messages.success(request, f"Đã nhập bộ tiêu chí “{framework}”.")
                return redirect("parindex:framework-detail", pk=framework.pk)
    return render(
        request,
        "parindex/framework_import.html",
        {"problems": problems},
        status=400 if problems else 200,
    )


@require_safe
def period_detail(request, pk):
    period = selectors.get_period_for_user(request.user, pk)
    user = request.user
    all_visible = selectors.may_see_all_of_period(user, period)
    results = selectors.period_results(period)
    selectors.hide_unreadable_previous(user, results.values())
    rows = selectors.ranking_for(user, period, results)
    if not rows:
        raise Http404
    chart_rows = [r for r in rows if r["assessment"].is_final or all_visible]
    chart = None
    if chart_rows:
        best = chart_rows[0]["result"]
        chart = charts.radar_svg(
            [_short(f) for f in best.fields], [float(f["percent"]) for f in best.fields]
        )
    return render(
        request,
        "parindex/period_detail.html",
        {
            "period": period,
            "rows": rows,
            "chart": chart,
            "sample_banner": SAMPLE_BANNER,
            "can_manage": selectors.can_manage(user, period.agency),
            "all_visible": all_visible,
        },
    )


@require_safe
def assessment_detail(request, pk):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    return render(request, "parindex/assessment_detail.html", _detail_context(request, assessment))


def _detail_context(request, assessment, error=""):
    result = selectors.assessment_result(assessment)
    fields = assessment.period.framework.nodes.filter(level=1).order_by("order")
    progress = selectors.progress_by_field(assessment)
    metric_leaves = _has_metric_leaves(assessment)
    return {
        "assessment": assessment,
        "period": assessment.period,
        "result": result,
        "fields": [
            {
                "node": f,
                "progress": progress.get(f.code, (0, 0)),
                **next(x for x in result.fields if x["code"] == f.code),
            }
            for f in fields
        ],
        "has_metrics": assessment.status == Assessment.Status.DRAFT
        and selectors.is_unit_focal(request.user, assessment)
        and metric_leaves,
        "actions": [(t.slug, t.label) for t in services.FLOW.available(request.user, assessment)],
        "metrics_status": _metrics_status(assessment) if metric_leaves else "",
        "error": error,
        "sample_banner": SAMPLE_BANNER,
    }


def _has_metric_leaves(assessment) -> bool:
    return Node.objects.filter(
        framework_id=assessment.period.framework_id, rule_kind=Node.Rule.METRIC
    ).exists()


def _score_context(request, assessment, scores):
    user = request.user
    appraiser = selectors.is_appraiser(user, assessment.period)
    focal = selectors.is_unit_focal(user, assessment)
    assigned = selectors.assigned_node_ids(user, assessment)
    criteria = {
        n.pk: n for n in assessment.period.framework.nodes.filter(level=Node.Level.CRITERION)
    }
    rows, last_parent = [], None
    for score in scores:
        row = _row(score, assessment, appraiser, focal, assigned)
        parent = criteria.get(score.node.parent_id)
        if parent is not None and parent.pk != last_parent:
            row["group"] = parent
        last_parent = parent.pk if parent is not None else None
        rows.append(row)
    return rows


def _row(score, assessment, appraiser, focal, assigned):
    Status = Assessment.Status
    draft = assessment.status == Status.DRAFT
    kind = score.node.rule_kind
    return {
        "score": score,
        "flags": selectors.flags(score),
        "can_self": draft
        and kind not in ("survey", "metric")
        and (focal or score.node_id in assigned),
        "can_round1": appraiser and assessment.status == Status.APPRAISING,
        "can_round2": appraiser and assessment.status == Status.RE_APPRAISING,
        "can_explain": focal and assessment.status == Status.EXPLANATION_REQUESTED,
        "levels": score.node.rule_params.get("levels", []) if kind == "choice" else [],
        "show_appraisal": appraiser or assessment.status not in (Status.DRAFT, Status.SUBMITTED),
        "heading": "h3" if score.node.level == Node.Level.COMPONENT else "h2",
    }


@require_safe
def field_page(request, pk, code):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    field = get_object_or_404(assessment.period.framework.nodes, code=code, level=1)
    scores = selectors.score_rows(assessment, field.code)
    return render(
        request,
        "parindex/field.html",
        {
            "assessment": assessment,
            "field": field,
            "rows": _score_context(request, assessment, scores),
            "metrics_status": _metrics_status(assessment),
            "sample_banner": SAMPLE_BANNER,
        },
    )


@require_POST
def score_save(request, pk, score_id):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    score = get_object_or_404(
        Score.objects.select_related("node"), pk=score_id, assessment=assessment
    )
    names = (
        "self_points",
        "self_measured",
        "self_note",
        "round1_points",
        "round1_reason",
        "explanation",
        "round2_points",
        "round2_reason",
    )
    changes = {n: request.POST[n] for n in names if n in request.POST}
    error, status = None, 200
    try:
        score = services.score_update(
            score_id=score.pk,
            actor=request.user,
            changes=changes,
            version=request.POST.get("version"),
        )
    except services.StaleScore as exc:
        error, status = str(exc), 409
        score = exc.score
    except ValidationError as exc:
        error, status = " ".join(_error_text(exc)), 400
    except PermissionDenied:
        raise Http404 from None
    score = selectors.score_rows(assessment).get(pk=score.pk)
    row = _row(
        score,
        assessment,
        selectors.is_appraiser(request.user, assessment.period),
        selectors.is_unit_focal(request.user, assessment),
        selectors.assigned_node_ids(request.user, assessment),
    )
    context = {"row": row, "assessment": assessment, "error": error, "saved": error is None}
    if request.htmx:
        return render(request, "parindex/field.html#score-row", context, status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Đã lưu tiêu chí {score.node.code}.")
    return redirect(
        reverse("parindex:field", args=[assessment.pk, score.node.field_code])
        + f"#score-{score.pk}"
    )


@require_POST
def evidence_upload(request, pk, score_id):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    score = get_object_or_404(
        Score.objects.select_related("node", "assessment"), pk=score_id, assessment=assessment
    )
    try:
        added = services.evidence_add(
            score=score, actor=request.user, uploads=request.FILES.getlist("files")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(_error_text(exc)))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, f"Đã thêm {len(added)} tài liệu cho tiêu chí {score.node.code}.")
    return redirect(
        reverse("parindex:field", args=[assessment.pk, score.node.field_code])
        + f"#score-{score.pk}"
    )


@require_safe
def evidence_download(request, pk, evidence_id):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    evidence = get_object_or_404(Evidence, pk=evidence_id, score__assessment=assessment)
    return upload_response(evidence.path, filename=evidence.original_name, mime=evidence.mime)


@require_safe
def score_history(request, pk, score_id):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    score = get_object_or_404(
        Score.objects.select_related("node"), pk=score_id, assessment=assessment
    )
    return render(
        request,
        "parindex/score_history.html",
        {
            "assessment": assessment,
            "score": score,
            "changes": score.changes.select_related("actor"),
            "sample_banner": SAMPLE_BANNER,
        },
    )


def action_form(slug, *args, **kwargs):
    """The transition's form (None when it takes no input), for pages and API alike."""
    form_class = services.FLOW.form_class(slug)
    return form_class(*args, **kwargs) if form_class else None


def run_action(slug, user, assessment, data: dict):
    """The one dispatch of pages and API: raises PermissionDenied or ValidationError."""
    return services.FLOW.run(slug, user, assessment, data)


@require_POST
def assessment_action(request, pk):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    action = request.POST.get("action", "")
    error, status = "", 400
    form = action_form(action, request.POST) if action in services.FLOW else None
    if action not in services.FLOW:
        error = _("Thao tác không hợp lệ.")
    elif form is not None and not form.is_valid():
        error = " ".join(m for messages_ in form.errors.values() for m in messages_)
    else:
        try:
            run_action(action, request.user, assessment, form.cleaned_data if form else {})
        except PermissionDenied as exc:
            error, status = str(exc) or _("Bạn không có quyền thực hiện thao tác này."), 403
        except TransitionError as exc:
            error, status = " ".join(exc.messages), 409
        except ValidationError as exc:
            error = " ".join(_error_text(exc))
        else:
            messages.success(
                request, _("Đã thực hiện: %(action)s.") % {"action": services.FLOW[action].label}
            )
            return redirect("parindex:assessment", pk=assessment.pk)
    assessment.refresh_from_db()
    return render(
        request,
        "parindex/assessment_detail.html",
        _detail_context(request, assessment, error),
        status=status,
    )


@require_safe
def missing_page(request, pk):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    return render(
        request,
        "parindex/missing.html",
        {
            "assessment": assessment,
            "groups": selectors.missing(assessment),
            "sample_banner": SAMPLE_BANNER,
        },
    )


def _result_context(request, assessment):
    period = assessment.period
    all_results = selectors.period_results(period)
    result = all_results[assessment.pk]
    selectors.hide_unreadable_previous(request.user, [result])
    ranking = [row["result"] for row in selectors.ranking_for(request.user, period, all_results)]
    changes = selectors.node_changes(result)
    return {
        "assessment": assessment,
        "period": period,
        "result": result,
        "ranking": ranking,
        "field_changes": {f["code"]: changes.get(f["code"]) for f in result.fields},
        "chart": charts.radar_svg(
            [_short(f) for f in result.fields],
            [float(f["percent"]) for f in result.fields],
        ),
        "sample_banner": SAMPLE_BANNER,
        "fmt": fmt,
    }


def _short(field) -> str:
    name = field["name"]
    return f"{field['code']}. {name if len(name) <= 22 else name[:21] + '…'}"


@require_safe
def result_page(request, pk):
    assessment = selectors.get_result_assessment_for_user(request.user, pk)
    context = _result_context(request, assessment)
    context["whatif"] = None
    codes = [c for c in request.GET.getlist("leaf") if c]
    field_codes = [c for c in request.GET.getlist("field") if c]
    if codes or field_codes:
        context["whatif"] = selectors.whatif(assessment, codes=codes, fields=field_codes)
    if request.htmx and request.GET.get("partial") == "whatif":
        return render(request, "parindex/result.html#whatif", context)
    return render(request, "parindex/result.html", context)


@require_safe
def result_pdf(request, pk):
    assessment = selectors.get_result_assessment_for_user(request.user, pk)
    context = _result_context(request, assessment)
    result = context["result"]
    png = charts.radar_png(
        [f"{f['code']}" for f in result.fields], [float(f["percent"]) for f in result.fields]
    )
    context["chart_png"] = "data:image/png;base64," + base64.b64encode(png).decode()
    pdf = render_pdf("parindex/result_pdf.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="chi-so-cchc-{assessment.pk}.pdf"'
    return response


@require_safe
def period_export(request, pk):
    period = selectors.get_period_for_user(request.user, pk)
    if not selectors.may_see_all_of_period(request.user, period):
        raise Http404
    data = exports.period_scores_xlsx(period)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="diem-chi-so-cchc-{period.year}.xlsx"'
    return response


def survey_import_page(request, pk):
    period = selectors.get_period_for_user(request.user, pk)
    if not selectors.can_manage(request.user, period.agency):
        raise Http404
    problems = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = ["Chọn tệp CSV hoặc Excel (tối đa 5 MB)."]
        elif not upload.size:
            problems = ["Tệp gửi lên rỗng (không có dòng dữ liệu)."]
        elif upload.size > MAX_IMPORT_BYTES:
            problems = ["Tệp quá lớn (tối đa 5 MB)."]
        else:
            try:
                count = services.survey_import(
                    period=period, filename=upload.name, data=upload.read(), actor=request.user
                )
            except services.ImportRefused as exc:
                problems = [str(p) for p in exc.problems]
            else:
                messages.success(request, f"Đã nhập {count} điểm điều tra XHH.")
                return redirect("parindex:period", pk=period.pk)
    return render(
        request,
        "parindex/survey_import.html",
        {"period": period, "problems": problems, "sample_banner": SAMPLE_BANNER},
        status=400 if problems else 200,
    )


def period_new(request):
    user = request.user
    require_staff(user)
    agency = user.unit.agency if user.unit_id else None
    if agency is None or not selectors.can_manage(user, agency):
        raise Http404
    form = PeriodForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        period = services.period_create(
            agency=agency,
            actor=user,
            **{k: data[k] for k in ("framework", "year", "name", "units", "appraisers")},
            **{k: data[k] for k in data if k.endswith("_deadline")},
        )
        messages.success(request, f"Đã mở kỳ đánh giá “{period.name}”.")
        return redirect("parindex:period", pk=period.pk)
    return render(
        request, "parindex/period_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_POST
def framework_copy(request, pk):
    user = request.user
    if not selectors.can_manage_frameworks(user):
        raise Http404
    framework = get_object_or_404(selectors.frameworks_for_user(user), pk=pk)
    year = request.POST.get("year", "")
    if not year.isdigit() or not 2000 <= int(year) <= 2100:
        messages.error(request, "Năm không hợp lệ.")
        return redirect("parindex:framework-detail", pk=framework.pk)
    try:
        copy = services.framework_copy(framework=framework, year=int(year), actor=user)
    except ValidationError as exc:
        messages.error(request, " ".join(_error_text(exc)))
        return redirect("parindex:framework-detail", pk=framework.pk)
    messages.success(request, f"Đã tạo bộ tiêu chí năm {copy.year} từ bản năm {framework.year}.")
    return redirect("parindex:framework-detail", pk=copy.pk)


def assignments_page(request, pk):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    may_assign = selectors.is_unit_focal(request.user, assessment) or selectors.can_manage(
        request.user, assessment.period.agency
    )
    form = AssignmentForm(request.POST or None, assessment=assessment)
    if request.method == "POST":
        if not may_assign:
            raise Http404
        if form.is_valid():
            services.assignment_set(assessment=assessment, actor=request.user, **form.cleaned_data)
            messages.success(request, "Đã giao tiêu chí.")
            return redirect("parindex:assignments", pk=assessment.pk)
    assignments = assessment.assignments.select_related(
        "node", "person", "responsible_unit"
    ).order_by("node__order")
    return render(
        request,
        "parindex/assignments.html",
        {
            "assessment": assessment,
            "assignments": assignments,
            "form": form if may_assign else None,
            "sample_banner": SAMPLE_BANNER,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def metrics_refresh(request, pk):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    if not selectors.is_unit_focal(request.user, assessment):
        raise Http404
    count = services.metrics_refresh(assessment=assessment, actor=request.user)
    assessment.refresh_from_db()
    if assessment.metrics_frozen:
        messages.info(request, str(_metrics_status(assessment)))
    else:
        messages.success(
            request, _("Đã cập nhật %(count)s tiêu chí lấy số liệu tự động.") % {"count": count}
        )
    return redirect("parindex:assessment", pk=assessment.pk)


def _metrics_status(assessment) -> str:
    """“Số liệu tự động tính đến …, cập nhật lúc …”, or that they were frozen on submit."""
    at = assessment.metrics_computed_at
    at_text = timezone.localtime(at).strftime("%H:%M %d/%m/%Y") if at else ""
    day = assessment.metrics_data_date
    if assessment.metrics_frozen:
        if not at:
            return _("Đã nộp: số liệu tự động đã chốt khi nộp.")
        return _("Đã nộp: số liệu đã chốt lúc %(at)s (tính đến %(day)s).") % {
            "at": at_text,
            "day": f"{day:%d/%m/%Y}" if day else "",
        }
    if not at:
        return _("Số liệu tự động chưa được tính.")
    return _("Số liệu tự động tính đến %(day)s, cập nhật lúc %(at)s.") % {
        "day": f"{day:%d/%m/%Y}" if day else "",
        "at": at_text,
    }
