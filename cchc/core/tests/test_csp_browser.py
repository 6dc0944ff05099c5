"""Content-Security-Policy in real Chromium: the main pages of every app, public and staff, load
with zero CSP violations (no inline script or style anywhere), and what is interactive still
works under the policy: an htmx swap, the accessibility toolbar, the prose editor, Swagger UI."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from cchc.core.testing import browser_enrol_two_factor
from cchc.dossiers.models import Dossier
from cchc.parindex.models import Assessment
from cchc.portal.models import Article
from cchc.procedures.models import Procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Demo@2026"


@pytest.fixture
def demo(settings):
    settings.SITE_AGENCY_CODE = "SKHCN"
    settings.RATE_LIMIT_SCALE = 1000
    call_command("load_demo", quiet_accounts=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    cache.clear()


class Violations:
    """Collects CSP violations from both the console and the securitypolicyviolation event."""

    def __init__(self, page):
        self.page = page
        self.found: list[str] = []
        page.on("console", self._console)
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'CSP-VIOLATION ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' +"
            " (e.sourceFile || '') + ':' + e.lineNumber));"
        )

    def _console(self, message):
        text = message.text
        if "CSP-VIOLATION" in text or "Content Security Policy" in text or "Refused to" in text:
            self.found.append(f"{self.page.url}: {text[:300]}")

    def visit(self, path):
        response = self.page.goto(path)
        self.page.wait_for_load_state("networkidle")
        assert response.status < 400, f"{path}: {response.status}"
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy, path
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
        return response


def sign_in(page, username):
    page.goto("/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    browser_enrol_two_factor(page)
    assert page.get_by_role("button", name="Đăng xuất").count() == 1


def test_public_pages_have_no_csp_violation_and_stay_interactive(page, demo):
    watch = Violations(page)
    article = Article.objects.published().order_by("-published_at").first()
    procedure = Procedure.objects.current().exclude(online_form=Procedure.OnlineForm.NONE).first()
    dossier = Dossier.objects.order_by("pk").first()
    for path in (
        "/",
        article.get_absolute_url(),
        "/tim-kiem/?q=thu+tuc+hanh+chinh",
        "/pakn/gui/",
        "/pakn/tra-loi/",
        f"/thu-tuc/{procedure.pk}/",
        f"/ho-so/nop/{procedure.pk}/",
        f"/ho-so/tra-cuu/?code={dossier.code}",
        "/tu-viet-tat/",
        "/so-do-to-chuc/",
        "/dang-nhap/",
    ):
        watch.visit(path)

    # The accessibility toolbar (a11y.js) still works.
    watch.visit("/tinh-han/")
    page.get_by_role("button", name="Tương phản cao").click()
    assert page.locator("html").get_attribute("data-contrast") == "high"
    page.locator("button[data-font='3']").click()
    assert page.locator("button[data-font='3']").get_attribute("aria-pressed") == "true"

    # An htmx swap: the due-date calculator answers in place, without a page load.
    page.evaluate("window.__same_page = true")
    page.fill("#id_start", "2026-03-02T08:00")
    page.fill("#id_days", "5")
    page.locator("main form button[type=submit]").click()
    page.locator("#due-result h2").wait_for()
    assert "Hạn xử lý" in page.locator("#due-result").inner_text()
    assert page.evaluate("window.__same_page") is True

    # The API documentation (Swagger UI) renders the operations.
    watch.visit("/api/docs/")
    page.locator(".opblock").first.wait_for(timeout=20_000)
    assert watch.found == []


def test_staff_pages_have_no_csp_violation_and_the_editor_loads(browser, live_server, demo):
    assessment = Assessment.objects.order_by("pk").first()
    dossier = Dossier.objects.order_by("pk").first()
    field = assessment.period.framework.nodes.filter(level=1).order_by("pk").first()
    found = []
    for username, paths in (
        (
            "giamdoc",
            [
                "/bao-cao/tong-quan/",
                "/chi-so-cchc/",
                f"/chi-so-cchc/danh-gia/{assessment.pk}/",
                f"/chi-so-cchc/danh-gia/{assessment.pk}/linh-vuc/{field.code}/",
                f"/chi-so-cchc/danh-gia/{assessment.pk}/ket-qua/",
                "/ho-so/",
                f"/ho-so/{dossier.code}/",
                f"/ho-so/{dossier.code}/mau/bm05.html",
                "/ho-so/thong-ke/",
                "/pakn/xu-ly/",
                "/ke-hoach/",
                "/bao-cao/",
                "/api/docs/",
            ],
        ),
        ("bientap", ["/quan-ly/tin-tuc/", "/quan-ly/tin-tuc/moi/"]),
    ):
        context = browser.new_context(locale="vi-VN", base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(15_000)
        watch = Violations(page)
        sign_in(page, username)
        for path in paths:
            watch.visit(path)
        if username == "bientap":
            # The prose editor (an import map with the nonce, modules, tiptap's own style).
            editor = page.locator(".ProseMirror[contenteditable=true]")
            editor.click()
            page.keyboard.type("Gõ thử dưới chính sách bảo mật nội dung.")
            assert "Gõ thử dưới" in editor.inner_text()
            assert page.locator(".prose-menubar, .prose-editor").count() >= 1
        found += watch.found
        context.close()
    assert found == []
