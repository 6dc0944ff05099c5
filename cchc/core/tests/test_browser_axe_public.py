"""Every public page an anonymous visitor can reach, swept by axe-core in real Chromium: no
violation of any impact, in both themes, at a laptop's and a phone's size.

The pages are derived from the URL patterns: each named route outside the admin and the API is
either swept here (its parameters filled from the demo data) or skipped with a reason, and the
test fails when a route is neither, so a new public page cannot be added without being checked.
"""

import datetime as dt
import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cchc.core.tests.browser import set_theme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}

# Routes never swept: the admin (Django's own pages) and the API (JSON, its schema and docs).
OUTSIDE = ("quan-tri/", "api/")

COVERED = "covered elsewhere with every impact"
STAFF = "staff or signed-in person only: an anonymous visitor is sent to sign in or refused"
FILE = "a file download, not a page"
MACHINE = "XML/JSON/text for machines, not a page"
POST_ONLY = "answers POST only"

# route name -> (kind, reason). The kind is checked against what an anonymous GET answers.
SKIPPED = {
    "portal:home": (COVERED, "cchc/portal/tests/test_browser_layout.py"),
    "core:home": (COVERED, "shadowed by portal:home at the same path '/'"),
    "portal:article-detail": (COVERED, "cchc/portal/tests/test_browser_layout.py"),
    "portal:comment-create": (COVERED, "cchc/core/tests/test_browser_citizen_forms.py"),
    "dossiers:dossier-file": (COVERED, "cchc/core/tests/test_browser_citizen_forms.py"),
    "dossiers:dossier-resubmit": (COVERED, "cchc/core/tests/test_browser_citizen_forms.py"),
    "feedback:petition-create": (COVERED, "cchc/core/tests/test_browser_citizen_forms.py"),
    "dossiers:dossier-lookup": (COVERED, "cchc/dossiers/tests/test_browser_lookup.py"),
    "feedback:lookup": (COVERED, "cchc/dossiers/tests/test_browser_lookup.py"),
    "portal:science-file": (FILE, "an S&T task's attached file"),
    "portal:cover-image": (FILE, "an article's cover image"),
    "procedures:component-template": (FILE, "a component's blank form"),
    "dossiers:my-dossier-form": (FILE, "a citizen's filled form (PDF/DOCX)"),
    "dossiers:dossier-form": (FILE, "a dossier's filled form (PDF/DOCX)"),
    "dossiers:dossier-file-download": (FILE, "a dossier's file"),
    "dossiers:statistics-excel": (FILE, "statistics workbook"),
    "parindex:period-export": (FILE, "scores workbook"),
    "parindex:result-pdf": (FILE, "a published result as PDF"),
    "parindex:evidence-download": (FILE, "an evidence file"),
    "plans:plan-export": (FILE, "plan workbook"),
    "plans:task-evidence-download": (FILE, "an evidence file"),
    "plans:regulation-download": (FILE, "a regulation's file"),
    "reports:report-download": (FILE, "a report file"),
    "feedback:staff-attachment-download": (FILE, "a petition's attachment"),
    "nationalportal:public-file": (FILE, "a file handed to the national portal by token"),
    "portal:feed": (MACHINE, "RSS"),
    "portal:category-feed": (MACHINE, "RSS"),
    "portal:sitemap": (MACHINE, "sitemap XML"),
    "portal:robots": (MACHINE, "robots.txt"),
    "opendata:catalogue": (MACHINE, "DCAT JSON catalogue"),
    "opendata:agency-catalogue": (MACHINE, "DCAT JSON catalogue"),
    "opendata:dataset": (MACHINE, "CSV/JSON dataset"),
    "open311:services": (MACHINE, "Open311 XML/JSON"),
    "open311:requests": (MACHINE, "Open311 XML/JSON"),
    "open311:request-detail": (MACHINE, "Open311 XML/JSON"),
    "healthz": (MACHINE, "health check JSON"),
    "logout": (POST_ONLY, "sign-out"),
    "payments:payment-start": (POST_ONLY, "starts a payment"),
    "payments:payment-callback": (POST_ONLY, "the payment platform's callback"),
    "dossiers:dossier-action": (POST_ONLY, "staff action"),
    "feedback:staff-action": (POST_ONLY, "staff action"),
    "parindex:assessment-action": (POST_ONLY, "staff action"),
    "parindex:framework-copy": (POST_ONLY, "staff action"),
    "parindex:metrics-refresh": (POST_ONLY, "staff action"),
    "parindex:score-save": (POST_ONLY, "staff action"),
    "parindex:evidence-upload": (POST_ONLY, "staff action"),
    "nationalportal:retry": (POST_ONLY, "staff action"),
}
for _name in [
    "portal:staff-articles",
    "portal:staff-article-new",
    "portal:staff-article",
    "portal:staff-article-edit",
    "portal:staff-article-action",
    "portal:staff-science-file",
    "portal:staff-comments",
    "portal:staff-schedule",
    "portal:staff-visits",
    "core:otp_verify",
    "core:otp_enrol",
    "core:otp_devices",
    "password_change",
    "password_change_done",
    "parindex:framework-list",
    "parindex:framework-import",
    "parindex:framework-detail",
    "parindex:period-new",
    "parindex:survey-import",
    "parindex:assessment",
    "parindex:missing",
    "parindex:assignments",
    "parindex:field",
    "parindex:score-history",
    "procedures:procedure-edit",
    "procedures:procedure-legal-bases",
    "procedures:procedure-components",
    "procedures:procedure-steps",
    "procedures:national-mapping",
    "procedures:national-import",
    "procedures:national-fields",
    "procedures:national-codes",
    "procedures:national-procedure",
    "dossiers:dossier-queue",
    "dossiers:dossier-receive",
    "dossiers:unit-load",
    "dossiers:statistics",
    "dossiers:satisfaction",
    "dossiers:tracking-book",
    "dossiers:my-dossiers",
    "dossiers:my-dossier",
    "dossiers:dossier-detail",
    "feedback:staff-queue",
    "feedback:staff-detail",
    "records:overview",
    "records:list",
    "records:create",
    "records:template",
    "records:import",
    "records:edit",
    "records:delete",
    "plans:plan-list",
    "plans:plan-detail",
    "plans:plan-import",
    "plans:task-create",
    "plans:task-detail",
    "plans:task-action",
    "plans:task-evidence",
    "plans:regulation-list",
    "plans:legal-review-list",
    "plans:procedure-review-list",
    "plans:quality-list",
    "plans:regulation-edit",
    "plans:legal-review-edit",
    "plans:procedure-review-edit",
    "plans:quality-edit",
    "reports:report-list",
    "reports:dashboard",
    "reports:report-detail",
    "reports:report-generate",
    "reports:report-progress",
    "nationalportal:dossier-sync-log",
    "nationalportal:failures",
    "esign:dossier-signatures",
]:
    SKIPPED[_name] = (STAFF, "")


# Routes swept below, each with its parameters from the demo data (see demo_pages).
SWEPT = [
    "portal:article-list",
    "portal:category-detail",
    "portal:tag-detail",
    "portal:search",
    "portal:schedule",
    "portal:science-list",
    "portal:science-results",
    "portal:science-detail",
    "portal:page",
    "portal:organisation",
    "portal:links",
    "core:glossary",
    "core:calendar",
    "login",
    "parindex:home",
    "parindex:period",
    "parindex:result",
    "procedures:procedure-list",
    "procedures:procedure-detail",
    "dossiers:dossier-filed",
    "dossiers:dossier-rate",
    "feedback:answer-list",
    "feedback:answer-detail",
    "feedback:counting-rule",
    "payments:payment-return",
    "esign:signature-verify",
    "opendata:index",
    "opendata:agency-index",
]


def routes(patterns=None, prefix="", namespace=None):
    """(route name, pattern) of every named route outside the admin and the API."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(OUTSIDE):
            continue
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            joined = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from routes(pattern.url_patterns, route, joined)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"route without a name: {route}"
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route


def demo_pages() -> dict[str, list[tuple[str, int]]]:
    """route name -> [(path, expected status)] of the public pages, from the demo data."""
    from cchc.core.models import Agency
    from cchc.dossiers import ratings
    from cchc.dossiers.models import Dossier, Status
    from cchc.dossiers.rating_views import rate_url
    from cchc.feedback.models import Petition
    from cchc.parindex.models import Assessment
    from cchc.payments.models import PaymentTransaction
    from cchc.portal.models import Article, Category, Comment, Page, ScienceTask, Tag
    from cchc.procedures.models import Procedure

    article = Article.objects.published().order_by("-published_at").first()
    category = Category.objects.filter(articles__in=[article]).first() or Category.objects.first()
    tag = Tag.objects.filter(articles__isnull=False).first()
    task = ScienceTask.objects.order_by("code").first()
    agency = Agency.objects.get(code="SKHCN")
    answered = Petition.objects.filter(status=Petition.Status.PUBLISHED).first()
    assessment = Assessment.objects.filter(status=Assessment.Status.PUBLISHED).first()
    procedure = Procedure.objects.order_by("pk").first()
    returned = Dossier.objects.filter(status=Status.RETURNED, rating__isnull=True).first()
    rated = Dossier.objects.filter(rating__isnull=False).first()
    payment = PaymentTransaction.objects.create(
        dossier=returned,
        reference="DEMO-AXE-0001",
        amount=100000,
        state=PaymentTransaction.State.PAID,
        created_at=timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0)),
        settled_at=timezone.make_aware(dt.datetime(2026, 3, 2, 9, 5)),
    )
    Comment.objects.create(
        article=article,
        name="Lê Văn Cường",
        email="cuong@example.vn",
        text="Bài viết hữu ích.",
        status=Comment.Status.PUBLISHED,
    )
    ok = 200

    def to(name, *args, query=""):
        return reverse(name, args=args) + query

    return {
        "portal:article-list": [
            (to("portal:article-list"), ok),
            (to("portal:article-list", query="?page=2"), ok),
        ],
        "portal:category-detail": [(to("portal:category-detail", category.slug), ok)],
        "portal:tag-detail": [(to("portal:tag-detail", tag.slug), ok)],
        "portal:search": [
            (to("portal:search"), ok),
            (to("portal:search", query="?q=khoa+h%E1%BB%8Dc"), ok),
            (to("portal:search", query="?q=zzzzkhongco"), ok),
        ],
        "portal:schedule": [(to("portal:schedule"), ok)],
        "portal:science-list": [(to("portal:science-list"), ok)],
        "portal:science-results": [(to("portal:science-results"), ok)],
        "portal:science-detail": [(to("portal:science-detail", task.code), ok)],
        "portal:page": [(to("portal:page", page.slug), ok) for page in Page.objects.all()],
        "portal:organisation": [(to("portal:organisation"), ok)],
        "portal:links": [(to("portal:links"), ok)],
        "core:glossary": [(to("core:glossary"), ok)],
        "core:calendar": [
            (to("core:calendar"), ok),
            (to("core:calendar", query="?start=2026-11-13T08%3A00&days=10&unit=working_days"), ok),
            (to("core:calendar", query="?start=sai&days=-1&unit=working_days"), ok),
        ],
        "login": [(to("login"), ok)],
        "parindex:home": [(to("parindex:home"), ok)],
        "parindex:period": [(to("parindex:period", assessment.period_id), ok)],
        "parindex:result": [(to("parindex:result", assessment.pk), ok)],
        "procedures:procedure-list": [
            (to("procedures:procedure-list"), ok),
            (to("procedures:procedure-list", query="?q=c%C3%B4ng+ngh%E1%BB%87"), ok),
        ],
        "procedures:procedure-detail": [(to("procedures:procedure-detail", procedure.pk), ok)],
        # Without a filing in the session the page sends the visitor to the procedures.
        "dossiers:dossier-filed": [(to("dossiers:dossier-filed"), ok)],
        "dossiers:dossier-rate": [
            (to("dossiers:dossier-rate", query="?t=sai-ma"), 400),
            (rate_url(ratings.rating_token(returned)), ok),
            (rate_url(ratings.rating_token(rated)), ok),
        ],
        "feedback:answer-list": [(to("feedback:answer-list"), ok)],
        "feedback:answer-detail": [(to("feedback:answer-detail", answered.code), ok)],
        "feedback:counting-rule": [(to("feedback:counting-rule"), ok)],
        "payments:payment-return": [(to("payments:payment-return", payment.reference), ok)],
        "esign:signature-verify": [(to("esign:signature-verify"), ok)],
        "opendata:index": [(to("opendata:index"), ok)],
        "opendata:agency-index": [(to("opendata:agency-index", agency.code), ok)],
        # States beyond a route's own: an unknown address, and an article (covered without
        # comments in test_browser_layout.py) with a published comment.
        "404": [("/khong-co-trang-nay/", 404)],
        "commented article": [(article.get_absolute_url(), ok)],
    }


def test_every_route_is_swept_or_skipped_with_a_reason():
    """A route added without a decision here fails; so does a stale entry."""
    found = {name for name, _route in routes()}
    swept = set(SWEPT)
    assert swept.isdisjoint(SKIPPED)
    assert found - swept - set(SKIPPED) == set(), "new routes: sweep them or skip with a reason"
    assert (swept | set(SKIPPED)) - found == set(), "stale entries"


def demo_args(pattern: str, values: dict) -> list:
    """Arguments of a route for a generic anonymous probe: each converter's demo value."""
    import re

    return [values[conv] for conv in re.findall(r"<(\w+):\w+>", pattern)]


@pytest.fixture
def demo_site(settings):
    settings.SITE_AGENCY_CODE = "SKHCN"
    call_command("load_demo", "--quiet-accounts", stdout=io.StringIO())
    from django.core.cache import cache

    cache.clear()


def anonymous_answers_of_skipped_routes() -> dict:
    """What an anonymous GET of each skipped route answers, with arguments of real objects."""
    from cchc.dossiers.models import Dossier

    code = Dossier.objects.order_by("pk").first().code
    values = {
        "int": 1,
        "str": code,
        "slug": "pdf",
        "agencycode": "SKHCN",
        "datafmt": "csv",
        "open311fmt": "json",
    }
    client = Client()
    wrong = {}
    names = dict(routes())
    for name, (kind, reason) in SKIPPED.items():
        if kind == COVERED:
            continue
        path = reverse(name, args=demo_args(names[name], values))
        response = client.get(path)
        html_page = response.status_code == 200 and response["Content-Type"].startswith("text/html")
        if kind == STAFF and (html_page or response.status_code >= 500):
            wrong[name] = (path, response.status_code, reason)
        if kind == POST_ONLY and response.status_code not in (302, 405):
            wrong[name] = (path, response.status_code, reason)
        if kind in (FILE, MACHINE) and html_page:
            wrong[name] = (path, response.status_code, reason)
    return wrong


DEFINITE_WHEN_INCOMPLETE = {"aria-valid-attr-value"}


def axe_violations(page) -> list:
    response = Axe().run(page).response
    assert len(response["passes"]) > 10, page.url  # axe really ran its rules here
    # An ARIA reference to an id that is not on the page is only "to review" for axe; here it
    # is always a mistake (aria-describedby naming an error that has another id).
    unsure = [v for v in response["incomplete"] if v["id"] in DEFINITE_WHEN_INCOMPLETE]
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in response["violations"] + unsure
    ]


def pdf_file() -> dict:
    from cchc.dossiers.tests.helpers import PDF

    return {"name": "don.pdf", "mimeType": "application/pdf", "buffer": PDF}


def submitted_pages(settings):
    """States reached by sending a form, as a visitor does: name -> fills the page."""
    from cchc.dossiers import ratings
    from cchc.dossiers.models import Dossier, Status
    from cchc.dossiers.rating_views import rate_url
    from cchc.portal.models import Article
    from cchc.procedures.models import Procedure

    returned = Dossier.objects.filter(status=Status.RETURNED, rating__isnull=True).last()
    procedure = next(
        p
        for p in Procedure.objects.current().order_by("pk")
        if p.accepts_dossiers and p.online_form != Procedure.OnlineForm.NONE
    )
    article = Article.objects.published().order_by("-published_at").first()

    def login_error(page):
        page.goto(reverse("login"))
        page.locator("#id_username").fill("khongco")
        page.locator("#id_password").fill("sai-mat-khau")
        page.locator("form [type=submit]").first.click()
        page.wait_for_load_state()
        assert page.locator(".errorlist, [data-error-summary], .error").count() > 0

    def signature_by_code(page):
        page.goto(reverse("esign:signature-verify"))
        page.get_by_label("Mã hồ sơ").fill("SKHCN-20260302-9999")
        page.get_by_label("Mã tra cứu hoặc số điện thoại người nộp").fill("WRONG123")
        page.get_by_role("button", name="Xem văn bản đã ký").click()
        page.wait_for_load_state()

    def filed(page):
        page.goto(reverse("dossiers:dossier-file", args=[procedure.pk]))
        page.get_by_label("Người nộp là").select_option("person")
        page.locator("#id_name").fill("Nguyễn Văn An")
        page.get_by_label("Số định danh cá nhân (12 số) hoặc mã số thuế").fill("001203004567")
        page.get_by_label("Điện thoại", exact=True).fill("0912345678")
        page.get_by_label("Địa chỉ").fill("Việt Trì, Phú Thọ")
        for file_input in page.locator("input[type=file]").all():
            file_input.set_input_files(pdf_file())
        page.get_by_role("button", name="Nộp hồ sơ").click()
        page.wait_for_url("**" + reverse("dossiers:dossier-filed"))

    def petition_sent(page):
        page.goto(reverse("feedback:petition-create"))
        page.locator("#id_sender_name").fill("Trần Thị Bình")
        page.locator("#id_sender_phone").fill("0912345678")
        page.locator("#id_subject").fill("Đề nghị hướng dẫn hồ sơ")
        page.locator("#id_content").fill("Nội dung kiến nghị.")
        page.get_by_role("button", name="Gửi PAKN").click()
        page.wait_for_selector(".code-box")

    def comment_sent(page):
        page.goto(article.get_absolute_url() + "y-kien/")
        page.locator("#id_name").fill("Lê Văn Cường")
        page.locator("#id_email").fill("cuong@example.vn")
        page.get_by_label("Ý kiến").fill("Bài viết hữu ích.")
        page.get_by_role("button", name="Gửi ý kiến").click()
        page.wait_for_load_state()
        assert page.locator("[data-error-summary]").count() == 0

    def too_many(page):
        """The Vietnamese 429 page, reached by rating with the address over its limit."""
        page.goto(rate_url(ratings.rating_token(returned)))
        page.locator("#rating-form input[type=radio]").first.check()
        limits = settings.RATE_LIMITS
        settings.RATE_LIMITS = {**limits, "dossier-rate": "0/h"}
        try:
            with page.expect_response(lambda r: r.request.method == "POST") as answer:
                page.get_by_role("button", name="Gửi đánh giá").click()
            assert answer.value.status == 429
            page.wait_for_load_state()
        finally:
            settings.RATE_LIMITS = limits

    def csrf_refused(page):
        """Django's 403 (our 403_csrf.html), met when a form is sent after its cookie is gone."""
        page.goto(reverse("feedback:petition-create"))
        page.context.clear_cookies(name="csrftoken")
        page.locator("#id_sender_name").fill("Trần Thị Bình")
        page.locator("#id_subject").fill("Đề nghị")
        page.locator("#id_content").fill("Nội dung.")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Gửi PAKN").click()
        assert answer.value.status == 403
        page.wait_for_load_state()

    return {
        "form sent without its cookie": csrf_refused,
        "too many requests": too_many,
        "login with an error": login_error,
        "signature check by code, wrong secret": signature_by_code,
        "dossier filed": filed,
        "petition sent": petition_sent,
        "comment sent": comment_sent,
    }


def test_axe_finds_no_violation_of_any_impact_on_any_public_page(
    browser, live_server, demo_site, settings
):
    assert anonymous_answers_of_skipped_routes() == {}
    pages = demo_pages()
    assert set(pages) - {"404", "commented article"} == set(SWEPT)
    problems = {}
    for viewport in (LAPTOP, PHONE):
        context = browser.new_context(locale="vi-VN", base_url=live_server.url, viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(15_000)
        size = f"{viewport['width']}x{viewport['height']}"
        for theme in ("normal", "high"):
            for name, states in pages.items():
                for path, status in states:
                    response = page.goto(path)
                    assert response.status == status, (path, response.status)
                    if name == "commented article":
                        assert page.get_by_text("Bài viết hữu ích.").count() == 1
                    set_theme(page, theme)
                    assert (page.locator("html").get_attribute("data-contrast") == "high") == (
                        theme == "high"
                    )
                    # Folded parts (the menu, explanations) are checked unfolded as well.
                    page.evaluate(
                        "document.querySelectorAll('details').forEach(d => d.open = true)"
                    )
                    found = axe_violations(page)
                    if found:
                        problems[f"{size} {theme} {name} {path}"] = found
            for name, send in submitted_pages(settings).items():
                send(page)
                assert (page.locator("html").get_attribute("data-contrast") == "high") == (
                    theme == "high"
                ), name
                page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
                found = axe_violations(page)
                if found:
                    problems[f"{size} {theme} {name}"] = found
        context.close()
    assert problems == {}
