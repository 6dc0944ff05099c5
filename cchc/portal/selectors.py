"""Reads of the portal. Public lists return plain dicts with URLs and dates already formatted,
so templates stay lean (no per-item {% url %} or |date)."""

import datetime as dt

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from cchc.core.selectors import site_agency
from cchc.portal.models import (
    Article,
    Category,
    Comment,
    Page,
    ReceptionSession,
    ScienceTask,
    SiteLink,
    Tag,
)
from cchc.portal.services import may_act, pending_views

CARD_FIELDS = ("id", "title", "slug", "summary", "published_at", "category__name", "category__slug")


def local_date_text(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y") if moment else ""


def _cards(queryset) -> list[dict]:
    rows = []
    for row in queryset.values(*CARD_FIELDS):
        row["url"] = f"/tin-tuc/{row['slug']}/"
        row["date"] = local_date_text(row["published_at"])
        row["category_url"] = f"/chuyen-muc/{row['category__slug']}/"
        rows.append(row)
    return rows


def public_articles():
    return Article.objects.published()


def latest_articles(limit: int = 8, *, exclude_ids=()) -> list[dict]:
    return _cards(public_articles().exclude(pk__in=exclude_ids).order_by("-published_at")[:limit])


def featured_articles(limit: int = 3) -> list[dict]:
    return _cards(public_articles().filter(featured=True).order_by("-published_at")[:limit])


def category_articles(category: Category):
    return public_articles().filter(category=category).order_by("-published_at", "-id")


def tag_articles(tag: Tag):
    return public_articles().filter(tags=tag).order_by("-published_at", "-id")


def cards(queryset) -> list[dict]:
    return _cards(queryset)


def categories() -> list[dict]:
    return [
        {"name": c.name, "url": c.get_absolute_url(), "slug": c.slug}
        for c in Category.objects.all()
    ]


def article_for_public(slug: str) -> Article | None:
    return public_articles().select_related("category").filter(slug=slug).first()


def article_view_count(article: Article) -> int:
    return article.view_count + pending_views(article.pk)


def same_category(article: Article, limit: int = 5) -> list[dict]:
    """Cùng chuyên mục: the same category, newest first."""
    return _cards(
        public_articles()
        .filter(category_id=article.category_id)
        .exclude(pk=article.pk)
        .order_by("-published_at")[:limit]
    )


def other_articles(article: Article, limit: int = 5, *, exclude_ids=(), tag_ids=None) -> list[dict]:
    """Bài viết khác: articles sharing tags (most shared first, newest first), then newest."""
    if tag_ids is None:
        tag_ids = list(article.tags.values_list("pk", flat=True))
    excluded = {article.pk, *exclude_ids}
    found = []
    if tag_ids:
        found = _cards(
            public_articles()
            .filter(tags__in=tag_ids)
            .exclude(pk__in=excluded)
            .annotate(shared=Count("tags", filter=Q(tags__in=tag_ids)))
            .order_by("-shared", "-published_at")[:limit]
        )
    if len(found) < limit:
        excluded |= {row["id"] for row in found}
        found += latest_articles(limit - len(found), exclude_ids=excluded)
    return found


NEIGHBOURS_SECONDS = 300


def article_neighbours(article: Article) -> dict:
    """Tags and the two related lists of an article, kept five minutes (they change slowly)."""
    key = f"portal:neighbours:{article.pk}"
    data = cache.get(key)
    if data is None:
        same = same_category(article)
        tags = list(article.tags.all())
        data = {
            "tags": [{"name": t.name, "slug": t.slug} for t in tags],
            "same_category": same,
            "others": other_articles(
                article, exclude_ids=[a["id"] for a in same], tag_ids=[t.pk for t in tags]
            ),
        }
        cache.set(key, data, NEIGHBOURS_SECONDS)
    return data


def published_comments(article: Article) -> list[Comment]:
    return list(
        article.comments.filter(status=Comment.Status.PUBLISHED).only("name", "text", "created_at")
    )


def week_schedule(today: dt.date | None = None, weeks: int = 1) -> list[ReceptionSession]:
    """Reception entries from Monday of this week over `weeks` weeks."""
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    agency = site_agency()
    qs = ReceptionSession.objects.filter(
        date__gte=monday, date__lt=monday + dt.timedelta(weeks=weeks)
    )
    if agency is not None:
        qs = qs.filter(agency=agency)
    return list(qs.order_by("date", "session"))


def upcoming_schedule(today: dt.date | None = None, weeks: int = 4) -> list[ReceptionSession]:
    return week_schedule(today, weeks)


def science_tasks(*, results: bool, level: str = "", year: int | None = None, query: str = ""):
    from cchc.core.text import normalise
    from cchc.portal.search import query_terms

    statuses = (
        [ScienceTask.Status.ACCEPTED, ScienceTask.Status.REGISTERED]
        if results
        else [ScienceTask.Status.IN_PROGRESS]
    )
    qs = ScienceTask.objects.filter(status__in=statuses)
    if level:
        qs = qs.filter(level=level)
    if year:
        qs = qs.filter(start_date__year__lte=year, end_date__year__gte=year)
    for term in query_terms(normalise(query)):
        qs = qs.filter(search_text__contains=f" {term} ")
    return qs.order_by("-end_date" if results else "-start_date", "code")


def site_links() -> list[SiteLink]:
    return list(SiteLink.objects.all())


def page_by_slug(slug: str) -> Page | None:
    return Page.objects.filter(slug=slug).first()


# Staff reads: the news, comments and S&T tasks are the portal's agency's (services.may_act).


def staff_articles(user, roles):
    """Every article for those holding `roles` in the portal's agency; nothing for others."""
    return Article.objects.all() if may_act(user, roles) else Article.objects.none()


def staff_comments(user, roles):
    return Comment.objects.filter(article__in=staff_articles(user, roles))


def staff_science_tasks(user, roles):
    return ScienceTask.objects.all() if may_act(user, roles) else ScienceTask.objects.none()
