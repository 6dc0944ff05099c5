"""Public pages in real Chromium: axe-core in both themes, and filing a petition by keyboard."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from cchc.core import demo as core_demo
from cchc.feedback import demo as feedback_demo
from cchc.feedback.models import Petition
from cchc.portal import demo
from cchc.portal.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(settings):
    settings.SITE_AGENCY_CODE = "SKHCN"
    core_demo.load()
    demo.load()
    feedback_demo.load()
    from django.core.cache import cache

    cache.clear()


def serious(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_public_pages_have_no_serious_axe_violation_in_both_themes(page, site):
    article = Article.objects.published().order_by("-published_at").first()
    paths = [
        "/",
        article.get_absolute_url(),
        "/tim-kiem/?q=thu+tuc+hanh+chinh",
        "/pakn/gui/",
        "/lich-tiep-cong-dan/",
        "/nhiem-vu-khcn/",
        "/ket-qua-khcn/",
    ]
    problems = {}
    for theme in ("normal", "high"):
        for path in paths:
            page.goto(path)
            contrast = page.locator("html").get_attribute("data-contrast")
            if (contrast == "high") != (theme == "high"):
                page.get_by_role("button", name="Tương phản cao").click()
            assert page.locator("h1").count() == 1, path
            found = serious(page)
            if found:
                problems[f"{theme} {path}"] = found
    assert problems == {}


def test_a_petition_is_filed_with_the_keyboard_alone(page, site):
    page.goto("/pakn/gui/")

    def tab_to(element_id, limit=80):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == element_id:
                return
        raise AssertionError(f"Không đến được {element_id} bằng phím Tab")

    tab_to("id_sender_name")
    page.keyboard.type("Nguyễn Văn Bàn Phím")
    tab_to("id_sender_phone")
    page.keyboard.type("0912345678")
    tab_to("id_subject")
    page.keyboard.type("Kiến nghị gửi bằng bàn phím")
    tab_to("id_content")
    page.keyboard.type("Nội dung kiến nghị.")
    tab_to("id_consent_to_publish")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.type") != "submit":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(".code-box")
    code = page.locator(".code-box").inner_text().strip()
    petition = Petition.objects.get(code=code)
    assert petition.subject == "Kiến nghị gửi bằng bàn phím"
    assert petition.consent_to_publish is True


def test_an_editor_writes_an_article_in_the_prose_editor(page, live_server):
    from django.core.cache import cache

    from cchc.core.models import Unit
    from cchc.core.roles import Role
    from cchc.core.testing import browser_enrol_two_factor, make_agency, make_user
    from cchc.portal.models import Category

    cache.clear()
    category = Category.objects.create(name="Tin hoạt động", slug="tin-hoat-dong")
    unit = Unit.objects.create(agency=make_agency(), code="VP", name="Văn phòng")
    make_user("bientap", unit, [Role.EDITOR])
    page.goto("/dang-nhap/")
    page.fill("input[name=username]", "bientap")
    page.fill("input[name=password]", "pw-bientap")
    page.locator("main button[type=submit]").click()
    browser_enrol_two_factor(page)
    page.goto("/quan-ly/tin-tuc/moi/")
    page.fill("#id_title", "Bài viết trong trình soạn thảo")
    page.select_option("#id_category", str(category.pk))
    editor = page.locator(".ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type("Đoạn văn gõ trong trình soạn thảo.")
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_url("**/quan-ly/tin-tuc/*/")
    article = Article.objects.get(title="Bài viết trong trình soạn thảo")
    assert "<p>Đoạn văn gõ trong trình soạn thảo.</p>" in article.body
    page.goto(f"/quan-ly/tin-tuc/{article.pk}/sua/")
    editor = page.locator(".ProseMirror[contenteditable=true]")
    assert "Đoạn văn gõ trong trình soạn thảo." in editor.inner_text()
    editor.click()
    page.keyboard.press("End")
    page.keyboard.type(" Thêm câu.")
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_url(f"**/quan-ly/tin-tuc/{article.pk}/")
    article.refresh_from_db()
    assert "Thêm câu." in article.body
