"""The page shell in real Chromium: accessibility toolbar, keyboard, axe-core."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from cchc.core.models import Abbreviation, Agency

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agency(settings):
    agency = Agency.objects.create(
        code=settings.SITE_AGENCY_CODE,
        name="Sở Khoa học và Công nghệ tỉnh Thử Nghiệm",
        short_name="SKHCN",
        superior_body="Ủy ban nhân dân tỉnh Thử Nghiệm",
        place_name="Thử Nghiệm",
        address="Số 1 đường Thử",
        phone="0210 000",
    )
    Abbreviation.objects.create(abbreviation="CCHC", expansion="Cải cách hành chính")
    Abbreviation.objects.create(abbreviation="TTHC", expansion="Thủ tục hành chính")
    return agency


def test_font_size_and_contrast_are_kept_after_reload(page, agency):
    page.goto("/")
    html = page.locator("html")
    assert html.get_attribute("data-font") == "1"
    assert html.get_attribute("data-contrast") is None
    page.get_by_role("button", name="A cỡ chữ rất lớn").click()
    page.get_by_role("button", name="Tương phản cao").click()
    assert html.get_attribute("data-font") == "3"
    assert html.get_attribute("data-contrast") == "high"
    normal_size = 16.0
    page.reload()
    assert html.get_attribute("data-font") == "3"
    assert html.get_attribute("data-contrast") == "high"
    assert page.get_by_role("button", name="Tương phản cao").get_attribute("aria-pressed") == "true"
    size = float(page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)"))
    assert size > normal_size * 1.3
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(0, 0, 0)"
    # The setting follows the visitor to another page too.
    page.goto("/tu-viet-tat/")
    assert html.get_attribute("data-contrast") == "high"
    page.get_by_role("button", name="Tương phản cao").click()
    page.get_by_role("button", name="A cỡ chữ thường").click()
    page.reload()
    assert html.get_attribute("data-contrast") is None
    assert html.get_attribute("data-font") == "1"


def test_read_aloud_says_politely_that_no_voice_is_available(page, agency):
    page.goto("/")
    page.get_by_role("button", name="Đọc nội dung").click()
    status = page.locator("#a11y-status")
    status.wait_for(state="visible")
    text = status.inner_text()
    assert "chưa có giọng đọc tiếng Việt" in text or "không hỗ trợ đọc" in text


def test_skip_link_and_keyboard_shortcut_reach_main_and_search(page, agency):
    page.goto("/")
    page.keyboard.press("Tab")
    assert (
        page.evaluate("document.activeElement.textContent").strip() == "Bỏ qua, đến nội dung chính"
    )
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-search-q"


def test_glossary_page_expands_and_lists_abbreviations(page, agency):
    page.goto("/tu-viet-tat/")
    assert page.locator("h1").inner_text() == "Từ viết tắt"
    assert page.locator("abbr[title='Cải cách hành chính']").first.is_visible()


@pytest.mark.parametrize("path", ["/", "/tu-viet-tat/", "/tinh-han/", "/dang-nhap/"])
@pytest.mark.parametrize("contrast", ["normal", "high"])
def test_axe_finds_no_serious_violation(page, agency, path, contrast):
    page.goto(path)
    if contrast == "high":
        page.get_by_role("button", name="Tương phản cao").click()
    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
