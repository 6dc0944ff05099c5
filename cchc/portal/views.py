import re

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from cchc.core import ratelimits, registry
from cchc.core.clientip import client_ip
from cchc.core.files import upload_response
from cchc.core.selectors import site_agency, unit_tree
from cchc.core.text import query_error
from cchc.env import env_int
from cchc.portal import search, selectors, services
from cchc.portal.forms import CommentForm, ScienceFilterForm
from cchc.portal.models import Category, Tag

# Anonymous home and article pages are served from the cache for this long (0 = off), by
# cchc.portal.middleware.AnonymousPageCacheMiddleware, before sessions and auth run.
PAGE_CACHE_SECONDS = env_int("PORTAL_PAGE_CACHE_SECONDS", 60)
PAGE_SIZE = 20
HOME_MAIN_SECONDS = 60


def visitor_key(request) -> str:
    # The client's address, not nginx's: behind the proxy REMOTE_ADDR is always 127.0.0.1.
    return services.visitor_hash(client_ip(request), request.META.get("HTTP_USER_AGENT", ""))


def _page_number(request):
    raw = request.GET.get("page", "1")
    try:
        number = int(raw)
    except (TypeError, ValueError):
        raise Http404(_("Số trang không hợp lệ.")) from None
    if number < 1:
        raise Http404(_("Số trang không hợp lệ."))
    return number


def _paginate(request, queryset, size=PAGE_SIZE):
    paginator = Paginator(queryset, size)
    number = _page_number(request)
    if number > max(paginator.num_pages, 1):
        raise Http404(_("Không có trang này."))
    return paginator.page(number)


def _home_context() -> dict:
    summary = registry.figures.get("feedback.summary")
    featured = selectors.featured_articles(3)
    return {
        "site_agency": site_agency(),
        "featured": featured,
        "latest": selectors.latest_articles(8, exclude_ids=[a["id"] for a in featured]),
        "counters": summary.compute(site_agency(), None, None) if summary else None,
        "schedule": [
            {
                "date_text": e.date.strftime("%d/%m/%Y"),
                "session": str(e.get_session_display()),
                "leader": e.leader,
                "place": e.place,
            }
            for e in selectors.week_schedule()
        ],
        "science_running": list(selectors.science_tasks(results=False).values("code", "name")[:5]),
        "science_results": list(selectors.science_tasks(results=True).values("code", "name")[:5]),
        "links": [{"title": link.title, "url": link.url} for link in selectors.site_links()],
    }


def _home_main() -> str:
    """The home page body, rendered once per content version and kept a minute for everyone
    (counters, schedule and due scheduled articles change without a new version)."""
    key = f"portal:home:main:{services.content_version()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("portal/home_main.html", _home_context())
        cache.set(key, html, HOME_MAIN_SECONDS)
    return html


@require_safe
def home(request):
    if not _anonymous_without_messages(request):
        return render(request, "portal/home.html", {"main": _home_main()})
    # The whole page as every anonymous visitor sees it, kept as long as its body is.
    origin = request.build_absolute_uri("/")
    key = f"portal:home-page:{services.content_version()}:{timezone.localdate()}:{origin}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("portal/home.html", {"main": _home_main()}, request=request)
        cache.set(key, html, HOME_MAIN_SECONDS)
    return HttpResponse(html)


@require_safe
def article_list(request):
    page = _paginate(request, selectors.public_articles().order_by("-published_at", "-id"))
    return render(
        request,
        "portal/article_list.html",
        {"page": page, "items": selectors.cards(page.object_list), "heading": _("Tin tức")},
    )


@require_safe
def category_detail(request, slug):
    category = get_object_or_404(Category, slug=slug)
    page = _paginate(request, selectors.category_articles(category))
    return render(
        request,
        "portal/article_list.html",
        {
            "page": page,
            "items": selectors.cards(page.object_list),
            "heading": category.name,
            "feed_url": f"/rss/{category.slug}/",
        },
    )


@require_safe
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = _paginate(request, selectors.tag_articles(tag))
    return render(
        request,
        "portal/article_list.html",
        {
            "page": page,
            "items": selectors.cards(page.object_list),
            "heading": _("Thẻ: %(tag)s") % {"tag": tag.name},
        },
    )


ARTICLE_PARTS_SECONDS = 300
ARTICLE_PARTS = ("head", "top", "body", "after")


def _article_parts(request, slug) -> dict:
    """The article page rendered once per content version (body with abbreviations expanded,
    comments, related lists); only the view count is filled in per visit."""
    absolute_url = request.build_absolute_uri(f"/tin-tuc/{slug}/")
    key = f"portal:article:{services.content_version()}:{absolute_url}"
    parts = cache.get(key)
    if parts is None:
        article = selectors.article_for_public(slug)
        if article is None:
            raise Http404(_("Không tìm thấy bài viết."))
        context = {
            "article": article,
            **selectors.article_neighbours(article),
            "comments": selectors.published_comments(article),
            "absolute_url": absolute_url,
            # Share previews need an absolute image address (covers are stored as "/anh/…").
            "cover_url": request.build_absolute_uri(article.cover_image)
            if article.cover_image
            else "",
        }
        parts = {
            "id": article.pk,
            "view_count": article.view_count,
            "title": article.title,
            "date": selectors.local_date_text(article.published_at),
            "parts": {
                name: render_to_string(f"portal/article_parts.html#{name}", context)
                for name in ARTICLE_PARTS
            },
        }
        cache.set(key, parts, ARTICLE_PARTS_SECONDS)
    return parts


# Where the view count goes in a page kept for every anonymous visitor (never in content).
_VIEWS_SLOT = "\x00views\x00"


def _anonymous_without_messages(request) -> bool:
    return not request.user.is_authenticated and not len(messages.get_messages(request))


def _anonymous_article_page(request, slug) -> tuple[int, int, str]:
    """The whole page as every anonymous visitor sees it, rendered once per content version,
    address and day (the layout shows the date); the view count is filled in per visit."""
    absolute_url = request.build_absolute_uri(f"/tin-tuc/{slug}/")
    key = f"portal:article-page:{services.content_version()}:{timezone.localdate()}:{absolute_url}"
    page = cache.get(key)
    if page is None:
        parts = _article_parts(request, slug)
        context = {**parts, "views": _VIEWS_SLOT}
        html = render_to_string("portal/article_detail.html", context, request=request)
        page = (parts["id"], parts["view_count"], html)
        if html.count(_VIEWS_SLOT) == 1:
            cache.set(key, page, ARTICLE_PARTS_SECONDS)
    return page


@require_safe
def article_detail(request, slug):
    if _anonymous_without_messages(request):
        article_id, view_count, html = _anonymous_article_page(request, slug)
        services.view_register(article_id=article_id, visitor=visitor_key(request))
        views = view_count + services.pending_views(article_id)
        response = HttpResponse(html.replace(_VIEWS_SLOT, str(views), 1))
    else:
        parts = _article_parts(request, slug)
        article_id = parts["id"]
        services.view_register(article_id=article_id, visitor=visitor_key(request))
        views = parts["view_count"] + services.pending_views(article_id)
        response = render(request, "portal/article_detail.html", {**parts, "views": views})
    response.portal_article_id = article_id  # a cached copy still counts views (middleware)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def comment_create(request, slug):
    article = selectors.article_for_public(slug)
    if article is None:
        raise Http404(_("Không tìm thấy bài viết."))
    form = CommentForm(request.POST or None)
    if request.method == "POST":
        if ratelimits.limited(request, "comment"):
            return ratelimits.too_many_page(request)
        if form.is_bot():
            # Pretend it went well; store nothing.
            return render(request, "portal/comment_sent.html", {"article": article})
        if form.is_valid():
            try:
                services.comment_submit(
                    article=article, **{k: form.cleaned_data[k] for k in ("name", "email", "text")}
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return render(request, "portal/comment_sent.html", {"article": article})
    return render(request, "portal/comment_form.html", {"article": article, "form": form})


@require_safe
def search_view(request):
    query = request.GET.get("q", "").strip()
    context = {"query": query, "page": None, "items": [], "error": ""}
    status = 200
    if too_long := query_error(query):
        context["error"] = too_long
        context["query"] = query[: search.MAX_QUERY]
        status = 400
    elif not search.query_terms(search.normalise(query)):
        context["error"] = _("Hãy nhập từ khóa cần tìm.") if "q" in request.GET else ""
    else:
        results, terms = search.search_all(query)
        page = _paginate(request, results, 10) if results else None
        context.update(
            page=page,
            total=len(results),
            capped=len(results) >= search.SOURCE_LIMIT,
            items=search.decorate(page.object_list, terms) if page else [],
        )
    return render(request, "portal/search.html", context, status=status)


@require_safe
def schedule(request):
    return render(
        request,
        "portal/schedule.html",
        {"entries": selectors.upcoming_schedule(weeks=4)},
    )


def _science_list(request, *, results: bool):
    form = ScienceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.science_tasks(
        results=results,
        level=filters.get("level") or "",
        year=filters.get("year"),
        query=filters.get("q") or "",
    )
    page = _paginate(request, qs)
    heading = (
        _("Kết quả thực hiện nhiệm vụ KH&CN") if results else _("Nhiệm vụ KH&CN đang tiến hành")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "portal/science_list.html",
        {
            "form": form,
            "page": page,
            "heading": heading,
            "results": results,
            "params": params.urlencode(),
        },
    )


@require_safe
def science_in_progress(request):
    return _science_list(request, results=False)


@require_safe
def science_results(request):
    return _science_list(request, results=True)


@require_safe
def science_file(request, code, pk):
    """An S&T task's result file as a download (never a MEDIA_URL link)."""
    from cchc.portal.models import ScienceTaskFile

    item = get_object_or_404(ScienceTaskFile, task__code=code, pk=pk)
    extension = item.path.rsplit(".", 1)[-1]
    title = (
        item.title if item.title.lower().endswith(f".{extension}") else f"{item.title}.{extension}"
    )
    return upload_response(item.path, filename=title, mime=item.mime)


_COVER_NAME = re.compile(r"^[0-9a-f]{32}\.(?:jpg|png|gif|webp)$")


@require_safe
def cover_image(request, name):
    """An article's uploaded cover image (public, like the article's page)."""
    if not _COVER_NAME.match(name):
        raise Http404
    return upload_response(f"portal/covers/{name}", filename=name)


@require_safe
def science_detail(request, code):

    from cchc.portal.models import ScienceTask

    task = get_object_or_404(ScienceTask, code=code)
    files = [
        {"item": f, "url": reverse("portal:science-file", args=[task.code, f.pk])}
        for f in task.files.all()
    ]
    user = request.user
    can_upload = user.is_authenticated and (
        user.is_superuser or user.has_role(*services.EDITOR_ROLES)
    )
    return render(
        request,
        "portal/science_detail.html",
        {"task": task, "files": files, "can_upload": can_upload},
    )


@require_safe
def page_detail(request, slug):
    page = selectors.page_by_slug(slug)
    if page is None:
        raise Http404(_("Không tìm thấy trang."))
    agency = site_agency()
    tree = unit_tree(agency) if page.show_unit_tree and agency else []
    return render(request, "portal/page.html", {"page": page, "tree": tree})


@require_safe
def organisation(request):
    agency = site_agency()
    return render(
        request, "portal/organisation.html", {"tree": unit_tree(agency) if agency else []}
    )


@require_safe
def links(request):
    return render(request, "portal/links.html", {"links": selectors.site_links()})


@require_safe
def robots(request):
    lines = [
        "User-agent: *",
        "Disallow: /quan-tri/",
        "Disallow: /quan-ly/",
        "Disallow: /api/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
