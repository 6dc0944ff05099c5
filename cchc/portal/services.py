"""Writes of the portal: articles, comments, schedule, register, S&T tasks, view counts."""

import contextlib
import datetime as dt
import hashlib
import json
import re
import time
from html.parser import HTMLParser

import nh3
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cchc.core.permissions import acts_for
from cchc.core.roles import Role
from cchc.core.selectors import site_agency
from cchc.core.services import audit_record
from cchc.core.text import normalise
from cchc.core.transitions import Transition, Workflow
from cchc.core.workcalendar import add_working_days
from cchc.portal.models import Article, Comment, ReceptionSession, ReceptionVisit
from cchc.portal.search import search_text

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "u", "s", "sub", "sup", "h2", "h3", "h4", "ul", "ol", "li",
    "blockquote", "a", "img", "figure", "figcaption", "table", "thead", "tbody", "tr", "th",
    "td", "caption", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
RECEPTION_NOTICE_DAYS = 5  # Law on Citizen Reception 2013, art. 24
EDITOR_ROLES = (Role.EDITOR, Role.SYSTEM_ADMIN)
APPROVER_ROLES = (Role.AGENCY_LEADER, Role.UNIT_LEADER, Role.SYSTEM_ADMIN)
SCHEDULE_ROLES = (Role.EDITOR, Role.AGENCY_LEADER, Role.SYSTEM_ADMIN)
REGISTER_ROLES = (Role.AGENCY_LEADER, Role.PETITION_HANDLER, Role.SYSTEM_ADMIN)
_SPACE = re.compile(r"\s+")


class _ImageAltChecker(HTMLParser):
    def __init__(self):
        super().__init__()
        self.missing = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img" and not (dict(attrs).get("alt") or "").strip():
            self.missing += 1

    def handle_data(self, data):
        self.text.append(data)


def sanitise_body(html: str) -> tuple[str, str]:
    """(clean HTML, plain text); refuses an image without alternative text."""
    clean = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    checker = _ImageAltChecker()
    checker.feed(clean)
    if checker.missing:
        raise ValidationError(
            {"body": _("Mỗi ảnh trong bài phải có mô tả thay thế (alt) cho người khiếm thị.")}
        )
    return clean, _SPACE.sub(" ", " ".join(checker.text)).strip()


def cover_store(upload) -> str:
    """Check an uploaded cover image by its content and store it; returns the URL of the view
    that serves it (uploads are never linked under MEDIA_URL)."""
    from django.urls import reverse

    from cchc.core.files import check_upload, store_upload

    checked = check_upload(upload, kinds=("image",), max_bytes=5 * 1024 * 1024)
    path = store_upload(checked, folder="portal/covers")
    return reverse("portal:cover-image", args=[path.rsplit("/", 1)[-1]])


def _unique_slug(title: str, exclude_pk=None) -> str:
    base = slugify(normalise(title))[:300] or "bai-viet"
    slug, n = base, 2
    while Article.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def may_act(user, roles, agency=None) -> bool:
    """`user` holds one of `roles` *in* `agency`: the one check of every portal write.

    News, comments and S&T results carry no agency: they are the portal's, and the portal is
    the site agency's (settings.SITE_AGENCY_CODE), so `agency` defaults to it. The same role
    in another agency gives nothing.
    """
    agency = site_agency() if agency is None else agency
    return acts_for(user, agency and agency.pk) and (user.is_superuser or user.has_role(*roles))


def _can_edit(user) -> bool:
    return may_act(user, EDITOR_ROLES)


CONTENT_VERSION_KEY = "portal:content-version"


def content_version() -> str:
    """Changes whenever public news content changes: the key of the cached page fragments."""
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:  # first use, or evicted: start a new one
        cache.add(CONTENT_VERSION_KEY, str(time.time_ns()), None)
        version = cache.get(CONTENT_VERSION_KEY, "0")
    return version


def content_changed() -> None:
    cache.set(CONTENT_VERSION_KEY, str(time.time_ns()), None)


def forget_public_pages(article: Article | None = None) -> None:
    content_changed()
    keys = ["portal:page:home"]
    if article is not None:
        keys.append(f"portal:page:article:{article.slug}")
    cache.delete_many(keys)


def article_save(
    *,
    actor,
    title: str,
    category,
    summary: str = "",
    body: str = "",
    tags=(),
    author_name: str = "",
    source: str = "",
    cover_image: str = "",
    cover_alt: str = "",
    cover_caption: str = "",
    featured: bool = False,
    article: Article | None = None,
) -> Article:
    """Create or edit an article (editors); the body is sanitised and indexed for search."""
    if not _can_edit(actor):
        raise PermissionError(_("Chỉ biên tập viên được viết bài."))
    if cover_image and not cover_alt.strip():
        raise ValidationError({"cover_alt": _("Ảnh đại diện phải có mô tả thay thế (alt).")})
    clean_body, body_text = sanitise_body(body)
    with transaction.atomic():
        if article is None:
            article = Article(author=actor, slug=_unique_slug(title))
            action = "create"
        else:
            # Two editors saving at once: the later save must see the earlier one's row.
            article = Article.objects.select_for_update(no_key=True, of=("self",)).get(
                pk=article.pk
            )
            action = "edit"
        article.title = title.strip()
        article.summary = summary.strip()
        article.body = clean_body
        article.category = category
        article.author_name = author_name.strip()
        article.source = source.strip()
        article.cover_image, article.cover_alt = cover_image, cover_alt.strip()
        article.cover_caption = cover_caption.strip()
        article.featured = featured
        article.search_title = search_text(article.title)[:300]
        article.search_body = search_text(article.summary, body_text)
        article.full_clean(exclude=["slug", "author", "published_at", "status"])
        article.save()
        article.tags.set(tags)
        audit_record(actor=actor, obj=article, action=action, to_state=article.status)
        transaction.on_commit(lambda: forget_public_pages(article))
    return article


def _portal_role(roles, message):
    """who(): the person holds one of `roles` in the portal's agency (the rule of `may_act`),
    with the reason when not: another agency's portal, or the wrong role."""

    def who(actor, _record):
        agency = site_agency()
        if not acts_for(actor, agency and agency.pk):
            return _("Tin bài thuộc cổng thông tin của cơ quan khác.")
        if actor.is_superuser or actor.has_role(*roles):
            return None
        return str(message)

    return who


def _locked(model, obj):
    # Two people acting at once on the same record: one wins, the other sees the new state.
    return model.objects.select_for_update(no_key=True, of=("self",)).get(pk=obj.pk)


def article_submit(*, actor, article: Article) -> Article:
    """An editor sends a draft to the leader for approval."""
    return _article_move("submit", actor=actor, article=article)


def article_approve(*, actor, article: Article, publish_at: dt.datetime | None = None) -> Article:
    """A leader approves: published now, or scheduled to appear by itself at `publish_at`."""
    now = timezone.now()
    scheduled = publish_at is not None and publish_at > now
    return _article_move(
        "approve",
        actor=actor,
        article=article,
        to=Article.Status.SCHEDULED if scheduled else Article.Status.PUBLISHED,
        published_at=publish_at if scheduled else now,
    )


def article_return(*, actor, article: Article, reason: str) -> Article:
    """A leader sends an article back to draft (also takes a published one down)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Cần ghi lý do trả lại.")})
    return _article_move("return", actor=actor, article=article, reason=reason.strip())


def _article_move(slug, *, actor, article, to=None, published_at=None, reason=""):
    with transaction.atomic():
        locked = _locked(Article, article)
        transition = ARTICLE_FLOW.check(slug, actor, locked)
        previous = locked.status
        locked.status = to or transition.target
        fields = ["status", "updated_at"]
        if published_at is not None:
            locked.published_at = published_at
            fields.append("published_at")
        locked.save(update_fields=fields)
        audit_record(
            actor=actor,
            obj=locked,
            action=transition.audit,
            from_state=previous,
            to_state=locked.status,
            reason=reason,
        )
        transaction.on_commit(lambda: forget_public_pages(locked))
    return locked


_S = "cchc.portal.services."
_F = "cchc.portal.forms."
_editor = _portal_role(EDITOR_ROLES, _("Chỉ biên tập viên được gửi duyệt."))
_approver = _portal_role(APPROVER_ROLES, _("Chỉ lãnh đạo được duyệt đăng hoặc trả lại bài."))
_moderator = _portal_role(
    (*EDITOR_ROLES, *APPROVER_ROLES), _("Chỉ biên tập viên được kiểm duyệt ý kiến.")
)

# The article's transitions: one slug each, used by the services, the buttons of the review
# page and the one dispatch of its actions (the portal's API is read-only).
ARTICLE_FLOW = Workflow(
    [
        Transition(
            "submit",
            _("Gửi duyệt"),
            frozenset({Article.Status.DRAFT}),
            Article.Status.IN_REVIEW,
            who=_editor,
            audit="submit",
            service=_S + "article_submit",
        ),
        Transition(
            "approve",
            _("Duyệt đăng"),
            frozenset({Article.Status.IN_REVIEW, Article.Status.DRAFT}),
            None,  # published now, or scheduled when `publish_at` is later
            who=_approver,
            audit="approve",
            service=_S + "article_approve",
            form=_F + "ApproveForm",
        ),
        Transition(
            "return",
            _("Trả lại"),
            frozenset({s for s in Article.Status if s != Article.Status.DRAFT}),
            Article.Status.DRAFT,
            who=_approver,
            audit="return",
            service=_S + "article_return",
            form=_F + "ReturnForm",
        ),
    ],
    record="article",
)


# Comments ------------------------------------------------------------------------------


def comment_submit(*, article: Article, name: str, email: str, text: str) -> Comment:
    """A reader's comment, held for moderation. Stored as plain text (escaped when shown)."""
    comment = Comment(article=article, name=name.strip(), email=email.strip(), text=text.strip())
    comment.full_clean()
    comment.save()
    return comment


def comment_publish(*, actor, comment: Comment) -> Comment:
    return _comment_move("publish", actor=actor, comment=comment)


def comment_reject(*, actor, comment: Comment) -> Comment:
    return _comment_move("reject", actor=actor, comment=comment)


def comment_moderate(*, actor, comment: Comment, publish: bool) -> Comment:
    return (comment_publish if publish else comment_reject)(actor=actor, comment=comment)


def _comment_move(slug, *, actor, comment):
    with transaction.atomic():
        locked = _locked(Comment, comment)
        transition = COMMENT_FLOW.check(slug, actor, locked)
        previous = locked.status
        locked.status = transition.target
        locked.save(update_fields=["status"])
        audit_record(
            actor=actor,
            obj=locked,
            action=transition.audit,
            from_state=previous,
            to_state=locked.status,
        )
        transaction.on_commit(lambda: forget_public_pages(locked.article))
    return locked


# A published comment may still be taken down, a rejected one published after all.
COMMENT_FLOW = Workflow(
    [
        Transition(
            "publish",
            _("Đăng"),
            frozenset({Comment.Status.PENDING, Comment.Status.REJECTED}),
            Comment.Status.PUBLISHED,
            who=_moderator,
            audit="moderate",
            service=_S + "comment_publish",
        ),
        Transition(
            "reject",
            _("Không đăng"),
            frozenset({Comment.Status.PENDING, Comment.Status.PUBLISHED}),
            Comment.Status.REJECTED,
            who=_moderator,
            audit="moderate",
            service=_S + "comment_reject",
        ),
    ],
    record="comment",
)


# Reception schedule and register --------------------------------------------------------


def reception_notice_warning(date: dt.date, *, now: dt.datetime | None = None) -> str:
    """The warning when a reception is published fewer than 5 working days ahead, else ""."""
    now = now or timezone.now()
    earliest = add_working_days(now, RECEPTION_NOTICE_DAYS).due.date()
    if date >= earliest:
        return ""
    return _(
        "Lịch tiếp ngày %(date)s được công bố chưa đủ %(days)s ngày làm việc trước ngày tiếp "
        "(Luật Tiếp công dân 2013, Điều 24: công khai lịch tiếp trước ít nhất 5 ngày làm việc; "
        "sớm nhất hợp lệ là ngày %(earliest)s)."
    ) % {
        "date": f"{date:%d/%m/%Y}",
        "days": RECEPTION_NOTICE_DAYS,
        "earliest": f"{earliest:%d/%m/%Y}",
    }


def reception_session_save(
    *, actor, agency, date, session, leader, place, content="", entry=None
) -> tuple[ReceptionSession, str]:
    """Save a schedule entry; returns (entry, warning) — the warning does not block saving."""
    if not may_act(actor, SCHEDULE_ROLES, agency) or (
        entry is not None and entry.agency_id != agency.pk
    ):
        raise PermissionError(_("Không có quyền sửa lịch tiếp công dân."))
    with transaction.atomic():
        entry = entry or ReceptionSession(agency=agency)
        entry.date, entry.session, entry.leader = date, session, leader.strip()
        entry.place, entry.content = place.strip(), content.strip()
        entry.full_clean()
        entry.save()
        audit_record(actor=actor, obj=entry, action="schedule", to_state=str(date), agency=agency)
    return entry, reception_notice_warning(date)


def reception_visit_record(*, actor, agency, **fields) -> ReceptionVisit:
    if not may_act(actor, REGISTER_ROLES, agency):
        raise PermissionError(_("Không có quyền ghi sổ tiếp công dân."))
    visit = ReceptionVisit(agency=agency, recorded_by=actor, **fields)
    visit.full_clean()
    with transaction.atomic():
        visit.save()
        audit_record(actor=actor, obj=visit, action="record", agency=agency)
    return visit


# View counts ------------------------------------------------------------------------------

VIEW_KEY = "portal:views:{}"
SEEN_KEY = "portal:seen:{}:{}"
SEEN_WINDOW = 30 * 60  # a reload by the same visitor within 30 minutes is not a new view
FLUSH_CHUNK = 500


def view_register(*, article_id: int, visitor: str) -> bool:
    """Count one view in the cache (no database write); False when it is a reload."""
    if not cache.add(SEEN_KEY.format(article_id, visitor), 1, SEEN_WINDOW):
        return False
    key = VIEW_KEY.format(article_id)
    try:
        cache.incr(key)
    except ValueError:  # no counter yet (or evicted)
        if not cache.add(key, 1, None):
            cache.incr(key)
    return True


def pending_views(article_id: int) -> int:
    return cache.get(VIEW_KEY.format(article_id)) or 0


def visitor_hash(address: str, agent: str) -> str:
    return hashlib.sha256(f"{address}|{agent}".encode()).hexdigest()[:24]


_PROXY_ARTICLE = re.compile(r"/tin-tuc/([-\w]+)/")


def views_from_proxy_log(path: str, *, proxy_address: str = "127.0.0.1") -> int:
    """Count the article views nginx answered from its microcache (deploy/nginx.conf.in logs
    them: X-Forwarded-For as sent to the app, user agent, path), read on from where the last
    call stopped; the visitor is told apart exactly as a visit reaching the app is."""
    from pathlib import Path

    from django.http import HttpRequest

    from cchc.core.clientip import client_ip

    log, mark = Path(path), Path(f"{path}.offset")
    if not log.exists():
        return 0
    offset = int(mark.read_text() or 0) if mark.exists() else 0
    with log.open("rb") as handle:
        if handle.seek(0, 2) < offset:  # rotated or truncated: start again
            offset = 0
        handle.seek(offset)
        data = handle.read()
    data = data[: data.rfind(b"\n") + 1]  # a line nginx is still writing waits
    hits = []
    for line in data.decode("utf-8", "replace").splitlines():
        fields = line.split("\t")
        if len(fields) != 3 or not (match := _PROXY_ARTICLE.fullmatch(fields[2])):
            continue
        forwarded, agent = (json.loads(f'"{field}"') for field in fields[:2])
        request = HttpRequest()
        request.META = {"REMOTE_ADDR": proxy_address, "HTTP_X_FORWARDED_FOR": forwarded}
        hits.append((match[1], visitor_hash(client_ip(request), agent)))
    ids = dict(
        Article.objects.filter(slug__in={slug for slug, _ in hits}).values_list("slug", "pk")
    )
    counted = sum(
        view_register(article_id=ids[slug], visitor=visitor)
        for slug, visitor in hits
        if slug in ids
    )
    mark.write_text(str(offset + len(data)))
    return counted


def views_flush(*, article_ids=None) -> int:
    """Add the cached counters to the database, then take them off the cache.

    A counter is reduced only after the database write committed, so a failed flush loses
    nothing; views that arrive during the flush stay in the counter for the next one.
    Views nginx answered from its microcache are counted first (settings.NGINX_VIEW_LOG).
    """
    from django.conf import settings
    from django.db.models import F

    if getattr(settings, "NGINX_VIEW_LOG", ""):
        views_from_proxy_log(settings.NGINX_VIEW_LOG)
    if article_ids is None:
        article_ids = Article.objects.exclude(status=Article.Status.DRAFT).values_list(
            "pk", flat=True
        )
    ids = list(article_ids)
    total = 0
    for start in range(0, len(ids), FLUSH_CHUNK):
        keys = {VIEW_KEY.format(pk): pk for pk in ids[start : start + FLUSH_CHUNK]}
        counts = {keys[k]: int(v) for k, v in cache.get_many(list(keys)).items() if v}
        if not counts:
            continue
        with transaction.atomic():
            for pk, n in counts.items():
                Article.objects.filter(pk=pk).update(view_count=F("view_count") + n)
        for pk, n in counts.items():
            # ValueError: the counter was evicted meanwhile, nothing left to take off.
            with contextlib.suppress(ValueError):
                cache.decr(VIEW_KEY.format(pk), n)
        total += sum(counts.values())
    if total:
        content_changed()  # the cached article fragments hold the database count
    return total


# S&T task files ------------------------------------------------------------------------


def science_file_attach(*, actor, task, upload, title: str = ""):
    """Attach a result file (PDF, office or image, up to 20 MB) to an S&T task."""
    from cchc.core.files import check_upload, store_upload
    from cchc.portal.models import ScienceTaskFile

    if not _can_edit(actor):
        raise PermissionError(_("Chỉ biên tập viên được đăng tệp kết quả."))
    checked = check_upload(upload, kinds=("pdf", "office", "image"))
    path = store_upload(checked, folder="portal/science")
    try:
        with transaction.atomic():
            item = ScienceTaskFile.objects.create(
                task=task,
                title=(title or checked.original_name).strip()[:255],
                path=path,
                mime=checked.mime,
                size=checked.size,
                sha256=checked.sha256,
            )
            audit_record(actor=actor, obj=task, action="attach", to_state=item.title)
    except Exception:
        from django.core.files.storage import default_storage

        default_storage.delete(path)
        raise
    return item
