"""The whole life of a dossier in real Chromium: online filing to public lookup."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe

from cchc.core.models import Unit
from cchc.core.roles import Role
from cchc.core.testing import browser_enrol_two_factor, make_agency, make_user
from cchc.dossiers.models import Dossier, Status
from cchc.dossiers.tests.helpers import PDF, make_procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(settings):
    agency = make_agency(settings.SITE_AGENCY_CODE)
    office = Unit.objects.create(agency=agency, code="VP", name="Văn phòng")
    # Both steps at the office, which names no role: the desk officer may act at each.
    procedure = make_procedure(steps=[("Thẩm định", "3", office), ("Ký duyệt", "1", office)])
    user = make_user("motcua", office, [Role.ONE_STOP_OFFICER, Role.AGENCY_LEADER])
    return procedure, user


def upload(name="don.pdf"):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def action(page, slug, button, **fields):
    form = page.locator(f"form.action-{slug}")
    for label, value in fields.items():
        form.locator(f"[name='{slug}-{label}']").fill(value)
    form.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def test_a_dossier_goes_from_online_filing_to_public_lookup(page, desk):
    procedure, officer = desk
    component = procedure.components.first()
    # 1. The citizen files online.
    page.goto(f"/thu-tuc/{procedure.pk}/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.get_by_label("Người nộp là").select_option("person")
    page.get_by_label("Họ tên / tên tổ chức").fill("Nguyễn Văn An")
    page.get_by_label("Số định danh cá nhân (12 số) hoặc mã số thuế").fill("001203004567")
    page.get_by_label("Điện thoại", exact=True).fill("0912345678")
    page.get_by_label("Thư điện tử").fill("an@example.vn")
    page.get_by_label("Địa chỉ").fill("Việt Trì, Phú Thọ")
    assert Axe().run(page).response["violations"] == []
    page.locator(f"#id_component_{component.pk}").set_input_files(upload())
    page.get_by_role("button", name="Nộp hồ sơ").click()
    code = page.locator("#dossier-code").inner_text()
    secret = page.locator("#dossier-secret").inner_text()
    assert Dossier.objects.get(code=code).status == Status.SUBMITTED

    # 2. The desk receives it, then asks for a supplement.
    page.goto("/dang-nhap/")
    page.locator("#id_username").fill("motcua")
    page.locator("#id_password").fill("pw-motcua")
    page.locator("form").get_by_role("button").last.click()
    browser_enrol_two_factor(page)
    page.goto(f"/ho-so/{code}/")
    action(page, "accept", "Tiếp nhận")
    assert page.locator("#dossier-status").inner_text() == "Đã tiếp nhận"
    assert Axe().run(page).response["violations"] == []
    action(page, "request-supplement", "Yêu cầu bổ sung", items="Bản sao hợp đồng có chứng thực")
    assert page.locator("#dossier-status").inner_text() == "Chờ bổ sung"

    # 3. The applicant sends the supplement with the secret.
    page.goto(f"/ho-so/{code}/bo-sung/")
    page.get_by_label("Mã tra cứu").fill(secret)
    page.get_by_role("button", name="Tiếp tục").click()
    page.locator(f"#component_{component.pk}").set_input_files(upload("hop-dong.pdf"))
    page.get_by_role("button", name="Gửi bổ sung").click()
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.RECEIVED
    assert any(step["kind"] == "pause" for step in dossier.due_explanation)

    # 4. Through the steps, one apology, the result, the return.
    page.goto(f"/ho-so/{code}/")
    action(page, "hand-over", "Chuyển bước tiếp theo", note="Trình ký")
    assert page.locator("#dossier-status").inner_text() == "Đang xử lý"
    new_due = (dossier.due_at + dt.timedelta(days=7)).astimezone(dt.timezone(dt.timedelta(hours=7)))
    action(
        page,
        "apologise",
        "Xin lỗi và hẹn lại",
        reason="Chờ ý kiến liên ngành",
        **{"new_due_at": new_due.strftime("%Y-%m-%dT%H:%M")},
    )
    assert "hẹn lại" in page.locator("#dossier-due").inner_text()
    # One new appointment only: the declared condition takes the action off the page (the
    # service refuses a second one too: test_workflow).
    assert page.locator("form.action-apologise").count() == 0
    assert page.locator("form.action-decide").count() == 1
    action(page, "decide", "Cập nhật kết quả", result_text="Cấp Giấy chứng nhận số 01/GCN")
    action(page, "return", "Trả kết quả")
    assert page.locator("#dossier-status").inner_text() == "Đã trả kết quả"
    assert Axe().run(page).response["violations"] == []
    for url in ("/ho-so/?loc=decided", "/ho-so/thong-ke/", f"/ho-so/{code}/mau/bm05.html"):
        page.goto(url)
        assert Axe().run(page).response["violations"] == [], url

    # 5. Anyone can look it up; details only with the secret.
    page.context.clear_cookies()
    page.goto(f"/ho-so/tra-cuu/?code={code}")
    assert page.locator("#lookup-status").inner_text() == "Đã trả kết quả"
    assert "Nguyễn Văn An" not in page.content()
    page.get_by_label("Mã tra cứu hoặc số điện thoại người nộp (không bắt buộc)").fill(secret)
    page.get_by_role("button", name="Tra cứu").click()
    timeline = page.locator("#lookup-timeline").inner_text()
    assert "Nguyễn Văn An" in page.content()
    for step in ("Thẩm định", "Ký duyệt"):
        assert step in timeline
    assert Axe().run(page).response["violations"] == []
    # The field list is laid out by the shared stylesheet, and the timeline is in Vietnamese.
    facts = page.locator("dl.facts")
    assert facts.evaluate("e => getComputedStyle(e).display") == "grid"
    assert facts.locator("dt").first.evaluate("e => getComputedStyle(e).fontWeight") == "600"
    assert "Trả kết quả — Đã trả kết quả" in timeline
    assert "file_online" not in timeline


@pytest.fixture
def demo_catalogue(settings):
    from cchc.dossiers.tests.demo_desk import load_demo_catalogue

    settings.SITE_AGENCY_CODE = "SKHCN"
    load_demo_catalogue()
    from cchc.procedures.models import Procedure

    return Procedure.objects.current().get(code="2.002248")


class People:
    """One browser window per person, signed in once with the password and the two-factor
    step (staff roles require it: enrolment on the first sign-in, as browser_enrol_two_factor
    does). Signing the same person in again would need a second code within the same
    30-second window, which the authenticator refuses as a replay."""

    def __init__(self, page, live_server):
        self.first, self.live_server, self.pages = page, live_server, {}

    def __call__(self, username):
        if username in self.pages:
            return self.pages[username]
        from cchc.core.demo import DEMO_PASSWORD

        if self.pages:
            context = self.first.context.browser.new_context(
                locale="vi-VN", base_url=self.live_server.url
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
        else:
            page = self.first
        page.goto("/dang-nhap/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.locator("form").get_by_role("button").last.click()
        browser_enrol_two_factor(page)
        page.wait_for_load_state()
        self.pages[username] = page
        return page

    def close(self):
        for page in self.pages.values():
            if page is not self.first:
                page.context.close()


@pytest.fixture
def people(page, live_server):
    people = People(page, live_server)
    yield people
    people.close()


def test_each_role_moves_a_demo_dossier_on_and_lands_on_a_useful_page(people, demo_catalogue):
    from cchc.dossiers.tests.demo_desk import file_and_accept

    dossier = file_and_accept(demo_catalogue)
    code = dossier.code
    # The one-stop officer, the specialist, the unit leader: each hands the dossier on from
    # their step and lands on the dossier, or on their queue once it has left their unit.
    for username, step, lands in (
        ("motcua", "Thẩm định hồ sơ", f"/ho-so/{code}/"),
        ("chuyenvien", "Xem xét, trình ký", f"/ho-so/{code}/"),
        ("truongphong", "Ký giấy chứng nhận", "/ho-so/"),
    ):
        page = people(username)
        page.goto(f"/ho-so/{code}/")
        assert page.locator("#dossier-blocked").count() == 0, username
        action(page, "hand-over", "Chuyển bước tiếp theo", note=f"Chuyển: {username}")
        assert page.url.endswith(lands), (username, page.url)
        assert page.locator("h1").count() == 1
        assert "Không tìm thấy" not in page.content()
        assert step in page.get_by_role("status").first.inner_text(), username
    # The desk, back on the dossier page, is told why it cannot act now (which step, who).
    page = people("motcua")
    page.goto(f"/ho-so/{code}/")
    blocked = page.locator("#dossier-blocked").inner_text()
    assert "Ký giấy chứng nhận" in blocked and "Lãnh đạo cơ quan" in blocked
    # The agency leader decides at the decision step and stays on the dossier.
    page = people("giamdoc")
    page.goto(f"/ho-so/{code}/")
    action(page, "decide", "Cập nhật kết quả", result_text="Cấp Giấy chứng nhận số 02/GCN")
    assert page.url.endswith(f"/ho-so/{code}/"), page.url  # the whole agency is theirs
    assert "Vào sổ, trả kết quả" in page.get_by_role("status").first.inner_text()
    page = people("motcua")
    page.goto(f"/ho-so/{code}/")
    action(page, "return", "Trả kết quả")
    assert page.locator("#dossier-status").inner_text() == "Đã trả kết quả"
    assert Axe().run(page).response["violations"] == []
