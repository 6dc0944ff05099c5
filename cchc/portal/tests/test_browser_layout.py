"""The page shell and the home page in real Chromium at a phone's and a laptop's size: the
citizen tasks on the first screen, a folding menu that works by keyboard with and without
JavaScript, a readable article measure, and no axe-core violation of any impact."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from cchc.core import demo as core_demo
from cchc.core.tests.browser import set_theme
from cchc.feedback import demo as feedback_demo
from cchc.portal import demo
from cchc.portal.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
# The whole header (toolbar, agency name, search and "Menu") on a phone, in CSS pixels:
# about two rows of controls under a two-line agency name.
PHONE_HEADER_MAX = 200
TASK_ENTRY_POINTS = ("#dossier-code", "#proc-q", "#petition-start")


@pytest.fixture
def site(settings):
    settings.SITE_AGENCY_CODE = "SKHCN"
    core_demo.load()
    demo.load()
    feedback_demo.load()
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def open_page(browser, live_server):
    contexts = []

    def open_page(viewport, *, javascript=True):
        context = browser.new_context(
            locale="vi-VN",
            base_url=live_server.url,
            viewport=viewport,
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390x844", "1366x900"])
def test_the_three_citizen_tasks_are_on_the_first_screen(open_page, site, viewport):
    page = open_page(viewport)
    page.goto("/")
    for selector in TASK_ENTRY_POINTS:
        box = page.locator(selector).bounding_box()
        assert box is not None, selector
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (selector, box)
    assert page.evaluate("window.scrollY") == 0
    news = page.get_by_role("heading", name="Tin nổi bật").bounding_box()
    assert news["y"] > page.locator("#petition-start").bounding_box()["y"]


def test_the_header_of_a_phone_is_short_and_its_menu_folded(open_page, site):
    page = open_page(PHONE)
    page.goto("/")
    header_bottom = page.locator(".site-header").bounding_box()
    assert header_bottom["y"] + header_bottom["height"] <= PHONE_HEADER_MAX
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    assert not nav.get_by_role("link", name="Tin tức").is_visible()
    assert not page.get_by_role("button", name="Tương phản cao").is_visible()
    assert page.locator("#site-search-q").is_visible()


def test_a_laptop_shows_the_whole_menu_and_toolbar_without_buttons(open_page, site):
    page = open_page(LAPTOP)
    page.goto("/")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    assert nav.get_by_role("link", name="Tin tức").is_visible()
    assert nav.get_by_role("link", name="Từ viết tắt").is_visible()
    assert not page.locator(".nav-fold > summary").is_visible()
    assert page.get_by_role("button", name="Tương phản cao").is_visible()
    nav_box = page.locator(".main-nav").bounding_box()
    assert nav_box["height"] < 100  # at most two rows of links


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_the_phone_menu_opens_and_is_followed_by_keyboard_alone(open_page, site, javascript):
    page = open_page(PHONE, javascript=javascript)
    page.goto("/")

    def tab_until(test, limit=40):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(test):
                return
        raise AssertionError(f"Không đến được bằng phím Tab: {test}")

    tab_until("document.activeElement.matches('.nav-fold > summary')")
    menu_link = page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Thủ tục hành chính"
    )
    assert not menu_link.is_visible()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    assert menu_link.is_visible()
    assert page.locator(".nav-fold").get_attribute("open") is not None
    tab_until("document.activeElement.textContent.trim() === 'Thủ tục hành chính'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/thu-tuc/")
    assert page.locator("h1").count() == 1


def test_the_phone_toolbar_unfolds_and_switches_the_theme(open_page, site):
    page = open_page(PHONE)
    page.goto("/")
    page.get_by_text("Hỗ trợ tiếp cận", exact=True).click()
    page.get_by_role("button", name="Tương phản cao").click()
    assert page.locator("html").get_attribute("data-contrast") == "high"


def test_an_article_line_holds_about_seventy_five_characters(open_page, site):
    page = open_page(LAPTOP)
    article = Article.objects.published().order_by("-published_at").first()
    page.goto(article.get_absolute_url())
    # Characters of each full line (every line of a paragraph but its last) of the body text.
    lines = page.evaluate(
        """() => { const full = [];
        for (const p of document.querySelectorAll('.article-body p, .article .summary')) {
          const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
          let count = 0, top = null, node;
          while ((node = walker.nextNode())) {
            for (let i = 0; i < node.length; i++) {
              const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
              const rect = range.getClientRects()[0]; if (!rect) continue;
              const t = Math.round(rect.top); if (top === null) top = t;
              if (t > top + 2) { full.push(count); count = 0; top = t; }
              count++;
            }
          }
        } return full; }"""
    )
    assert lines, "the demo article has no paragraph of more than one line"
    assert all(60 <= n <= 85 for n in lines), lines
    assert 65 <= sum(lines) / len(lines) <= 80, lines


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390x844", "1366x900"])
def test_axe_finds_no_violation_of_any_impact_on_home_and_article(open_page, site, viewport):
    page = open_page(viewport)
    article = Article.objects.published().order_by("-published_at").first()
    problems = {}
    for theme in ("normal", "high"):
        for path in ("/", article.get_absolute_url()):
            page.goto(path)
            set_theme(page, theme)
            if viewport is PHONE:
                page.get_by_text("Menu", exact=True).click()  # the unfolded menu too
            violations = Axe().run(page).response["violations"]
            if violations:
                problems[f"{theme} {path}"] = [
                    (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                    for v in violations
                ]
    assert problems == {}
