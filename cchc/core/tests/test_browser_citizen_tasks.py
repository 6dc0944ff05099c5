"""The three citizen tasks of the home page done by keyboard alone, in real Chromium at a
phone's size (390×844): look up a dossier, find a procedure and reach its online filing, send
a petition through an error and its summary. After page.goto("/") the tests only press keys;
locators serve to assert what has focus and what is visible. Each task's entry point is on
the first screen, and the Tab presses that reach it from page load are counted, printed
(stderr) and bounded."""

import sys

import pytest

from cchc.core import demo as core_demo
from cchc.core.models import Agency, User
from cchc.dossiers import services
from cchc.dossiers.models import Status
from cchc.dossiers.tests.helpers import APPLICANT, at, pdf_upload
from cchc.feedback import demo as feedback_demo
from cchc.feedback.models import Petition
from cchc.portal import demo as portal_demo
from cchc.procedures import demo as procedures_demo
from cchc.procedures.models import Procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# Tab presses from page load to a task's entry point: the skip link, then the task cards
# (the first card's field is the first stop of the main content).
MAX_TABS_TO_ENTRY = 6
# Without the skip link, through the whole header (skip link, accessibility tools, login,
# home link, site search and its button, "Menu"): the last card's action still within 12.
MAX_TABS_THROUGH_HEADER = 12
MAX_TABS = 40  # any single walk to a control; beyond it the control is not reachable


@pytest.fixture
def site(settings):
    settings.SITE_AGENCY_CODE = "SKHCN"
    core_demo.load()
    portal_demo.load()
    feedback_demo.load()
    procedures_demo.load()
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def filed(site):
    """A dossier filed online and accepted at the desk, its code and lookup secret known."""
    procedure = Procedure.objects.current().get(code="2.002248")
    files = {f"component_{c.pk}": pdf_upload() for c in procedure.components.filter(required=True)}
    dossier, secret = services.dossier_file_online(
        procedure=procedure,
        applicant=APPLICANT,
        files=files,
        agency=Agency.objects.get(code="SKHCN"),
        at=at(2026, 11, 13, 8),
    )
    desk = User.objects.get(username="motcua")
    services.dossier_accept(actor=desk, dossier=dossier, at=at(2026, 11, 13, 9))
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    return dossier.code, secret


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(locale="vi-VN", base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def focused(page, expression: str):
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {expression}; }})()")


def tab_to(page, test: str, limit: int = MAX_TABS) -> int:
    """Press Tab until `test` (a JS expression on `el`, the focused element) holds; returns
    the number of presses."""
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        if focused(page, test):
            return count
    raise AssertionError(f"Không đến được bằng phím Tab sau {limit} lần: {test}")


def assert_on_first_screen(page, selector: str) -> None:
    """The element lies wholly inside the first viewport, and the page has not scrolled."""
    assert page.evaluate("window.scrollY") == 0
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (selector, box)
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (selector, box)


def assert_in_viewport(page, selector: str, *, wholly: bool = False) -> None:
    """The element shows on the current screen (wholly: from its top to its bottom)."""
    assert page.locator(selector).evaluate(
        """(el, wholly) => { const r = el.getBoundingClientRect();
        if (r.height === 0) return false;
        return wholly ? r.top >= 0 && r.bottom <= window.innerHeight
                      : r.top < window.innerHeight && r.bottom > 0; }""",
        wholly,
    ), selector


def reach_entry_point(page, element_id: str, task: str) -> int:
    """From the loaded home page: Tab to the skip link, follow it, Tab to the entry point."""
    presses = tab_to(page, "el.classList.contains('skip-link')", limit=3)
    assert presses == 1, "the skip link is not the first Tab stop"
    page.keyboard.press("Enter")
    assert focused(page, "el.id") == "main"
    presses += tab_to(page, f"el.id === '{element_id}'")
    print(f"{task}: {presses} lần Tab (và 1 Enter) đến #{element_id}", file=sys.stderr)
    assert presses <= MAX_TABS_TO_ENTRY, (task, presses)
    return presses


def test_each_entry_point_is_on_the_first_screen_and_few_tabs_away(phone, site):
    """One walk by Tab from page load through the header to the three entry points, in the
    order of the cards, without scrolling the page."""
    page = phone
    page.goto("/")
    assert focused(page, "el === document.body")
    presses = 0
    for element_id, task in (
        ("dossier-code", "tra cứu hồ sơ"),
        ("proc-q", "tìm thủ tục"),
        ("petition-start", "gửi phản ánh, kiến nghị"),
    ):
        assert_on_first_screen(page, f"#{element_id}")
        presses += tab_to(page, f"el.id === '{element_id}'")
        print(f"{task}: {presses} lần Tab từ đầu trang, qua phần đầu trang", file=sys.stderr)
        assert presses <= MAX_TABS_THROUGH_HEADER, (task, presses)
        assert_in_viewport(page, f"#{element_id}")
    assert page.evaluate("window.scrollY") == 0


def test_looking_up_a_dossier_by_keyboard_alone(phone, filed):
    code, secret = filed
    page = phone
    page.goto("/")
    assert_on_first_screen(page, "#dossier-code")
    reach_entry_point(page, "dossier-code", "tra cứu hồ sơ")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_url("**/ho-so/tra-cuu/?code=*")

    # Without the secret: the status, and the lookup form asks for the secret to see more.
    assert page.locator("#lookup-status").inner_text() == "Đã tiếp nhận"
    assert_in_viewport(page, "#lookup-status", wholly=True)
    secret_field = "el.name === 'secret'"
    tab_to(page, secret_field)
    page.keyboard.type(secret)
    page.keyboard.press("Enter")
    page.wait_for_url("**secret=*")

    assert page.locator("#status-panel").is_visible()
    assert page.locator("#lookup-status").inner_text() == "Đã tiếp nhận"
    assert code in page.locator("#status-panel .status-code").inner_text()
    assert_in_viewport(page, "#status-headline", wholly=True)
    assert_in_viewport(page, "#lookup-status", wholly=True)
    assert page.locator("#lookup-timeline li").count() >= 2  # filed, then received
    # The due-date explanation unfolds by keyboard too.
    tab_to(page, "el.matches('#due-explanation > summary')")
    page.keyboard.press("Enter")
    assert page.locator("#due-explanation").get_attribute("open") is not None
    assert page.locator("#due-explanation li").first.is_visible()


def test_finding_a_procedure_and_its_online_filing_by_keyboard_alone(phone, site):
    page = phone
    page.goto("/")
    assert_on_first_screen(page, "#proc-q")
    reach_entry_point(page, "proc-q", "tìm thủ tục")
    page.keyboard.type("chuyen giao cong nghe")
    page.keyboard.press("Enter")
    page.wait_for_url("**/thu-tuc/?q=*")

    first_link = page.locator("#results tbody a").first
    expected = first_link.inner_text()
    assert "chuyển giao công nghệ" in expected.lower(), expected
    tab_to(page, "!!el.closest('#results tbody') && el.tagName === 'A'")
    assert focused(page, "el.textContent.trim()") == expected
    page.keyboard.press("Enter")
    page.wait_for_url("**/thu-tuc/*/")

    assert page.locator("h1").inner_text() == expected
    tab_to(page, "el.textContent.trim() === 'Nộp hồ sơ trực tuyến'")
    assert focused(page, "el.getAttribute('href')").startswith("/ho-so/nop/")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ho-so/nop/*/")
    assert page.locator("h1").inner_text() == "Nộp hồ sơ trực tuyến"


def test_sending_a_petition_through_its_error_summary_by_keyboard_alone(phone, site):
    page = phone
    petitions = Petition.objects.count()
    page.goto("/")
    assert_on_first_screen(page, "#petition-start")
    reach_entry_point(page, "petition-start", "gửi phản ánh, kiến nghị")
    page.keyboard.press("Enter")
    page.wait_for_url("**/pakn/gui/")

    def to_field(name: str) -> None:
        tab_to(page, f"el.name === '{name}'")

    # Everything but the subject (required), then submit by Enter from a text field.
    to_field("sender_name")
    page.keyboard.type("Lê Thị Hoa")
    to_field("sender_phone")
    assert focused(page, "el.inputMode") == "tel"
    page.keyboard.type("0912345678")
    to_field("sender_email")
    page.keyboard.type("hoa@example.vn")
    to_field("content")
    page.keyboard.type("Đề nghị hướng dẫn cách nộp hồ sơ chuyển giao công nghệ trực tuyến.")
    to_field("consent_to_publish")
    page.keyboard.press("Space")
    assert focused(page, "el.checked") is True
    tab_to(page, "el.type === 'submit' && el.textContent.trim() === 'Gửi PAKN'")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert page.title().startswith("Lỗi: ")
    assert focused(page, "el.hasAttribute('data-error-summary')")
    assert summary.get_by_role("link").count() == 1
    assert "Tiêu đề" in summary.get_by_role("link").inner_text()
    tab_to(page, "!!el.closest('[data-error-summary]') && el.tagName === 'A'", limit=1)
    page.keyboard.press("Enter")
    assert focused(page, "el.name") == "subject"
    assert focused(page, "el.getAttribute('aria-invalid')") == "true"
    assert_in_viewport(page, "#id_subject")
    assert Petition.objects.count() == petitions  # nothing half-written

    page.keyboard.type("Hỏi cách nộp hồ sơ trực tuyến")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # implicit submission from a text field

    assert page.locator("h1").inner_text() == "Đã gửi phản ánh, kiến nghị"
    code = page.locator("#petition-code").inner_text()
    petition = Petition.objects.get(code=code)
    assert petition.subject == "Hỏi cách nộp hồ sơ trực tuyến"
    assert petition.sender_phone == "0912345678"
    assert petition.consent_to_publish is True
    assert page.get_by_role("heading", name="Việc tiếp theo").is_visible()
    steps = page.locator(".next-steps li")
    assert steps.count() == 3
    assert "chậm nhất" in steps.nth(0).inner_text()
    assert tab_to(page, "el.textContent.trim() === 'Theo dõi PAKN này'")
    assert code in focused(page, "el.getAttribute('href')")
