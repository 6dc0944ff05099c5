"""Two-factor sign-in in real Chromium: enrolment with the key shown, the code step, axe-core."""

import base64

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cchc.core.models import RolePolicy
from cchc.core.roles import Role
from cchc.core.testing import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serious_violations(page):
    results = Axe().run(page)
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sign_in(page, username):
    page.goto("/dang-nhap/?next=/doi-mat-khau/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.locator("main form button[type=submit]").click()


def test_a_required_role_enrols_with_the_shown_key_then_works(page):
    group = Group.objects.create(name=str(Role.UNIT_LEADER))
    RolePolicy.objects.create(group=group, require_two_factor=True)
    make_user("truongphong", None, [Role.UNIT_LEADER])

    sign_in(page, "truongphong")
    page.wait_for_url("**/dang-nhap/thiet-lap-xac-thuc/**")
    assert page.locator("figure.otp-qr svg").count() == 1
    assert serious_violations(page) == []
    # What a person would type into the app: the key as text.
    secret = page.locator("#otp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_code", "000000")
    page.locator("main form button[type=submit]").first.click()
    assert "Mã xác thực không đúng" in page.locator("#code-errors").inner_text()
    page.wait_for_timeout(1100)  # django-otp's one-second wait after a wrong code
    page.fill("#id_code", f"{totp(key):06d}")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/doi-mat-khau/")
    assert page.locator("h1").inner_text() == "Đổi mật khẩu"


def test_the_code_step_is_accessible_and_lets_the_person_in(page):
    user = make_user("chuyenvien", None, [Role.SPECIALIST])
    device = TOTPDevice.objects.create(user=user, name="Điện thoại", confirmed=True)
    sign_in(page, "chuyenvien")
    page.wait_for_url("**/dang-nhap/xac-thuc/**")
    assert serious_violations(page) == []
    page.fill("#id_code", f"{totp(device.bin_key):06d}")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/doi-mat-khau/")
