"""Staff pages of the portal: writing and approving news, moderating comments, the reception
schedule and register. Everyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cchc.core.filters import filtered_page
from cchc.core.permissions import require_staff
from cchc.core.transitions import TransitionError
from cchc.portal import selectors, services
from cchc.portal.filters import PAGE_SIZE, ArticleQueueFilter
from cchc.portal.forms import ArticleForm, ReceptionSessionForm, ReceptionVisitForm
from cchc.portal.models import Article, Comment, ReceptionSession, ReceptionVisit

NEWS_ROLES = (*services.EDITOR_ROLES, *services.APPROVER_ROLES)


def _require(user, roles, agency=None) -> None:
    """404 unless the person holds one of `roles` in `agency` (default: the portal's agency,
    which owns the news, comments and S&T results). Another agency's staff see nothing."""
    require_staff(user)
    if not services.may_act(user, roles, agency):
        raise Http404


def _agency(user, roles):
    """The person's own agency, whose schedule and register they keep (404 without the role)."""
    agency = user.agency
    if agency is None:
        raise Http404
    _require(user, roles, agency)
    return agency


def _errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def article_queue(request):
    _require(request.user, NEWS_ROLES)
    qs = selectors.staff_articles(request.user, NEWS_ROLES)
    filterset = ArticleQueueFilter(
        request.GET, queryset=qs.select_related("category").order_by("-updated_at")
    )
    page, errors = filtered_page(filterset, PAGE_SIZE, request.GET.get("page"))
    context = {
        "page": page,
        "errors": errors,
        "status": request.GET.get("status", ""),
        "statuses": Article.Status.choices,
    }
    return render(
        request, "portal/staff/article_queue.html", context, status=400 if errors else 200
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def article_edit(request, pk=None):
    _require(request.user, services.EDITOR_ROLES)
    articles = selectors.staff_articles(request.user, services.EDITOR_ROLES)
    article = get_object_or_404(articles, pk=pk) if pk else None
    initial = ArticleForm.initial_for(article) if article else None
    form = ArticleForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("cover_upload", None)
        try:
            if upload and not data.get("cover_alt", "").strip():
                raise ValidationError(
                    {"cover_alt": _("Ảnh đại diện phải có mô tả thay thế (alt).")}
                )
            if upload:  # stored only once the rest is known to be acceptable
                data["cover_image"] = services.cover_store(upload)
            article = services.article_save(actor=request.user, article=article, **data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Đã lưu bài viết."))
            return redirect("portal:staff-article", pk=article.pk)
    return render(request, "portal/staff/article_form.html", {"form": form, "article": article})


def action_form(slug, *args, **kwargs):
    """The transition's form (None when it takes no input)."""
    form_class = services.ARTICLE_FLOW.form_class(slug)
    return form_class(*args, **kwargs) if form_class else None


def _review(request, article, forms=None, error="", status=200):
    """The review page: the buttons are the declared transitions the person may take now."""
    forms = forms or {}
    actions = [
        (t.slug, forms[t.slug] if t.slug in forms else action_form(t.slug), t.label)
        for t in services.ARTICLE_FLOW.available(request.user, article)
    ]
    context = {
        "article": article,
        "actions": actions,
        "error": error,
        "can_edit": services._can_edit(request.user),
    }
    return render(request, "portal/staff/article_review.html", context, status=status)


def _run(flow, slug, user, record, data):
    """The one dispatch of a portal transition: (error, status), ("", 200) when done."""
    try:
        flow.run(slug, user, record, data)
    except PermissionDenied as exc:
        return str(exc) or _("Bạn không có quyền thực hiện thao tác này."), 403
    except TransitionError as exc:
        return " ".join(exc.messages), 409
    except ValidationError as exc:
        return " ".join(exc.messages), 400
    return "", 200


@login_required
def article_review(request, pk):
    _require(request.user, NEWS_ROLES)
    articles = selectors.staff_articles(request.user, NEWS_ROLES)
    return _review(request, get_object_or_404(articles.select_related("category"), pk=pk))


@login_required
@require_POST
def article_action(request, pk, action):
    _require(request.user, NEWS_ROLES)
    article = get_object_or_404(selectors.staff_articles(request.user, NEWS_ROLES), pk=pk)
    if action not in services.ARTICLE_FLOW:
        raise Http404
    form = action_form(action, request.POST)
    if form is not None and not form.is_valid():
        error, status = _("Vui lòng sửa các lỗi trong biểu mẫu."), 400
    else:
        data = form.cleaned_data if form else {}
        error, status = _run(services.ARTICLE_FLOW, action, request.user, article, data)
    if not error:
        messages.success(request, _("Đã cập nhật trạng thái bài viết."))
        return redirect("portal:staff-article", pk=article.pk)
    article.refresh_from_db()
    return _review(request, article, {action: form}, error, status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_queue(request):
    _require(request.user, NEWS_ROLES)
    comments = selectors.staff_comments(request.user, NEWS_ROLES)
    error, status = "", 200
    if request.method == "POST":
        comment_id = request.POST.get("comment", "")
        slug = request.POST.get("decision", "")
        if not (comment_id.isascii() and comment_id.isdigit()) or slug not in services.COMMENT_FLOW:
            raise Http404
        comment = get_object_or_404(comments, pk=comment_id)
        error, status = _run(services.COMMENT_FLOW, slug, request.user, comment, {})
        if not error:
            messages.success(request, _("Đã kiểm duyệt ý kiến."))
            return redirect("portal:staff-comments")
    pending = comments.filter(status=Comment.Status.PENDING).select_related("article")[:100]
    rows = [(c, services.COMMENT_FLOW.available(request.user, c)) for c in pending]
    return render(
        request,
        "portal/staff/comment_queue.html",
        {"rows": rows, "error": error},
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def schedule_manage(request):
    agency = _agency(request.user, services.SCHEDULE_ROLES)
    form = ReceptionSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _entry, warning = services.reception_session_save(
                actor=request.user, agency=agency, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            if warning:
                messages.warning(request, warning)
            messages.success(request, _("Đã lưu lịch tiếp công dân."))
            return redirect("portal:staff-schedule")
    entries = ReceptionSession.objects.filter(agency=agency).order_by("-date")[:50]
    return render(request, "portal/staff/schedule.html", {"form": form, "entries": entries})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def visit_register(request):
    agency = _agency(request.user, services.REGISTER_ROLES)
    form = ReceptionVisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reception_visit_record(actor=request.user, agency=agency, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Đã ghi sổ tiếp công dân."))
            return redirect("portal:staff-visits")
    page = Paginator(ReceptionVisit.objects.filter(agency=agency), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/staff/visits.html", {"form": form, "page": page})


@login_required
@require_POST
def science_file_upload(request, code):
    _require(request.user, services.EDITOR_ROLES)
    tasks = selectors.staff_science_tasks(request.user, services.EDITOR_ROLES)
    task = get_object_or_404(tasks, code=code)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Hãy chọn tệp cần tải lên."))
    else:
        try:
            services.science_file_attach(
                actor=request.user, task=task, upload=upload, title=request.POST.get("title", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã đăng tệp kết quả."))
    return redirect("portal:science-detail", code=task.code)
