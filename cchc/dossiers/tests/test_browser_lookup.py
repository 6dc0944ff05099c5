"""The dossier and petition lookups in real Chromium at phone size: axe-core finds no
violation of any impact, in the result and error states, in both themes."""

import pathlib

import pytest
from axe_playwright_python.sync_playwright import Axe

from cchc.core.models import Unit
from cchc.core.roles import Role
from cchc.core.testing import make_agency, make_user
from cchc.core.tests.browser import set_theme
from cchc.dossiers import services
from cchc.dossiers.tests.helpers import APPLICANT, at, make_procedure, pdf_upload
from cchc.feedback import services as feedback_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SCREENS = pathlib.Path(__file__).resolve().parents[3] / "var" / "screens"


@pytest.fixture
def filed(settings):
    agency = make_agency(settings.SITE_AGENCY_CODE)
    office = Unit.objects.create(agency=agency, code="VP", name="Văn phòng")
    procedure = make_procedure(time="7", steps=[("Thẩm định", "3", office)])
    desk = make_user("motcua", office, [Role.ONE_STOP_OFFICER])
    component = procedure.components.first()
    dossier, secret = services.dossier_file_online(
        procedure=procedure,
        applicant=APPLICANT,
        files={f"component_{component.pk}": pdf_upload()},
        agency=agency,
        at=at(2026, 11, 13, 8),
    )
    services.dossier_accept(actor=desk, dossier=dossier, at=at(2026, 11, 13, 9))
    petition = feedback_services.petition_submit(
        agency=agency,
        sender_name="Trần Thị Bình",
        sender_email="binh@example.vn",
        subject="Đề nghị hướng dẫn hồ sơ",
        content="Nội dung",
    )
    return dossier.code, secret, petition.code


def violations(page) -> list[str]:
    response = Axe().run(page).response
    assert response["passes"], "axe-core checked nothing"
    found = response["violations"]
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in found]


def test_the_lookups_have_no_axe_violation_of_any_impact_in_both_themes(page, filed):
    code, secret, petition_code = filed
    page.set_viewport_size(PHONE)
    states = {
        "result": f"/ho-so/tra-cuu/?code={code}",
        "details": f"/ho-so/tra-cuu/?code={code}&secret={secret}",
        "unknown code": "/ho-so/tra-cuu/?code=SKHCN-20261113-9999",
        "wrong secret": f"/ho-so/tra-cuu/?code={code}&secret=WRONG123",
        "empty code": "/ho-so/tra-cuu/?code=",
        "petition": f"/pakn/tra-cuu/?code={petition_code}",
        "unknown petition": "/pakn/tra-cuu/?code=PAKN-000000-0001-AAAA",
    }
    problems = {}
    for theme in ("normal", "high"):
        for name, path in states.items():
            page.goto(path)
            set_theme(page, theme)
            # The folded explanation is checked open as well as closed.
            for summary in page.locator("details summary").all():
                summary.click()
            found = violations(page)
            if found:
                problems[f"{theme} {name}"] = found
    assert problems == {}


def test_the_status_comes_first_on_a_phone_and_the_explanation_opens_by_keyboard(page, filed):
    code, secret, _petition = filed
    page.set_viewport_size(PHONE)
    page.goto("/ho-so/tra-cuu/")
    page.get_by_label("Mã hồ sơ").fill(code)
    page.get_by_label("Mã tra cứu hoặc số điện thoại người nộp (không bắt buộc)").fill(secret)
    page.get_by_label("Mã tra cứu hoặc số điện thoại người nộp (không bắt buộc)").press("Enter")
    panel = page.locator("#status-panel")
    assert page.locator("#lookup-status").inner_text() == "Đã tiếp nhận"
    assert panel.bounding_box()["y"] < page.locator("#lookup-timeline").bounding_box()["y"]
    assert "25/11/2026" in page.locator("#lookup-due").inner_text()
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / "lookup-390.png", full_page=True)
    grouped = page.get_by_text("Bỏ qua 4 ngày cuối tuần: 14-15/11, 21-22/11")
    assert not grouped.is_visible()
    page.locator("#due-explanation summary").focus()
    page.keyboard.press("Enter")
    assert grouped.is_visible()
    assert page.locator("#due-explanation li").count() == 3
    page.screenshot(path=SCREENS / "lookup-390-explanation.png", full_page=True)
    set_theme(page, "high")
    page.screenshot(path=SCREENS / "lookup-390-high.png", full_page=True)
