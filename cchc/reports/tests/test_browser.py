"""In real Chromium: edit a plan task, take the report snapshot, generate it, download the Word."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from docx import Document

from cchc.core.models import Agency, Unit
from cchc.core.roles import Role
from cchc.core.testing import browser_enrol_two_factor, make_user
from cchc.plans.models import PlanTask
from cchc.plans.tests.factories import make_plan, make_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def leader(settings):
    agency = Agency.objects.create(
        code=settings.SITE_AGENCY_CODE,
        name="Sở Khoa học và Công nghệ tỉnh Thử Nghiệm",
        short_name="SKHCN",
        superior_body="Ủy ban nhân dân tỉnh Thử Nghiệm",
        place_name="Thử Nghiệm",
    )
    unit = Unit.objects.create(agency=agency, code="VP", name="Văn phòng Sở")
    user = make_user("giamdoc", unit, [Role.AGENCY_LEADER])
    plan = make_plan(agency, 2025)
    make_task(plan, unit, deadline=dt.date(2025, 3, 3), content="Ban hành kế hoạch CCHC")
    return user


def login(page, user):
    page.goto("/dang-nhap/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill("pw-" + user.username)
    page.locator("#id_password").press("Enter")
    browser_enrol_two_factor(page)
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


def serious(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_leader_edits_a_task_generates_the_report_and_downloads_it(page, leader):
    login(page, leader)
    page.goto("/ke-hoach/")
    page.get_by_role("link", name="Kế hoạch CCHC năm 2025").click()
    page.get_by_role("link", name="Ban hành kế hoạch CCHC").click()
    assert page.locator("#task-status").inner_text().startswith("Quá hạn")
    assert serious(page) == []
    page.locator("#id_status").select_option("done")
    page.locator("#id_progress").fill("100")
    page.locator("#id_completed_on").fill("2025-02-28")
    page.locator("#id_note").fill("Đã ban hành Quyết định 12/QĐ-SKHCN")
    page.get_by_role("button", name="Cập nhật tiến độ").click()
    assert page.locator("#task-status").inner_text().startswith("Hoàn thành")
    assert PlanTask.objects.get().completed_on == dt.date(2025, 2, 28)

    page.goto("/bao-cao/")
    page.locator("#id_year").fill("2025")
    page.locator("#id_as_of").fill("2025-12-31")
    page.locator("#id_number").fill("3")
    page.locator("#id_issued_on").fill("2026-01-05")
    page.locator("#id_signer_name").fill("Trần Thị Giám")
    page.get_by_role("button", name="Chốt số liệu").click()
    page.get_by_role("heading", level=1).filter(has_text="03/BC-SKHCN").wait_for()
    page.locator("#id_overview").fill("Năm 2025 Sở hoàn thành <b>100%</b> kế hoạch.")
    page.get_by_role("button", name="Lưu phần viết").click()
    page.get_by_role("button", name="Tạo tệp Word, PDF, Excel").click()
    link = page.get_by_role("link", name="Tải Word (.docx)")
    link.wait_for()
    assert serious(page) == []
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "bao-cao-cchc-2025-so-03.docx"
    doc = Document(str(download.path()))
    header = doc.tables[0].rows[0].cells
    assert "Số: 03/BC-SKHCN" in [p.text for p in header[0].paragraphs]
    assert "Thử Nghiệm, ngày 05 tháng 01 năm 2026" in [p.text for p in header[1].paragraphs]
    texts = [p.text for p in doc.paragraphs]
    assert "Năm 2025 Sở hoàn thành <b>100%</b> kế hoạch." in texts
    plan_table = doc.tables[1]
    values = {row.cells[0].text: row.cells[1].text for row in plan_table.rows[1:]}
    assert values["Hoàn thành đúng hạn"] == "1"
