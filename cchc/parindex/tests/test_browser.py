"""The whole PAR flow in real Chromium: self-assessment → submit → appraisal with a differing
score and reason → explanation → round 2 → final → result page; axe-core on the main pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from cchc.core.models import Agency, Unit
from cchc.core.roles import Role
from cchc.core.testing import browser_enrol_two_factor, make_user
from cchc.parindex.models import Assessment, Score
from cchc.parindex.services import period_create
from cchc.parindex.tests.helpers import small_framework

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(settings):
    agency = Agency.objects.create(
        code=settings.SITE_AGENCY_CODE,
        name="Sở KH&CN tỉnh Thử Nghiệm",
        short_name="SKHCN",
        superior_body="UBND tỉnh Thử Nghiệm",
        place_name="Thử Nghiệm",
    )
    unit = Unit.objects.create(agency=agency, code="QLCN", name="Phòng Quản lý công nghệ")
    council = Unit.objects.create(agency=agency, code="VP", name="Văn phòng")
    leader = make_user("truongphong", unit, [Role.UNIT_LEADER])
    appraiser = make_user("thamdinh", council, [Role.APPRAISER])
    period = period_create(
        agency=agency,
        framework=small_framework(),
        year=2025,
        name="Chỉ số CCHC năm 2025",
        units=[unit],
        appraisers=[appraiser],
    )
    Score.objects.filter(assessment__period=period, node__code="2.2").update(survey_points=2)
    return {"assessment": period.assessments.get(), "leader": leader, "appraiser": appraiser}


def login(browser, live_server, username):
    context = browser.new_context(locale="vi-VN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-" + username)
    page.locator("main button[type=submit]").click()
    browser_enrol_two_factor(page)
    return page


def serious(page):
    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def press(page, label):
    page.get_by_role("button", name=label).click()
    page.wait_for_load_state()


def test_self_assessment_to_published_result(browser, live_server, setup):
    assessment = setup["assessment"]
    base = f"/chi-so-cchc/danh-gia/{assessment.pk}"

    unit = login(browser, live_server, "truongphong")
    unit.goto(f"{base}/linh-vuc/1/")
    card = unit.locator(".score-card", has_text="1.1.1. Thành phần chấm tay")
    card.get_by_label("Điểm tự chấm").fill("1,5")
    card.get_by_label("Thuyết minh").fill("Chưa hoàn thành báo cáo quý IV")
    card.get_by_role("button", name="Lưu").click()
    saved = unit.locator(".score-card", has_text="1.1.1. Thành phần chấm tay")
    saved.get_by_text("Đã lưu.").wait_for()
    assert "1,5" in saved.locator(".self-points").inner_text()
    unit.locator(".score-card", has_text="1.1.2").get_by_label("Điểm tự chấm").select_option(
        label="Đạt (2)"
    )
    unit.locator(".score-card", has_text="1.1.2").get_by_role("button", name="Lưu").click()
    unit.locator(".score-card", has_text="1.1.2").get_by_text("Đã lưu.").wait_for()
    ratio = unit.locator(".score-card", has_text="1.2. Tiêu chí tỷ lệ")
    ratio.get_by_label("Tỷ lệ đạt được (%)").fill("80")
    ratio.get_by_role("button", name="Lưu").click()
    unit.locator(".score-card", has_text="1.2. Tiêu chí tỷ lệ").get_by_text("Đã lưu.").wait_for()
    assert serious(unit) == []
    unit.goto(f"{base}/linh-vuc/2/")
    card = unit.locator(".score-card", has_text="2.1.1")
    card.get_by_label("Điểm tự chấm").fill("2")
    card.get_by_role("button", name="Lưu").click()
    unit.locator(".score-card", has_text="2.1.1").get_by_text("Đã lưu.").wait_for()
    unit.goto(f"{base}/")
    press(unit, "Nộp bản tự đánh giá")
    assert unit.locator("#status").inner_text() == "Đã nộp"

    council = login(browser, live_server, "thamdinh")
    council.goto(f"{base}/")
    press(council, "Bắt đầu thẩm định")
    council.goto(f"{base}/linh-vuc/1/")
    card = council.locator(".score-card", has_text="1.1.1. Thành phần chấm tay")
    card.get_by_label("Điểm thẩm định lần 1").fill("1")
    card.get_by_role("button", name="Lưu thẩm định").click()
    council.locator(".score-card", has_text="1.1.1").get_by_text("cần ghi lý do").wait_for()
    card = council.locator(".score-card", has_text="1.1.1. Thành phần chấm tay")
    card.get_by_label("Điểm thẩm định lần 1").fill("1")
    card.get_by_label("Lý do (bắt buộc khi khác điểm tự chấm)").fill("Thiếu báo cáo quý IV")
    card.get_by_role("button", name="Lưu thẩm định").click()
    council.locator(".score-card", has_text="1.1.1").get_by_text("Đã lưu.").wait_for()
    assert serious(council) == []
    council.goto(f"{base}/")
    press(council, "Yêu cầu giải trình")

    unit.goto(f"{base}/linh-vuc/1/")
    card = unit.locator(".score-card", has_text="1.1.1. Thành phần chấm tay")
    card.get_by_label("Giải trình", exact=True).fill(
        "Báo cáo quý IV đã gửi ngày 28/12, kèm công văn"
    )
    card.get_by_role("button", name="Lưu giải trình").click()
    unit.locator(".score-card", has_text="1.1.1").get_by_text("Đã lưu.").wait_for()
    unit.goto(f"{base}/")
    press(unit, "Gửi giải trình")

    council.goto(f"{base}/linh-vuc/1/")
    card = council.locator(".score-card", has_text="1.1.1. Thành phần chấm tay")
    assert "Báo cáo quý IV đã gửi" in card.inner_text()
    card.get_by_label("Điểm thẩm định lần 2").fill("1,25")
    card.get_by_label("Lý do (bắt buộc khi khác điểm tự chấm)").fill(
        "Chấp nhận một phần giải trình"
    )
    card.get_by_role("button", name="Lưu thẩm định").click()
    council.locator(".score-card", has_text="1.1.1").get_by_text("Đã lưu.").wait_for()
    council.goto(f"{base}/")
    press(council, "Chốt kết quả")
    assert council.locator("#status").inner_text() == "Đã chốt kết quả"

    # 1.25 + 2 + 2 (80% of target 80) + 2 + 2 (survey) = 9.25 of 10.
    council.goto(f"{base}/ket-qua/")
    assert council.locator("#index").inner_text() == "92,500"
    assert council.locator("#rank").inner_text() == "1/1"
    assert council.locator("figure.radar svg").count() == 1
    assert "1.1.1. Thành phần chấm tay" in council.locator("#lost").inner_text()
    council.get_by_label("Giả định đạt tối đa 1.1.1").check()
    council.get_by_role("button", name="Tính thử (không lưu)").click()
    council.locator("#whatif-index").wait_for()
    assert council.locator("#whatif-index").inner_text() == "100,000"
    assert serious(council) == []
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.FINALISED
    assert Score.objects.get(assessment=assessment, node__code="1.1.1").final_points == 1.25
