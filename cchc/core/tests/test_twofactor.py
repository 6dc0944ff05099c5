"""Two-factor sign-in (TOTP) that an administrator requires per role."""

import datetime as dt
from urllib.parse import quote

import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from cchc.core.models import AuditEntry, RolePolicy, User
from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase

ENROL = "/dang-nhap/thiet-lap-xac-thuc/"
VERIFY = "/dang-nhap/xac-thuc/"
STAFF_PAGE = "/doi-mat-khau/"
STAFF_API = "/api/v1/dossiers/queue"


def code_for(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=offset):06d}"


class TwoFactorTestCase(PersonaTestCase):
    # The plain client: these tests sign in and verify by hand (PersonaTestCase's client
    # marks a forced login as verified).
    client_class = Client

    def setUp(self):
        super().setUp()
        self.clock = time_machine.travel(timezone.now(), tick=False)
        self.traveller = self.clock.start()
        self.addCleanup(self.clock.stop)

    def later(self, seconds=31):
        """Move past the throttle delay and into the next 30-second code window."""
        self.traveller.shift(dt.timedelta(seconds=seconds))

    def require(self, role, required=True):
        group = Group.objects.get(name=str(role))
        RolePolicy.objects.update_or_create(group=group, defaults={"require_two_factor": required})

    def sign_in(self, username, next_url=None):
        data = {"username": username, "password": "pw-" + username}
        if next_url:
            data["next"] = next_url
        return self.client.post("/dang-nhap/", data)

    def device_of(self, user, confirmed=True):
        return TOTPDevice.objects.get(user=user, confirmed=confirmed)

    def give_device(self, user):
        return TOTPDevice.objects.create(user=user, name="Điện thoại", confirmed=True)


# The policy mechanics, with the default requirement (OnByDefaultTests) switched off.
@override_settings(TWO_FACTOR_REQUIRED=False)
class RequiredByRoleTests(TwoFactorTestCase):
    def setUp(self):
        super().setUp()
        self.require(Role.UNIT_LEADER)

    def test_password_then_enrolment_before_any_staff_page(self):
        response = self.sign_in("leader_a", next_url=STAFF_PAGE)
        self.assertRedirects(
            response, f"{ENROL}?next={quote(STAFF_PAGE, safe='')}", fetch_redirect_response=False
        )
        # Signed in with the password only: pages send back to enrolment, the API says 403.
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.leader_a.pk)
        page = self.client.get(STAFF_PAGE)
        self.assertEqual(page.status_code, 302)
        self.assertTrue(page["Location"].startswith(ENROL))
        self.assertTrue(self.client.get("/quan-tri/")["Location"].startswith(ENROL))
        api = self.client.get(STAFF_API)
        self.assertEqual(api.status_code, 403)
        self.assertEqual(
            api.json(),
            {
                "errors": [
                    {
                        "field": None,
                        "message": "Bạn cần thiết lập xác thực hai bước trước khi dùng API.",
                    }
                ]
            },
        )

        enrol = self.client.get(ENROL + "?next=" + STAFF_PAGE)
        self.assertContains(enrol, "<h1>Thiết lập xác thực hai bước</h1>", html=True)
        self.assertContains(enrol, "<svg")
        device = self.device_of(self.leader_a, confirmed=False)
        secret = enrol.context["secret"]
        self.assertContains(enrol, secret)
        self.assertIn("secret=" + secret.replace(" ", ""), device.config_url)

        wrong = self.client.post(ENROL, {"code": "000000", "next": STAFF_PAGE})
        self.assertContains(wrong, "Mã xác thực không đúng.")
        self.assertFalse(TOTPDevice.objects.filter(user=self.leader_a, confirmed=True).exists())
        self.assertEqual(self.client.get(STAFF_PAGE).status_code, 302)

        self.later()
        ok = self.client.post(ENROL, {"code": code_for(device), "next": STAFF_PAGE})
        self.assertRedirects(ok, STAFF_PAGE, fetch_redirect_response=False)
        self.assertTrue(self.device_of(self.leader_a).confirmed)
        self.assertEqual(self.client.get(STAFF_PAGE).status_code, 200)
        self.assertEqual(self.client.get(STAFF_API).status_code, 200)
        self.assertTrue(
            AuditEntry.objects.filter(action="two_factor_enrolled", object_id=str(self.leader_a.pk))
        )

    def test_signing_in_again_asks_for_the_code(self):
        device = self.give_device(self.leader_a)
        response = self.sign_in("leader_a")
        self.assertRedirects(response, f"{VERIFY}?next=%2F", fetch_redirect_response=False)
        self.assertTrue(self.client.get(STAFF_PAGE)["Location"].startswith(VERIFY))
        api = self.client.get(STAFF_API)
        self.assertEqual(api.status_code, 403)
        self.assertEqual(
            api.json()["errors"][0]["message"],
            "Bạn cần nhập mã xác thực hai bước trước khi dùng API.",
        )
        page = self.client.get(VERIFY)
        self.assertContains(page, "<h1>Xác thực hai bước</h1>", html=True)

        wrong = self.client.post(VERIFY, {"code": "123456"})
        self.assertContains(wrong, "Mã xác thực không đúng. Vui lòng thử lại (còn 4 lần).")
        self.assertEqual(self.client.get(STAFF_PAGE).status_code, 302)
        # Straight after a wrong code the device makes one wait (django-otp throttling).
        too_soon = self.client.post(VERIFY, {"code": code_for(device)})
        self.assertContains(too_soon, "Vui lòng chờ 1 giây", status_code=429)

        self.later()
        session_before = self.client.session.session_key
        ok = self.client.post(VERIFY, {"code": code_for(device), "next": STAFF_PAGE})
        self.assertRedirects(ok, STAFF_PAGE, fetch_redirect_response=False)
        self.assertNotEqual(self.client.session.session_key, session_before)
        self.assertEqual(self.client.get(STAFF_PAGE).status_code, 200)
        self.assertEqual(self.client.get(STAFF_API).status_code, 200)

    def test_a_used_code_cannot_be_replayed(self):
        device = self.give_device(self.leader_a)
        self.sign_in("leader_a")
        code = code_for(device)
        self.assertEqual(self.client.post(VERIFY, {"code": code}).status_code, 302)
        self.client.logout()
        self.sign_in("leader_a")
        self.assertContains(self.client.post(VERIFY, {"code": code}), "Mã xác thực không đúng.")

    def test_bad_input_is_refused_in_vietnamese(self):
        self.give_device(self.leader_a)
        self.sign_in("leader_a")
        for bad in ("", "12345", "abcdef", "1234567", "<script>", "١٢٣٤٥٦"):
            response = self.client.post(VERIFY, {"code": bad})
            self.assertEqual(response.status_code, 200, bad)
            self.assertContains(response, "6 chữ số")
        self.assertEqual(self.client.get(STAFF_PAGE).status_code, 302)

    def test_attempts_are_bounded_then_the_person_is_signed_out(self):
        self.give_device(self.leader_a)
        self.sign_in("leader_a")
        for attempt in range(1, 5):
            response = self.client.post(VERIFY, {"code": "000000"})
            self.assertContains(response, f"còn {5 - attempt} lần")
            self.later(2**attempt)
        last = self.client.post(VERIFY, {"code": "000000"}, follow=True)
        self.assertContains(
            last, "Bạn đã nhập sai mã xác thực quá nhiều lần. Vui lòng đăng nhập lại."
        )
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(self.device_of(self.leader_a).throttling_failure_count, 5)

    def test_an_open_redirect_is_not_followed(self):
        device = self.give_device(self.leader_a)
        self.sign_in("leader_a")
        ok = self.client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
        self.assertRedirects(ok, "/", fetch_redirect_response=False)

    def test_a_token_client_is_not_held(self):
        # Decision (docs/security.md): tokens are issued by an administrator for machine
        # clients; the token, not a password, is the credential, so no second step applies.
        token = Token.objects.create(user=self.leader_a)
        response = self.client.get(STAFF_API, HTTP_AUTHORIZATION=f"Token {token.key}")
        self.assertEqual(response.status_code, 200)

    def test_a_policy_set_while_signed_in_applies_at_the_next_request(self):
        self.require(Role.SPECIALIST)
        self.client.force_login(self.officer_a)
        self.assertTrue(self.client.get(STAFF_PAGE)["Location"].startswith(ENROL))

    def test_joining_a_role_that_requires_it_applies_at_the_next_request(self):
        self.client.force_login(self.officer_a)
        self.assertEqual(self.client.get(STAFF_PAGE).status_code, 200)
        self.officer_a.groups.add(Group.objects.get(name=str(Role.UNIT_LEADER)))
        self.assertTrue(self.client.get(STAFF_PAGE)["Location"].startswith(ENROL))

    def test_a_device_removed_by_the_administrator_means_enrolling_again(self):
        device = self.give_device(self.leader_a)
        self.client.force_login(self.leader_a)
        self.assertTrue(self.client.get(STAFF_PAGE)["Location"].startswith(VERIFY))
        device.delete()
        self.assertTrue(self.client.get(STAFF_PAGE)["Location"].startswith(ENROL))

    def test_an_htmx_request_is_sent_to_the_step_as_a_whole_page(self):
        self.sign_in("leader_a")
        response = self.client.get(STAFF_PAGE, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 204)
        self.assertTrue(response["HX-Redirect"].startswith(ENROL))

    def test_logout_stays_reachable(self):
        self.sign_in("leader_a")
        self.client.post("/dang-xuat/")
        self.assertNotIn("_auth_user_id", self.client.session)


# The policy mechanics, with the default requirement (OnByDefaultTests) switched off.
@override_settings(TWO_FACTOR_REQUIRED=False)
class NotRequiredTests(TwoFactorTestCase):
    def test_sign_in_is_unchanged_without_policy_or_device(self):
        response = self.sign_in("officer_a", next_url=STAFF_PAGE)
        self.assertRedirects(response, STAFF_PAGE, fetch_redirect_response=False)
        self.assertEqual(self.client.get(STAFF_PAGE).status_code, 200)
        self.assertFalse(TOTPDevice.objects.exists())

    def test_the_check_costs_no_query_once_signed_in(self):
        self.require(Role.UNIT_LEADER)
        self.sign_in("officer_a")
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(STAFF_PAGE).status_code, 200)
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        self.assertNotIn("otp_totp", sql)
        self.assertNotIn("core_rolepolicy", sql)

    def test_a_policy_switched_off_is_unchanged_too(self):
        self.require(Role.SPECIALIST, required=False)
        self.assertRedirects(self.sign_in("officer_a"), "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get(STAFF_PAGE).status_code, 200)

    def test_another_role_requiring_it_does_not_touch_this_one(self):
        self.require(Role.UNIT_LEADER)
        self.assertRedirects(self.sign_in("officer_a"), "/", fetch_redirect_response=False)

    def test_a_person_who_enrolled_by_choice_is_asked_for_the_code_and_can_remove_it(self):
        self.client.force_login(self.officer_a)
        devices_page = self.client.get("/tai-khoan/xac-thuc-hai-buoc/")
        self.assertContains(devices_page, "Bạn chưa bật xác thực hai bước.")
        self.client.get(ENROL)
        device = self.device_of(self.officer_a, confirmed=False)
        self.client.post(ENROL, {"code": code_for(device)})
        self.client.logout()
        self.later()

        self.assertTrue(self.sign_in("officer_a")["Location"].startswith(VERIFY))
        self.client.post(VERIFY, {"code": code_for(device)})
        page = self.client.get("/tai-khoan/xac-thuc-hai-buoc/")
        self.assertContains(page, "Gỡ thiết bị")
        # Another person's device id is not theirs to remove.
        other = self.give_device(self.officer_b)
        self.assertEqual(
            self.client.post("/tai-khoan/xac-thuc-hai-buoc/", {"device": other.pk}).status_code,
            404,
        )
        self.client.post("/tai-khoan/xac-thuc-hai-buoc/", {"device": "abc"})
        self.client.post("/tai-khoan/xac-thuc-hai-buoc/", {"device": device.pk})
        self.assertFalse(TOTPDevice.objects.filter(user=self.officer_a).exists())
        self.assertTrue(TOTPDevice.objects.filter(pk=other.pk).exists())
        self.client.logout()
        self.assertRedirects(self.sign_in("officer_a"), "/", fetch_redirect_response=False)


# The policy mechanics, with the default requirement (OnByDefaultTests) switched off.
@override_settings(TWO_FACTOR_REQUIRED=False)
class AdminPolicyTests(TwoFactorTestCase):
    def setUp(self):
        super().setUp()
        self.admin = User.objects.create_superuser("quantri", password="pw-quantri")

    def test_the_administrator_switches_the_policy_on_and_off(self):
        self.client.force_login(self.admin)
        group = Group.objects.get(name=str(Role.SPECIALIST))
        listing = self.client.get("/quan-tri/core/rolepolicy/")
        self.assertContains(listing, "chính sách đăng nhập theo vai trò")
        added = self.client.post(
            "/quan-tri/core/rolepolicy/add/", {"group": group.pk, "require_two_factor": "on"}
        )
        self.assertEqual(added.status_code, 302)
        policy = RolePolicy.objects.get(group=group)
        self.assertTrue(policy.require_two_factor)
        self.assertEqual(str(policy), "Chuyên viên")
        self.assertTrue(AuditEntry.objects.filter(action="role_policy_changed", to_state="2fa"))
        self.client.logout()

        self.assertTrue(self.sign_in("officer_a")["Location"].startswith(ENROL))
        self.client.logout()

        self.client.force_login(self.admin)
        changed = self.client.post(
            f"/quan-tri/core/rolepolicy/{policy.pk}/change/", {"group": group.pk}
        )
        self.assertEqual(changed.status_code, 302)
        policy.refresh_from_db()
        self.assertFalse(policy.require_two_factor)
        self.client.logout()
        self.assertRedirects(self.sign_in("officer_a"), "/", fetch_redirect_response=False)

    def test_a_role_requiring_it_holds_the_admin_site_too(self):
        self.admin.groups.add(Group.objects.get_or_create(name=str(Role.SYSTEM_ADMIN))[0])
        self.require(Role.SYSTEM_ADMIN)
        self.client.force_login(self.admin)
        self.assertTrue(self.client.get("/quan-tri/")["Location"].startswith(ENROL))


class OnByDefaultTests(TwoFactorTestCase):
    """A fresh database (no RolePolicy row) asks the administrator and every staff role."""

    def test_a_fresh_database_asks_the_staff_and_the_administrator_for_the_code(self):
        self.assertFalse(RolePolicy.objects.exists())
        User.objects.create_superuser("quantri", password="pw-quantri")
        for username in ("officer_a", "leader_a", "agency_leader", "portal_editor", "quantri"):
            self.client.logout()
            response = self.sign_in(username)
            self.assertTrue(response["Location"].startswith(ENROL), username)
            self.assertTrue(self.client.get(STAFF_PAGE)["Location"].startswith(ENROL), username)
        self.assertTrue(self.client.get("/quan-tri/")["Location"].startswith(ENROL))
        self.assertContains(self.client.get(ENROL), "bắt buộc")
        # Someone with no staff role (a citizen) signs in as before.
        self.client.logout()
        self.assertRedirects(self.sign_in("citizen"), "/", fetch_redirect_response=False)

    def test_an_enrolled_officer_is_asked_for_the_code_at_every_sign_in(self):
        self.sign_in("officer_a")
        self.client.get(ENROL)
        device = self.device_of(self.officer_a, confirmed=False)
        self.assertEqual(self.client.post(ENROL, {"code": code_for(device)}).status_code, 302)
        self.assertEqual(self.client.get(STAFF_PAGE).status_code, 200)
        self.client.logout()
        self.later()
        self.assertTrue(self.sign_in("officer_a")["Location"].startswith(VERIFY))

    def test_the_setting_switches_the_default_off_but_not_an_explicit_policy(self):
        with self.settings(TWO_FACTOR_REQUIRED=False):
            self.assertRedirects(self.sign_in("officer_a"), "/", fetch_redirect_response=False)
            self.assertEqual(self.client.get(STAFF_PAGE).status_code, 200)
            self.client.logout()
            self.require(Role.UNIT_LEADER)
            self.assertTrue(self.sign_in("leader_a")["Location"].startswith(ENROL))

    def test_the_administrator_may_switch_one_role_off(self):
        self.require(Role.SPECIALIST, required=False)
        self.assertRedirects(self.sign_in("officer_a"), "/", fetch_redirect_response=False)
        self.client.logout()
        self.assertTrue(self.sign_in("leader_a")["Location"].startswith(ENROL))

    def test_a_new_policy_in_the_admin_site_is_on_unless_unticked(self):
        from django.contrib import admin
        from django.test import RequestFactory

        from cchc.core.admin import RolePolicyAdmin

        initial = RolePolicyAdmin(RolePolicy, admin.site).get_changeform_initial_data(
            RequestFactory().get("/quan-tri/core/rolepolicy/add/")
        )
        self.assertIs(initial["require_two_factor"], True)


class VerifiedTestLoginTests(PersonaTestCase):
    def test_a_forced_test_login_is_verified_with_a_real_device_of_that_person(self):
        from django_otp import DEVICE_ID_SESSION_KEY

        self.login_as("officer_a")
        self.assertEqual(self.client.get(STAFF_PAGE).status_code, 200)
        device = TOTPDevice.objects.get(user=self.officer_a, confirmed=True)
        self.assertEqual(self.client.session[DEVICE_ID_SESSION_KEY], device.persistent_id)
        self.login_as("citizen")  # owes no step: no device made
        self.assertFalse(TOTPDevice.objects.filter(user=self.citizen).exists())


class DemoRunTests(PersonaTestCase):
    def test_make_run_says_how_to_enrol_and_switches_two_factor_off_explicitly(self):
        import subprocess
        from pathlib import Path

        root = Path(__file__).resolve().parents[3]
        dry = subprocess.run(
            ["make", "-n", "-s", "run", "PY=python"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            env={"PATH": "/usr/bin:/bin"},
        ).stdout
        self.assertIn("/dang-nhap/thiet-lap-xac-thuc/", dry)
        self.assertIn("quét mã qr", dry.lower())
        server = next(line for line in dry.splitlines() if "runserver" in line)
        self.assertIn("CCHC_TWO_FACTOR_REQUIRED=false", server)
