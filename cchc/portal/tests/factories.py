import datetime as dt
import itertools

from django.utils import timezone
from django.utils.html import strip_tags

from cchc.portal.models import Article, Category, Tag
from cchc.portal.search import search_text

_seq = itertools.count(1)


def category(name="Tin hoạt động", slug=None) -> Category:
    slug = slug or f"cat-{next(_seq)}"
    return Category.objects.create(name=name, slug=slug)


def tag(name) -> Tag:
    return Tag.objects.create(name=name, slug=f"tag-{next(_seq)}")


def article(
    cat,
    title="Bài viết",
    *,
    body="<p>Nội dung</p>",
    summary="",
    status=Article.Status.PUBLISHED,
    days_ago=1,
    tags=(),
    featured=False,
) -> Article:
    published_at = timezone.now() - dt.timedelta(days=days_ago) if status != "draft" else None
    a = Article.objects.create(
        title=title,
        slug=f"bai-{next(_seq)}",
        summary=summary,
        body=body,
        category=cat,
        status=status,
        published_at=published_at,
        featured=featured,
        search_title=search_text(title)[:300],
        search_body=search_text(summary, strip_tags(body)),
    )
    if tags:
        a.tags.set(tags)
    return a
