"""The citizen forms in real Chromium: filing with an error then fixing it from the error
summary, and axe-core (every impact) on the four forms, blank and with errors, in both themes."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from cchc.core.models import Unit
from cchc.core.roles import Role
from cchc.core.testing import make_agency, make_user
from cchc.core.tests.browser import set_theme
from cchc.dossiers import services
from cchc.dossiers.models import Dossier, Status
from cchc.dossiers.tests.helpers import APPLICANT, PDF, at, make_procedure, pdf_upload
from cchc.portal.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(settings):
    agency = make_agency(settings.SITE_AGENCY_CODE)
    office = Unit.objects.create(agency=agency, code="VP", name="Văn phòng")
    procedure = make_procedure(steps=[("Thẩm định", "3", office)])
    desk = make_user("motcua", office, [Role.ONE_STOP_OFFICER])
    article = factories.article(factories.category(), "Bài có ý kiến")
    return agency, procedure, desk, article


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_filing_with_an_error_then_fixing_it_from_the_error_summary(page, site):
    _agency, procedure, _desk, _article = site
    component = procedure.components.first()
    page.goto(f"/ho-so/nop/{procedure.pk}/")
    page.get_by_label("Người nộp là").select_option("person")
    page.get_by_label("Số định danh cá nhân (12 số) hoặc mã số thuế").fill("001203004567")
    page.get_by_label("Điện thoại", exact=True).fill("12ab")
    page.get_by_label("Địa chỉ").fill("Việt Trì, Phú Thọ")
    page.locator(f"#id_component_{component.pk}").set_input_files(
        {"name": "don.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_load_state()

    # The page says it has errors, the summary has focus and links to each field.
    assert page.title().startswith("Lỗi: ")
    summary = page.locator("[data-error-summary]")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    links = summary.get_by_role("link")
    assert links.count() == 2
    links.nth(1).click()
    assert focused_id(page) == "id_phone"
    assert page.locator("#id_phone").get_attribute("aria-invalid") == "true"
    page.keyboard.press("Control+A")
    page.keyboard.type("0912345678")
    links.nth(0).click()
    assert focused_id(page) == "id_name"
    page.keyboard.type("Nguyễn Văn An")
    # Files are never kept across a page: the page says so, and the input is still required.
    assert "chọn lại các tệp" in page.locator("#components-hint").inner_text()
    file_input = page.locator(f"#id_component_{component.pk}")
    assert file_input.get_attribute("required") is not None
    file_input.set_input_files({"name": "don.pdf", "mimeType": "application/pdf", "buffer": PDF})
    # The primary button is the first thing Tab reaches after the last field.
    file_input.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Nộp hồ sơ"
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    code = page.locator("#dossier-code").inner_text()
    assert Dossier.objects.get(code=code).status == Status.SUBMITTED
    assert "chỉ hiển thị một lần" in page.locator(".secret-once").inner_text()
    print_button = page.get_by_role("button", name="In biên nhận")
    assert print_button.is_visible()  # shown by a11y.js; without it the page says Ctrl+P
    secret = page.locator("#dossier-secret").inner_text()
    page.reload()
    assert secret not in page.content()


def form_pages(site):
    """(path, how to make its errors appear) of the four citizen forms."""
    _agency, procedure, _desk, article = site
    dossier, _secret = services.dossier_file_online(
        procedure=procedure,
        applicant=APPLICANT,
        files={f"component_{procedure.components.first().pk}": pdf_upload()},
        agency=_agency,
        at=at(2026, 3, 2, 8),
    )
    services.dossier_request_supplement(
        actor=_desk, dossier=dossier, items="Bản sao hợp đồng", at=at(2026, 3, 2, 9)
    )

    def submit(button):
        return lambda page: page.get_by_role("button", name=button).click()

    def wrong_secret(page):
        page.get_by_label("Mã tra cứu").fill("WRONG123")
        page.get_by_role("button", name="Tiếp tục").click()

    return {
        "filing": (f"/ho-so/nop/{procedure.pk}/", submit("Nộp hồ sơ")),
        "supplement": (f"/ho-so/{dossier.code}/bo-sung/", wrong_secret),
        "petition": ("/pakn/gui/", submit("Gửi PAKN")),
        "comment": (article.get_absolute_url() + "y-kien/", submit("Gửi ý kiến")),
    }


def audit(page) -> list:
    response = Axe().run(page).response
    assert len(response["passes"]) > 10  # axe really ran its rules on this page
    return response["violations"]


@pytest.mark.parametrize("contrast", ["normal", "high"])
def test_axe_finds_no_violation_of_any_impact_on_the_citizen_forms(page, site, contrast):
    found = {}
    for name, (path, make_errors) in form_pages(site).items():
        page.goto(path)
        set_theme(page, contrast)
        found[name] = audit(page)
        make_errors(page)
        page.wait_for_load_state()
        assert page.locator("[data-error-summary]").count() == 1, name
        assert page.locator("html").get_attribute("data-contrast") == (
            "high" if contrast == "high" else None
        )
        found[f"{name} with errors"] = audit(page)
    violations = {
        name: [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found_]
        for name, found_ in found.items()
        if found_
    }
    assert violations == {}
